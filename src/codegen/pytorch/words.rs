//! What `train.py` says as it runs, in the language of the generation: its `WORDS`, a Python
//! format string per phrase of `locales/*/pytorch.ftl` whose id is not a README's or a usage
//! line's. Each argument becomes the format field of its name (`{path}`), so the program fills
//! in the file, the line and the cell, and looks nothing up.

use crate::words::{Language, Message, phrase};

/// Marks an argument inside a said phrase, where no phrase has text of its own.
const OPEN: char = '\u{e000}';
const CLOSE: char = '\u{e001}';

/// An argument said as a mark, which [`format_string`] turns into the field `{name}`.
fn field(name: &str) -> String {
    format!("{OPEN}{name}{CLOSE}")
}

/// Every phrase train.py says, by its key in `WORDS`.
pub fn phrases() -> Vec<(&'static str, Message)> {
    vec![
        ("error", phrase::pytorch_error(field("message"))),
        ("see_help", phrase::pytorch_see_help(field("program"))),
        ("no_command", phrase::pytorch_no_command()),
        (
            "unknown_command",
            phrase::pytorch_unknown_command(field("command")),
        ),
        ("needs_value", phrase::pytorch_needs_value(field("option"))),
        ("only_train", phrase::pytorch_only_train(field("option"))),
        ("batch_at_least_one", phrase::pytorch_batch_at_least_one()),
        ("lr_positive", phrase::pytorch_lr_positive()),
        (
            "device_choices",
            phrase::pytorch_device_choices(field("device")),
        ),
        (
            "dtype_choices",
            phrase::pytorch_dtype_choices(field("dtype")),
        ),
        (
            "unknown_option",
            phrase::pytorch_unknown_option(field("option"), field("command")),
        ),
        (
            "unexpected_argument",
            phrase::pytorch_unexpected_argument(field("argument")),
        ),
        (
            "takes_a_whole_number",
            phrase::pytorch_takes_a_whole_number(field("option"), field("text")),
        ),
        (
            "takes_a_number",
            phrase::pytorch_takes_a_number(field("option"), field("text")),
        ),
        ("needs_data", phrase::pytorch_needs_data(field("command"))),
        (
            "needs_weights",
            phrase::pytorch_needs_weights(field("command")),
        ),
        ("no_cuda", phrase::pytorch_no_cuda()),
        ("no_mps", phrase::pytorch_no_mps()),
        ("mps_f64", phrase::pytorch_mps_f64()),
        (
            "cannot_read",
            phrase::pytorch_cannot_read(field("path"), field("error")),
        ),
        (
            "cannot_write",
            phrase::pytorch_cannot_write(field("path"), field("error")),
        ),
        (
            "not_utf8",
            phrase::pytorch_not_utf8(field("path"), field("line"), field("column"), field("byte")),
        ),
        ("empty_file", phrase::pytorch_empty_file(field("path"))),
        (
            "header_no_rows",
            phrase::pytorch_header_no_rows(field("path"), field("line")),
        ),
        (
            "unclosed_quote",
            phrase::pytorch_unclosed_quote(field("path"), field("line"), field("column")),
        ),
        (
            "row_needs",
            phrase::pytorch_row_needs(
                field("path"),
                field("line"),
                field("column"),
                field("found"),
                field("expected"),
            ),
        ),
        (
            "or_class_column",
            phrase::pytorch_or_class_column(field("columns")),
        ),
        (
            "or_without_targets",
            phrase::pytorch_or_without_targets(field("columns")),
        ),
        (
            "short_row",
            phrase::pytorch_short_row(
                field("path"),
                field("line"),
                field("column"),
                field("found"),
                field("first"),
                field("columns"),
            ),
        ),
        (
            "long_row",
            phrase::pytorch_long_row(
                field("path"),
                field("line"),
                field("column"),
                field("found"),
                field("first"),
                field("columns"),
            ),
        ),
        ("the_header", phrase::pytorch_the_header()),
        ("row_1", phrase::pytorch_row_1()),
        (
            "at_column",
            phrase::pytorch_at_column(
                field("path"),
                field("line"),
                field("column"),
                field("what"),
                field("holds"),
            ),
        ),
        (
            "at_named_column",
            phrase::pytorch_at_named_column(
                field("path"),
                field("line"),
                field("column"),
                field("what"),
                field("name"),
                field("holds"),
            ),
        ),
        ("class_of", phrase::pytorch_class_of(field("target"))),
        ("cell_empty", phrase::pytorch_cell_empty()),
        ("not_a_number", phrase::pytorch_not_a_number(field("cell"))),
        ("not_finite", phrase::pytorch_not_finite(field("cell"))),
        ("too_large", phrase::pytorch_too_large(field("cell"))),
        (
            "not_an_index",
            phrase::pytorch_not_an_index(field("value"), field("column"), field("last")),
        ),
        ("class_missing", phrase::pytorch_class_missing()),
        (
            "not_a_class",
            phrase::pytorch_not_a_class(field("cell"), field("last")),
        ),
        (
            "class_not_a_number",
            phrase::pytorch_class_not_a_number(field("cell")),
        ),
        (
            "unknown_label_numbered",
            phrase::pytorch_unknown_label_numbered(field("cell"), field("last")),
        ),
        (
            "unknown_label",
            phrase::pytorch_unknown_label(field("cell"), field("labels")),
        ),
        (
            "label_too_many",
            phrase::pytorch_label_too_many(field("cell"), field("classes"), field("labels")),
        ),
        (
            "weights_syntax",
            phrase::pytorch_weights_syntax(
                field("path"),
                field("line"),
                field("column"),
                field("what"),
            ),
        ),
        (
            "weights_not_object",
            phrase::pytorch_weights_not_object(field("path")),
        ),
        (
            "weights_twice",
            phrase::pytorch_weights_twice(
                field("path"),
                field("line"),
                field("column"),
                field("key"),
            ),
        ),
        (
            "weights_unknown",
            phrase::pytorch_weights_unknown(
                field("path"),
                field("line"),
                field("column"),
                field("key"),
                field("names"),
            ),
        ),
        (
            "weights_shape",
            phrase::pytorch_weights_shape(
                field("path"),
                field("line"),
                field("column"),
                field("key"),
                field("shape"),
            ),
        ),
        (
            "weights_missing",
            phrase::pytorch_weights_missing(
                field("path"),
                field("line"),
                field("column"),
                field("key"),
            ),
        ),
        (
            "weights_labels",
            phrase::pytorch_weights_labels(
                field("path"),
                field("line"),
                field("column"),
                field("classes"),
            ),
        ),
        ("shape_number", phrase::pytorch_shape_number()),
        ("shape_vector", phrase::pytorch_shape_vector(field("n"))),
        (
            "shape_matrix",
            phrase::pytorch_shape_matrix(field("rows"), field("columns")),
        ),
        ("shape_tensor", phrase::pytorch_shape_tensor(field("dims"))),
        (
            "cannot_hold",
            phrase::pytorch_cannot_hold(field("element"), field("value")),
        ),
        (
            "classes_numbered",
            phrase::pytorch_classes_numbered(field("classes")),
        ),
        ("one_row_batches", phrase::pytorch_one_row_batches()),
        ("one_row_data", phrase::pytorch_one_row_data()),
        (
            "one_row_left",
            phrase::pytorch_one_row_left(field("rows"), field("batch"), field("trained")),
        ),
        (
            "at_batch",
            phrase::pytorch_at_batch(field("epoch"), field("batch")),
        ),
        ("at_epoch", phrase::pytorch_at_epoch(field("epoch"))),
        ("at_last_step", phrase::pytorch_at_last_step(field("epoch"))),
        ("the_loss_is", phrase::pytorch_the_loss_is(field("loss"))),
        (
            "the_loss_of_the_last_weights",
            phrase::pytorch_the_loss_of_the_last_weights(field("loss")),
        ),
        (
            "diverged",
            phrase::pytorch_diverged(field("at"), field("what"), field("lr"), field("smaller")),
        ),
        (
            "progress_epoch",
            phrase::pytorch_progress_epoch(field("epoch"), field("epochs"), field("loss")),
        ),
        (
            "progress_accuracy",
            phrase::pytorch_progress_accuracy(field("accuracy")),
        ),
        (
            "progress_elapsed",
            phrase::pytorch_progress_elapsed(field("elapsed")),
        ),
        (
            "progress_left",
            phrase::pytorch_progress_left(field("left")),
        ),
        (
            "stopped_saved",
            phrase::pytorch_stopped_saved(field("path")),
        ),
        ("stopped_not_saved", phrase::pytorch_stopped_not_saved()),
        (
            "trained",
            phrase::pytorch_trained(field("epochs"), field("rows"), field("seconds")),
        ),
        ("result_loss", phrase::pytorch_result_loss(field("loss"))),
        (
            "result_accuracy",
            phrase::pytorch_result_accuracy(field("accuracy"), field("correct"), field("rows")),
        ),
    ]
}

