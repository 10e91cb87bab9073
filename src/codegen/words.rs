//! The words of a generated trainer, in the language it was generated in.
//!
//! Text the trainer shows as it is written (its README, its `--help`) is said at generation time
//! through [`crate::words::Words`], like any of nabla's text. Text the program puts together when
//! it runs (an error naming a file, a line and a column) is a phrase of `locales/*/trainer.ftl`
//! too: the project's code calls `words::cannot_read(e, path)`, and this module writes the
//! project's `src/words.rs`, a function per phrase called, whose body is the phrase of one
//! language turned into a `format!` (its text escaped, its arguments the function's parameters).
//! The trainer looks nothing up and depends on nothing.
//!
//! The functions take their arguments in alphabetical order of the phrase's argument names (the
//! same in every language, and unchanged when a translation reorders its words), each as
//! `impl Display`, except a number that chooses a plural form: a `usize`, tested against 1
//! (English's forms of whole numbers: `[one]` and `*[other]`; Vietnamese has none).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use fluent_syntax::ast::{Expression, InlineExpression, Pattern, PatternElement, VariantKey};

use super::layout;
use crate::words::Language;

/// The catalogue ids of the trainer's phrases start with this; the function drops it.
pub const PREFIX: &str = "trainer-";

/// The phrases `code` calls as `words::NAME(`.
pub fn called(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (at, _) in code.match_indices("words::") {
        let before = &code[..at];
        if before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &code[at + "words::".len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end > 0 && rest[end..].starts_with('(') {
            names.insert(rest[..end].to_string());
        }
    }
    names
}

/// The catalogue id of the trainer's function `name`.
pub fn id(name: &str) -> String {
    format!("{PREFIX}{}", name.replace('_', "-"))
}

/// The project's `src/words.rs`: the functions `names`, in `language`.
pub fn module(language: Language, names: &BTreeSet<String>) -> Result<String, String> {
    let functions: Vec<Function> = names
        .iter()
        .map(|name| function(language, name))
        .collect::<Result<_, _>>()?;
    let mut out = String::from(
        "//! The program's words, each a function of what it names: written by `nabla gen` from\n\
         //! its message catalogue, in the language the program was generated in.\n",
    );
    if functions.iter().any(|f| f.display) {
        out.push_str("\nuse std::fmt::Display;\n");
    }
    for function in &functions {
        out.push('\n');
        out.push_str(&function.code);
    }
    Ok(out)
}

/// One function of `src/words.rs`.
struct Function {
    code: String,
    /// Whether a parameter is `impl Display`.
    display: bool,
}

/// The function `name` in `language`.
fn function(language: Language, name: &str) -> Result<Function, String> {
    let id = id(name);
    let pattern = |language: Language| {
        language
            .pattern(&id)
            .ok_or_else(|| format!("`words::{name}` has no phrase `{id}` in locales/"))
    };
    // The parameters: every argument of every language's phrase, so that the function has the
    // same signature in all of them.
    let mut arguments = BTreeSet::new();
    let mut counts = BTreeSet::new();
    for other in Language::ALL {
        collect(pattern(other)?, &mut arguments, &mut counts)
            .map_err(|problem| format!("`{id}` ({}): {problem}", other.tag()))?;
    }
    let ours = pattern(language)?;
    let mut used = BTreeSet::new();
    let mut selectors = BTreeSet::new();
    collect(ours, &mut used, &mut selectors).map_err(|problem| format!("`{id}`: {problem}"))?;
    if selectors.len() > 1 {
        return Err(format!("`{id}` chooses forms by more than one number"));
    }
    let params: Vec<String> = arguments
        .iter()
        .map(|a| {
            let unused = if used.contains(a) { "" } else { "_" };
            let kind = if counts.contains(a) {
                "usize"
            } else {
                "impl Display"
            };
            format!("{unused}{a}: {kind}")
        })
        .collect();
    let display = arguments.iter().any(|a| !counts.contains(a));
    let body = match selectors.iter().next() {
        None => expression(4, &text(ours, None)),
        Some(count) => {
            let (one, other) = (text(ours, Some(true)), text(ours, Some(false)));
            if one == other {
                expression(4, &one)
            } else {
                let (a, b) = (expression(8, &one), expression(8, &other));
                format!("    if {count} == 1 {{\n{a}\n    }} else {{\n{b}\n    }}")
            }
        }
    };
    let signature = layout::signature("pub fn ", name, &params, " -> String {");
    Ok(Function {
        code: format!("{signature}\n{body}\n}}\n"),
        display,
    })
}

/// The phrase's text with its arguments as `format!` writes them, `{name}`; `one` chooses the
/// variant of a plural selector (`None`: the default).
struct Text {
    literal: String,
    /// Whether it has an argument (then it is a format string, its braces doubled).
    formatted: bool,
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.literal == other.literal
    }
}

