//! What `nabla gen` refuses before generating: trainers too large to build or to run, and
//! settings whose value in the trainer's number type breaks the rule the file's value keeps.

use num_rational::BigRational;

use super::{Dtype, GenError};
use crate::check::{bytes, group_digits};
use crate::ir::{DeclKind, Model, Optimizer};

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
    let too_large = |what: String| Err(GenError::TooLarge { what });
    let columns: usize = [DeclKind::Input, DeclKind::Target]
        .into_iter()
        .flat_map(|kind| model.declarations_of(kind))
        .map(|d| d.shape.size())
        .sum();
    if columns > MAX_COLUMNS {
        return too_large(format!(
            "a data row of this network has {} columns; nabla gen makes trainers of at most {} \
             (the trainer lists the columns' names in its source, which then takes minutes to \
             build)",
            group_digits(columns as u64),
            group_digits(MAX_COLUMNS as u64)
        ));
    }
    let parameters: usize = model
        .declarations_of(DeclKind::Param)
        .map(|d| d.shape.size())
        .sum();
    let largest = model.graph.nodes().iter().map(|n| n.shape.size()).max();
    for (what, size) in [
        ("parameters", parameters),
        ("elements in one value", largest.unwrap_or(0)),
    ] {
        if size > MAX_ELEMENTS {
            return too_large(format!(
                "the trainer of this network would hold {} {what} ({} as f32, several times \
                 over); nabla gen makes trainers of at most {}",
                group_digits(size as u64),
                bytes(size as u64 * 4),
                group_digits(MAX_ELEMENTS as u64)
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
    let settings: Vec<(&str, &BigRational, Rule)> = match &model.optimizer {
        Optimizer::Sgd { lr, momentum } => vec![
            ("the learning rate `lr`", lr, Positive),
            ("`momentum`", momentum, Fraction),
        ],
        Optimizer::Adam {
            lr,
            beta1,
            beta2,
            eps,
        } => vec![
            ("the learning rate `lr`", lr, Positive),
            ("`beta1`", beta1, Fraction),
            ("`beta2`", beta2, Fraction),
            ("`eps`", eps, Positive),
        ],
    };
    for (what, value, rule) in settings {
        let exact = crate::exact::to_f64(value);
        let rounded = match dtype {
            Dtype::F64 => exact,
            Dtype::F32 => f64::from(exact as f32),
        };
        let (kept, must) = match rule {
            Positive => (rounded > 0.0, "must be more than 0"),
            Fraction => ((0.0..1.0).contains(&rounded), "must be less than 1"),
        };
        if !kept {
            return Err(GenError::TooLarge {
                what: format!(
                    "{what} = {} is {rounded} in {}, the trainer's number type, but {must}",
                    written(value),
                    dtype.rust()
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
