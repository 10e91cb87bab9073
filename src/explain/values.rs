//! The numbers of a derivation: every node's value when the file gives every value the loss
//! needs, exact where it can be.

use crate::autodiff::Gradient;
use crate::diagnostic::{Diagnostic, Kind};
use crate::eval::EvalError;
use crate::eval::exact::{self, Value};
use crate::ir::{Init, Initializer, Model};
use crate::tensor::Tensor;
use num_rational::BigRational;
use num_traits::{One, Zero};

/// The values the file declares (`None` for a declaration without a value). A parameter with
/// an initializer takes the values a generated trainer starts from with the file's seed (0 when
/// it names none): drawn ones as float64 approximations, `zeros` and `ones` exactly.
pub fn declared(model: &Model) -> Vec<Option<Value>> {
    let mut drawn: Option<Vec<Option<Tensor<f64>>>> = None;
    model
        .declarations
        .iter()
        .enumerate()
        .map(|(index, d)| match &d.init {
            Some(Init::Value(v)) => Some(Value::Exact(v.clone())),
            Some(Init::Random(Initializer::Zeros)) => {
                Some(Value::Exact(Tensor::filled(d.shape, BigRational::zero())))
            }
            Some(Init::Random(Initializer::Ones)) => {
                Some(Value::Exact(Tensor::filled(d.shape, BigRational::one())))
            }
            Some(Init::Random(_)) if d.shape.size() <= MAX_DRAWN => {
                let drawn =
                    drawn.get_or_insert_with(|| crate::init::initial_values(model, seed(model)));
                drawn[index].clone().map(Value::Approx)
            }
            _ => None,
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
            .with_help(why_not_finite(&node.op)));
        }
    }
    Ok(Some(values))
}

/// What usually makes this operation leave the numbers, in a sentence.
fn why_not_finite(op: &crate::ir::Op) -> &'static str {
    use crate::ir::{Binary, Op, Unary};
    match op {
        Op::Unary(Unary::Exp, _) => "exp overflows float64 for arguments above about 709",
        Op::Unary(Unary::Log, _) => {
            "its argument is 0 in float64 (a tiny value underflowed, like σ(−1000)); \
             for probabilities, cross_entropy or log_softmax of the logits stays finite"
        }
        Op::Binary(Binary::Div, ..) => "the divisor is 0 in float64",
        Op::Pow(..) => "the power overflows float64, or raises 0 to a negative power",
        _ => {
            "float64 holds magnitudes up to about 1.8e308; check the values given to this expression"
        }
    }
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
    let (kind, message, label) = match error {
        EvalError::DivisionByZero(_) => (
            Kind::DivisionByZero,
            "division by zero",
            "with the given values this divides by exactly zero",
        ),
        EvalError::LogOfNonPositive(_) => (
            Kind::Domain,
            "log of a value that is not positive",
            "with the given values this takes the log of 0 or less",
        ),
        EvalError::SqrtOfNegative(_) => (
            Kind::Domain,
            "square root of a negative value",
            "with the given values this is negative",
        ),
        EvalError::TooLarge(_) => (
            Kind::TooLarge,
            "a value too large to compute exactly",
            "this exact power would be too large",
        ),
    };
    Diagnostic::error(kind, span, message).with_label(label)
}
