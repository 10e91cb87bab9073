//! Exact results of the operations that keep rationals rational.
//!
//! Functions without rational values in general (sigmoid, exp, sqrt …) are exact at the points
//! where they are rational (σ(0) = 1/2), so a worked example never calls an exact value
//! approximate.
//!
//! Used to fold constant subexpressions while the graph is built (`1/2` becomes one exact literal,
//! `x / (1 - 1)` an error) and by the exact evaluator, so both agree by construction.

use num_rational::BigRational;
use num_traits::{Signed, Zero};

use super::op::{Binary, Op, Unary};
use crate::exact::{self, PowerError};
use crate::shape::Shape;
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
            // At the few rational points where these are rational, their exact values:
            // σ(0) = 1/2, tanh(0) = 0, exp(0) = 1, log(1) = 0, √(4/9) = 2/3, and softmax of
            // equal logits. Anywhere else (Lindemann–Weierstrass) they are irrational.
            Unary::Sigmoid => all(a, Zero::is_zero).then(|| a.map(|_| half())),
            Unary::Tanh => all(a, Zero::is_zero).then(|| a.map(|_| zero())),
            Unary::Exp => all(a, Zero::is_zero).then(|| a.map(|_| one())),
            Unary::Log => all(a, num_traits::One::is_one).then(|| a.map(|_| zero())),
            Unary::Sqrt => {
                let roots: Option<Vec<BigRational>> = a.data().iter().map(exact_sqrt).collect();
                roots.map(|data| Tensor::new(a.shape(), data))
            }
            Unary::Softmax | Unary::LogSoftmax if matches!(a.shape(), Shape::Matrix(..)) => None,
            Unary::Softmax => all(a, |x| Some(x) == a.data().first())
                .then(|| a.map(|_| BigRational::new(1.into(), a.data().len().max(1).into()))),
            Unary::LogSoftmax => (a.data().len() == 1).then(|| a.map(|_| zero())),
            // Of a value shared by every example (a batch's values are the evaluator's concern).
            Unary::BatchMean => Some((*a).clone()),
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
        (Op::OneHot(_, n), [i]) => index(i).and_then(|i| Tensor::one_hot(i, *n)),
        (Op::Slice(_, start, shape), [a]) => a.slice(*start, *shape),
        (Op::Tensor(t), [a]) => super::tensor_op::apply(*t, a, None),
        (Op::Tensor(t), [a, b]) => super::tensor_op::apply(*t, a, Some(b)),
        (Op::Binary(op, ..), [a, b]) => match op {
            Binary::MatMul => a.matmul(b),
            Binary::Outer => a.outer(b),
            Binary::Add => zip(a, b, |x, y| Ok(x + y))?,
            Binary::Sub => zip(a, b, |x, y| Ok(x - y))?,
            Binary::Mul => zip(a, b, |x, y| Ok(x * y))?,
            Binary::Div => zip(a, b, |x, y| x.div(y).ok_or(FoldError::DivisionByZero))?,
            Binary::Pick => index(b).and_then(|i| a.pick(i)),
            Binary::Concat => a.concat(b),
            Binary::SigmoidCrossEntropy => None,
        },
        _ => None,
    })
}

type Exact = Tensor<BigRational>;

/// The whole number an index holds; `None` for anything else.
pub fn index(value: &Exact) -> Option<usize> {
    value
        .as_scalar()
        .and_then(exact::to_u64)
        .and_then(|n| usize::try_from(n).ok())
}

fn one() -> BigRational {
    num_traits::One::one()
}

fn zero() -> BigRational {
    <BigRational as Zero>::zero()
}

fn half() -> BigRational {
    BigRational::new(1.into(), 2.into())
}

fn all(a: &Exact, test: impl Fn(&BigRational) -> bool) -> bool {
    a.data().iter().all(test)
}

/// The square root of a rational whose numerator and denominator are perfect squares.
fn exact_sqrt(x: &BigRational) -> Option<BigRational> {
    if x.is_negative() {
        return None;
    }
    let (n, d) = (x.numer().sqrt(), x.denom().sqrt());
    (&n * &n == *x.numer() && &d * &d == *x.denom()).then(|| BigRational::new(n, d))
}

fn zip(
    a: &Exact,
    b: &Exact,
    f: impl FnMut(&BigRational, &BigRational) -> Result<BigRational, FoldError>,
) -> Result<Option<Exact>, FoldError> {
    a.zip_with(b, f).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{DeclId, Graph};

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    fn unary(f: Unary, values: &[BigRational]) -> Option<Vec<BigRational>> {
        let shape = Shape::Vector(values.len());
        let operand = Graph::default().var(DeclId(0), shape, false, crate::span::Span::default());
        let a = Tensor::new(shape, values.to_vec());
        exact(&Op::Unary(f, operand), &[&a])
            .expect("no error")
            .map(|t| t.data().to_vec())
    }

    #[test]
    fn functions_are_exact_where_they_are_rational() {
        assert_eq!(unary(Unary::Sigmoid, &[q(0, 1)]), Some(vec![q(1, 2)]));
        assert_eq!(unary(Unary::Tanh, &[q(0, 1)]), Some(vec![q(0, 1)]));
        assert_eq!(unary(Unary::Exp, &[q(0, 1)]), Some(vec![q(1, 1)]));
        assert_eq!(unary(Unary::Log, &[q(1, 1)]), Some(vec![q(0, 1)]));
        assert_eq!(unary(Unary::Sqrt, &[q(4, 9)]), Some(vec![q(2, 3)]));
        assert_eq!(
            unary(Unary::Softmax, &[q(1, 2), q(1, 2), q(1, 2)]),
            Some(vec![q(1, 3); 3])
        );
        assert_eq!(unary(Unary::LogSoftmax, &[q(7, 1)]), Some(vec![q(0, 1)]));
    }

    #[test]
    fn and_nowhere_else() {
        assert_eq!(unary(Unary::Sigmoid, &[q(0, 1), q(1, 1)]), None);
        assert_eq!(unary(Unary::Exp, &[q(1, 2)]), None);
        assert_eq!(unary(Unary::Log, &[q(2, 1)]), None);
        assert_eq!(unary(Unary::Sqrt, &[q(2, 1)]), None);
        assert_eq!(unary(Unary::Sqrt, &[q(-4, 1)]), None);
        assert_eq!(unary(Unary::Softmax, &[q(0, 1), q(1, 1)]), None);
        assert_eq!(unary(Unary::LogSoftmax, &[q(0, 1), q(0, 1)]), None);
    }
}
