//! Operations on the axes of tensors: 2-D convolution and its two gradients, pooling, reductions
//! and softmax along one axis, and reshaping. Their shapes and their kernels live here, generic
//! over the element, so the exact evaluator, constant folding and the float evaluator share one
//! definition of each (the float evaluator adds only softmax along an axis).
//!
//! A convolution is a cross-correlation, as deep-learning texts call it:
//! `Y[f, i, j] = Σ_{c, a, b} X̃[c, i·s + a, j·s + b] K[f, c, a, b]`, where `X̃` is the input with
//! `p` rows and columns of zeros around it, `s` the stride and `p` the padding. Its gradients are
//! convolutions too: the kernel's is the correlation of the input with the upstream gradient, the
//! input's the full convolution of the upstream gradient with the flipped kernel. The three are
//! one family: each one's gradients are members of it, so differentiation never leaves it.

use super::graph::NodeId;
use crate::shape::Shape;
use crate::tensor::{Element, Tensor};

/// Stride and zero padding of a convolution, the same along rows and columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Window {
    pub stride: usize,
    pub padding: usize,
}

impl Window {
    pub const PLAIN: Window = Window {
        stride: 1,
        padding: 0,
    };
}

/// Which member of the convolution family, with the size the others cannot tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Conv {
    /// `conv2d(X, K)`: operands the input and the kernels.
    Forward,
    /// The gradient with respect to the input: operands the upstream gradient and the kernels;
    /// the input's rows and columns (with a stride, several sizes give one output size).
    Input { rows: usize, cols: usize },
    /// The gradient with respect to the kernels: operands the input and the upstream gradient;
    /// the kernel's rows and columns.
    Kernel { rows: usize, cols: usize },
}

/// Pooling over k×k windows of the last two axes, stride k.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pool {
    /// `max_pool(X, k)`: the largest element of each window.
    Max,
    /// `avg_pool(X, k)`: the mean of each window.
    Mean,
    /// The same shape as the operand: 1 at the first maximum of each window in reading order,
    /// 0 elsewhere. The gradient of max pooling goes where it is 1.
    ArgMax,
}

/// What is taken along one axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Along {
    /// `sum(X, axis)`: the axis is dropped.
    Sum,
    /// `softmax(Z, axis)`: each line along the axis becomes a distribution.
    Softmax,
    /// `log_softmax(Z, axis)`
    LogSoftmax,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TensorOp {
    Conv(Conv, Window, NodeId, NodeId),
    Pool(Pool, NodeId, usize),
    /// Each element repeated over a k×k block of the last two axes: the gradient of pooling.
    Upsample(NodeId, usize),
    Along(Along, NodeId, usize),
    /// An axis of `n` inserted at `axis`, every element repeated along it: the gradient of a sum
    /// along that axis, and a bias per channel spread over a feature map.
    Expand(NodeId, usize, usize),
    /// The same elements in the same (row-major) order, as a value of another shape: `flatten`.
    Reshape(NodeId, Shape),
}

/// An operation on tensors without its operands and sizes: what a rule of differentiation is
/// stated for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TensorKind {
    /// The convolution family: `conv2d` and its gradients.
    Conv,
    Pool(Pool),
    Upsample,
    Along(Along),
    Expand,
    Reshape,
}

/// Why a tensor operation does not fit its operands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TensorShapeError {
    /// `conv2d` of an input and kernels that do not go together: [C, H, W] with [F, C, kh, kw],
    /// or [H, W] with [kh, kw].
    Conv(Shape, Shape),
    /// A kernel larger than its padded input: the kernel's rows and columns, the padded input's.
    KernelTooLarge {
        kernel: (usize, usize),
        padded: (usize, usize),
        padding: usize,
    },
    /// A stride that does not divide what the kernel sweeps over (padded size minus kernel
    /// size), along rows or columns: the last rows or columns would be left out.
    Stride {
        stride: usize,
        sweep: (usize, usize),
    },
    /// A stride or a window of 0.
    Zero,
    /// Pooling windows that do not tile the last two axes (or a value with fewer than two).
    Pool(Shape, usize),
    /// An axis the value does not have.
    Axis(Shape, usize),
    /// A shape with another number of elements, or beyond four dimensions.
    Reshape(Shape, Shape),
}

