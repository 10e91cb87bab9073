//! Command-line interface. Exit codes are a contract: 0 success, 1 the model file is invalid,
//! 2 bad usage or an I/O problem. Results go to standard output, diagnostics to standard error;
//! a closed pipe on standard output ends the program quietly with 0.

mod data;
mod gen_command;
mod input;
mod progress;
mod report;
mod weights;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use input::Source;
use nabla::pipeline;
use nabla::words::{Language, Message, phrase};
use report::Reporter;

#[derive(Parser)]
#[command(
    name = "nabla",
    version,
    about = "Write a neural network in a small language, and see how it learns",
    long_about = None
)]
struct Cli {
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    color: Color,

    /// The language of everything nabla writes. Default: Vietnamese when the locale
    /// (LC_ALL, LC_MESSAGES or LANG, the first that is set) starts with `vi`, else English.
    #[arg(long, value_enum, global = true)]
    lang: Option<Lang>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and check a .nabla file, and summarize the network it describes.
    Check {
        /// The .nabla file, or `-` for standard input.
        file: String,
    },
    /// Derive the gradient of the loss by the chain rule, and print the formulas.
    Derive {
        /// The .nabla file, or `-` for standard input.
        file: String,
        /// Take the gradient with respect to these inputs or parameters (comma-separated).
        /// Default: every param; in a file without params, every input.
        #[arg(long, value_delimiter = ',')]
        wrt: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DeriveFormat::Text)]
        format: DeriveFormat,
        /// Vector form (one line per layer) or scalar form (one line per parameter element).
        #[arg(long, value_enum, default_value_t = Form::Vector)]
        form: Form,
    },
    /// Draw the computational graph: Graphviz DOT, or SVG.
    Graph {
        /// The .nabla file, or `-` for standard input.
        file: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
    },
    /// Work through one training step: forward pass, loss, backward pass, update.
    Explain(ExplainArgs),
    /// Generate a standalone Rust training program (a Cargo project) for the network.
    Gen(gen_command::GenArgs),
    /// Print a shell completion script for nabla (see README.md for where to put it).
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff): nabla's, or with COMMAND, that command's (nabla-COMMAND).
    Man {
        /// The command whose page to print.
        #[arg(value_parser = COMMANDS)]
        command: Option<String>,
    },
}

/// The commands, for `nabla man COMMAND` (a test checks the list against the commands).
const COMMANDS: [&str; 7] = [
    "check",
    "derive",
    "graph",
    "explain",
    "gen",
    "completions",
    "man",
];

