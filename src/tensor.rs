//! A value of some [`Shape`]: elements in row-major order.
//!
//! Generic over the element so that the exact evaluator (rationals) and the float evaluator (f64)
//! share one layout and one set of structural operations.

use crate::shape::Shape;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Tensor<T> {
    shape: Shape,
    data: Vec<T>,
}

impl<T> Tensor<T> {
    /// `data.len()` must equal `shape.size()`; callers build both from the same shape.
    pub fn new(shape: Shape, data: Vec<T>) -> Tensor<T> {
        assert_eq!(
            shape.size(),
            data.len(),
            "tensor data does not fit its shape"
        );
        Tensor { shape, data }
    }

    pub fn scalar(value: T) -> Tensor<T> {
        Tensor {
            shape: Shape::Scalar,
            data: vec![value],
        }
    }

    pub fn shape(&self) -> Shape {
        self.shape
    }

    pub fn data(&self) -> &[T] {
        &self.data
    }

    pub fn into_data(self) -> Vec<T> {
        self.data
    }

    /// The single element of a scalar.
    pub fn as_scalar(&self) -> Option<&T> {
        match self.shape {
            Shape::Scalar => self.data.first(),
            _ => None,
        }
    }

    pub fn map<U>(&self, f: impl FnMut(&T) -> U) -> Tensor<U> {
        Tensor {
            shape: self.shape,
            data: self.data.iter().map(f).collect(),
        }
    }

    /// The value as an array literal nests it: `leaf` of each element, `group` of each run along
    /// an axis, innermost first (`[[1, 2], [3, 4]]`). `None` for a value without elements.
    pub fn nest<U>(&self, leaf: impl Fn(&T) -> U, group: impl Fn(Vec<U>) -> U) -> Option<U> {
        let mut items: Vec<U> = self.data.iter().map(leaf).collect();
        for &n in self.shape.dims().iter().rev() {
            let mut grouped = Vec::with_capacity(items.len() / n.max(1));
            let mut rest = items.into_iter();
            loop {
                let run: Vec<U> = rest.by_ref().take(n.max(1)).collect();
                if run.is_empty() {
                    break;
                }
                grouped.push(group(run));
            }
            items = grouped;
        }
        items.into_iter().next()
    }

    /// Row `i` of a matrix, the whole vector for a vector.
    pub fn rows(&self) -> impl Iterator<Item = &[T]> {
        let width = match self.shape {
            Shape::Matrix(_, n) => n,
            _ => self.data.len().max(1),
        };
        self.data.chunks(width.max(1))
    }
}

impl<T: Clone> Tensor<T> {
    /// `A[i]`: row `i` of a matrix, element `i` of a vector; `None` out of range.
    pub fn pick(&self, i: usize) -> Option<Tensor<T>> {
        match self.shape {
            Shape::Matrix(m, n) if i < m => Some(Tensor {
                shape: Shape::Vector(n),
                data: self.data[i * n..(i + 1) * n].to_vec(),
            }),
            Shape::Vector(n) if i < n => Some(Tensor::scalar(self.data[i].clone())),
            _ => None,
        }
    }

    /// The elements of `self`, then those of `other`, as one vector; `None` for matrices.
    pub fn concat(&self, other: &Tensor<T>) -> Option<Tensor<T>> {
        if self.shape.rank() > 1 || other.shape.rank() > 1 {
            return None;
        }
        let data: Vec<T> = self.data.iter().chain(&other.data).cloned().collect();
        Some(Tensor {
            shape: Shape::Vector(data.len()),
            data,
        })
    }

    /// `shape.size()` elements of a vector from `start` on, as a value of `shape`.
    pub fn slice(&self, start: usize, shape: Shape) -> Option<Tensor<T>> {
        let end = start.checked_add(shape.size())?;
        (self.shape.rank() == 1 && end <= self.data.len() && shape.rank() <= 1).then(|| Tensor {
            shape,
            data: self.data[start..end].to_vec(),
        })
    }

    pub fn filled(shape: Shape, value: T) -> Tensor<T> {
        Tensor {
            shape,
            data: vec![value; shape.size()],
        }
    }

    pub fn transpose(&self) -> Tensor<T> {
        match self.shape {
            Shape::Matrix(m, n) => {
                let mut data = Vec::with_capacity(m * n);
                for j in 0..n {
                    for i in 0..m {
                        data.push(self.data[i * n + j].clone());
                    }
                }
                Tensor {
                    shape: Shape::Matrix(n, m),
                    data,
                }
            }
            _ => self.clone(),
        }
    }
}

