//! Shapes of values: a scalar, a vector `[n]`, a matrix `[m, n]`, or a tensor of three or four
//! dimensions (`[C, H, W]` feature maps with channels, `[F, C, kh, kw]` kernels).

use std::fmt;

use crate::words::{Arg, Language, Message, phrase};

/// The most dimensions a value may have.
pub const MAX_RANK: usize = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shape {
    Scalar,
    Vector(usize),
    /// Rows, columns.
    Matrix(usize, usize),
    /// Three dimensions: channels, rows, columns.
    Tensor3(usize, usize, usize),
    /// Four dimensions: filters, channels, rows, columns.
    Tensor4(usize, usize, usize, usize),
}

impl Shape {
    /// The shape of these dimensions; `None` beyond [`MAX_RANK`].
    pub fn from_dims(dims: &[usize]) -> Option<Shape> {
        match *dims {
            [] => Some(Shape::Scalar),
            [n] => Some(Shape::Vector(n)),
            [m, n] => Some(Shape::Matrix(m, n)),
            [c, h, w] => Some(Shape::Tensor3(c, h, w)),
            [f, c, h, w] => Some(Shape::Tensor4(f, c, h, w)),
            _ => None,
        }
    }

    pub fn dims(self) -> Vec<usize> {
        match self {
            Shape::Scalar => vec![],
            Shape::Vector(n) => vec![n],
            Shape::Matrix(m, n) => vec![m, n],
            Shape::Tensor3(c, h, w) => vec![c, h, w],
            Shape::Tensor4(f, c, h, w) => vec![f, c, h, w],
        }
    }

    pub fn rank(self) -> usize {
        match self {
            Shape::Scalar => 0,
            Shape::Vector(_) => 1,
            Shape::Matrix(..) => 2,
            Shape::Tensor3(..) => 3,
            Shape::Tensor4(..) => 4,
        }
    }

    /// Number of elements. Saturates rather than overflows, so that an absurd declared shape is
    /// still reported as absurd instead of wrapping to something small.
    pub fn size(self) -> usize {
        self.dims()
            .into_iter()
            .fold(1, |total: usize, n| total.saturating_mul(n))
    }

    pub fn is_scalar(self) -> bool {
        self == Shape::Scalar
    }

    /// The shape with `axis` removed (`sum(X, axis)`); `None` for an axis it does not have.
    pub fn without_axis(self, axis: usize) -> Option<Shape> {
        let mut dims = self.dims();
        (axis < dims.len()).then(|| {
            dims.remove(axis);
            Shape::from_dims(&dims)
        })?
    }

    /// The shape with an axis of `n` inserted at `axis` (the inverse of [`Shape::without_axis`]);
    /// `None` past [`MAX_RANK`] or past the end.
    pub fn with_axis(self, axis: usize, n: usize) -> Option<Shape> {
        let mut dims = self.dims();
        (axis <= dims.len()).then(|| {
            dims.insert(axis, n);
            Shape::from_dims(&dims)
        })?
    }

    /// The shape's noun in English, for comments in generated code: "a scalar", "a vector [3]",
    /// "a matrix [2, 3]".
    pub fn describe(self) -> String {
        Language::English.say(&self.noun())
    }

    /// The shape's noun, for messages: "a scalar", "a vector [3]", "a matrix [2, 3]", "a tensor
    /// [2, 6, 6]".
    pub fn noun(self) -> Message {
        match self {
            Shape::Scalar => phrase::a_scalar(),
            Shape::Vector(_) => phrase::a_vector(self.to_string()),
            Shape::Matrix(..) => phrase::a_matrix(self.to_string()),
            Shape::Tensor3(..) | Shape::Tensor4(..) => phrase::a_tensor(self.to_string()),
        }
    }
}

/// A shape in a message, as a declaration writes it: `[2, 3]`, or the word for a scalar.
impl From<Shape> for Arg {
    fn from(shape: Shape) -> Arg {
        match shape {
            Shape::Scalar => phrase::scalar().into(),
            _ => shape.to_string().into(),
        }
    }
}

impl fmt::Display for Shape {
    /// As written in a declaration: `[2, 3]`; a scalar is `scalar`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_scalar() {
            return f.write_str("scalar");
        }
        let dims: Vec<String> = self.dims().iter().map(usize::to_string).collect();
        write!(f, "[{}]", dims.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_dimensions_at_most() {
        assert_eq!(Shape::from_dims(&[1, 8, 8]), Some(Shape::Tensor3(1, 8, 8)));
        assert_eq!(
            Shape::from_dims(&[8, 1, 3, 3]),
            Some(Shape::Tensor4(8, 1, 3, 3))
        );
        assert_eq!(Shape::from_dims(&[1, 2, 3, 4, 5]), None);
        assert_eq!(Shape::Tensor4(8, 1, 3, 3).size(), 72);
        assert_eq!(Shape::Tensor3(2, 6, 6).to_string(), "[2, 6, 6]");
        assert_eq!(
            Shape::Tensor3(2, 6, 6).without_axis(1),
            Some(Shape::Matrix(2, 6))
        );
        assert_eq!(
            Shape::Matrix(2, 6).with_axis(1, 6),
            Some(Shape::Tensor3(2, 6, 6))
        );
        assert_eq!(Shape::Tensor4(1, 1, 1, 1).with_axis(0, 2), None);
        assert_eq!(Shape::Vector(3).without_axis(1), None);
    }
}