#[derive(clap::Args)]
struct ExplainArgs {
    /// The .nabla file, or `-` for standard input.
    file: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    format: ExplainFormat,
    /// Significant digits of rounded numbers.
    #[arg(long, default_value_t = 9, value_parser = clap::value_parser!(u8).range(1..=40))]
    digits: u8,
    /// Element by element (scalar) or a layer at a time (vector); default: scalar for small
    /// networks.
    #[arg(long, value_enum)]
    detail: Option<Form>,
    /// Take the gradient with respect to these inputs or parameters (comma-separated).
    #[arg(long, value_delimiter = ',')]
    wrt: Vec<String>,
    /// Also run N steps of gradient descent and show the loss after each.
    #[arg(long, default_value_t = 0)]
    steps: usize,
    /// Check every derived gradient against a central finite difference.
    #[arg(long)]
    gradcheck: bool,
    /// Start from these parameter values (JSON saved by a generated trainer's --save).
    #[arg(long)]
    weights: Option<String>,
    /// Take the examples from rows of this CSV file (a generated trainer's columns) instead of
    /// the values the .nabla file gives.
    #[arg(long, value_name = "DATA.csv")]
    data: Option<String>,
    /// The rows of the data file: `A..B` (counted from 1, both ends included) or one row `A`;
    /// all of them without it.
    #[arg(long, value_name = "A..B", requires = "data")]
    rows: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    Dot,
    Svg,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExplainFormat {
    Text,
    Markdown,
    Latex,
    Html,
    Json,
    /// A Jupyter notebook: the worked step, with PyTorch code that checks it.
    Ipynb,
}

#[derive(Clone, Copy, ValueEnum)]
enum Lang {
    /// English.
    En,
    /// Vietnamese (tiếng Việt).
    Vi,
}

#[derive(Clone, Copy, ValueEnum)]
enum Form {
    Vector,
    Scalar,
}

#[derive(Clone, Copy, ValueEnum)]
enum DeriveFormat {
    Text,
    Markdown,
    Latex,
    Json,
}

pub const EXIT_INVALID: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout with success, usage errors to stderr.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (color, color_output) = match cli.color {
        Color::Always => (true, true),
        Color::Never => (false, false),
        Color::Auto => (
            std::io::stderr().is_terminal() && !no_color_env,
            std::io::stdout().is_terminal() && !no_color_env,
        ),
    };
    OUTPUT_COLOR.store(color_output, std::sync::atomic::Ordering::Relaxed);
    let language = match cli.lang {
        Some(Lang::En) => Language::English,
        Some(Lang::Vi) => Language::Vietnamese,
        None => Language::from_locale(|name| std::env::var(name).ok()),
    };
    let _ = LANGUAGE.set(language);
    match cli.command {
        Command::Check { file } => check(&file, color),
        Command::Derive {
            file,
            wrt,
            format,
            form,
        } => derive(&file, &wrt, format, form, color),
        Command::Explain(args) => explain(&args, color),
        Command::Graph { file, format } => graph(&file, format, color),
        Command::Gen(args) => {
            let (model, text, reporter) = match load(&args.file, color) {
                Ok(loaded) => loaded,
                Err(code) => return code,
            };
            gen_command::run(&model, &text, &reporter, &args)
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "nabla", &mut script);
            print(&String::from_utf8_lossy(&script))
        }
        Command::Man { command } => {
            let mut nabla = Cli::command().disable_help_subcommand(true);
            nabla.build();
            let shown = match &command {
                Some(name) => nabla
                    .find_subcommand(name)
                    .cloned()
                    .expect("clap accepts only the names of commands"),
                None => nabla,
            };
            let mut page = Vec::new();
            let man =
                clap_mangen::Man::new(shown).source(concat!("nabla ", env!("CARGO_PKG_VERSION")));
            match man.render(&mut page) {
                Ok(()) => print(&String::from_utf8_lossy(&page)),
                Err(error) => {
                    complain(&phrase::cannot_write_output(error.to_string()));
                    ExitCode::from(EXIT_USAGE)
                }
            }
        }
    }
}

fn derive(path: &str, wrt: &[String], format: DeriveFormat, form: Form, color: bool) -> ExitCode {
    let (model, _text, reporter) = match load(path, color) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let format = match format {
        DeriveFormat::Text => nabla::render::derive::Format::Text,
        DeriveFormat::Markdown => nabla::render::derive::Format::Markdown,
        DeriveFormat::Latex => nabla::render::derive::Format::Latex,
        DeriveFormat::Json => nabla::render::derive::Format::Json,
    };
    let options = pipeline::DeriveOptions {
        wrt: wrt.to_vec(),
        form: form.into(),
        format,
        language: language(),
    };
    let text_output = format == nabla::render::derive::Format::Text;
    finish(pipeline::derive(&model, &options), text_output, &reporter)
}

fn graph(path: &str, format: GraphFormat, color: bool) -> ExitCode {
    let (model, _text, reporter) = match load(path, color) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    finish(
        pipeline::graph(&model, matches!(format, GraphFormat::Svg), language()),
        false,
        &reporter,
    )
}

fn explain(args: &ExplainArgs, color: bool) -> ExitCode {
    let (model, _text, reporter) = match load(&args.file, color) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let weights = match &args.weights {
        Some(path) => match weights::read(&model, path) {
            Ok(weights) => weights,
            Err(message) => {
                complain(&message);
                return ExitCode::from(EXIT_USAGE);
            }
        },
        None => Vec::new(),
    };
    let examples = match &args.data {
        Some(path) => match data::read(&model, path, args.rows.as_deref()) {
            Ok(table) => Some(table),
            Err(refusal) => {
                complain(&refusal.message);
                return ExitCode::from(if refusal.usage {
                    EXIT_USAGE
                } else {
                    EXIT_INVALID
                });
            }
        },
        None => None,
    };
    let format = match args.format {
        ExplainFormat::Text => nabla::render::explain::Format::Text,
        ExplainFormat::Markdown => nabla::render::explain::Format::Markdown,
        ExplainFormat::Latex => nabla::render::explain::Format::Latex,
        ExplainFormat::Html => nabla::render::explain::Format::Html,
        ExplainFormat::Json => nabla::render::explain::Format::Json,
        ExplainFormat::Ipynb => nabla::render::explain::Format::Notebook,
    };
    let options = pipeline::ExplainOptions {
        wrt: args.wrt.clone(),
        detail: args.detail.map(Into::into),
        digits: args.digits as usize,
        steps: args.steps,
        gradcheck: args.gradcheck,
        format,
        language: language(),
        weights,
        examples,
        weights_file: args.weights.clone(),
        data_file: args.data.clone(),
    };
    let mut progress = progress::Progress::new(say(&phrase::progress_steps()), args.steps);
    let result = pipeline::explain(&model, &options, &mut |done| progress.update(done));
    progress.finish();
    finish(
        result,
        format == nabla::render::explain::Format::Text,
        &reporter,
    )
}

