//! How the command line reads values: choices whose descriptions are said in the user's
//! language, and numbers refused with a phrase of the catalogues rather than clap's English.

use std::marker::PhantomData;

use clap::ValueEnum;
use clap::builder::{EnumValueParser, PossibleValue, TypedValueParser};

use nabla::words::{Message, phrase};

/// A choice of the command line (`--format html`) whose values may each say what they do.
pub trait Described: ValueEnum + Clone + Send + Sync + 'static {
    /// What this value does, when its name does not say it.
    fn help(&self) -> Option<Message>;
}

/// Parses a [`Described`] choice as clap's `value_enum` does, and lists its values with their
/// descriptions in the user's language (for the help, completions and the manual page).
#[derive(Clone)]
pub struct Choices<E>(PhantomData<E>);

/// The parser of a choice, for `#[arg(value_parser = choices::<Format>())]`.
pub fn choices<E: Described>() -> Choices<E> {
    Choices(PhantomData)
}

impl<E: Described> TypedValueParser for Choices<E> {
    type Value = E;

    fn parse_ref(
        &self,
        command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<E, clap::Error> {
        EnumValueParser::<E>::new().parse_ref(command, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        let language = super::super::language();
        Some(Box::new(E::value_variants().iter().filter_map(
            move |variant| {
                let value = variant.to_possible_value()?;
                Some(match variant.help() {
                    Some(help) => value.help(language.say(&help)),
                    None => value,
                })
            },
        )))
    }
}

/// Why a value was refused, as a phrase: the error renderer finds it behind clap's error and
/// says it in the user's language.
#[derive(Debug)]
pub struct Refusal(pub Message);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.english())
    }
}

impl std::error::Error for Refusal {}

/// A count: 0, 1, 2 …
pub fn whole_number(text: &str) -> Result<usize, Refusal> {
    text.parse().map_err(|error: std::num::ParseIntError| {
        Refusal(match error.kind() {
            std::num::IntErrorKind::PosOverflow => {
                phrase::usage_whole_number_between(0, usize::MAX)
            }
            _ => phrase::usage_whole_number(),
        })
    })
}

/// The significant digits of rounded numbers: 1 to 40.
pub fn digits(text: &str) -> Result<u8, Refusal> {
    const DIGITS: std::ops::RangeInclusive<u8> = 1..=40;
    let refusal = || {
        Refusal(phrase::usage_whole_number_between(
            *DIGITS.start(),
            *DIGITS.end(),
        ))
    };
    let digits: u8 = text.parse().map_err(|_| refusal())?;
    if DIGITS.contains(&digits) {
        Ok(digits)
    } else {
        Err(refusal())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_or_refused_with_a_phrase() {
        assert_eq!(whole_number("12").ok(), Some(12));
        assert_eq!(whole_number("0").ok(), Some(0));
        for bad in ["", "-1", "1.5", "three"] {
            assert_eq!(
                whole_number(bad).map_err(|r| r.0.id()).err(),
                Some("usage-whole-number"),
                "{bad}"
            );
        }
        assert_eq!(
            whole_number("99999999999999999999999")
                .map_err(|r| r.0.id())
                .err(),
            Some("usage-whole-number-between")
        );
        assert_eq!(digits("1").ok(), Some(1));
        assert_eq!(digits("40").ok(), Some(40));
        for bad in ["0", "41", "300", "x"] {
            assert_eq!(
                digits(bad).map_err(|r| r.0.english()).err().as_deref(),
                Some("expected a whole number from 1 to 40"),
                "{bad}"
            );
        }
    }
}
