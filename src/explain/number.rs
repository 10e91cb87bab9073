//! A number in a worked derivation: exact while the arithmetic keeps it rational, float64 from
//! the first step that cannot. The update step of gradient descent is computed with these, so
//! `w − η·g` stays exact for a rational network.

use num_rational::BigRational;
use num_traits::{Signed, Zero};

use crate::eval::exact::Value;
use crate::notation::Formula;
use crate::notation::decimal::{self, Decimal};

/// The most significant digits an approximation is written with. A float64 carries 15.95
/// decimal digits, and a computation of several operations loses some of the last: digits past
/// the 15th would be noise, however many `--digits` asks for.
pub const FLOAT_DIGITS: usize = 15;

#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Exact(BigRational),
    Approx(f64),
}

impl Number {
    pub fn f64(&self) -> f64 {
        match self {
            Number::Exact(r) => crate::exact::to_f64(r),
            Number::Approx(x) => *x,
        }
    }

    pub fn is_exact(&self) -> bool {
        matches!(self, Number::Exact(_))
    }

    fn zip(
        &self,
        other: &Number,
        exact: impl Fn(&BigRational, &BigRational) -> Option<BigRational>,
        float: impl Fn(f64, f64) -> f64,
    ) -> Number {
        match (self, other) {
            (Number::Exact(a), Number::Exact(b)) => match exact(a, b) {
                Some(r) => Number::Exact(r),
                None => Number::Approx(float(self.f64(), other.f64())),
            },
            _ => Number::Approx(float(self.f64(), other.f64())),
        }
    }

    pub fn add(&self, other: &Number) -> Number {
        self.zip(other, |a, b| Some(a + b), |a, b| a + b)
    }

    pub fn sub(&self, other: &Number) -> Number {
        self.zip(other, |a, b| Some(a - b), |a, b| a - b)
    }

    pub fn mul(&self, other: &Number) -> Number {
        self.zip(other, |a, b| Some(a * b), |a, b| a * b)
    }

    pub fn div(&self, other: &Number) -> Number {
        self.zip(other, |a, b| (!b.is_zero()).then(|| a / b), |a, b| a / b)
    }

    /// The square root: exact for the square of a fraction (`√(9/4) = 3/2`, and so `√(g²) = |g|`
    /// for an exact g), an approximation otherwise.
    pub fn sqrt(&self) -> Number {
        match self {
            Number::Exact(r) if !r.is_negative() => {
                let (n, d) = (r.numer().sqrt(), r.denom().sqrt());
                if &n * &n == *r.numer() && &d * &d == *r.denom() {
                    return Number::Exact(BigRational::new(n, d));
                }
                Number::Approx(self.f64().sqrt())
            }
            _ => Number::Approx(self.f64().sqrt()),
        }
    }

    /// How the number is written, to `digits` significant digits, and whether that is rounded.
    /// An approximation gets at most [`FLOAT_DIGITS`]: a float64 holds no more.
    pub fn decimal(&self, digits: usize) -> Decimal {
        match self {
            Number::Exact(r) => decimal::round(r, digits),
            Number::Approx(x) => match decimal::of_f64(*x) {
                Some(r) => Decimal {
                    // An approximation is never written with `=`, even when its digits happen
                    // to be few.
                    rounded: true,
                    ..decimal::round(&r, digits.min(FLOAT_DIGITS))
                },
                None => Decimal {
                    negative: false,
                    digits: if x.is_nan() {
                        "NaN".into()
                    } else if *x > 0.0 {
                        "∞".into()
                    } else {
                        "−∞".into()
                    },
                    exponent: None,
                    rounded: true,
                },
            },
        }
    }

    pub fn formula(&self, digits: usize) -> Formula {
        Formula::Decimal(self.decimal(digits))
    }

    /// The exact fraction, when it says more than the decimal: `151/400` beside `0.3775`.
    pub fn fraction(&self) -> Option<Formula> {
        match self {
            Number::Exact(r) if !r.is_integer() => {
                // Fractions with small denominators read well; huge ones do not.
                (r.denom().bits() <= 64 && r.numer().abs().bits() <= 64).then(|| {
                    let numerator = Formula::Number(BigRational::from_integer(r.numer().abs()));
                    let denominator = Formula::Number(BigRational::from_integer(r.denom().clone()));
                    let fraction =
                        Formula::binary(crate::notation::Operator::Div, numerator, denominator);
                    if r.is_negative() {
                        Formula::Neg(Box::new(fraction))
                    } else {
                        fraction
                    }
                })
            }
            _ => None,
        }
    }

    /// The number as it is substituted into a formula: an exact value whose decimals do not
    /// end is written as its (short) fraction, `1/3` rather than `0.333333333`, so that an
    /// exact computation reads exactly.
    pub fn written(&self, digits: usize) -> Formula {
        self.written_within(digits, 20)
    }

    /// As [`Number::written`], with fractions of at most `bits` bits above and below the line
    /// (a box of the graph has room for `1/3`, not for `554009/900000`).
    pub fn written_within(&self, digits: usize, bits: u64) -> Formula {
        let decimal = self.decimal(digits);
        match self {
            Number::Exact(r)
                if decimal.rounded
                    && r.denom().bits() <= bits
                    && r.numer().abs().bits() <= bits =>
            {
                Formula::Number(r.clone())
            }
            _ => Formula::Decimal(decimal),
        }
    }
}

/// The elements of a value as numbers.
pub fn elements(value: &Value) -> Vec<Number> {
    match value {
        Value::Exact(t) => t.data().iter().cloned().map(Number::Exact).collect(),
        Value::Approx(t) => t.data().iter().copied().map(Number::Approx).collect(),
    }
}
