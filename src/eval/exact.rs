//! Exact evaluation with a float fallback, per node.

use num_rational::BigRational;
use num_traits::{Signed, Zero};

use super::EvalError;
use super::batch::Batched;
use crate::ir::fold::{self, FoldError};
use crate::ir::{Binary, Graph, NodeId, Op, Pool, TensorOp, Unary};
use crate::shape::Shape;
use crate::tensor::Tensor;

/// A node's value: exact, or an approximation from the first operation no rational can hold.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Exact(Tensor<BigRational>),
    Approx(Tensor<f64>),
}

impl Value {
    pub fn shape(&self) -> Shape {
        match self {
            Value::Exact(t) => t.shape(),
            Value::Approx(t) => t.shape(),
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, Value::Exact(_))
    }

    pub fn to_f64(&self) -> Tensor<f64> {
        match self {
            Value::Exact(t) => t.map(crate::exact::to_f64),
            Value::Approx(t) => t.clone(),
        }
    }
}

/// Values of every node given the declarations' values; `Ok(None)` for nodes that depend on a
/// declaration without a value.
pub fn evaluate(
    graph: &Graph,
    declared: &[Option<Value>],
) -> Result<Vec<Option<Value>>, EvalError> {
    evaluate_needed(graph, declared, &vec![true; graph.len()])
}

/// Like [`evaluate`], for the nodes marked `needed` only (the others stay `None`). Building a
/// gradient leaves behind nodes that simplification made unnecessary; evaluating them could only
/// fail for no reason (`w^-1` beside the `0·w^-1` that was simplified away).
pub fn evaluate_needed(
    graph: &Graph,
    declared: &[Option<Value>],
    needed: &[bool],
) -> Result<Vec<Option<Value>>, EvalError> {
    let declared: Vec<_> = declared
        .iter()
        .map(|d| d.clone().map(Batched::Shared))
        .collect();
    let values = super::batch::evaluate::<super::batch::Exact>(graph, &declared, 1, needed)
        .map_err(|e| e.error)?;
    Ok(values.into_iter().map(one_example).collect())
}

/// The value of a batch of one example.
pub(super) fn one_example<T>(value: Option<Batched<T>>) -> Option<T> {
    match value? {
        Batched::Shared(value) => Some(value),
        Batched::Each(values) => values.into_iter().next(),
    }
}

/// `op` on the values of its operands (the node is `id`, for errors).
pub fn apply(op: &Op, operands: &[&Value], id: NodeId) -> Result<Value, EvalError> {
    let exact: Option<Vec<&Tensor<BigRational>>> = operands
        .iter()
        .map(|v| match v {
            Value::Exact(t) => Some(t),
            Value::Approx(_) => None,
        })
        .collect();
    if let Some(exact) = exact {
        // The domain errors a float would hide behind -inf or NaN.
        match (op, exact.as_slice()) {
            (Op::Unary(Unary::Log, _), [a]) if a.data().iter().any(|x| !x.is_positive()) => {
                return Err(EvalError::LogOfNonPositive(id));
            }
            (Op::Unary(Unary::Sqrt, _), [a]) if a.data().iter().any(|x| x.is_negative()) => {
                return Err(EvalError::SqrtOfNegative(id));
            }
            _ => {}
        }
        match fold::exact(op, &exact) {
            Ok(Some(value)) => return Ok(Value::Exact(value)),
            Ok(None) => {}
            Err(FoldError::DivisionByZero) => return Err(EvalError::DivisionByZero(id)),
            Err(FoldError::TooLarge) => return Err(EvalError::TooLarge(id)),
        }
    }
    let floats: Vec<Tensor<f64>> = operands.iter().map(|v| v.to_f64()).collect();
    let refs: Vec<&Tensor<f64>> = floats.iter().collect();
    let approx = super::float::apply(op, &refs);
    Ok(
        match exact_whatever_the_approximation(op, operands, &approx) {
            Some(exact) => Value::Exact(exact),
            None => Value::Approx(approx),
        },
    )
}

/// Results that are exact although an operand is only approximate: a product with an exact
/// zero is zero, relu of negatives is zero, a step or a sign is 0 or ±1, `x⁰` is 1. A worked
/// example then writes `0.593·0 = 0`, not `≈ 0`. `approx` is the float result (its shape and,
/// for the step functions, its values).
fn exact_whatever_the_approximation(
    op: &Op,
    operands: &[&Value],
    approx: &Tensor<f64>,
) -> Option<Tensor<BigRational>> {
    let exact_zero = |v: &Value| matches!(v, Value::Exact(t) if t.data().iter().all(Zero::is_zero));
    let zeros = || Some(Tensor::filled(approx.shape(), BigRational::zero()));
    let finite = approx.data().iter().all(|x| x.is_finite());
    match (op, operands) {
        (Op::Binary(Binary::Mul | Binary::MatMul | Binary::Outer, ..), [a, b])
        | (Op::Tensor(TensorOp::Conv(..)), [a, b])
            if finite && (exact_zero(a) || exact_zero(b)) =>
        {
            zeros()
        }
        (Op::Binary(Binary::Div, ..), [a, _]) if finite && exact_zero(a) => zeros(),
        (Op::Unary(Unary::Relu, _), [Value::Approx(a)]) if a.data().iter().all(|x| *x <= 0.0) => {
            zeros()
        }
        // 1 at each window's maximum: exact whatever the values it compares.
        (Op::Tensor(TensorOp::Pool(Pool::ArgMax, ..)), _) if finite => {
            Some(approx.map(|&x| BigRational::from_integer(i64::from(x > 0.0).into())))
        }
        (Op::Unary(Unary::Step | Unary::Sign, _), _) if finite => Some(approx.map(|&x| {
            BigRational::from_integer(if x > 0.0 {
                1.into()
            } else if x < 0.0 {
                (-1).into()
            } else {
                0.into()
            })
        })),
        (Op::Pow(_, p), _) if p.is_zero() => Some(approx.map(|_| num_traits::One::one())),
        _ => None,
    }
}

/// The exact zero of a shape, for gradients of values the loss does not depend on.
pub fn zeros(shape: Shape) -> Value {
    Value::Exact(Tensor::filled(shape, BigRational::zero()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::DeclId;

    #[test]
    fn an_approximation_times_an_exact_zero_is_exactly_zero() {
        let mut graph = Graph::default();
        let span = crate::span::Span::default();
        let x = graph.var(DeclId(0), Shape::Scalar, false, span);
        let zero = graph.var(DeclId(1), Shape::Scalar, false, span);
        let sigmoid = graph
            .add(Op::Unary(Unary::Sigmoid, x), span)
            .expect("a node");
        let product = graph
            .add(Op::Binary(Binary::Mul, sigmoid, zero), span)
            .expect("a node");
        let relu = graph
            .add(Op::Unary(Unary::Relu, product), span)
            .expect("a node");
        let one = Value::Exact(Tensor::scalar(BigRational::from_integer(1.into())));
        let values = evaluate(&graph, &[Some(one), Some(zeros(Shape::Scalar))]).expect("values");
        assert!(
            !values[sigmoid.index()]
                .as_ref()
                .is_some_and(Value::is_exact)
        );
        assert_eq!(values[product.index()], Some(zeros(Shape::Scalar)));
        assert_eq!(values[relu.index()], Some(zeros(Shape::Scalar)));
    }
}
