//! The local derivative of every core operation, in one table: how the gradient arriving at a
//! node's output becomes the gradient sent to each operand (a vector–Jacobian product).
//! Activations' derivatives are written through their outputs, as textbooks do:
//! σ′ = σ(1 − σ), tanh′ = 1 − tanh², exp′ = exp.

use num_rational::BigRational;
use num_traits::One;

use super::builder::{Builder, Built};
use crate::ir::{Along, Binary, Conv, NodeId, Op, Pool, TensorKind, TensorOp, Unary};
use crate::shape::Shape;

/// Which rule produced a gradient: one per kind of operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    Unary(Unary),
    Binary(Binary),
    Power,
    Broadcast,
    /// An operation on tensors (see `ir::tensor_op`).
    Tensor(TensorKind),
    /// Softmax followed by cross-entropy, differentiated as one step: the gradient with respect
    /// to the logits is `p·sum(y) − y`.
    SoftmaxCrossEntropy,
    /// The same with a class number `y` for a target: the gradient is `p − onehot(y)`.
    SoftmaxClassCrossEntropy,
}

/// The rule for `op`, if it has operands to send a gradient to.
pub fn rule_of(op: &Op) -> Option<Rule> {
    match op {
        Op::Var(_) | Op::Literal(_) | Op::BatchSize | Op::OneHot(..) | Op::Slice(..) => None,
        Op::Unary(f, _) => Some(Rule::Unary(*f)),
        Op::Binary(b, ..) => Some(Rule::Binary(*b)),
        Op::Pow(..) => Some(Rule::Power),
        Op::Broadcast(..) => Some(Rule::Broadcast),
        Op::Tensor(t) => Some(Rule::Tensor(t.kind())),
    }
}