/// What the shared kernels need of an element: exact rationals and f64 both provide it.
pub trait Element: Clone {
    fn zero() -> Self;
    fn from_count(n: usize) -> Self;
    fn add(&self, other: &Self) -> Self;
    fn mul(&self, other: &Self) -> Self;
    /// `None` when dividing by an exact zero; floats follow IEEE 754.
    fn div(&self, other: &Self) -> Option<Self>;
}

impl<T: Element> Tensor<T> {
    /// The vector `[n]` with 1 at position `i` and 0 elsewhere; `None` out of range.
    pub fn one_hot(i: usize, n: usize) -> Option<Tensor<T>> {
        (i < n).then(|| Tensor {
            shape: Shape::Vector(n),
            data: (0..n)
                .map(|k| if k == i { T::from_count(1) } else { T::zero() })
                .collect(),
        })
    }

    /// Elementwise `f(a, b)` where the shapes are equal or one side is a scalar (broadcast).
    /// Returns `None` for other shapes; the checker has already ruled those out.
    pub fn zip_with<E>(
        &self,
        other: &Tensor<T>,
        mut f: impl FnMut(&T, &T) -> Result<T, E>,
    ) -> Option<Result<Tensor<T>, E>> {
        let (shape, pairs): (Shape, Box<dyn Iterator<Item = (&T, &T)>>) =
            match (self.shape, other.shape) {
                (a, b) if a == b => (a, Box::new(self.data.iter().zip(&other.data))),
                (Shape::Scalar, b) => (
                    b,
                    Box::new(std::iter::repeat(&self.data[0]).zip(&other.data)),
                ),
                (a, Shape::Scalar) => (
                    a,
                    Box::new(self.data.iter().zip(std::iter::repeat(&other.data[0]))),
                ),
                _ => return None,
            };
        let data: Result<Vec<T>, E> = pairs.map(|(x, y)| f(x, y)).collect();
        Some(data.map(|data| Tensor { shape, data }))
    }

    /// Matrix @ vector or matrix @ matrix; `None` for shapes that do not fit.
    pub fn matmul(&self, other: &Tensor<T>) -> Option<Tensor<T>> {
        let (m, k) = match self.shape {
            Shape::Matrix(m, k) => (m, k),
            _ => return None,
        };
        let (k2, p, shape) = match other.shape {
            Shape::Vector(k2) => (k2, 1, Shape::Vector(m)),
            Shape::Matrix(k2, p) => (k2, p, Shape::Matrix(m, p)),
            _ => return None,
        };
        if k != k2 {
            return None;
        }
        let mut data = Vec::with_capacity(m * p);
        for i in 0..m {
            for j in 0..p {
                let mut acc = T::zero();
                for l in 0..k {
                    acc = acc.add(&self.data[i * k + l].mul(&other.data[l * p + j]));
                }
                data.push(acc);
            }
        }
        Some(Tensor { shape, data })
    }

    /// `u vᵀ` of two vectors; `None` for other shapes.
    pub fn outer(&self, other: &Tensor<T>) -> Option<Tensor<T>> {
        let (Shape::Vector(m), Shape::Vector(n)) = (self.shape, other.shape) else {
            return None;
        };
        let mut data = Vec::with_capacity(m * n);
        for u in &self.data {
            for v in &other.data {
                data.push(u.mul(v));
            }
        }
        Some(Tensor {
            shape: Shape::Matrix(m, n),
            data,
        })
    }

    pub fn sum(&self) -> T {
        self.data.iter().fold(T::zero(), |acc, x| acc.add(x))
    }

    pub fn mean(&self) -> T {
        let total = self.sum();
        // A shape always has at least one element, so the count is never zero.
        total.div(&T::from_count(self.data.len())).unwrap_or(total)
    }
}

impl Element for num_rational::BigRational {
    fn zero() -> Self {
        num_traits::Zero::zero()
    }
    fn from_count(n: usize) -> Self {
        num_rational::BigRational::from_integer(n.into())
    }
    fn add(&self, other: &Self) -> Self {
        self + other
    }
    fn mul(&self, other: &Self) -> Self {
        self * other
    }
    fn div(&self, other: &Self) -> Option<Self> {
        if num_traits::Zero::is_zero(other) {
            None
        } else {
            Some(self / other)
        }
    }
}

impl Element for f64 {
    fn zero() -> Self {
        0.0
    }
    fn from_count(n: usize) -> Self {
        n as f64
    }
    fn add(&self, other: &Self) -> Self {
        self + other
    }
    fn mul(&self, other: &Self) -> Self {
        self * other
    }
    fn div(&self, other: &Self) -> Option<Self> {
        Some(self / other)
    }
}
