//! pest's parse errors in the language's own words.
//!
//! pest reports the grammar rules it could have matched at the furthest position it reached.
//! Those rule names mean nothing to a learner, so each is mapped to a phrase ("an expression",
//! "an operator", "`)`"), the phrases are merged and ordered, and what was actually found there is
//! quoted. A few frequent slips get a concrete suggestion.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::grammar::Rule;
use crate::diagnostic::{Diagnostic, Kind};
use crate::span::Span;
use crate::words::{Message, phrase};

/// What a rule means to someone writing a file; the order of the enum is the order phrases are
/// listed in a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Expected {
    Statement,
    Name,
    Shape,
    Assign,
    Colon,
    Tilde,
    Each,
    Expression,
    Operator,
    Comma,
    CloseParen,
    CloseBracket,
    OpenParen,
    EndOfLine,
}

impl Expected {
    fn of(rule: Rule) -> Option<Expected> {
        use Rule::*;
        Some(match rule {
            decl_kind | kw_input | kw_target | kw_param | kw_const | kw_dim | kw_loss
            | kw_optimizer | kw_train => Expected::Statement,
            name => Expected::Name,
            shape => Expected::Shape,
            assign | value_init => Expected::Assign,
            colon | index_type => Expected::Colon,
            kw_each => Expected::Each,
            tilde | distribution_init => Expected::Tilde,
            expr | term | factor | power | exponent | postfix | number | boolean | call | group
            | array | argument => Expected::Expression,
            pick => Expected::Operator,
            add_op | mul_op | pow_op | transpose_op => Expected::Operator,
            comma => Expected::Comma,
            close_paren => Expected::CloseParen,
            close_bracket => Expected::CloseBracket,
            arguments => Expected::OpenParen,
            EOI => Expected::EndOfLine,
            _ => return None,
        })
    }

    fn phrase(self) -> Message {
        match self {
            Expected::Statement => phrase::expected_a_statement(),
            Expected::Name => phrase::expected_a_name(),
            Expected::Shape => phrase::expected_a_shape(),
            Expected::Assign => phrase::code("="),
            Expected::Tilde => phrase::code("~"),
            Expected::Colon => phrase::code(":"),
            Expected::Each => phrase::code("each"),
            Expected::Expression => phrase::expected_an_expression(),
            Expected::Operator => phrase::expected_an_operator(),
            Expected::Comma => phrase::code(","),
            Expected::CloseParen => phrase::code(")"),
            Expected::CloseBracket => phrase::code("]"),
            Expected::OpenParen => phrase::code("("),
            Expected::EndOfLine => phrase::expected_the_end_of_the_line(),
        }
    }
}

/// Turns a pest error on the statement `text`, which starts at byte `offset` of the file, into a
/// diagnostic with a span into the file.
pub fn syntax_error(error: &Error<Rule>, text: &str, offset: usize) -> Diagnostic {
    let position = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    let position = position.min(text.len());
    let mut expected: Vec<Expected> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(|r| Expected::of(*r)).collect()
        }
        ErrorVariant::CustomError { .. } => {
            // pest's own limits (call budget, stack): only pathological input gets here.
            return Diagnostic::error(
                Kind::TooDeep,
                Span::new(offset, offset + text.len()),
                phrase::statement_too_complex(),
            )
            .with_help(phrase::statement_too_complex_help());
        }
    };
    expected.sort();
    expected.dedup();
    if expected.len() > 1 {
        // After a name, `(` would make a call; listing it beside "an operator" only distracts.
        expected.retain(|e| *e != Expected::OpenParen);
    }

    let found = Found::at(text, position);
    let span = match found {
        Found::EndOfLine => Span::at(offset + end_of_content(&text[..position])),
        Found::Token(len) => Span::new(offset + position, offset + position + len),
    };
    let found_phrase = match found {
        Found::EndOfLine => phrase::expected_the_end_of_the_line(),
        Found::Token(len) => describe_token(&text[position..position + len]),
    };

    let message = if expected == [Expected::Statement, Expected::Name] {
        phrase::expected_found(phrase::expected_a_statement(), found_phrase)
    } else {
        phrase::expected_found(list(&expected), found_phrase)
    };
    let mut diagnostic = Diagnostic::error(Kind::Syntax, span, message);
    if let Some(help) = suggestion(text, position, found, &expected) {
        diagnostic = diagnostic.with_help(help);
    }
    diagnostic
}

