//! The values a file fixes whatever the data and the parameters, computed exactly: one whose
//! operation has no value (the log of 0, the square root of −1) is an error of the file, the
//! same for every command. Otherwise `check` and `gen` would accept what `derive` refuses, and a
//! trainer would only find −∞ in its loss.

use crate::diagnostic::{Diagnostic, Kind};
use crate::ir::{DeclKind, Init, Model};

use super::EvalError;
use super::exact::{self, Value};

/// The first value the loss needs that depends only on the file's numbers and constants and
/// has none, as an error at its expression.
pub fn undefined(model: &Model) -> Option<Diagnostic> {
    let declared: Vec<Option<Value>> = model
        .declarations
        .iter()
        .map(|d| match (&d.init, d.kind) {
            (Some(Init::Value(value)), DeclKind::Const) => Some(Value::Exact(value.clone())),
            _ => None,
        })
        .collect();
    let needed = model.graph.reachable_from(&[model.loss.node]);
    let error = exact::evaluate_needed(&model.graph, &declared, &needed).err()?;
    let (message, label) = match error {
        EvalError::LogOfNonPositive(_) => (
            "log of a value that is not positive",
            "this is the log of 0 or less, whatever the data and the parameters",
        ),
        EvalError::SqrtOfNegative(_) => (
            "square root of a negative value",
            "this is negative, whatever the data and the parameters",
        ),
        EvalError::DivisionByZero(_) => (
            "division by zero",
            "this divides by exactly zero, whatever the data and the parameters",
        ),
        EvalError::TooLarge(_) => (
            "a value too large to compute exactly",
            "this exact power would be too large",
        ),
    };
    let span = model.graph[error.node()].span;
    Some(Diagnostic::error(Kind::Domain, span, message).with_label(label))
}
