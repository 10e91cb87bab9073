//! Exact evaluation with a float fallback, per node.

use num_rational::BigRational;
use num_traits::{Signed, Zero};

use super::EvalError;
use crate::ir::fold::{self, FoldError};
use crate::ir::{Graph, NodeId, Op, Unary};
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
    let mut values: Vec<Option<Value>> = Vec::with_capacity(graph.len());
    for (id, node) in graph.ids().zip(graph.nodes()) {
        if !needed.get(id.index()).copied().unwrap_or(false) {
            values.push(None);
            continue;
        }
        let value = match &node.op {
            Op::Var(decl) => declared.get(decl.index()).cloned().flatten(),
            op => {
                let operands: Option<Vec<&Value>> =
                    op.operands().map(|o| values[o.index()].as_ref()).collect();
                match operands {
                    Some(operands) => Some(apply(op, &operands, id)?),
                    None => None,
                }
            }
        };
        values.push(value);
    }
    Ok(values)
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
    Ok(Value::Approx(super::float::apply(op, &refs)))
}

/// The exact zero of a shape, for gradients of values the loss does not depend on.
pub fn zeros(shape: Shape) -> Value {
    Value::Exact(Tensor::filled(shape, BigRational::zero()))
}
