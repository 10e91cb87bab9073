//! The numbers of a derivation: every node's value when the file gives every value the loss
//! needs, exact where it can be.

use crate::autodiff::Gradient;
use crate::diagnostic::{Diagnostic, Kind};
use crate::eval::EvalError;
use crate::eval::exact::{self, Value};
use crate::ir::{Init, Model};

/// The values the file declares (`None` for a declaration without a value).
pub fn declared(model: &Model) -> Vec<Option<Value>> {
    model
        .declarations
        .iter()
        .map(|d| match &d.init {
            Some(Init::Value(v)) => Some(Value::Exact(v.clone())),
            _ => None,
        })
        .collect()
}

/// Every node's value, forward and gradient, or `Ok(None)` when the file leaves a value the loss
/// needs unset (then a derivation shows formulas only).
pub fn evaluate(
    model: &Model,
    gradient: &Gradient,
    declared: &[Option<Value>],
) -> Result<Option<Vec<Option<Value>>>, Diagnostic> {
    let values = exact::evaluate_needed(&gradient.graph, declared, &needed(gradient))
        .map_err(|e| eval_error(gradient, &e))?;
    if values[model.loss.node.index()].is_none() {
        return Ok(None);
    }
    // Where a float first stops being a number, rather than tables full of NaN.
    for (id, value) in gradient.graph.ids().zip(&values) {
        if let Some(Value::Approx(t)) = value
            && let Some(bad) = t.data().iter().find(|x| !x.is_finite())
        {
            let what = if bad.is_nan() {
                "not a number (NaN)"
            } else {
                "infinite"
            };
            let node = &gradient.graph[id];
            let gradient_part = id.index() >= gradient.forward_len;
            return Err(Diagnostic::error(
                Kind::NotFinite,
                node.span,
                format!(
                    "with the given values, {} is {what}",
                    if gradient_part {
                        "the gradient at this expression"
                    } else {
                        "this expression"
                    }
                ),
            )
            .with_label(format!(
                "first non-finite value, in {}",
                if gradient_part {
                    "the backward pass"
                } else {
                    "the forward pass"
                }
            ))
            .with_help(
                "float64 overflows past about 1.8e308; check the values given to this expression",
            ));
        }
    }
    Ok(Some(values))
}

/// The nodes a derivation can show: the forward pass, every adjoint, every requested gradient.
pub fn needed(gradient: &Gradient) -> Vec<bool> {
    let mut roots: Vec<_> = gradient.graph.ids().take(gradient.forward_len).collect();
    roots.extend(gradient.adjoints.iter().flatten());
    roots.extend(gradient.wrt.iter().map(|(_, node)| *node));
    gradient.graph.reachable_from(&roots)
}

/// An evaluation error as a diagnostic at the expression where it happened.
pub fn eval_error(gradient: &Gradient, error: &EvalError) -> Diagnostic {
    let span = gradient.graph[error.node()].span;
    let (message, label) = match error {
        EvalError::DivisionByZero(_) => (
            "division by zero",
            "with the given values this divides by exactly zero",
        ),
        EvalError::LogOfNonPositive(_) => (
            "log of a value that is not positive",
            "with the given values this takes the log of 0 or less",
        ),
        EvalError::SqrtOfNegative(_) => (
            "square root of a negative value",
            "with the given values this is negative",
        ),
        EvalError::TooLarge(_) => (
            "a value too large to compute exactly",
            "this exact power would be too large",
        ),
    };
    Diagnostic::error(Kind::DivisionByZero, span, message).with_label(label)
}