impl TensorOp {
    pub fn operands(self) -> (NodeId, Option<NodeId>) {
        match self {
            TensorOp::Conv(_, _, a, b) => (a, Some(b)),
            TensorOp::Pool(_, a, _)
            | TensorOp::Upsample(a, _)
            | TensorOp::Along(_, a, _)
            | TensorOp::Expand(a, ..)
            | TensorOp::Reshape(a, _) => (a, None),
        }
    }

    pub fn kind(self) -> TensorKind {
        match self {
            TensorOp::Conv(..) => TensorKind::Conv,
            TensorOp::Pool(pool, ..) => TensorKind::Pool(pool),
            TensorOp::Upsample(..) => TensorKind::Upsample,
            TensorOp::Along(along, ..) => TensorKind::Along(along),
            TensorOp::Expand(..) => TensorKind::Expand,
            TensorOp::Reshape(..) => TensorKind::Reshape,
        }
    }

    /// The operation's name in the language, for messages: what `nabla gen` does not compute.
    pub fn name(self) -> &'static str {
        match self {
            TensorOp::Conv(..) => "conv2d",
            TensorOp::Pool(Pool::Max | Pool::ArgMax, ..) => "max_pool",
            TensorOp::Pool(Pool::Mean, ..) | TensorOp::Upsample(..) => "avg_pool",
            TensorOp::Along(Along::Sum, ..) | TensorOp::Expand(..) => "sum(…, axis)",
            TensorOp::Along(Along::Softmax, ..) => "softmax(…, axis)",
            TensorOp::Along(Along::LogSoftmax, ..) => "log_softmax(…, axis)",
            TensorOp::Reshape(..) => "flatten",
        }
    }

    /// The shape of the result, from the operands' shapes.
    pub fn shape(self, a: Shape, b: Option<Shape>) -> Result<Shape, TensorShapeError> {
        match self {
            TensorOp::Conv(conv, window, ..) => {
                let b = b.unwrap_or(Shape::Scalar);
                Ok(ConvDims::of(conv, window, a, b)?.result(conv))
            }
            TensorOp::Pool(pool, _, k) => {
                let (lead, rows, cols) = maps(a).ok_or(TensorShapeError::Pool(a, k))?;
                if k == 0 {
                    return Err(TensorShapeError::Zero);
                }
                if !rows.is_multiple_of(k) || !cols.is_multiple_of(k) {
                    return Err(TensorShapeError::Pool(a, k));
                }
                Ok(match pool {
                    Pool::ArgMax => a,
                    Pool::Max | Pool::Mean => with_maps(&lead, rows / k, cols / k),
                })
            }
            TensorOp::Upsample(_, k) => {
                let (lead, rows, cols) = maps(a).ok_or(TensorShapeError::Pool(a, k))?;
                Ok(with_maps(&lead, rows * k, cols * k))
            }
            TensorOp::Along(along, _, axis) => match along {
                Along::Sum => a.without_axis(axis).ok_or(TensorShapeError::Axis(a, axis)),
                Along::Softmax | Along::LogSoftmax if axis < a.rank() => Ok(a),
                Along::Softmax | Along::LogSoftmax => Err(TensorShapeError::Axis(a, axis)),
            },
            TensorOp::Expand(_, axis, n) => {
                a.with_axis(axis, n).ok_or(TensorShapeError::Axis(a, axis))
            }
            TensorOp::Reshape(_, shape) if shape.size() == a.size() => Ok(shape),
            TensorOp::Reshape(_, shape) => Err(TensorShapeError::Reshape(a, shape)),
        }
    }
}

