//! Many steps of gradient descent on the file's examples (`nabla explain --steps N`), the same
//! example or batch every step: the loss after each step, and the parameters at the end.
//!
//! Steps run exactly while the values stay rational and small; once exact values would grow
//! past [`MAX_EXACT_BITS`] (each step multiplies fractions together, so their digits grow without
//! bound) or a function with no rational value appears, they continue in float64, and the
//! history says from which step and why.

use num_rational::BigRational;

use crate::autodiff::Gradient;
use crate::eval::batch::{self, Batched, Exact, Float};
use crate::eval::exact::Value;
use crate::ir::{DeclId, DeclKind, Model, Optimizer};
use crate::tensor::Tensor;

/// Exact values larger than this (in bits of numerator or denominator) switch the run to float64.
pub const MAX_EXACT_BITS: u64 = 256;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FloatReason {
    /// The network computes a function with no rational value (sigmoid, exp …).
    NotRational,
    /// Exact values grew past the bound after this many steps.
    Grew { after_step: usize },
    /// The optimizer takes square roots (Adam).
    Optimizer,
}

#[derive(Clone, Debug)]
pub struct History {
    /// The loss before the first step and after each step: N + 1 values.
    pub losses: Vec<f64>,
    /// Exact losses, as long as the run stayed exact.
    pub exact_losses: Vec<BigRational>,
    /// The parameters after the last step, by declaration.
    pub final_params: Vec<(DeclId, Value)>,
    pub float_from: Option<FloatReason>,
    /// The step at which the loss stopped being a finite number, if it did.
    pub diverged_at: Option<usize>,
}

/// Runs `steps` steps from the declared values, on the same `m` examples every step (a file of
/// one example is the batch of m = 1). `progress` is told each completed step.
pub fn run(
    model: &Model,
    gradient: &Gradient,
    (declared, m): (&[Option<Batched<Value>>], usize),
    steps: usize,
    progress: &mut dyn FnMut(usize),
) -> History {
    let params: Vec<(DeclId, crate::ir::NodeId)> = gradient
        .wrt
        .iter()
        .copied()
        .filter(|(decl, _)| model.declaration(*decl).kind == DeclKind::Param)
        .collect();
    let mut history = History {
        losses: Vec::with_capacity(steps + 1),
        exact_losses: Vec::new(),
        final_params: Vec::new(),
        float_from: None,
        diverged_at: None,
    };
    let mut values: Vec<Option<Batched<Value>>> = declared.to_vec();
    let loss = gradient.output;

    // Exact phase.
    let needed = crate::explain::values::needed(gradient);
    let mut step = 0;
    let exact_possible =
        !matches!(model.optimizer, Optimizer::Adam { .. }) && momentum_is_zero(&model.optimizer);
    if !exact_possible {
        history.float_from = Some(FloatReason::Optimizer);
    }
    while exact_possible && step <= steps {
        let Ok(node_values) = batch::evaluate::<Exact>(&gradient.graph, &values, m, &needed) else {
            break;
        };
        let Some(Value::Exact(loss_value)) = shared(&node_values[loss.index()]) else {
            history.float_from = Some(FloatReason::NotRational);
            break;
        };
        if too_big(&values) {
            history.float_from = Some(FloatReason::Grew { after_step: step });
            break;
        }
        history
            .losses
            .push(crate::exact::to_f64(&loss_value.data()[0]));
        history.exact_losses.push(loss_value.data()[0].clone());
        if step == steps {
            break;
        }
        let lr = model.optimizer.learning_rate().clone();
        let mut exact_update = true;
        for &(decl, node) in &params {
            let (Some(Value::Exact(w)), Some(Value::Exact(g))) = (
                shared(&values[decl.index()]),
                shared(&node_values[node.index()]),
            ) else {
                exact_update = false;
                break;
            };
            let updated: Vec<BigRational> = w
                .data()
                .iter()
                .zip(g.data())
                .map(|(w, g)| w - &lr * g)
                .collect();
            values[decl.index()] = Some(Batched::Shared(Value::Exact(Tensor::new(
                w.shape(),
                updated,
            ))));
        }
        if !exact_update {
            history.float_from = Some(FloatReason::NotRational);
            break;
        }
        step += 1;
        progress(step);
    }
    // Float phase, from where the exact phase stopped.
    if history.losses.len() < steps + 1 {
        // The exact phase recorded losses for steps 0..k−1 and left `values` after k−1 updates
        // (if it recorded k losses). Continue from there in float64.
        let start = history.losses.len();
        let mut current: Vec<Option<Batched<Tensor<f64>>>> = values
            .iter()
            .map(|v| v.as_ref().map(|b| b.map(Value::to_f64)))
            .collect();
        let mut state = OptimizerState::new(&params, &current);
        let all = vec![true; gradient.graph.len()];
        for s in start..=steps {
            let node_values = batch::evaluate::<Float>(&gradient.graph, &current, m, &all)
                .unwrap_or_else(|_| vec![None; gradient.graph.len()]);
            let loss_value = shared(&node_values[loss.index()]).map_or(f64::NAN, |t| t.data()[0]);
            history.losses.push(loss_value);
            if !loss_value.is_finite() {
                history.diverged_at = Some(s);
                break;
            }
            if s == steps {
                break;
            }
            state.step(&model.optimizer, &params, &mut current, &node_values);
            progress(s + 1);
        }
        values = current
            .into_iter()
            .map(|t| t.map(|b| b.map(|t| Value::Approx(t.clone()))))
            .collect();
    }
    history.final_params = params
        .iter()
        .filter_map(|(decl, _)| Some((*decl, shared(&values[decl.index()])?)))
        .collect();
    history
}

