//! Exact rational numbers: the few operations beyond `+ - * /` that nabla needs, each with the
//! guard that keeps arbitrary precision from turning into unbounded work, and their display.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// The largest result an exact power may produce, in bits of numerator or denominator. A million
/// bits is 300,000 decimal digits: far more than any worked example needs, still instant.
pub const MAX_POWER_BITS: u64 = 1 << 20;

#[derive(Debug, PartialEq, Eq)]
pub enum PowerError {
    /// `0 ^ -1`
    DivisionByZero,
    /// The exponent is not an integer: the result is in general not rational.
    NotRational,
    /// The result would exceed [`MAX_POWER_BITS`].
    TooLarge,
}

/// `base ^ exponent` exactly, for an integer exponent.
pub fn pow(base: &BigRational, exponent: &BigRational) -> Result<BigRational, PowerError> {
    if !exponent.is_integer() {
        return Err(PowerError::NotRational);
    }
    if base.is_zero() {
        return match exponent.numer().sign() {
            num_bigint::Sign::Minus => Err(PowerError::DivisionByZero),
            num_bigint::Sign::NoSign => Ok(BigRational::one()),
            num_bigint::Sign::Plus => Ok(BigRational::zero()),
        };
    }
    if base.abs().is_one() {
        let odd = exponent.numer().is_odd();
        return Ok(if base.is_negative() && odd {
            -BigRational::one()
        } else {
            BigRational::one()
        });
    }
    let magnitude = exponent
        .numer()
        .abs()
        .to_u64()
        .ok_or(PowerError::TooLarge)?;
    let bits = base.numer().bits().max(base.denom().bits());
    if bits.saturating_mul(magnitude) > MAX_POWER_BITS {
        return Err(PowerError::TooLarge);
    }
    let result = num_traits::pow::Pow::pow(base, magnitude);
    Ok(if exponent.is_negative() {
        result.recip()
    } else {
        result
    })
}

/// An integer value that fits `u64`, if the rational is one.
pub fn to_u64(value: &BigRational) -> Option<u64> {
    if value.is_integer() {
        value.numer().to_u64()
    } else {
        None
    }
}

pub fn to_f64(value: &BigRational) -> f64 {
    value.to_f64().unwrap_or(f64::NAN)
}

/// How a learner expects to read an exact number: the decimal when it is short and exact
/// (`0.15`, `-2`, `0.3775`), the fraction otherwise (`1/3`), and a rounded scientific form for
/// a number too long to read (`≈ 1.02020133e86049`).
pub fn display(value: &BigRational) -> String {
    if value.numer().bits() > 256 || value.denom().bits() > 256 {
        let d = crate::decimal::round(value, 9);
        let sign = if d.negative { "-" } else { "" };
        return match d.exponent {
            Some(e) => format!("≈ {sign}{}e{e}", d.digits),
            None => format!("≈ {sign}{}", d.digits),
        };
    }
    match terminating_decimal(value, 24) {
        Some(decimal) => decimal,
        None => value.to_string(),
    }
}

/// The exact decimal expansion of `value` if it terminates within `max_digits` fraction digits.
pub fn terminating_decimal(value: &BigRational, max_digits: usize) -> Option<String> {
    let mut denom = value.denom().clone();
    let two = BigInt::from(2);
    let five = BigInt::from(5);
    let (mut twos, mut fives) = (0usize, 0usize);
    while denom.is_even() {
        denom /= &two;
        twos += 1;
    }
    while (&denom % &five).is_zero() {
        denom /= &five;
        fives += 1;
    }
    if !denom.is_one() {
        return None;
    }
    let digits = twos.max(fives);
    if digits > max_digits {
        return None;
    }
    let scaled =
        value.numer().abs() * num_traits::pow::Pow::pow(&BigInt::from(10), digits) / value.denom();
    let text = scaled.to_string();
    let sign = if value.is_negative() { "-" } else { "" };
    if digits == 0 {
        return Some(format!("{sign}{text}"));
    }
    let padded = format!("{text:0>width$}", width = digits + 1);
    let (whole, fraction) = padded.split_at(padded.len() - digits);
    Some(format!("{sign}{whole}.{fraction}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    #[test]
    fn displays_short_decimals_and_fractions() {
        assert_eq!(display(&q(3, 20)), "0.15");
        assert_eq!(display(&q(151, 400)), "0.3775");
        assert_eq!(display(&q(-2, 1)), "-2");
        assert_eq!(display(&q(-1, 20)), "-0.05");
        assert_eq!(display(&q(1, 3)), "1/3");
        assert_eq!(display(&q(1, 1 << 40)), "1/1099511627776");
    }

    #[test]
    fn powers_are_exact_and_bounded() {
        assert_eq!(pow(&q(2, 3), &q(-2, 1)), Ok(q(9, 4)));
        assert_eq!(pow(&q(0, 1), &q(-1, 1)), Err(PowerError::DivisionByZero));
        assert_eq!(pow(&q(2, 1), &q(1, 2)), Err(PowerError::NotRational));
        assert_eq!(pow(&q(-1, 1), &q(1_000_000_001, 1)), Ok(q(-1, 1)));
        assert_eq!(
            pow(&q(10, 1), &q(1_000_000_000, 1)),
            Err(PowerError::TooLarge)
        );
    }
}