/// The leading sizes, rows and columns of a value of two or more dimensions.
fn maps(shape: Shape) -> Option<(Vec<usize>, usize, usize)> {
    let dims = shape.dims();
    match dims.len() {
        0 | 1 => None,
        n => Some((dims[..n - 2].to_vec(), dims[n - 2], dims[n - 1])),
    }
}

fn with_maps(lead: &[usize], rows: usize, cols: usize) -> Shape {
    let mut dims = lead.to_vec();
    dims.extend([rows, cols]);
    Shape::from_dims(&dims).unwrap_or(Shape::Scalar)
}

/// Every size of a convolution: input channels C, filters F, the input H×W, the kernel kh×kw,
/// the output oh×ow; `channels` is false for the form without them ([H, W] with [kh, kw]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvDims {
    pub channels: bool,
    pub c: usize,
    pub f: usize,
    pub h: usize,
    pub w: usize,
    pub kh: usize,
    pub kw: usize,
    pub oh: usize,
    pub ow: usize,
    pub window: Window,
}

impl ConvDims {
    /// The sizes of the convolution `conv` whose operands have shapes `a` and `b`.
    pub fn of(
        conv: Conv,
        window: Window,
        a: Shape,
        b: Shape,
    ) -> Result<ConvDims, TensorShapeError> {
        if window.stride == 0 {
            return Err(TensorShapeError::Zero);
        }
        // The input (or its gradient), the kernels (or theirs), the output (or its gradient).
        let mismatch = || TensorShapeError::Conv(a, b);
        let (input, kernel, output) = match conv {
            Conv::Forward => (Some(a), Some(b), None),
            Conv::Input { .. } => (None, Some(b), Some(a)),
            Conv::Kernel { .. } => (Some(a), None, Some(b)),
        };
        let channels = match (input.or(output).map(Shape::rank), kernel.map(Shape::rank)) {
            (Some(3), None | Some(4)) => true,
            (Some(2), None | Some(2)) => false,
            _ => return Err(mismatch()),
        };
        let (c, h, w) = match input {
            Some(Shape::Tensor3(c, h, w)) => (c, h, w),
            Some(Shape::Matrix(h, w)) => (1, h, w),
            Some(_) => return Err(mismatch()),
            None => match conv {
                Conv::Input { rows, cols } => match kernel {
                    Some(Shape::Tensor4(_, c, ..)) => (c, rows, cols),
                    _ => (1, rows, cols),
                },
                _ => return Err(mismatch()),
            },
        };
        let (f, kc, kh, kw) = match kernel {
            Some(Shape::Tensor4(f, kc, kh, kw)) => (f, kc, kh, kw),
            Some(Shape::Matrix(kh, kw)) => (1, 1, kh, kw),
            Some(_) => return Err(mismatch()),
            None => match (conv, output) {
                (Conv::Kernel { rows, cols }, Some(Shape::Tensor3(f, ..))) => (f, c, rows, cols),
                (Conv::Kernel { rows, cols }, _) => (1, 1, rows, cols),
                _ => return Err(mismatch()),
            },
        };
        if kc != c {
            return Err(mismatch());
        }
        let padded = (h + 2 * window.padding, w + 2 * window.padding);
        if kh > padded.0 || kw > padded.1 {
            return Err(TensorShapeError::KernelTooLarge {
                kernel: (kh, kw),
                padded,
                padding: window.padding,
            });
        }
        let sweep = (padded.0 - kh, padded.1 - kw);
        if !sweep.0.is_multiple_of(window.stride) || !sweep.1.is_multiple_of(window.stride) {
            return Err(TensorShapeError::Stride {
                stride: window.stride,
                sweep,
            });
        }
        let (oh, ow) = (sweep.0 / window.stride + 1, sweep.1 / window.stride + 1);
        let dims = ConvDims {
            channels,
            c,
            f,
            h,
            w,
            kh,
            kw,
            oh,
            ow,
            window,
        };
        if let Some(output) = output
            && output != dims.output_shape()
        {
            return Err(mismatch());
        }
        Ok(dims)
    }