/// The gradient sent to operand number `position` of node `out` (whose operation is `op`), given
/// the gradient `g` of `out`.
pub fn vjp(b: &mut Builder, op: &Op, out: NodeId, position: usize, g: NodeId) -> Built {
    let one = || BigRational::one();
    match *op {
        Op::Var(_) | Op::Literal(_) | Op::BatchSize => b.zeros(b.shape(out)),
        // An index has no gradient: it is a whole number, not a point on a line.
        Op::OneHot(a, _) => b.zeros(b.shape(a)),
        Op::Slice(a, start, _) => {
            // The gradient back in its place among zeros.
            let Shape::Vector(n) = b.shape(a) else {
                return b.zeros(b.shape(a));
            };
            let width = b.shape(out).size();
            let mut placed = g;
            if start > 0 {
                let before = b.zeros(Shape::Vector(start))?;
                placed = b.concat(before, placed)?;
            }
            if start + width < n {
                let after = b.zeros(Shape::Vector(n - start - width))?;
                placed = b.concat(placed, after)?;
            }
            Ok(placed)
        }
        Op::Unary(f, a) => match f {
            Unary::Neg => b.neg(g),
            Unary::Sigmoid => {
                // g ⊙ σ ⊙ (1 − σ)
                let unit = b.number(one())?;
                let complement = b.sub(unit, out)?;
                let scaled = b.mul(g, out)?;
                b.mul(scaled, complement)
            }
            Unary::Tanh => {
                // g ⊙ (1 − tanh²)
                let unit = b.number(one())?;
                let squared = b.pow(out, BigRational::from_integer(2.into()))?;
                let complement = b.sub(unit, squared)?;
                b.mul(g, complement)
            }
            Unary::Relu => {
                let step = b.unary(Unary::Step, a)?;
                b.mul(g, step)
            }
            Unary::Exp => b.mul(g, out),
            Unary::Log => b.div(g, a),
            Unary::Sqrt => {
                let two = b.number(BigRational::from_integer(2.into()))?;
                let twice = b.mul(two, out)?;
                b.div(g, twice)
            }
            Unary::Abs => {
                let sign = b.unary(Unary::Sign, a)?;
                b.mul(g, sign)
            }
            // Flat almost everywhere; frameworks take 0 at the jump too.
            Unary::Step | Unary::Sign => b.zeros(b.shape(a)),
            Unary::Transpose => b.transpose(g),
            Unary::Sum => b.broadcast(g, b.shape(a)),
            Unary::Mean => {
                let count = b.number(BigRational::from_integer(b.shape(a).size().into()))?;
                let share = b.div(g, count)?;
                b.broadcast(share, b.shape(a))
            }
            Unary::Softmax => {
                // p ⊙ (g − sum(g ⊙ p))
                let weighted = b.mul(g, out)?;
                let total = b.sum(weighted)?;
                let centred = b.sub(g, total)?;
                b.mul(out, centred)
            }
            Unary::LogSoftmax => {
                // g − softmax(z) · sum(g)
                let p = b.unary(Unary::Softmax, a)?;
                let total = b.sum(g)?;
                let spread = b.mul(p, total)?;
                b.sub(g, spread)
            }
            // Each example's share: m · ∂J/∂v⁽ⁱ⁾ = m · (1/m) · g = g (see the module `batch`
            // convention in `super`: a per-example adjoint is scaled by m).
            Unary::BatchMean => Ok(g),
        },
        Op::Pow(_, ref p) if num_traits::Zero::is_zero(p) => b.zeros(b.shape(out)),
        Op::Pow(a, ref p) => {
            // g ⊙ p · a^(p − 1)
            let coefficient = b.number(p.clone())?;
            let lowered = b.pow(a, p - one())?;
            let local = b.mul(coefficient, lowered)?;
            b.mul(g, local)
        }
        Op::Broadcast(..) => b.sum(g),
        Op::Tensor(t) => tensor_vjp(b, t, out, position, g),
        Op::Binary(kind, x, y) => {
            let operand = if position == 0 { x } else { y };
            let gradient = match (kind, position) {
                (Binary::Add, _) | (Binary::Sub, 0) => g,
                (Binary::Sub, _) => b.neg(g)?,
                (Binary::Mul, 0) => b.mul(g, y)?,
                (Binary::Mul, _) => b.mul(g, x)?,
                (Binary::Div, 0) => b.div(g, y)?,
                (Binary::Div, _) => {
                    // −g ⊙ x / y² = −(g ⊙ out) / y
                    let scaled = b.mul(g, out)?;
                    let quotient = b.div(scaled, y)?;
                    b.neg(quotient)?
                }
                (Binary::MatMul, 0) => match b.shape(y) {
                    Shape::Matrix(..) => {
                        let yt = b.transpose(y)?;
                        b.matmul(g, yt)?
                    }
                    _ => b.outer(g, y)?,
                },
                (Binary::MatMul, _) => {
                    let xt = b.transpose(x)?;
                    b.matmul(xt, g)?
                }
                (Binary::Outer, 0) => b.matmul(g, y)?,
                (Binary::Outer, _) => {
                    let gt = b.transpose(g)?;
                    b.matmul(gt, x)?
                }
                // Into the row (or element) the index picked, zeros elsewhere.
                (Binary::Pick, 0) => {
                    let rows = match b.shape(x) {
                        Shape::Matrix(m, _) | Shape::Vector(m) => m,
                        shape => shape.dims().first().copied().unwrap_or(1),
                    };
                    let hot = b.one_hot(y, rows)?;
                    match b.shape(x) {
                        Shape::Matrix(..) => b.outer(hot, g)?,
                        _ => b.mul(hot, g)?,
                    }
                }
                (Binary::Pick, _) => b.zeros(b.shape(y))?,
                (Binary::Concat, 0) => b.slice(g, 0, b.shape(x))?,
                (Binary::Concat, _) => {
                    let start = b.shape(x).size();
                    b.slice(g, start, b.shape(y))?
                }
                (Binary::SigmoidCrossEntropy, 0) => {
                    // g ⊙ (σ(z) − y)
                    let p = b.unary(Unary::Sigmoid, x)?;
                    let error = b.sub(p, y)?;
                    b.mul(g, error)?
                }
                (Binary::SigmoidCrossEntropy, _) => {
                    // ∂/∂y = log(1 − σ(z)) − log σ(z) = −z
                    let minus_z = b.neg(x)?;
                    b.mul(g, minus_z)?
                }
            };
            b.unbroadcast(gradient, b.shape(operand))
        }
    }
}

/// The rows and columns of a map or a kernel: its last two sizes.
fn spatial(shape: Shape) -> (usize, usize) {
    let dims = shape.dims();
    match dims.len() {
        0 | 1 => (1, 1),
        n => (dims[n - 2], dims[n - 1]),
    }
}

