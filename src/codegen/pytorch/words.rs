//! What `train.py` says as it runs, in the language of the generation: its `WORDS`, a Python
//! format string per phrase `train.py` says (`say("no_command")` is the phrase
//! `pytorch-no-command` of `locales/*/pytorch.ftl`). Each argument becomes the format field of
//! its name (`{path}`), so the program fills in the file, the line and the cell, and looks
//! nothing up; a choice of forms by a count is the field `{rows:row|rows}`, which train.py's
//! `say` fills with the form for its number.

use crate::codegen::words::{Piece, pieces};
use crate::words::Language;

/// train.py's template: its `say("key", …)` calls name the phrases `WORDS` holds.
const TRAIN_PY: &str = include_str!("../../../templates/pytorch/train.py.txt");

/// The keys of the phrases train.py says, in the order it first says them.
pub fn said() -> Vec<&'static str> {
    let mut keys: Vec<&str> = Vec::new();
    for rest in TRAIN_PY.split("say(\"").skip(1) {
        if let Some((key, _)) = rest.split_once('"')
            && !keys.contains(&key)
        {
            keys.push(key);
        }
    }
    keys
}

/// The catalogue id of the key `key` of `WORDS`.
pub fn id(key: &str) -> String {
    format!("pytorch-{}", key.replace('_', "-"))
}

/// The entries of train.py's `WORDS`, a line each: `    "no_command": "no command given",`.
pub fn table(language: Language) -> Result<String, String> {
    let mut out = String::new();
    for key in said() {
        let id = id(key);
        let pattern = language
            .pattern(&id)
            .ok_or_else(|| format!("train.py says `{key}`: no phrase `{id}` in locales/"))?;
        let pieces = pieces(pattern).map_err(|problem| format!("`{id}`: {problem}"))?;
        let said = format_string(&pieces).map_err(|problem| format!("`{id}`: {problem}"))?;
        out.push_str(&format!("    \"{key}\": {},\n", python_string(&said)));
    }
    Ok(out)
}

/// A phrase as a Python format string: its own braces doubled, its arguments fields, a choice
/// of forms the field `{count:ONE|OTHER}` (its forms' arguments fields inside it).
fn format_string(pieces: &[Piece]) -> Result<String, String> {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(&text.replace('{', "{{").replace('}', "}}")),
            Piece::Argument(name) => out.push_str(&format!("{{{name}}}")),
            Piece::Forms { count, one, other } => {
                // A form stands in a format spec: no brace or `|` of its own.
                let special = |form: &[Piece]| {
                    form.iter()
                        .any(|p| matches!(p, Piece::Text(t) if t.contains(['{', '}', '|'])))
                };
                if special(one) || special(other) {
                    return Err("a form holds a brace or `|`".into());
                }
                let (one, other) = (format_string(one)?, format_string(other)?);
                if one == other {
                    out.push_str(&other);
                    continue;
                }
                out.push_str(&format!("{{{count}:{one}|{other}}}"));
            }
        }
    }
    Ok(out)
}

/// `text` as a Python string literal, in double quotes (a text of several lines in triple
/// quotes, its lines as they are).
pub fn python_string(text: &str) -> String {
    let mut out = String::new();
    let multiline = text.contains('\n');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' if multiline => out.push('\n'),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    if multiline {
        format!("\"\"\"\\\n{out}\"\"\"")
    } else {
        format!("\"{out}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_become_fields_forms_a_field_with_a_choice_and_braces_stay_braces() {
        let forms = Piece::Forms {
            count: "rows".into(),
            one: vec![Piece::Text("row".into())],
            other: vec![Piece::Text("rows".into())],
        };
        let phrase = [
            Piece::Argument("path".into()),
            Piece::Text(" {x} ".into()),
            Piece::Argument("rows".into()),
            Piece::Text(" ".into()),
            forms,
        ];
        assert_eq!(
            format_string(&phrase).as_deref(),
            Ok("{path} {{x}} {rows} {rows:row|rows}")
        );
        let braced = Piece::Forms {
            count: "n".into(),
            one: vec![Piece::Text("{".into())],
            other: vec![Piece::Text("|".into())],
        };
        assert!(format_string(&[braced]).is_err());
        assert_eq!(python_string("a \"b\" \\"), "\"a \\\"b\\\" \\\\\"");
        assert_eq!(python_string("a\nb"), "\"\"\"\\\na\nb\"\"\"");
    }

    #[test]
    fn every_phrase_of_train_py_is_said_in_every_language() {
        assert!(
            said().contains(&"trained") && said().len() > 50,
            "{:?}",
            said()
        );
        for language in Language::ALL {
            let table = table(language).unwrap_or_else(|problem| panic!("{problem}"));
            let entries = table.lines().filter(|l| l.starts_with("    \"")).count();
            assert_eq!(entries, said().len());
        }
    }
}
