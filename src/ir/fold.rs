//! Exact results of the operations that keep rationals rational.
//!
//! Used to fold constant subexpressions while the graph is built (`1/2` becomes one exact literal,
//! `x / (1 - 1)` an error) and by the exact evaluator, so both agree by construction.

use num_rational::BigRational;
use num_traits::{Signed, Zero};

use super::op::{Binary, Op, Unary};
use crate::exact::{self, PowerError};
use crate::tensor::{Element, Tensor};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FoldError {
    DivisionByZero,
    /// An exact power whose result would be too large to hold.
    TooLarge,
}

/// The exact value of `op` applied to exact `operands` (in the order of [`Op::operands`]), or
/// `Ok(None)` when the result is not rational in general (`exp`, `sigmoid`, `x^(1/2)` …) or the
/// shapes do not fit.
pub fn exact(
    op: &Op,
    operands: &[&Tensor<BigRational>],
) -> Result<Option<Tensor<BigRational>>, FoldError> {
    Ok(match (op, operands) {
        (Op::Literal(value), []) => Some(value.clone()),
        (Op::Unary(f, _), [a]) => match f {
            Unary::Neg => Some(a.map(|x| -x)),
            Unary::Abs => Some(a.map(|x| x.abs())),
            Unary::Relu => Some(a.map(|x| {
                if x.is_positive() {
                    x.clone()
                } else {
                    <BigRational as Zero>::zero()
                }
            })),
            Unary::Transpose => Some(a.transpose()),
            Unary::Sum => Some(Tensor::scalar(a.sum())),
            Unary::Step => Some(a.map(|x| {
                if x.is_positive() {
                    one()
                } else {
                    <BigRational as Zero>::zero()
                }
            })),
            Unary::Sign => Some(a.map(|x| x.signum())),
            Unary::Mean => Some(Tensor::scalar(a.mean())),
            Unary::Sigmoid
            | Unary::Tanh
            | Unary::Exp
            | Unary::Log
            | Unary::Sqrt
            | Unary::Softmax
            | Unary::LogSoftmax => None,
        },
        (Op::Pow(_, p), [a]) => {
            let mut data = Vec::with_capacity(a.data().len());
            for x in a.data() {
                match exact::pow(x, p) {
                    Ok(value) => data.push(value),
                    Err(PowerError::NotRational) => return Ok(None),
                    Err(PowerError::DivisionByZero) => return Err(FoldError::DivisionByZero),
                    Err(PowerError::TooLarge) => return Err(FoldError::TooLarge),
                }
            }
            Some(Tensor::new(a.shape(), data))
        }
        (Op::Broadcast(_, shape), [a]) => a.as_scalar().map(|x| Tensor::filled(*shape, x.clone())),
        (Op::Binary(op, ..), [a, b]) => match op {
            Binary::MatMul => a.matmul(b),
            Binary::Outer => a.outer(b),
            Binary::Add => zip(a, b, |x, y| Ok(x + y))?,
            Binary::Sub => zip(a, b, |x, y| Ok(x - y))?,
            Binary::Mul => zip(a, b, |x, y| Ok(x * y))?,
            Binary::Div => zip(a, b, |x, y| x.div(y).ok_or(FoldError::DivisionByZero))?,
        },
        _ => None,
    })
}

type Exact = Tensor<BigRational>;

fn one() -> BigRational {
    num_traits::One::one()
}

fn zip(
    a: &Exact,
    b: &Exact,
    f: impl FnMut(&BigRational, &BigRational) -> Result<BigRational, FoldError>,
) -> Result<Option<Exact>, FoldError> {
    a.zip_with(b, f).transpose()
}
