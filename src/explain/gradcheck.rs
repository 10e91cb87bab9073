//! `--gradcheck`: every derived gradient beside a central finite difference of the loss, in
//! float64, so a learner sees the chain rule confirmed numerically.

use crate::autodiff::Gradient;
use crate::eval::exact::Value;
use crate::eval::float;
use crate::ir::{DeclId, Model};
use crate::tensor::Tensor;

#[derive(Clone, Debug)]
pub struct Check {
    pub decl: DeclId,
    pub index: usize,
    pub derived: f64,
    pub numeric: f64,
    /// |derived − numeric| / max(|derived|, |numeric|), 0 when both are 0.
    pub relative_error: f64,
    /// The step h of the difference (f(w + h) − f(w − h)) / 2h.
    pub step: f64,
}

/// The most elements checked; a large network's table would be unreadable anyway.
pub const MAX_CHECKED: usize = 256;

pub fn check(
    model: &Model,
    gradient: &Gradient,
    declared: &[Option<Value>],
    node_values: &[Option<Value>],
) -> Vec<Check> {
    let base: Vec<Option<Tensor<f64>>> = declared
        .iter()
        .map(|v| v.as_ref().map(Value::to_f64))
        .collect();
    let loss_at = |values: &[Option<Tensor<f64>>]| {
        float::evaluate(&model.graph, values)[model.loss.node.index()]
            .as_ref()
            .map_or(f64::NAN, |t| t.data()[0])
    };
    let mut checks = Vec::new();
    for &(decl, node) in &gradient.wrt {
        let (Some(w), Some(g)) = (
            &base[decl.index()],
            node_values.get(node.index()).cloned().flatten(),
        ) else {
            continue;
        };
        let g = g.to_f64();
        for index in 0..w.data().len() {
            if checks.len() >= MAX_CHECKED {
                return checks;
            }
            let x = w.data()[index];
            let h = 1e-6 * x.abs().max(1.0);
            let shifted = |delta: f64| {
                let mut values = base.clone();
                let mut data = w.data().to_vec();
                data[index] = x + delta;
                values[decl.index()] = Some(Tensor::new(w.shape(), data));
                loss_at(&values)
            };
            let numeric = (shifted(h) - shifted(-h)) / (2.0 * h);
            let derived = g.data()[index];
            let scale = derived.abs().max(numeric.abs());
            let relative_error = if scale == 0.0 {
                0.0
            } else {
                (derived - numeric).abs() / scale
            };
            checks.push(Check {
                decl,
                index,
                derived,
                numeric,
                relative_error,
                step: h,
            });
        }
    }
    checks
}
