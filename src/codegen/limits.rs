//! What `nabla gen` refuses before generating: trainers too large to build or to run, and
//! settings whose value in the trainer's number type breaks the rule the file's value keeps.

use num_rational::BigRational;

use super::{Dtype, GenError};
use crate::check::{group_digits, memory};
use crate::ir::{DeclKind, Model, Optimizer};
use crate::words::{Message, phrase};

/// The most columns a data row may have. The trainer lists the columns' names in a table in
/// its source: at 100,000 columns `model.rs` is 1.2 MB and the trainer builds in about 9 s (in
/// release), at 1,000,000 it is 17 MB and builds in 2 min 15 s with 2.2 GB of memory.
pub const MAX_COLUMNS: usize = 1 << 17;

/// The most parameters (elements) a trainer may hold, and the most elements any one value of an
/// example may have: 1 GiB of f32. The trainer keeps several copies of the parameters (their
/// gradients, the optimizer's state).
pub const MAX_ELEMENTS: usize = 1 << 28;

/// Refuses a network whose trainer would be too large, saying how large.
pub fn check_size(model: &Model) -> Result<(), GenError> {
    let too_large = |what: Message| Err(GenError::TooLarge { what });
    let columns: usize = [DeclKind::Input, DeclKind::Target]
        .into_iter()
        .flat_map(|kind| model.declarations_of(kind))
        .map(|d| d.shape.size())
        .sum();
    if columns > MAX_COLUMNS {
        return too_large(phrase::gen_too_many_columns(
            group_digits(columns as u64),
            group_digits(MAX_COLUMNS as u64),
        ));
    }
    let parameters: usize = model
        .declarations_of(DeclKind::Param)
        .map(|d| d.shape.size())
        .sum();
    let largest = model.graph.nodes().iter().map(|n| n.shape.size()).max();
    for (what, size) in [
        (
            phrase::gen_parameters(group_digits(parameters as u64)),
            parameters,
        ),
        (
            phrase::gen_elements_in_one_value(group_digits(largest.unwrap_or(0) as u64)),
            largest.unwrap_or(0),
        ),
    ] {
        if size > MAX_ELEMENTS {
            return too_large(phrase::gen_trainer_too_large(
                what,
                memory(size as u64 * 4),
                group_digits(MAX_ELEMENTS as u64),
            ));
        }
    }
    Ok(())
}

/// The rule an optimizer setting keeps.
#[derive(Clone, Copy)]
enum Rule {
    Positive,
    /// At least 0 and less than 1.
    Fraction,
}

/// Refuses optimizer settings that, rounded to the trainer's number type, break their rule:
/// `beta1 = 0.99999999999999999999` is 1 in f64 (Adam's first step then divides by 0), and
/// `lr = 1e-400` is 0 (nothing would train).
pub fn check_rounding(model: &Model, dtype: Dtype) -> Result<(), GenError> {
    use Rule::{Fraction, Positive};
    let settings: Vec<(Message, &BigRational, Rule)> = match &model.optimizer {
        Optimizer::Sgd { lr, momentum } => vec![
            (phrase::setting_learning_rate(), lr, Positive),
            (phrase::code("momentum"), momentum, Fraction),
        ],
        Optimizer::Adam {
            lr,
            beta1,
            beta2,
            eps,
        } => vec![
            (phrase::setting_learning_rate(), lr, Positive),
            (phrase::code("beta1"), beta1, Fraction),
            (phrase::code("beta2"), beta2, Fraction),
            (phrase::code("eps"), eps, Positive),
        ],
    };
    for (what, value, rule) in settings {
        let exact = crate::exact::to_f64(value);
        let rounded = match dtype {
            Dtype::F64 => exact,
            Dtype::F32 => f64::from(exact as f32),
        };
        let (kept, must) = match rule {
            Positive => (rounded > 0.0, phrase::gen_must_be_more_than_0()),
            Fraction => (
                (0.0..1.0).contains(&rounded),
                phrase::gen_must_be_less_than_1(),
            ),
        };
        if !kept {
            return Err(GenError::TooLarge {
                what: phrase::gen_setting_rounds(
                    what,
                    written(value),
                    rounded.to_string(),
                    dtype.rust(),
                    must,
                ),
            });
        }
    }
    Ok(())
}

/// A setting's exact value as a person writes it: `0.99999999999999999999`, `1e-400`.
fn written(value: &BigRational) -> String {
    let decimal = crate::decimal::round(value, 30);
    let sign = if decimal.negative { "-" } else { "" };
    match decimal.exponent {
        Some(e) => format!("{sign}{}e{e}", decimal.digits),
        None => format!("{sign}{}", decimal.digits),
    }
}
