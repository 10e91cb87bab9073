//! Command-line interface. Exit codes are a contract: 0 success, 1 the model file is invalid,
//! 2 bad usage or an I/O problem. Results go to standard output, diagnostics to standard error;
//! a closed pipe on standard output ends the program quietly with 0.

mod input;
mod report;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use input::Source;
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
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    match cli.command {
        Command::Check { file } => check(&file, color),
    }
}

fn check(path: &str, color: bool) -> ExitCode {
    let source = match Source::read(path) {
        Ok(source) => source,
        Err(code) => return code,
    };
    let reporter = Reporter::new(&source.name, &source.display_text, color);
    let text = match &source.text {
        Ok(text) => text.as_str(),
        Err(diagnostic) => {
            reporter.emit(std::slice::from_ref(diagnostic));
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let (model, diagnostics) = nabla::compile(text);
    reporter.emit(&diagnostics);
    match model {
        Some(model) => print(&nabla::render::summary::render(&model, text, &source.name)),
        None => ExitCode::from(EXIT_INVALID),
    }
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
            eprintln!("nabla: cannot write the output: {error}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
