//! `nabla gen FILE -o DIR`: writes a standalone trainer project for the network.
//!
//! Generation itself (`nabla::codegen`) is pure; this is where its files reach the disk. A
//! directory that exists and holds anything is refused unless `--force`, and even then only the
//! files nabla writes are replaced: nothing else in the directory is touched or deleted. A file
//! whose contents would not change is not rewritten, so Cargo does not rebuild for nothing.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use nabla::codegen::{self, Dtype, names};
use nabla::words::{Message, phrase};

use super::report::Reporter;
use super::{EXIT_INVALID, EXIT_USAGE, complain, say};

#[derive(Args)]
pub struct GenArgs {
    pub file: String,
    #[arg(short = 'o', long = "out")]
    pub out: String,
    #[arg(long, value_parser = super::usage::choices::<GenDtype>(), default_value_t = GenDtype::F64, value_enum)]
    pub dtype: GenDtype,
    #[arg(long, value_parser = super::usage::choices::<GenTarget>(), default_value_t = GenTarget::Rust, value_enum)]
    pub target: GenTarget,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub force: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenTarget {
    Rust,
    Pytorch,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum GenDtype {
    F32,
    F64,
}

pub fn run(
    model: &nabla::ir::Model,
    _source: &str,
    _reporter: &Reporter,
    args: &GenArgs,
) -> ExitCode {
    let path = Path::new(&args.file);
    let (source, stem) = if args.file == "-" {
        ("<stdin>".to_string(), "model".to_string())
    } else {
        (
            path.file_name()
                .map_or(args.file.clone(), |n| n.to_string_lossy().into_owned()),
            path.file_stem()
                .map_or("model".to_string(), |n| n.to_string_lossy().into_owned()),
        )
    };
    let options = codegen::Options {
        dtype: match args.dtype {
            GenDtype::F32 => Dtype::F32,
            GenDtype::F64 => Dtype::F64,
        },
        package: names::package_name(args.name.as_deref().unwrap_or(&stem)),
        source,
        language: super::language(),
    };
    let generated = match args.target {
        GenTarget::Rust => codegen::generate(model, &options),
        GenTarget::Pytorch => codegen::pytorch::generate(model, &options),
    };
    let files = match generated {
        Ok(files) => files,
        Err(error) => {
            complain(&phrase::cannot_generate(error.message()));
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let out = PathBuf::from(&args.out);
    if let Err(message) = check_destination(&out, args.force) {
        complain(&message);
        return ExitCode::from(EXIT_USAGE);
    }
    let mut written = 0;
    for file in &files {
        match write(&out, file) {
            Ok(true) => written += 1,
            Ok(false) => {}
            Err(message) => {
                complain(&message);
                return ExitCode::from(EXIT_USAGE);
            }
        }
    }
    let unchanged = files.len() - written;
    let wrote = if unchanged > 0 {
        phrase::wrote_project_unchanged(
            &options.package,
            out.display().to_string(),
            files.len(),
            unchanged,
        )
    } else {
        phrase::wrote_project(&options.package, out.display().to_string(), files.len())
    };
    super::print(&format!(
        "{}\n{}\n",
        say(&wrote),
        say(&phrase::train_it_with(match args.target {
            GenTarget::Rust => format!(
                "cd {} && cargo run --release -- train DATA.csv",
                out.display()
            ),
            GenTarget::Pytorch => format!("cd {} && python train.py train DATA.csv", out.display()),
        }))
    ))
}

/// A destination is fine when it does not exist, is an empty directory, or `force` is given.
fn check_destination(out: &Path, force: bool) -> Result<(), Message> {
    let shown = out.display().to_string();
    match std::fs::read_dir(out) {
        Ok(mut entries) => {
            if entries.next().is_some() && !force {
                return Err(phrase::destination_not_empty(shown));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if out.exists() => Err(phrase::destination_not_a_directory(shown)),
        Err(e) => Err(phrase::cannot_read(shown, super::input::describe(&e))),
    }
}

/// Writes one file under `out`; `Ok(false)` when it already held exactly these contents.
fn write(out: &Path, file: &codegen::File) -> Result<bool, Message> {
    let path = file
        .path
        .split('/')
        .fold(out.to_path_buf(), |p, part| p.join(part));
    if std::fs::read(&path).is_ok_and(|old| old == file.contents.as_bytes()) {
        return Ok(false);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            phrase::cannot_create(parent.display().to_string(), super::input::describe(&e))
        })?;
    }
    std::fs::write(&path, &file.contents).map_err(|e| {
        phrase::cannot_write(path.display().to_string(), super::input::describe(&e))
    })?;
    Ok(true)
}