/// A token quoted for a message; a character that would be invisible or confusing when quoted
/// is named by its code instead.
fn describe_token(token: &str) -> Message {
    let mut chars = token.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_control() || (c.is_whitespace() && c != ' ') || is_invisible(c) => {
            phrase::found_invisible(format!("{:04X}", c as u32))
        }
        _ => phrase::code(crate::diagnostic::excerpt(token)),
    }
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// Look-alikes of the language's operators that text copied from a web page or a word processor
/// brings along.
const LOOK_ALIKES: [(char, Option<&str>); 8] = [
    ('−', Some("-")),
    ('–', Some("-")),
    ('×', Some("*")),
    ('·', Some("*")),
    ('⋅', Some("*")),
    ('÷', Some("/")),
    ('’', Some("'")),
    // A no-break space: "a plain space".
    ('\u{00A0}', None),
];

#[derive(Clone, Copy)]
enum Found {
    EndOfLine,
    /// A token of this many bytes.
    Token(usize),
}

impl Found {
    fn at(text: &str, position: usize) -> Found {
        let rest = &text[position..];
        let Some(first) = rest.chars().next() else {
            return Found::EndOfLine;
        };
        if rest.trim_start().is_empty() {
            return Found::EndOfLine;
        }
        let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
        if is_word(first) {
            Found::Token(rest.find(|c: char| !is_word(c)).unwrap_or(rest.len()))
        } else {
            Found::Token(first.len_utf8())
        }
    }
}

/// Where the statement's text before `position` really ends: trailing whitespace and a trailing
/// comment are not where something is missing.
fn end_of_content(before: &str) -> usize {
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let code = match before[line_start..].find('#') {
        Some(hash) => &before[..line_start + hash],
        None => before,
    };
    code.trim_end().len()
}

fn list(expected: &[Expected]) -> Message {
    let phrases: Vec<Message> = expected.iter().map(|e| e.phrase()).collect();
    match phrases.as_slice() {
        [] => phrase::expected_something_else(),
        [one] => one.clone(),
        [init @ .., last] => phrase::expected_or(init.to_vec(), last.clone()),
    }
}

fn suggestion(text: &str, position: usize, found: Found, expected: &[Expected]) -> Option<Message> {
    let Found::Token(len) = found else {
        return None;
    };
    let token = &text[position..position + len];
    let before = text[..position].trim_end();
    if let Some((c, plain)) = LOOK_ALIKES.iter().find(|(c, _)| token.starts_with(*c)) {
        let plain = match plain {
            Some(plain) => phrase::code(*plain),
            None => phrase::look_alike_plain_space(),
        };
        return Some(phrase::look_alike_help(format!("{:04X}", *c as u32), plain));
    }
    if expected.contains(&Expected::Statement) {
        return Some(phrase::statement_help());
    }
    if super::statements::STATEMENT_KEYWORDS.contains(&token) || token == "true" || token == "false"
    {
        return Some(phrase::keyword_help(token));
    }
    let starts_word = token.starts_with(|c: char| c.is_alphabetic() || c == '_');
    if starts_word
        && position > 0
        && before.len() == position
        && before.ends_with(|c: char| c.is_ascii_digit())
    {
        let number_start = before
            .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
            .map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
        return Some(phrase::multiply_help(&before[number_start..], token));
    }
    if token == "*" && before.ends_with('*') {
        return Some(phrase::power_help());
    }
    if token == "=" && expected.contains(&Expected::Name) && before.ends_with("loss") {
        return Some(phrase::name_the_loss_help());
    }
    if token == "=" && expected.contains(&Expected::Expression) && before.ends_with('=') {
        return Some(phrase::no_comparison_help());
    }
    None
}