/// The entries of train.py's `WORDS`, a line each: `    "no_command": "no command given",`.
pub fn table(language: Language) -> String {
    phrases()
        .iter()
        .map(|(key, message)| {
            let said = format_string(&language.say(message));
            format!("    \"{key}\": {},\n", python_string(&said))
        })
        .collect()
}

/// A said phrase as a Python format string: its own braces doubled, its marked arguments
/// fields.
fn format_string(said: &str) -> String {
    said.replace('{', "{{")
        .replace('}', "}}")
        .replace(OPEN, "{")
        .replace(CLOSE, "}")
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
    fn arguments_become_fields_and_braces_stay_braces() {
        assert_eq!(
            format_string(&format!("{} {{x}}", field("path"))),
            "{path} {{x}}"
        );
        assert_eq!(python_string("a \"b\" \\"), "\"a \\\"b\\\" \\\\\"");
        assert_eq!(python_string("a\nb"), "\"\"\"\\\na\nb\"\"\"");
    }

    #[test]
    fn every_phrase_of_train_py_is_said_in_every_language() {
        for language in Language::ALL {
            let table = table(language);
            let entries = table.lines().filter(|l| l.starts_with("    \"")).count();
            assert_eq!(entries, phrases().len());
            assert!(!table.contains(OPEN) && !table.contains(CLOSE));
        }
    }
}
