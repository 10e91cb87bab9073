//! `--gradcheck`: every derived gradient beside a central finite difference of the loss, in
//! float64, so a learner sees the chain rule confirmed numerically.

use crate::autodiff::Gradient;
use crate::eval::batch::{self, Batched, Float};
use crate::eval::exact::Value;
use crate::ir::{DeclId, Model};
use crate::tensor::Tensor;

/// The smallest gradient a central difference with h = 10⁻⁶ tells from 0.
const RESOLUTION: f64 = 1e-10;

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

/// Each gradient of `gradient.wrt` that every example shares (a parameter's), element by
/// element, against the finite difference of the (batch) loss on the `m` examples declared.
pub fn check(
    model: &Model,
    gradient: &Gradient,
    (declared, m): (&[Option<Batched<Value>>], usize),
    node_values: &[Option<Value>],
) -> Vec<Check> {
    let base: Vec<Option<Batched<Tensor<f64>>>> = declared
        .iter()
        .map(|v| v.as_ref().map(|b| b.map(Value::to_f64)))
        .collect();
    // The forward pass and the batch loss.
    let output = gradient.output.index();
    let mut needed = vec![true; model.graph.len()];
    needed.resize(output + 1, false);
    needed[output] = true;
    let loss_at = |values: &[Option<Batched<Tensor<f64>>>]| {
        batch::evaluate::<Float>(&gradient.graph, values, m, &needed)
            .ok()
            .and_then(|v| {
                v[output]
                    .as_ref()
                    .and_then(Batched::shared)
                    .map(|t| t.data()[0])
            })
            .unwrap_or(f64::NAN)
    };
    let mut checks = Vec::new();
    for &(decl, node) in &gradient.wrt {
        let (Some(Batched::Shared(w)), Some(g)) = (
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
                values[decl.index()] = Some(Batched::Shared(Tensor::new(w.shape(), data)));
                loss_at(&values)
            };
            let numeric = (shifted(h) - shifted(-h)) / (2.0 * h);
            let derived = g.data()[index];
            // Relative to the larger of the two, but never to less than what a central
            // difference resolves (float64's rounding of the loss, over 2h): a gradient that is
            // exactly 0 computed as 7·10⁻¹⁸ beside a difference of 0 agrees.
            let scale = derived.abs().max(numeric.abs()).max(RESOLUTION);
            let relative_error = (derived - numeric).abs() / scale;
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
