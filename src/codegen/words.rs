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
//! (English's forms of whole numbers: `[one]` and `*[other]`; Vietnamese has none). Each choice
//! of forms is a `let` before the phrase (`let epochs_form = if epochs == 1 { "epoch" } else {
//! "epochs" };`), so a phrase may count several things.

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
    // Each choice of forms becomes a `let` of its own name, and the phrase names it.
    let mut lets = String::new();
    let mut phrase = Vec::new();
    let mut used = BTreeSet::new();
    let ours = pieces(pattern(language)?).map_err(|problem| format!("`{id}`: {problem}"))?;
    for piece in ours {
        let Piece::Forms { count, one, other } = piece else {
            phrase.push(piece);
            continue;
        };
        if text(&one) == text(&other) {
            phrase.extend(other);
            continue;
        }
        let mut name = format!("{count}_form");
        let mut k = 1;
        while arguments.contains(&name) || lets.contains(&format!("let {name} ")) {
            k += 1;
            name = format!("{count}_form_{k}");
        }
        lets.push_str(&choice(&name, &count, &text(&one), &text(&other)));
        used.extend(named(&one).chain(named(&other)));
        used.insert(count);
        phrase.push(Piece::Argument(name));
    }
    used.extend(named(&phrase));
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
    let body = format!("{lets}{}", expression(4, &text(&phrase)));
    let signature = layout::signature("pub fn ", name, &params, " -> String {");
    Ok(Function {
        code: format!("{signature}\n{body}\n}}\n"),
        display,
    })
}

/// The names of the arguments among `pieces`.
fn named(pieces: &[Piece]) -> impl Iterator<Item = String> + '_ {
    pieces.iter().filter_map(|piece| match piece {
        Piece::Argument(name) => Some(name.clone()),
        _ => None,
    })
}

/// A phrase's text as a Rust string literal, its arguments as `format!` writes them, `{name}`.
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

/// `let NAME = if COUNT == 1 { ONE } else { OTHER };` at indent 4, as rustfmt lays it out: on
/// one line while the `if` is at most 50 columns wide, else each form on a line of its own.
/// Forms with arguments are `format!`s, and then a form without is a `String` too.
fn choice(name: &str, count: &str, one: &Text, other: &Text) -> String {
    if !one.formatted && !other.formatted {
        let choice = format!(
            "if {count} == 1 {{ {} }} else {{ {} }}",
            one.literal, other.literal
        );
        let line = format!("    let {name} = {choice};");
        if unicode_width::UnicodeWidthStr::width(choice.as_str()) <= 50
            && unicode_width::UnicodeWidthStr::width(line.as_str()) <= layout::MAX_WIDTH
        {
            return line + "\n";
        }
        let form = |text: &Text| format!("        {}", text.literal);
        return format!(
            "    let {name} = if {count} == 1 {{\n{}\n    }} else {{\n{}\n    }};\n",
            form(one),
            form(other)
        );
    }
    format!(
        "    let {name} = if {count} == 1 {{\n{}\n    }} else {{\n{}\n    }};\n",
        expression(8, one),
        expression(8, other)
    )
}

/// The pieces as a Rust string literal, with their arguments as `format!` writes them,
/// `{name}`.
fn text(pieces: &[Piece]) -> Text {
    let formatted = pieces.iter().any(|p| matches!(p, Piece::Argument(_)));
    let mut literal = String::from("\"");
    for piece in pieces {
        match piece {
            Piece::Text(text) => literal.push_str(&escape(text, formatted)),
            Piece::Argument(name) => {
                let _ = write!(literal, "{{{name}}}");
            }
            // A choice of forms is a `let` of its own by now (see `function`).
            Piece::Forms { .. } => {}
        }
    }
    literal.push('"');
    Text { literal, formatted }
}

/// A piece of a phrase of a generated program.
pub(crate) enum Piece {
    Text(String),
    Argument(String),
    /// `{ $count -> [one] … *[other] … }`: the forms a whole number chooses between.
    Forms {
        count: String,
        one: Vec<Piece>,
        other: Vec<Piece>,
    },
}

/// A phrase of a generated program as pieces: text, arguments, and choices of forms by a count
/// (a language without a `[one]` form says its default for every number). What such a phrase
/// cannot hold is an error: a choice by something other than a number, choices inside a choice.
pub(crate) fn pieces(pattern: &Pattern<&str>) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    pieces_of(pattern, &mut out, true)?;
    Ok(out)
}

fn pieces_of(pattern: &Pattern<&str>, out: &mut Vec<Piece>, top: bool) -> Result<(), String> {
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => out.push(Piece::Text(value.to_string())),
            PatternElement::Placeable { expression } => {
                match expression {
                    Expression::Inline(inline) => inline_piece(inline, out),
                    Expression::Select { selector, variants } => {
                        let InlineExpression::VariableReference { id } = selector else {
                            return Err("a form is chosen by something other than a number".into());
                        };
                        if !top {
                            return Err("a choice of forms inside another".into());
                        }
                        let default = variants.iter().find(|v| v.default);
                        let one = variants
                        .iter()
                        .find(|v| matches!(&v.key, VariantKey::Identifier { name } if *name == "one"))
                        .or(default);
                        let (Some(one), Some(other)) = (one, default) else {
                            return Err("a choice of forms without a default".into());
                        };
                        let (mut a, mut b) = (Vec::new(), Vec::new());
                        pieces_of(&one.value, &mut a, false)?;
                        pieces_of(&other.value, &mut b, false)?;
                        out.push(Piece::Forms {
                            count: id.name.to_string(),
                            one: a,
                            other: b,
                        });
                    }
                }
            }
        }
    }
    Ok(())
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

    #[test]
    fn each_count_chooses_its_form_in_a_let_of_its_own() {
        let trained = function(Language::English, "trained").expect("the phrase");
        assert_eq!(
            trained.code,
            "pub fn trained(epochs: usize, rows: usize, seconds: impl Display) -> String {\n    \
             let epochs_form = if epochs == 1 { \"epoch\" } else { \"epochs\" };\n    \
             let rows_form = if rows == 1 { \"row\" } else { \"rows\" };\n    \
             format!(\"trained {epochs} {epochs_form} on {rows} {rows_form} in {seconds} s\")\n}\n"
        );
        // Vietnamese has one form: the number is said, nothing chosen.
        let trained = function(Language::Vietnamese, "trained").expect("the phrase");
        assert!(!trained.code.contains("_form"), "{}", trained.code);
        // A count that chooses twice gets two names.
        let left = function(Language::English, "one_over").expect("the phrase");
        assert!(
            left.code
                .contains("let rows_form = if rows == 1 { \"row\" } else { \"rows\" };")
                && left
                    .code
                    .contains("let rows_form_2 = if rows == 1 { \"leaves\" } else { \"leave\" };")
                && left
                    .code
                    .contains("{rows} {rows_form} in batches of {batch} {rows_form_2}"),
            "{}",
            left.code
        );
    }

    #[test]
    fn a_choice_wider_than_rustfmt_keeps_on_a_line_takes_a_line_per_form() {
        let text = |literal: &str| Text {
            literal: format!("\"{literal}\""),
            formatted: false,
        };
        assert_eq!(
            choice("found_form", "found", &text("column"), &text("columns")),
            "    let found_form = if found == 1 { \"column\" } else { \"columns\" };\n"
        );
        assert_eq!(
            choice(
                "n_form",
                "n",
                &text("one long form"),
                &text("other longer forms")
            ),
            "    let n_form = if n == 1 {\n        \"one long form\"\n    } else {\n        \
             \"other longer forms\"\n    };\n"
        );
    }
}
