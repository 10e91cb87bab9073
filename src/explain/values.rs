//! The numbers of a derivation: every node's value when the file gives every value the loss
//! needs, exact where it can be.

use crate::autodiff::Gradient;
use crate::diagnostic::{Diagnostic, Kind};
use crate::eval::EvalError;
use crate::eval::batch::{self, Batched};
use crate::eval::exact::Value;
use crate::ir::{Init, Initializer, Model};
use crate::tensor::Tensor;
use crate::words::{Message, phrase};
use num_rational::BigRational;
use num_traits::{One, Zero};

/// The values the file declares (`None` for a declaration without a value). A parameter with
/// an initializer takes the values a generated trainer starts from with the file's seed (0 when
/// it names none): drawn ones as float64 approximations, `zeros` and `ones` exactly.
pub fn declared(model: &Model) -> Vec<Option<Value>> {
    declared_batch(model)
        .into_iter()
        .map(|value| match value? {
            Batched::Shared(value) => Some(value),
            Batched::Each(values) => values.into_iter().next(),
        })
        .collect()
}

/// [`declared`], with the value of every example where the file gives a batch (`each`).
pub fn declared_batch(model: &Model) -> Vec<Option<Batched<Value>>> {
    let mut drawn: Option<Vec<Option<Tensor<f64>>>> = None;
    model
        .declarations
        .iter()
        .enumerate()
        .map(|(index, d)| match &d.init {
            Some(Init::Each(values)) => Some(Batched::Each(
                values.iter().cloned().map(Value::Exact).collect(),
            )),
            other => Some(Batched::Shared(match other {
                Some(Init::Value(v)) => Value::Exact(v.clone()),
                Some(Init::Random(Initializer::Zeros)) => {
                    Value::Exact(Tensor::filled(d.shape, BigRational::zero()))
                }
                Some(Init::Random(Initializer::Ones)) => {
                    Value::Exact(Tensor::filled(d.shape, BigRational::one()))
                }
                Some(Init::Random(_)) if d.shape.size() <= MAX_DRAWN => {
                    let drawn = drawn
                        .get_or_insert_with(|| crate::init::initial_values(model, seed(model)));
                    Value::Approx(drawn[index].clone()?)
                }
                _ => return None,
            })),
        })
        .collect()
}

/// The seed initializers are drawn with: the file's `train(seed = …)`, else 0, as trainers do.
pub fn seed(model: &Model) -> u64 {
    model.training.seed.unwrap_or(0)
}

/// Parameters larger than this are not drawn for a derivation (it could not show them anyway,
/// and drawing a [100000, 100000] matrix would take gigabytes).
pub const MAX_DRAWN: usize = 1 << 20;

/// Every node's value, forward and gradient, or `Ok(None)` when the file leaves a value the loss
/// needs unset (then a derivation shows formulas only).
pub fn evaluate(
    model: &Model,
    gradient: &Gradient,
    declared: &[Option<Value>],
) -> Result<Option<Vec<Option<Value>>>, Diagnostic> {
    let declared: Vec<_> = declared
        .iter()
        .map(|d| d.clone().map(Batched::Shared))
        .collect();
    let values = evaluate_batch(model, gradient, &declared, 1)?;
    Ok(values.map(|values| {
        values
            .into_iter()
            .map(|value| match value? {
                Batched::Shared(value) => Some(value),
                Batched::Each(values) => values.into_iter().next(),
            })
            .collect()
    }))
}

/// [`evaluate`] on a batch of `m` examples: each node's shared value, or its value in every
/// example.
pub fn evaluate_batch(
    model: &Model,
    gradient: &Gradient,
    declared: &[Option<Batched<Value>>],
    m: usize,
) -> Result<Option<Vec<Option<Batched<Value>>>>, Diagnostic> {
    let values = batch::evaluate::<batch::Exact>(&gradient.graph, declared, m, &needed(gradient))
        .map_err(|e| {
        let diagnostic = eval_error(gradient, &e.error);
        match e.example {
            Some(i) if m > 1 => with_example(diagnostic, i),
            _ => diagnostic,
        }
    })?;
    if values[gradient.output.index()].is_none() || values[model.loss.node.index()].is_none() {
        return Ok(None);
    }
    // Where a float first stops being a number, rather than tables full of NaN.
    for (id, value) in gradient.graph.ids().zip(&values) {
        let Some(value) = value else { continue };
        for (example, value) in value.values().iter().enumerate() {
            let Value::Approx(t) = value else { continue };
            let Some(bad) = t.data().iter().find(|x| !x.is_finite()) else {
                continue;
            };
            let node = &gradient.graph[id];
            let gradient_part = id.index() >= gradient.forward_len;
            let message = match (gradient_part, bad.is_nan()) {
                (false, true) => phrase::expression_is_nan(),
                (false, false) => phrase::expression_is_infinite(),
                (true, true) => phrase::gradient_is_nan(),
                (true, false) => phrase::gradient_is_infinite(),
            };
            let diagnostic = Diagnostic::error(Kind::NotFinite, node.span, message)
                .with_label(if gradient_part {
                    phrase::first_non_finite_backward()
                } else {
                    phrase::first_non_finite_forward()
                })
                .with_help(why_not_finite(&node.op));
            return Err(if m > 1 && node.per_example {
                with_example(diagnostic, example)
            } else {
                diagnostic
            });
        }
    }
    Ok(Some(values))
}

/// The note saying which example of a batch a problem happened in.
fn with_example(mut diagnostic: Diagnostic, example: usize) -> Diagnostic {
    diagnostic.message = phrase::in_example(diagnostic.message, example + 1);
    diagnostic
}

/// What usually makes this operation leave the numbers, in a sentence.
fn why_not_finite(op: &crate::ir::Op) -> Message {
    use crate::ir::{Binary, Op, Unary};
    match op {
        Op::Unary(Unary::Exp, _) => phrase::exp_overflows(),
        Op::Unary(Unary::Log, _) => phrase::log_underflows(),
        Op::Binary(Binary::Div, ..) => phrase::divisor_underflows(),
        Op::Pow(..) => phrase::power_overflows(),
        _ => phrase::float64_range(),
    }
}

/// The nodes a derivation can show: the forward pass, every adjoint, every requested gradient.
pub fn needed(gradient: &Gradient) -> Vec<bool> {
    let mut roots: Vec<_> = gradient.graph.ids().take(gradient.forward_len).collect();
    roots.extend(gradient.adjoints.iter().flatten());
    roots.extend(gradient.wrt.iter().map(|(_, node)| *node));
    roots.extend(gradient.compact.iter().map(|c| c.gradient));
    gradient.graph.reachable_from(&roots)
}

/// An evaluation error as a diagnostic at the expression where it happened.
pub fn eval_error(gradient: &Gradient, error: &EvalError) -> Diagnostic {
    let span = gradient.graph[error.node()].span;
    let (kind, message, label) = match error {
        EvalError::DivisionByZero(_) => (
            Kind::DivisionByZero,
            phrase::division_by_zero(),
            phrase::division_by_zero_here(),
        ),
        EvalError::LogOfNonPositive(_) => (
            Kind::Domain,
            phrase::log_of_non_positive(),
            phrase::log_of_non_positive_here(),
        ),
        EvalError::SqrtOfNegative(_) => (
            Kind::Domain,
            phrase::sqrt_of_negative(),
            phrase::sqrt_of_negative_here(),
        ),
        EvalError::TooLarge(_) => (
            Kind::TooLarge,
            phrase::too_large_to_compute(),
            phrase::power_too_large_here(),
        ),
    };
    Diagnostic::error(kind, span, message).with_label(label)
}