impl From<Form> for pipeline::Form {
    fn from(form: Form) -> pipeline::Form {
        match form {
            Form::Vector => pipeline::Form::Vector,
            Form::Scalar => pipeline::Form::Scalar,
        }
    }
}

/// Prints a command's result, or reports why there is none, and says how the run ended.
fn finish(result: Result<String, pipeline::Failure>, text: bool, reporter: &Reporter) -> ExitCode {
    match result {
        Ok(output) if text => print_text(&output),
        Ok(output) => print(&output),
        Err(pipeline::Failure::Diagnostics(diagnostics)) => {
            reporter.emit(&diagnostics);
            ExitCode::from(EXIT_INVALID)
        }
        Err(pipeline::Failure::Invalid(message) | pipeline::Failure::Internal(message)) => {
            complain(&message);
            ExitCode::from(EXIT_INVALID)
        }
        Err(pipeline::Failure::Usage(message)) => {
            complain(&message);
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Reads and checks a file: the model, the text and a reporter for later diagnostics, or the
/// exit code after the diagnostics are shown.
fn load(path: &str, color: bool) -> Result<(nabla::ir::Model, String, Reporter), ExitCode> {
    let source = Source::read(path)?;
    let reporter = Reporter::new(&source.name, &source.display_text, color, language());
    let text = match &source.text {
        Ok(text) => text.clone(),
        Err(diagnostic) => {
            reporter.emit(std::slice::from_ref(diagnostic));
            return Err(ExitCode::from(EXIT_INVALID));
        }
    };
    let (model, diagnostics) = nabla::compile(&text);
    reporter.emit(&diagnostics);
    match model {
        Some(model) => Ok((model, text, reporter)),
        None => Err(ExitCode::from(EXIT_INVALID)),
    }
}

fn check(path: &str, color: bool) -> ExitCode {
    match load(path, color) {
        Ok((model, text, reporter)) => print(&nabla::render::summary::render(
            &model,
            &text,
            reporter.name(),
            language(),
        )),
        Err(code) => code,
    }
}

/// The language of everything printed. Set once in `main`.
static LANGUAGE: std::sync::OnceLock<Language> = std::sync::OnceLock::new();

fn language() -> Language {
    LANGUAGE.get().copied().unwrap_or(Language::English)
}

/// A message in the user's language.
pub fn say(message: &Message) -> String {
    language().say(message)
}

/// Writes `nabla: MESSAGE` to standard error, in the user's language.
pub fn complain(message: &Message) {
    eprintln!("nabla: {}", say(message));
}

/// Whether text results on standard output are coloured (a terminal without NO_COLOR, or
/// `--color always`). Set once in `main`.
static OUTPUT_COLOR: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A text result, with its headings in bold when standard output is coloured. The text
/// templates write headings, and only headings, at the start of a line.
fn print_text(text: &str) -> ExitCode {
    if !OUTPUT_COLOR.load(std::sync::atomic::Ordering::Relaxed) {
        return print(text);
    }
    let mut styled = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        if line.starts_with(|c: char| !c.is_whitespace()) {
            styled.push_str("\u{1b}[1m");
            styled.push_str(line.trim_end_matches('\n'));
            styled.push_str("\u{1b}[0m");
            if line.ends_with('\n') {
                styled.push('\n');
            }
        } else {
            styled.push_str(line);
        }
    }
    print(&styled)
}

/// Writes a result to standard output. A reader that went away (`nabla … | head`) is not an error.
fn print(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            complain(&phrase::cannot_write_output(error.to_string()));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn man_knows_every_command() {
        let names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        assert_eq!(names, COMMANDS);
    }
}
