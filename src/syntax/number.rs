//! Number literals to exact rationals: `0.15` is 3/20, `1e-3` is 1/1000.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Pow};

/// A decimal exponent beyond this is refused: 10^1000 is already far past anything a float can
/// hold, and the exact value of `1e999999999` would take gigabytes.
pub const MAX_DECIMAL_EXPONENT: i64 = 1000;

#[derive(Debug, PartialEq, Eq)]
pub enum NumberError {
    ExponentTooLarge,
}

/// Parses the text the grammar accepted as `number`.
pub fn parse_decimal(text: &str) -> Result<BigRational, NumberError> {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, ""),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{whole}{fraction}");
    let digits = if digits.is_empty() { "0" } else { &digits };
    // The grammar only lets ASCII digits through, so this cannot fail.
    let numerator: BigInt = digits.parse().unwrap_or_default();

    let written_exponent: i64 = if exponent.is_empty() {
        0
    } else {
        // Digits only (with a sign); a string too long for i64 is certainly too large.
        exponent
            .parse::<i64>()
            .map_err(|_| NumberError::ExponentTooLarge)?
    };
    if written_exponent.abs() > MAX_DECIMAL_EXPONENT {
        return Err(NumberError::ExponentTooLarge);
    }
    let scale = written_exponent - fraction.len() as i64;
    let ten = BigInt::from(10u32);
    let value = if scale >= 0 {
        BigRational::from_integer(numerator * Pow::pow(&ten, scale as u64))
    } else {
        BigRational::new(numerator, Pow::pow(&ten, (-scale) as u64))
    };
    debug_assert!(value.denom() >= &BigInt::one());
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(text: &str) -> String {
        parse_decimal(text).unwrap().to_string()
    }

    #[test]
    fn decimals_are_exact() {
        assert_eq!(exact("0.15"), "3/20");
        assert_eq!(exact("0.10"), "1/10");
        assert_eq!(exact("2"), "2");
        assert_eq!(exact(".5"), "1/2");
        assert_eq!(exact("1."), "1");
        assert_eq!(exact("1e-3"), "1/1000");
        assert_eq!(exact("2.5E2"), "250");
        assert_eq!(exact("0.593269992"), "74158749/125000000");
    }

    #[test]
    fn huge_exponents_are_refused() {
        assert_eq!(parse_decimal("1e1001"), Err(NumberError::ExponentTooLarge));
        assert_eq!(
            parse_decimal("1e99999999999999999999999"),
            Err(NumberError::ExponentTooLarge)
        );
        assert!(parse_decimal("1e-1000").is_ok());
    }
}
