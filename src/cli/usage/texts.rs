//! Which phrase of the catalogues (locales/*/usage.ftl) says what each command, argument and
//! value of the command line is for. A command, argument or value that gains no phrase here is
//! caught by a test (`every_part_of_the_command_line_has_its_words`); an enum value that gains
//! none does not compile.

use nabla::words::{Message, phrase};

use super::super::gen_command::{GenDtype, GenTarget};
use super::super::{Color, DeriveFormat, ExplainFormat, Form, GraphFormat, Lang};
use super::values::Described;

/// What a command does (`""` is nabla itself).
pub fn about(command: &str) -> Option<Message> {
    Some(match command {
        "" => phrase::usage_about(),
        "check" => phrase::usage_about_check(),
        "derive" => phrase::usage_about_derive(),
        "graph" => phrase::usage_about_graph(),
        "explain" => phrase::usage_about_explain(),
        "gen" => phrase::usage_about_gen(),
        "completions" => phrase::usage_about_completions(),
        "man" => phrase::usage_about_man(),
        "help" => phrase::usage_about_help(),
        _ => return None,
    })
}

/// What an argument of a command is for (`""` is nabla itself, with the global options).
pub fn argument(command: &str, id: &str) -> Option<Message> {
    Some(match (command, id) {
        ("", "color") => phrase::usage_color(),
        ("", "lang") => phrase::usage_lang(),
        (_, "file") => phrase::usage_file(),
        ("derive", "wrt") => phrase::usage_derive_wrt(),
        ("explain", "wrt") => phrase::usage_explain_wrt(),
        (_, "format") => phrase::usage_format(),
        ("derive", "form") => phrase::usage_derive_form(),
        ("explain", "digits") => phrase::usage_digits(),
        ("explain", "form") => phrase::usage_explain_form(),
        ("explain", "steps") => phrase::usage_steps(),
        ("explain", "gradcheck") => phrase::usage_gradcheck(),
        ("explain", "weights") => phrase::usage_weights(),
        ("explain", "data") => phrase::usage_data(),
        ("explain", "rows") => phrase::usage_rows(),
        ("gen", "out") => phrase::usage_out(),
        ("gen", "dtype") => phrase::usage_dtype(),
        ("gen", "target") => phrase::usage_target(),
        ("gen", "name") => phrase::usage_name(),
        ("gen", "force") => phrase::usage_force(),
        ("completions", "shell") => phrase::usage_shell(),
        ("man", "command") => phrase::usage_man_command(),
        ("help", "command") => phrase::usage_help_command(),
        _ => return None,
    })
}

/// The placeholder of an argument's value (`<FILE>`), where it has one; `--rows <A..B>` keeps
/// its own, which reads the same in every language.
pub fn value_name(command: &str, id: &str) -> Option<Message> {
    Some(match (command, id) {
        ("", "color") => phrase::usage_value_when(),
        ("", "lang") => phrase::usage_value_language(),
        (_, "file") => phrase::usage_value_file(),
        (_, "wrt") => phrase::usage_value_names(),
        (_, "format") => phrase::usage_value_format(),
        (_, "form") => phrase::usage_value_form(),
        (_, "digits" | "steps") => phrase::usage_value_number(),
        (_, "weights") => phrase::usage_value_weights(),
        (_, "data") => phrase::usage_value_data(),
        (_, "out") => phrase::usage_value_directory(),
        (_, "dtype") => phrase::usage_value_type(),
        (_, "target") => phrase::usage_value_project(),
        (_, "name") => phrase::usage_value_name(),
        (_, "shell") => phrase::usage_value_shell(),
        (_, "command") => phrase::usage_value_command(),
        _ => return None,
    })
}

impl Described for Color {
    fn help(&self) -> Option<Message> {
        Some(match self {
            Color::Auto => phrase::usage_color_auto(),
            Color::Always => phrase::usage_color_always(),
            Color::Never => phrase::usage_color_never(),
        })
    }
}

impl Described for Lang {
    fn help(&self) -> Option<Message> {
        Some(match self {
            Lang::En => phrase::usage_lang_en(),
            Lang::Vi => phrase::usage_lang_vi(),
        })
    }
}

impl Described for Form {
    fn help(&self) -> Option<Message> {
        Some(match self {
            Form::Vector => phrase::usage_form_vector(),
            Form::Scalar => phrase::usage_form_scalar(),
        })
    }
}

// Formats and number types are named by their values; a value added to them decides here
// whether it needs words of its own.

impl Described for DeriveFormat {
    fn help(&self) -> Option<Message> {
        match self {
            DeriveFormat::Text | DeriveFormat::Markdown | DeriveFormat::Latex => None,
            DeriveFormat::Json => None,
        }
    }
}

impl Described for GraphFormat {
    fn help(&self) -> Option<Message> {
        match self {
            GraphFormat::Dot | GraphFormat::Svg => None,
        }
    }
}

impl Described for ExplainFormat {
    fn help(&self) -> Option<Message> {
        match self {
            ExplainFormat::Text | ExplainFormat::Markdown | ExplainFormat::Latex => None,
            ExplainFormat::Html | ExplainFormat::Json => None,
            ExplainFormat::Ipynb => Some(phrase::usage_format_ipynb()),
        }
    }
}

impl Described for GenDtype {
    fn help(&self) -> Option<Message> {
        match self {
            GenDtype::F32 | GenDtype::F64 => None,
        }
    }
}

impl Described for GenTarget {
    fn help(&self) -> Option<Message> {
        Some(match self {
            GenTarget::Rust => phrase::usage_target_rust(),
            GenTarget::Pytorch => phrase::usage_target_pytorch(),
        })
    }
}