    pub fn input_shape(&self) -> Shape {
        if self.channels {
            Shape::Tensor3(self.c, self.h, self.w)
        } else {
            Shape::Matrix(self.h, self.w)
        }
    }

    pub fn kernel_shape(&self) -> Shape {
        if self.channels {
            Shape::Tensor4(self.f, self.c, self.kh, self.kw)
        } else {
            Shape::Matrix(self.kh, self.kw)
        }
    }

    pub fn output_shape(&self) -> Shape {
        if self.channels {
            Shape::Tensor3(self.f, self.oh, self.ow)
        } else {
            Shape::Matrix(self.oh, self.ow)
        }
    }

    fn result(&self, conv: Conv) -> Shape {
        match conv {
            Conv::Forward => self.output_shape(),
            Conv::Input { .. } => self.input_shape(),
            Conv::Kernel { .. } => self.kernel_shape(),
        }
    }

    /// Every product of the convolution, as (input, kernel, output) element offsets, output by
    /// output in row-major order and, within one, in the kernel's order: channel, row, column.
    /// Positions in the padding (zeros) are skipped.
    pub fn products(&self, mut visit: impl FnMut(usize, usize, usize)) {
        let (s, p) = (self.window.stride, self.window.padding);
        for f in 0..self.f {
            for i in 0..self.oh {
                for j in 0..self.ow {
                    let out = (f * self.oh + i) * self.ow + j;
                    for c in 0..self.c {
                        for a in 0..self.kh {
                            let Some(row) = (i * s + a).checked_sub(p).filter(|&r| r < self.h)
                            else {
                                continue;
                            };
                            for b in 0..self.kw {
                                let Some(col) = (j * s + b).checked_sub(p).filter(|&c| c < self.w)
                                else {
                                    continue;
                                };
                                let input = (c * self.h + row) * self.w + col;
                                let kernel = ((f * self.c + c) * self.kh + a) * self.kw + b;
                                visit(input, kernel, out);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The value of `op` on operands `a` and `b` (the second for a convolution only); `None` where
/// the shapes do not fit.
pub fn apply<T: Element + PartialOrd>(
    op: TensorOp,
    a: &Tensor<T>,
    b: Option<&Tensor<T>>,
) -> Option<Tensor<T>> {
    let shape = op.shape(a.shape(), b.map(Tensor::shape)).ok()?;
    let data = a.data();
    Some(match op {
        TensorOp::Conv(conv, window, ..) => {
            let b = b?;
            let dims = ConvDims::of(conv, window, a.shape(), b.shape()).ok()?;
            let (first, second) = (data, b.data());
            let mut out = vec![T::zero(); shape.size()];
            match conv {
                // Y[o] += X[i]·K[k]
                Conv::Forward => dims.products(|i, k, o| {
                    out[o] = out[o].add(&first[i].mul(&second[k]));
                }),
                // the upstream gradient g and the kernels: dX[i] += g[o]·K[k]
                Conv::Input { .. } => dims.products(|i, k, o| {
                    out[i] = out[i].add(&first[o].mul(&second[k]));
                }),
                // the input and the upstream gradient: dK[k] += X[i]·g[o]
                Conv::Kernel { .. } => dims.products(|i, k, o| {
                    out[k] = out[k].add(&first[i].mul(&second[o]));
                }),
            }
            Tensor::new(shape, out)
        }
        TensorOp::Pool(pool, _, k) => {
            let (_, rows, cols) = maps(a.shape())?;
            let windows = windows(a.shape().size(), rows, cols, k);
            match pool {
                Pool::Mean => {
                    let count = T::from_count(k * k);
                    let means: Option<Vec<T>> = windows
                        .iter()
                        .map(|w| {
                            let total = w.iter().fold(T::zero(), |acc, &e| acc.add(&data[e]));
                            total.div(&count)
                        })
                        .collect();
                    Tensor::new(shape, means?)
                }
                Pool::Max => Tensor::new(
                    shape,
                    windows
                        .iter()
                        .map(|w| data[first_max(data, w)].clone())
                        .collect(),
                ),
                Pool::ArgMax => {
                    let mut out = vec![T::zero(); shape.size()];
                    for w in &windows {
                        out[first_max(data, w)] = T::from_count(1);
                    }
                    Tensor::new(shape, out)
                }
            }
        }
        TensorOp::Upsample(_, k) => {
            let (_, rows, cols) = maps(shape)?;
            let mut out = vec![T::zero(); shape.size()];
            for (source, window) in windows(shape.size(), rows, cols, k).iter().enumerate() {
                for &e in window {
                    out[e] = data[source].clone();
                }
            }
            Tensor::new(shape, out)
        }
        TensorOp::Along(Along::Sum, _, axis) => {
            let (outer, n, inner) = lines(a.shape(), axis)?;
            let mut out = Vec::with_capacity(outer * inner);
            for o in 0..outer {
                for t in 0..inner {
                    let line = (0..n).map(|i| &data[(o * n + i) * inner + t]);
                    out.push(line.fold(T::zero(), |acc, x| acc.add(x)));
                }
            }
            Tensor::new(shape, out)
        }
        // Along lines of one element exactly 1 and 0 (as `fold` has it for a vector of one).
        TensorOp::Along(along @ (Along::Softmax | Along::LogSoftmax), _, axis)
            if matches!(lines(a.shape(), axis), Some((_, 1, _))) =>
        {
            let value = match along {
                Along::Softmax => T::from_count(1),
                _ => T::zero(),
            };
            Tensor::new(shape, vec![value; shape.size()])
        }
        // Irrational in general: the float evaluator's (see `eval::float`).
        TensorOp::Along(Along::Softmax | Along::LogSoftmax, ..) => return None,
        TensorOp::Expand(_, axis, _) => {
            let (outer, n, inner) = lines(shape, axis)?;
            let mut out = Vec::with_capacity(shape.size());
            for o in 0..outer {
                for _ in 0..n {
                    out.extend_from_slice(&data[o * inner..(o + 1) * inner]);
                }
            }
            Tensor::new(shape, out)
        }
        TensorOp::Reshape(..) => Tensor::new(shape, data.to_vec()),
    })
}

/// The element offsets of each k×k window of the last two axes (rows × cols) of a value of
/// `size` elements, window by window in row-major order, each in reading order.
pub fn windows(size: usize, rows: usize, cols: usize, k: usize) -> Vec<Vec<usize>> {
    let maps = size / (rows * cols).max(1);
    let k = k.max(1);
    let mut all = Vec::with_capacity(size / (k * k));
    for m in 0..maps {
        for i in 0..rows / k {
            for j in 0..cols / k {
                let mut window = Vec::with_capacity(k * k);
                for a in 0..k {
                    for b in 0..k {
                        window.push((m * rows + i * k + a) * cols + j * k + b);
                    }
                }
                all.push(window);
            }
        }
    }
    all
}

/// The offset of the first largest element of a window, in reading order.
fn first_max<T: PartialOrd>(data: &[T], window: &[usize]) -> usize {
    let mut best = window[0];
    for &e in &window[1..] {
        if data[e] > data[best] {
            best = e;
        }
    }
    best
}

/// A value of `shape` seen along `axis`: (the number of lines before it, its length, the
/// elements after it); element (o, i, t) is at `(o·n + i)·inner + t`.
pub fn lines(shape: Shape, axis: usize) -> Option<(usize, usize, usize)> {
    let dims = shape.dims();
    let n = *dims.get(axis)?;
    let outer = dims[..axis].iter().product();
    let inner = dims[axis + 1..].iter().product();
    Some((outer, n, inner))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{DeclId, Graph};

    fn node() -> NodeId {
        Graph::default().var(
            DeclId(0),
            Shape::Scalar,
            false,
            crate::span::Span::default(),
        )
    }

    fn t(shape: Shape, data: &[f64]) -> Tensor<f64> {
        Tensor::new(shape, data.to_vec())
    }

    #[test]
    fn a_3x3_input_with_a_2x2_kernel() {
        let x = t(
            Shape::Matrix(3, 3),
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
        );
        let k = t(Shape::Matrix(2, 2), &[1.0, 0.0, 0.0, -1.0]);
        let op = TensorOp::Conv(Conv::Forward, Window::PLAIN, node(), node());
        let y = apply(op, &x, Some(&k)).expect("fits");
        assert_eq!(y.shape(), Shape::Matrix(2, 2));
        assert_eq!(y.data(), &[-4.0, -4.0, -4.0, -4.0]);
    }

    #[test]
    fn stride_and_padding() {
        // 1 channel 2×2, padded by 1 to 4×4, a 2×2 kernel of ones at stride 2: each output is
        // one input element (the corners of the padded map hold one each).
        let x = t(Shape::Tensor3(1, 2, 2), &[1.0, 2.0, 3.0, 4.0]);
        let k = t(Shape::Tensor4(1, 1, 2, 2), &[1.0; 4]);
        let window = Window {
            stride: 2,
            padding: 1,
        };
        let op = TensorOp::Conv(Conv::Forward, window, node(), node());
        let y = apply(op, &x, Some(&k)).expect("fits");
        assert_eq!(y.shape(), Shape::Tensor3(1, 2, 2));
        assert_eq!(y.data(), &[1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn max_pooling_marks_the_first_maximum_in_reading_order() {
        let x = t(
            Shape::Matrix(2, 4),
            &[1.0, 3.0, 5.0, 5.0, 3.0, 2.0, 5.0, 5.0],
        );
        let mask = apply(TensorOp::Pool(Pool::ArgMax, node(), 2), &x, None).expect("fits");
        assert_eq!(mask.data(), &[0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        let max = apply(TensorOp::Pool(Pool::Max, node(), 2), &x, None).expect("fits");
        assert_eq!(max.data(), &[3.0, 5.0]);
        let mean = apply(TensorOp::Pool(Pool::Mean, node(), 2), &x, None).expect("fits");
        assert_eq!(mean.data(), &[2.25, 5.0]);
    }

    #[test]
    fn shapes_that_do_not_fit() {
        let conv = TensorOp::Conv(Conv::Forward, Window::PLAIN, node(), node());
        assert_eq!(
            conv.shape(Shape::Matrix(2, 2), Some(Shape::Matrix(3, 3))),
            Err(TensorShapeError::KernelTooLarge {
                kernel: (3, 3),
                padded: (2, 2),
                padding: 0
            })
        );
        let strided = TensorOp::Conv(
            Conv::Forward,
            Window {
                stride: 2,
                padding: 0,
            },
            node(),
            node(),
        );
        assert_eq!(
            strided.shape(Shape::Matrix(4, 4), Some(Shape::Matrix(3, 3))),
            Err(TensorShapeError::Stride {
                stride: 2,
                sweep: (1, 1)
            })
        );
        assert_eq!(
            conv.shape(Shape::Tensor3(2, 4, 4), Some(Shape::Tensor4(1, 3, 2, 2))),
            Err(TensorShapeError::Conv(
                Shape::Tensor3(2, 4, 4),
                Shape::Tensor4(1, 3, 2, 2)
            ))
        );
        let pool = TensorOp::Pool(Pool::Max, node(), 2);
        assert_eq!(
            pool.shape(Shape::Tensor3(1, 5, 4), None),
            Err(TensorShapeError::Pool(Shape::Tensor3(1, 5, 4), 2))
        );
        let along = TensorOp::Along(Along::Sum, node(), 2);
        assert_eq!(
            along.shape(Shape::Matrix(2, 3), None),
            Err(TensorShapeError::Axis(Shape::Matrix(2, 3), 2))
        );
    }
}
