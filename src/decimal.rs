//! Numbers as a derivation writes them: exact decimals where they are exact and short, rounded
//! to a number of significant digits otherwise, with the rounding done on the exact value.
//!
//! The rule, stated once in every explanation: round to N significant digits but at most N
//! decimal places, halves away from zero (so with N = 9, 0.0821670406… is 0.082167041, as
//! worked examples print it). Numbers below 0.0001 or from 10¹² on are written in scientific
//! notation with N significant digits. The rounding is applied to the exact rational (for an
//! approximation, to the exact value of the float64), so a tie such as 0.1234567885 rounds
//! up, whatever its nearest binary float is.

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

/// A number ready to typeset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decimal {
    pub negative: bool,
    /// Significant digits with a decimal point where it falls: `0.593269992`, `3.5`, `12`.
    pub digits: String,
    /// Scientific notation: the value is `digits × 10^exponent`.
    pub exponent: Option<i32>,
    /// The written digits are rounded: the value is approximately this.
    pub rounded: bool,
}

impl Decimal {
    /// The exact value of the written digits (not of what they round), or `None` for NaN and ∞.
    pub fn value(&self) -> Option<BigRational> {
        let (whole, fraction) = self.digits.split_once('.').unwrap_or((&self.digits, ""));
        if whole.is_empty()
            || !whole
                .chars()
                .chain(fraction.chars())
                .all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let numerator: BigInt = format!("{whole}{fraction}").parse().ok()?;
        let shift = self.exponent.unwrap_or(0) - fraction.len() as i32;
        let magnitude = BigRational::from_integer(numerator) * pow10(shift);
        Some(if self.negative { -magnitude } else { magnitude })
    }
}

/// Written in full (not in scientific notation) for magnitudes in [1e-4, 1e12).
const FULL_BELOW: i32 = 12;
const FULL_FROM: i32 = -4;

/// `value` rounded to `significant` digits, halves away from zero; trailing zeros dropped.
pub fn round(value: &BigRational, significant: usize) -> Decimal {
    let significant = significant.clamp(1, 60);
    let negative = value.is_negative();
    let magnitude = value.abs();
    if magnitude.is_zero() {
        return Decimal {
            negative: false,
            digits: "0".to_string(),
            exponent: None,
            rounded: false,
        };
    }
    // The exponent e of the leading digit: 10^e <= magnitude < 10^(e+1).
    let mut e = estimate_exponent(&magnitude);
    while pow10(e) > magnitude {
        e -= 1;
    }
    while pow10(e + 1) <= magnitude {
        e += 1;
    }
    // At most `significant` decimal places when written in full.
    let significant = if (FULL_FROM..0).contains(&e) {
        (significant as i32 + e + 1).max(1) as usize
    } else {
        significant
    };
    // The significant digits as an integer: magnitude / 10^(e − significant + 1), rounded.
    let shift = e - significant as i32 + 1;
    let scaled = &magnitude / pow10(shift);
    let (mut integer, remainder) = scaled.numer().div_rem(scaled.denom());
    let twice = &remainder * BigInt::from(2);
    let rounded_away = twice >= *scaled.denom();
    if rounded_away {
        integer += 1;
    }
    let rounded = !remainder.is_zero();
    let mut digits = integer.to_string();
    if digits.len() > significant {
        // 9.999… rounded up to 10.00…: one more digit, one higher exponent.
        digits.truncate(significant);
        e += 1;
    }
    let (text, exponent) = place_point(&digits, e);
    Decimal {
        negative,
        digits: text,
        exponent,
        rounded,
    }
}

/// An exact rational's full decimal expansion if it terminates within `significant` digits.
pub fn exact(value: &BigRational, significant: usize) -> Option<Decimal> {
    let decimal = round(value, significant);
    (!decimal.rounded).then_some(decimal)
}

/// The exact rational value of a float64 (every finite float is one).
pub fn of_f64(x: f64) -> Option<BigRational> {
    BigRational::from_float(x)
}

