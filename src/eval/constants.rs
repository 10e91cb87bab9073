//! The values a file fixes whatever the data and the parameters, computed exactly: one whose
//! operation has no value (the log of 0, the square root of −1) is an error of the file, the
//! same for every command. Otherwise `check` and `gen` would accept what `derive` refuses, and a
//! trainer would only find −∞ in its loss.

use crate::diagnostic::{Diagnostic, Kind};
use crate::ir::{DeclKind, Init, Model, Op};
use crate::words::phrase;

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
    // Fixed: the file's numbers and constants, and what is computed from them only (not from
    // the data, the parameters or the size of a batch).
    let graph = &model.graph;
    let mut fixed = vec![false; graph.len()];
    for id in graph.ids() {
        fixed[id.index()] = match &graph[id].op {
            Op::Var(decl) => declared[decl.index()].is_some(),
            Op::BatchSize => false,
            op => op.operands().all(|o| fixed[o.index()]),
        };
    }
    let needed = graph.reachable_from(&[model.loss.node]);
    let needed: Vec<bool> = needed.iter().zip(&fixed).map(|(&n, &f)| n && f).collect();
    let error = exact::evaluate_needed(graph, &declared, &needed).err()?;
    let (message, label) = match error {
        EvalError::LogOfNonPositive(_) => (
            phrase::log_of_non_positive(),
            phrase::log_of_non_positive_always(),
        ),
        EvalError::SqrtOfNegative(_) => (
            phrase::sqrt_of_negative(),
            phrase::sqrt_of_negative_always(),
        ),
        EvalError::DivisionByZero(_) => (
            phrase::division_by_zero(),
            phrase::division_by_zero_always(),
        ),
        EvalError::TooLarge(_) => (
            phrase::too_large_to_compute(),
            phrase::power_too_large_here(),
        ),
    };
    let span = graph[error.node()].span;
    Some(Diagnostic::error(Kind::Domain, span, message).with_label(label))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_log_of_a_constant_zero_is_refused_and_a_batch_size_is_no_constant() {
        let refused =
            crate::compile("const c = 0\ninput x\nparam w = 1\nloss L = w * x + log(c)\n");
        assert!(refused.0.is_none());
        assert_eq!(
            refused.1[0].message.english(),
            "log of a value that is not positive"
        );
        // The unbiased variance divides by the batch size less one: not a constant.
        let batch = "input x = each [[1], [2]]\nparam w = 1\nv = batch_var(w * x, 1)\n\
                     loss L = sum(v)\n";
        let (model, diagnostics) = crate::compile(batch);
        assert!(model.is_some(), "{diagnostics:?}");
    }
}