/// The Rust expression of a phrase's text at `indent`: `format!("…")`, or `String::from("…")`,
/// as rustfmt lays out a call of one string literal (kept on its line if it fits in 100
/// columns, else on a line of its own; a macro gets no trailing comma).
fn expression(indent: usize, text: &Text) -> String {
    let (callee, comma) = if text.formatted {
        ("format!", "")
    } else {
        ("String::from", ",")
    };
    let pad = " ".repeat(indent);
    let line = format!("{pad}{callee}({})", text.literal);
    if unicode_width::UnicodeWidthStr::width(line.as_str()) <= layout::MAX_WIDTH {
        return line;
    }
    format!("{pad}{callee}(\n{pad}    {}{comma}\n{pad})", text.literal)
}

/// The phrase as a Rust string literal, choosing the `[one]` variant if `one`, else the
/// default.
fn text(pattern: &Pattern<&str>, one: Option<bool>) -> Text {
    let mut pieces = Vec::new();
    pieces_of(pattern, one.unwrap_or(false), &mut pieces);
    let formatted = pieces.iter().any(|p| matches!(p, Piece::Argument(_)));
    let mut literal = String::from("\"");
    for piece in pieces {
        match piece {
            Piece::Text(text) => literal.push_str(&escape(&text, formatted)),
            Piece::Argument(name) => {
                let _ = write!(literal, "{{{name}}}");
            }
        }
    }
    literal.push('"');
    Text { literal, formatted }
}

enum Piece {
    Text(String),
    Argument(String),
}

fn pieces_of(pattern: &Pattern<&str>, one: bool, out: &mut Vec<Piece>) {
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => out.push(Piece::Text(value.to_string())),
            PatternElement::Placeable { expression } => match expression {
                Expression::Inline(inline) => inline_piece(inline, out),
                Expression::Select { variants, .. } => {
                    let wanted = if one { "one" } else { "" };
                    let chosen = variants
                        .iter()
                        .find(|v| matches!(&v.key, VariantKey::Identifier { name } if *name == wanted))
                        .or_else(|| variants.iter().find(|v| v.default));
                    if let Some(variant) = chosen {
                        pieces_of(&variant.value, one, out);
                    }
                }
            },
        }
    }
}

/// An argument, or quoted text (the only things a trainer's phrase holds in braces, as
/// [`collect`] checks).
fn inline_piece(inline: &InlineExpression<&str>, out: &mut Vec<Piece>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            out.push(Piece::Argument(id.name.to_string()));
        }
        InlineExpression::StringLiteral { value } => {
            out.push(Piece::Text(
                value.replace("\\\"", "\"").replace("\\\\", "\\"),
            ));
        }
        _ => {}
    }
}

/// The arguments of a phrase into `arguments`, and those that choose a plural form into
/// `counts`; what a trainer's phrase cannot hold is an error.
fn collect(
    pattern: &Pattern<&str>,
    arguments: &mut BTreeSet<String>,
    counts: &mut BTreeSet<String>,
) -> Result<(), String> {
    for element in &pattern.elements {
        let PatternElement::Placeable { expression } = element else {
            continue;
        };
        match expression {
            Expression::Inline(inline) => collect_inline(inline, arguments)?,
            Expression::Select { selector, variants } => {
                let InlineExpression::VariableReference { id } = selector else {
                    return Err("a form is chosen by something other than a number".into());
                };
                for variant in variants {
                    match &variant.key {
                        VariantKey::Identifier { name } if *name == "one" || *name == "other" => {}
                        _ => return Err("the forms of a number are `[one]` and `*[other]`".into()),
                    }
                    collect(&variant.value, arguments, counts)?;
                }
                arguments.insert(id.name.to_string());
                counts.insert(id.name.to_string());
            }
        }
    }
    Ok(())
}

fn collect_inline(
    inline: &InlineExpression<&str>,
    arguments: &mut BTreeSet<String>,
) -> Result<(), String> {
    match inline {
        InlineExpression::VariableReference { id } => {
            let name = id.name;
            let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid || crate::codegen::names::is_keyword(name) {
                return Err(format!("the argument `{name}` is no Rust name"));
            }
            arguments.insert(name.to_string());
            Ok(())
        }
        InlineExpression::StringLiteral { .. } => Ok(()),
        _ => Err("only arguments and quoted text can stand in braces".into()),
    }
}

/// `text` inside a Rust string literal, and a format string's braces doubled if `formatted`.
fn escape(text: &str, formatted: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '{' if formatted => out.push_str("{{"),
            '}' if formatted => out.push_str("}}"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_found_by_their_path() {
        let code =
            "let a = words::cannot_read(e, path);\nfn words() {}\ncrate::words::no_command()";
        let names: Vec<String> = called(code).into_iter().collect();
        assert_eq!(names, ["cannot_read"]);
    }

    #[test]
    fn text_is_escaped_for_a_literal_and_a_format_string() {
        assert_eq!(escape("a \"b\" {c}\\\n", true), "a \\\"b\\\" {{c}}\\\\\\n");
        assert_eq!(escape("{c}", false), "{c}");
    }
}
