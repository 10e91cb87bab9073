//! Command-line interface. Exit codes are a contract: 0 success, 1 the model file is invalid,
//! 2 bad usage or an I/O problem. Results go to standard output, diagnostics to standard error;
//! a closed pipe on standard output ends the program quietly with 0.

mod data;
mod gen_command;
mod input;
mod progress;
mod report;
mod usage;
mod weights;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use input::Source;
use nabla::pipeline;
use nabla::words::{Language, Message, phrase};
use report::Reporter;

// The words of the command line (about, help, placeholders) are in the catalogues, given by
// `usage::command`: the derive gives only its structure.
#[derive(Parser)]
#[command(name = "nabla", version)]
struct Cli {
    #[arg(long, value_parser = usage::choices::<Color>(), default_value_t = Color::Auto, value_enum, global = true)]
    color: Color,

    #[arg(long, value_parser = usage::choices::<Lang>(), global = true)]
    lang: Option<Lang>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    Check {
        file: String,
    },
    Derive {
        file: String,
        #[arg(long, value_delimiter = ',')]
        wrt: Vec<String>,
        #[arg(long, value_parser = usage::choices::<DeriveFormat>(), default_value_t = DeriveFormat::Text, value_enum)]
        format: DeriveFormat,
        // `--form` in both commands; `--detail`, explain's first name for it, is still read.
        #[arg(long, alias = "detail", value_parser = usage::choices::<Form>(), default_value_t = Form::Vector, value_enum)]
        form: Form,
    },
    Graph {
        file: String,
        #[arg(long, value_parser = usage::choices::<GraphFormat>(), default_value_t = GraphFormat::Dot, value_enum)]
        format: GraphFormat,
    },
    Explain(ExplainArgs),
    Gen(gen_command::GenArgs),
    Completions {
        shell: clap_complete::Shell,
    },
    Man {
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
    file: String,
    #[arg(long, value_parser = usage::choices::<ExplainFormat>(), default_value_t = ExplainFormat::Text, value_enum)]
    format: ExplainFormat,
    #[arg(long, default_value_t = 9, value_parser = usage::digits)]
    digits: u8,
    #[arg(long, alias = "detail", value_parser = usage::choices::<Form>())]
    form: Option<Form>,
    #[arg(long, value_delimiter = ',')]
    wrt: Vec<String>,
    #[arg(long, default_value_t = 0, value_parser = usage::whole_number)]
    steps: usize,
    #[arg(long)]
    gradcheck: bool,
    #[arg(long)]
    weights: Option<String>,
    #[arg(long)]
    data: Option<String>,
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
    Ipynb,
}

#[derive(Clone, Copy, ValueEnum)]
enum Lang {
    En,
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
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // clap writes help and errors while it parses: their language and colours are decided
    // from the command line and the environment first.
    let language = usage::language(&args, |name| std::env::var(name).ok());
    let _ = LANGUAGE.set(language);
    let (color, color_output) = colours(
        usage::option_value(&args, "color").and_then(|value| Color::from_str(value, false).ok()),
    );
    let mut command = nabla_command(usage::Purpose::Parse);
    let matches = match command.try_get_matches_from_mut(&args) {
        Ok(matches) => matches,
        Err(error) => return usage_error(&error, color, color_output),
    };
    if let Some(("help", help)) = matches.subcommand() {
        let name = help.get_one::<String>("command").map(String::as_str);
        let text = usage::help_of(&mut command, name);
        return print(&if color_output {
            text.ansi().to_string()
        } else {
            text.to_string()
        });
    }
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => return usage_error(&error, color, color_output),
    };
    debug_assert!(
        cli.lang.is_none_or(|lang| Language::from(lang) == language),
        "the language read before clap is the one clap reads"
    );
    let (color, color_output) = colours(Some(cli.color));
    OUTPUT_COLOR.store(color_output, std::sync::atomic::Ordering::Relaxed);
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
            clap_complete::generate(
                shell,
                &mut nabla_command(usage::Purpose::Completions),
                "nabla",
                &mut script,
            );
            print(&String::from_utf8_lossy(&script))
        }
        Command::Man { command } => {
            let mut nabla = nabla_command(usage::Purpose::Manual);
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
                Ok(()) => print(&usage::translate_manual(
                    &String::from_utf8_lossy(&page),
                    language,
                )),
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
        form: args.form.map(Into::into),
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

/// Whether diagnostics (standard error) and text results (standard output) are coloured:
/// `--color`, else on a terminal without NO_COLOR.
fn colours(choice: Option<Color>) -> (bool, bool) {
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match choice {
        Some(Color::Always) => (true, true),
        Some(Color::Never) => (false, false),
        Some(Color::Auto) | None => (
            std::io::stderr().is_terminal() && !no_color_env,
            std::io::stdout().is_terminal() && !no_color_env,
        ),
    }
}

/// nabla's command line in the user's language, laid out for `purpose`.
fn nabla_command(purpose: usage::Purpose) -> clap::Command {
    usage::command(Cli::command(), language(), purpose)
}

/// Prints a clap error (or the help or version it carries) in the user's language, and says
/// how the run ended: 0 after help and version, 2 after a usage error.
fn usage_error(error: &clap::Error, color: bool, color_output: bool) -> ExitCode {
    let colour = if error.use_stderr() {
        color
    } else {
        color_output
    };
    let text = usage::render_error(error, language(), colour);
    if error.use_stderr() {
        eprint!("{text}");
        ExitCode::from(EXIT_USAGE)
    } else {
        print(&text)
    }
}

impl From<Lang> for Language {
    fn from(lang: Lang) -> Language {
        match lang {
            Lang::En => Language::English,
            Lang::Vi => Language::Vietnamese,
        }
    }
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