fn place_point(digits: &str, exponent: i32) -> (String, Option<i32>) {
    let trimmed = digits.trim_end_matches('0');
    let trimmed = if trimmed.is_empty() { "0" } else { trimmed };
    if (FULL_FROM..FULL_BELOW).contains(&exponent) {
        let text = if exponent >= 0 {
            let whole_len = exponent as usize + 1;
            if trimmed.len() <= whole_len {
                format!("{trimmed}{}", "0".repeat(whole_len - trimmed.len()))
            } else {
                format!("{}.{}", &trimmed[..whole_len], &trimmed[whole_len..])
            }
        } else {
            format!("0.{}{trimmed}", "0".repeat((-exponent - 1) as usize))
        };
        (text, None)
    } else {
        let text = if trimmed.len() > 1 {
            format!("{}.{}", &trimmed[..1], &trimmed[1..])
        } else {
            trimmed.to_string()
        };
        (text, Some(exponent))
    }
}

fn pow10(e: i32) -> BigRational {
    let ten = BigInt::from(10);
    let p = num_traits::pow::Pow::pow(&ten, e.unsigned_abs());
    if e >= 0 {
        BigRational::from_integer(p)
    } else {
        BigRational::new(BigInt::one(), p)
    }
}

/// log10 from the sizes of numerator and denominator; corrected exactly by the caller.
fn estimate_exponent(magnitude: &BigRational) -> i32 {
    let bits = magnitude.numer().bits() as f64 - magnitude.denom().bits() as f64;
    let estimate = (bits * std::f64::consts::LOG10_2).floor();
    if magnitude.numer().sign() == Sign::NoSign {
        0
    } else {
        estimate as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(d: &Decimal) -> String {
        let sign = if d.negative { "-" } else { "" };
        match d.exponent {
            Some(e) => format!("{sign}{}e{e}", d.digits),
            None => format!("{sign}{}", d.digits),
        }
    }

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    #[test]
    fn rounds_exact_values_half_away_from_zero() {
        assert_eq!(text(&round(&q(151, 400), 9)), "0.3775");
        assert!(!round(&q(151, 400), 9).rounded);
        assert_eq!(text(&round(&q(1, 3), 9)), "0.333333333");
        assert!(round(&q(1, 3), 9).rounded);
        // A decimal tie rounds away from zero, exactly.
        assert_eq!(
            text(&round(&"1234567885/10000000000".parse().unwrap(), 9)),
            "0.123456789"
        );
        assert_eq!(text(&round(&"-18075/10000".parse().unwrap(), 3)), "-1.81");
        assert_eq!(text(&round(&q(99995, 100000), 4)), "1");
        assert_eq!(text(&round(&q(2, 1), 9)), "2");
        // At most 9 decimal places: 0.0821670406… is written 0.082167041.
        assert_eq!(
            text(&round(&"821670406/10000000000".parse().unwrap(), 9)),
            "0.082167041"
        );
        assert_eq!(
            text(&round(&"438567734/1000000000000".parse().unwrap(), 9)),
            "0.000438568"
        );
        assert_eq!(text(&round(&q(1200, 1), 9)), "1200");
    }

    #[test]
    fn tiny_and_huge_values_use_scientific_notation() {
        assert_eq!(text(&round(&q(1, 10_000_000), 9)), "1e-7");
        assert_eq!(text(&round(&q(-35102, 1_000_000_000), 3)), "-3.51e-5");
        assert_eq!(text(&round(&q(123, 1_000_000), 9)), "0.000123");
        assert_eq!(
            text(&round(
                &BigRational::from_integer(BigInt::from(10).pow(15u32)),
                9
            )),
            "1e15"
        );
    }

    #[test]
    fn written_digits_have_exact_values() {
        for (value, digits) in [
            (q(151, 400), 9),
            (q(-35102, 1_000_000_000), 3),
            (q(1, 3), 4),
        ] {
            let d = round(&value, digits);
            let back = round(&d.value().expect("digits"), 60);
            assert_eq!(text(&back), text(&d));
        }
        assert_eq!(round(&q(-3, 20), 9).value(), Some(q(-3, 20)));
    }

    #[test]
    fn floats_round_from_their_exact_value() {
        let sigmoid = 1.0 / (1.0 + (-0.3775f64).exp());
        assert_eq!(text(&round(&of_f64(sigmoid).unwrap(), 9)), "0.593269992");
    }
}
