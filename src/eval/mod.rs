//! Evaluating the graph: exactly where the values stay rational, in float64 where they cannot.
//!
//! [`exact::evaluate`] carries each node's value as an exact rational tensor for as long as every
//! operation keeps it rational (+ − × ÷, integer powers, relu, abs …) and as a float64
//! approximation from the first operation that cannot (sigmoid, exp, softmax …) onward, marked
//! as such. [`float::evaluate`] computes everything in float64; finite differences, training
//! runs and generated trainers are checked against it. Both walk the arena front to back.

pub mod batch;
pub mod constants;
pub mod exact;
pub mod float;

use crate::ir::NodeId;

/// Why evaluation stopped, and at which node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvalError {
    /// Division by a value that is exactly zero.
    DivisionByZero(NodeId),
    /// `log` of a value that is exactly zero (or negative).
    LogOfNonPositive(NodeId),
    /// `sqrt` of a value that is exactly negative.
    SqrtOfNegative(NodeId),
    /// An exact value too large to compute.
    TooLarge(NodeId),
}

impl EvalError {
    pub fn node(&self) -> NodeId {
        match *self {
            EvalError::DivisionByZero(n)
            | EvalError::LogOfNonPositive(n)
            | EvalError::SqrtOfNegative(n)
            | EvalError::TooLarge(n) => n,
        }
    }
}
