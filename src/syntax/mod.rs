//! Source text to the AST: the first stage.
//!
//! [`parse`] never fails: it returns the statements it could read plus a diagnostic for each one
//! it could not, so that one run reports every broken line. Nothing outside this module sees pest.

pub mod ast;
mod expected;
pub mod grammar;
mod lower;
pub mod number;
mod statements;

use pest::Parser;

use crate::diagnostic::{Diagnostic, Diagnostics, Kind};
use crate::span::Span;
use crate::words::phrase;
use grammar::{NablaParser, Rule};
use lower::{LowerError, Lowerer};

pub use number::parse_decimal;
pub use statements::MAX_NESTING;

/// Parses a whole file.
pub fn parse(source: &str, diagnostics: &mut Diagnostics) -> ast::File {
    let mut file = ast::File::default();
    for piece in statements::split(source, diagnostics) {
        let span = piece.span;
        let text = span.text(source);
        let offset = span.start as usize;
        if !piece.broken {
            let diagnostic = match NablaParser::parse(Rule::statement, text) {
                Ok(pairs) => match Lowerer::new(offset).statement(pairs) {
                    Ok(statement) => {
                        file.statements.push(statement);
                        continue;
                    }
                    Err(LowerError::User(mut diagnostic)) => {
                        if diagnostic.kind == Kind::TooDeep {
                            // The depth is exceeded somewhere inside; the statement is the culprit.
                            let first_line = text.find('\n').unwrap_or(text.len());
                            diagnostic.span = Span::new(offset, offset + first_line);
                        }
                        diagnostic
                    }
                    Err(LowerError::Malformed) => {
                        Diagnostic::error(Kind::Syntax, span, phrase::malformed_statement())
                            .with_label(phrase::malformed_statement_label())
                            .with_help(phrase::report_bug_help())
                    }
                },
                Err(error) => expected::syntax_error(&error, text, offset),
            };
            diagnostics.push(diagnostic);
        }
        file.unparsed.push(guess(text, offset));
    }
    file
}

/// Bytes that are not UTF-8 text.
#[derive(Debug)]
pub struct NotText {
    /// The bytes decoded with replacement characters, for showing where the problem is.
    pub lossy: String,
    pub diagnostic: Diagnostic,
}

/// The bytes of a file as text. Anything but UTF-8 is refused with a diagnostic that points at
/// the first bad byte, in the lossy text the renderer is given.
pub fn decode(bytes: &[u8]) -> Result<&str, Box<NotText>> {
    std::str::from_utf8(bytes).map_err(|error| {
        let at = error.valid_up_to();
        let lossy = String::from_utf8_lossy(bytes).into_owned();
        let diagnostic = Diagnostic::error(
            Kind::NotText,
            Span::new(at, at + '\u{FFFD}'.len_utf8()),
            phrase::not_utf8(format!("{:02X}", bytes[at])),
        )
        .with_label(phrase::not_utf8_label())
        .with_help(phrase::not_utf8_help());
        Box::new(NotText { lossy, diagnostic })
    })
}

const DECLARING_KEYWORDS: [&str; 6] = ["input", "target", "param", "const", "dim", "loss"];

/// What a broken statement seems to define, read off the first words of each of its lines (a
/// statement with an unclosed bracket swallows the lines after it).
fn guess(text: &str, offset: usize) -> ast::Unparsed {
    let mut defines = Vec::new();
    let mut is_loss = false;
    let mut line_start = 0;
    for line in text.split('\n') {
        let (name, loss) = guess_line(line, offset + line_start);
        defines.extend(name);
        is_loss |= loss;
        line_start += line.len() + 1;
    }
    ast::Unparsed {
        span: Span::new(offset, offset + text.len()),
        defines,
        is_loss,
    }
}

fn guess_line(line: &str, offset: usize) -> (Option<ast::Ident>, bool) {
    let trimmed = line.trim_start();
    let mut at = line.len() - trimmed.len();
    let mut rest = trimmed;
    let mut keyword = None;
    for word in DECLARING_KEYWORDS {
        if let Some(after) = rest.strip_prefix(word)
            && after.starts_with([' ', '\t'])
        {
            keyword = Some(word);
            let after_space = after.trim_start();
            at += rest.len() - after_space.len();
            rest = after_space;
            break;
        }
    }
    let name_len = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_alphanumeric() || c == '_') || (i == 0 && c.is_ascii_digit()))
        .map_or(rest.len(), |(i, _)| i);
    let defines_by_assignment = rest[name_len..].trim_start().starts_with('=');
    let name = (name_len > 0 && (keyword.is_some() || defines_by_assignment)).then(|| ast::Ident {
        text: rest[..name_len].to_string(),
        span: Span::new(offset + at, offset + at + name_len),
    });
    (name, keyword == Some("loss"))
}
