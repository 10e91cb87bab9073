//! `nabla gen FILE -o DIR`: writes a trainer project.

use std::process::ExitCode;

use clap::Args;

use super::report::Reporter;

#[derive(Args)]
pub struct GenArgs {
    /// The .nabla file, or `-` for standard input.
    pub file: String,
    /// The directory to write the project into.
    #[arg(short = 'o', long = "out")]
    pub out: String,
}

pub fn run(
    _model: &nabla::ir::Model,
    _source: &str,
    _reporter: &Reporter,
    args: &GenArgs,
) -> ExitCode {
    eprintln!("nabla gen: not available yet (would write {})", args.out);
    ExitCode::from(super::EXIT_USAGE)
}