/// The value every example shares (a parameter's, a gradient's, the batch loss).
fn shared<T: Clone>(value: &Option<Batched<T>>) -> Option<T> {
    value.as_ref()?.shared().cloned()
}

fn momentum_is_zero(optimizer: &Optimizer) -> bool {
    match optimizer {
        Optimizer::Sgd { momentum, .. } => num_traits::Zero::is_zero(momentum),
        Optimizer::Adam { .. } => false,
    }
}

fn too_big(values: &[Option<Batched<Value>>]) -> bool {
    values
        .iter()
        .flatten()
        .flat_map(Batched::values)
        .any(|v| match v {
            Value::Exact(t) => t
                .data()
                .iter()
                .any(|x| x.numer().bits().max(x.denom().bits()) > MAX_EXACT_BITS),
            Value::Approx(_) => false,
        })
}

/// Momentum buffers and Adam moments, as PyTorch keeps them.
struct OptimizerState {
    first: Vec<Vec<f64>>,
    second: Vec<Vec<f64>>,
    t: i32,
}

impl OptimizerState {
    fn new(
        params: &[(DeclId, crate::ir::NodeId)],
        values: &[Option<Batched<Tensor<f64>>>],
    ) -> OptimizerState {
        let zeros = |(decl, _): &(DeclId, crate::ir::NodeId)| {
            vec![0.0; shared(&values[decl.index()]).map_or(0, |t| t.data().len())]
        };
        OptimizerState {
            first: params.iter().map(zeros).collect(),
            second: params.iter().map(zeros).collect(),
            t: 0,
        }
    }

    fn step(
        &mut self,
        optimizer: &Optimizer,
        params: &[(DeclId, crate::ir::NodeId)],
        values: &mut [Option<Batched<Tensor<f64>>>],
        node_values: &[Option<Batched<Tensor<f64>>>],
    ) {
        self.t += 1;
        for (k, &(decl, node)) in params.iter().enumerate() {
            let (Some(w), Some(g)) = (
                shared(&values[decl.index()]),
                shared(&node_values[node.index()]),
            ) else {
                continue;
            };
            let mut data = w.data().to_vec();
            match optimizer {
                Optimizer::Sgd { lr, momentum } => {
                    let (lr, mu) = (crate::exact::to_f64(lr), crate::exact::to_f64(momentum));
                    for (i, (w, g)) in data.iter_mut().zip(g.data()).enumerate() {
                        let v = if mu == 0.0 || self.t == 1 {
                            *g
                        } else {
                            mu * self.first[k][i] + g
                        };
                        self.first[k][i] = v;
                        *w -= lr * v;
                    }
                }
                Optimizer::Adam {
                    lr,
                    beta1,
                    beta2,
                    eps,
                } => {
                    let (lr, b1, b2, eps) = (
                        crate::exact::to_f64(lr),
                        crate::exact::to_f64(beta1),
                        crate::exact::to_f64(beta2),
                        crate::exact::to_f64(eps),
                    );
                    for (i, (w, g)) in data.iter_mut().zip(g.data()).enumerate() {
                        let m = b1 * self.first[k][i] + (1.0 - b1) * g;
                        let v = b2 * self.second[k][i] + (1.0 - b2) * g * g;
                        self.first[k][i] = m;
                        self.second[k][i] = v;
                        let m_hat = m / (1.0 - b1.powi(self.t));
                        let v_hat = v / (1.0 - b2.powi(self.t));
                        *w -= lr * m_hat / (v_hat.sqrt() + eps);
                    }
                }
            }
            values[decl.index()] = Some(Batched::Shared(Tensor::new(w.shape(), data)));
        }
    }
}

/// The steps a table shows: the first few, then log-spaced ones, and the last.
pub fn shown_steps(steps: usize) -> Vec<usize> {
    let mut shown: Vec<usize> = (0..=steps.min(5)).collect();
    let mut scale = 10;
    while scale <= steps {
        for m in [1, 2, 5] {
            let s = m * scale;
            if s <= steps && s > 5 {
                shown.push(s);
            }
        }
        scale *= 10;
    }
    if !shown.contains(&steps) {
        shown.push(steps);
    }
    shown.sort_unstable();
    shown.dedup();
    shown
}
