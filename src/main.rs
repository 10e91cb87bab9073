//! The `nabla` command: the boundary where files are read, results printed and exit codes chosen.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