/// The gradient sent through an operation on tensors. The convolution family is closed: the
/// gradients of each member are members (the kernel's gradient is the correlation of the input
/// with the upstream gradient, the input's the full convolution of the upstream gradient with
/// the flipped kernel).
fn tensor_vjp(b: &mut Builder, t: TensorOp, out: NodeId, position: usize, g: NodeId) -> Built {
    let number = |b: &mut Builder, n: usize| b.number(BigRational::from_integer(n.into()));
    match t {
        TensorOp::Conv(conv, window, x, y) => {
            let (x_rows, x_cols) = spatial(b.shape(x));
            let (y_rows, y_cols) = spatial(b.shape(y));
            let kernel = |rows, cols| Conv::Kernel { rows, cols };
            let input = |rows, cols| Conv::Input { rows, cols };
            let op = match (conv, position) {
                // Y = X ⋆ K: ∂L/∂X = δ ∗ rot180(K) (full), ∂L/∂K = X ⋆ δ
                (Conv::Forward, 0) => TensorOp::Conv(input(x_rows, x_cols), window, g, y),
                (Conv::Forward, _) => TensorOp::Conv(kernel(y_rows, y_cols), window, x, g),
                // Z = input-gradient(D, K): ∂L/∂D = G ⋆ K, ∂L/∂K = G ⋆ D
                (Conv::Input { .. }, 0) => TensorOp::Conv(Conv::Forward, window, g, y),
                (Conv::Input { .. }, _) => TensorOp::Conv(kernel(y_rows, y_cols), window, g, x),
                // W = kernel-gradient(X, D): ∂L/∂X = input-gradient(D, G), ∂L/∂D = X ⋆ G
                (Conv::Kernel { .. }, 0) => TensorOp::Conv(input(x_rows, x_cols), window, y, g),
                (Conv::Kernel { .. }, _) => TensorOp::Conv(Conv::Forward, window, x, g),
            };
            b.tensor(op)
        }
        // To the first maximum of each window: mask ⊙ upsample(δ).
        TensorOp::Pool(Pool::Max, a, k) => {
            let mask = b.tensor(TensorOp::Pool(Pool::ArgMax, a, k))?;
            let spread = b.tensor(TensorOp::Upsample(g, k))?;
            b.mul(mask, spread)
        }
        TensorOp::Pool(Pool::Mean, _, k) => {
            let spread = b.tensor(TensorOp::Upsample(g, k))?;
            let count = number(b, k * k)?;
            b.div(spread, count)
        }
        // Flat almost everywhere, as a step function.
        TensorOp::Pool(Pool::ArgMax, a, _) => b.zeros(b.shape(a)),
        TensorOp::Upsample(_, k) => {
            let pooled = b.tensor(TensorOp::Pool(Pool::Mean, g, k))?;
            let count = number(b, k * k)?;
            b.mul(count, pooled)
        }
        TensorOp::Along(Along::Sum, a, axis) => {
            let n = b.shape(a).dims().get(axis).copied().unwrap_or(1);
            b.tensor(TensorOp::Expand(g, axis, n))
        }
        TensorOp::Expand(_, axis, _) => b.tensor(TensorOp::Along(Along::Sum, g, axis)),
        TensorOp::Along(Along::Softmax, a, axis) => {
            // p ⊙ (g − sum(g ⊙ p) along the axis, spread back along it)
            let n = b.shape(a).dims().get(axis).copied().unwrap_or(1);
            let weighted = b.mul(g, out)?;
            let total = b.tensor(TensorOp::Along(Along::Sum, weighted, axis))?;
            let spread = b.tensor(TensorOp::Expand(total, axis, n))?;
            let centred = b.sub(g, spread)?;
            b.mul(out, centred)
        }
        TensorOp::Along(Along::LogSoftmax, a, axis) => {
            // g − softmax(z) ⊙ sum(g) along the axis
            let n = b.shape(a).dims().get(axis).copied().unwrap_or(1);
            let p = b.tensor(TensorOp::Along(Along::Softmax, a, axis))?;
            let total = b.tensor(TensorOp::Along(Along::Sum, g, axis))?;
            let spread = b.tensor(TensorOp::Expand(total, axis, n))?;
            let scaled = b.mul(p, spread)?;
            b.sub(g, scaled)
        }
        TensorOp::Reshape(a, _) => b.tensor(TensorOp::Reshape(g, b.shape(a))),
    }
}
