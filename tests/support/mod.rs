//! Running the `nabla` binary and recording what it did, for snapshots.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.nabla` file under `examples/`, sorted, as paths relative to the repository root.
pub fn examples() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root().join("examples")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("examples/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "nabla") {
                found.push(
                    path.strip_prefix(root())
                        .expect("under the root")
                        .to_path_buf(),
                );
            }
        }
    }
    found.sort();
    found
}

/// What one run of the command did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The run as a reader reviews it: command, exit status, then both streams.
    pub fn transcript(&self, args: &[&str]) -> String {
        format!(
            "$ nabla {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
            args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }
}

/// Runs `nabla ARGS` from the repository root, without colour, feeding `stdin`, in no locale
/// (so in English, whatever the locale of the tests).
pub fn nabla(args: &[&str], stdin: Option<&[u8]>) -> Run {
    nabla_in(&[], args, stdin)
}

/// Runs `nabla ARGS` as [`nabla`] does, with these locale variables (`LANG`, `LC_ALL` …) set.
pub fn nabla_in(locale: &[(&str, &str)], args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nabla"));
    for variable in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        command.env_remove(variable);
    }
    command.envs(locale.iter().copied());
    let mut child = command
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the nabla binary runs");
    if let Some(bytes) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // The command may stop reading early (and that is its right); ignore a broken pipe.
        let _ = pipe.write_all(bytes);
    }
    let output = child.wait_with_output().expect("the nabla binary finishes");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `path` relative to the root, with forward slashes, as the command is given it.
pub fn relative(path: &Path) -> String {
    let path = path.strip_prefix(root()).unwrap_or(path);
    path.to_string_lossy().replace('\\', "/")
}

/// Says in the test output that a test did not run its check, and why. The harness captures
/// `eprintln!` of a passing test; a write to standard error itself is shown.
pub fn skipped(test: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n{test}: SKIPPED: {why}");
}

/// The Python that has torch, numpy, nbformat, nbclient and ipykernel: `$NABLA_TORCH_VENV/bin/python`
/// (default /tmp/nabla-torch-venv; `scripts/python-env.sh` makes it, `.ci/run` runs that), or
/// why there is none, for [`skipped`].
pub fn torch_python() -> Result<PathBuf, String> {
    let venv = std::env::var_os("NABLA_TORCH_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/nabla-torch-venv"));
    let python = venv.join("bin").join("python");
    let imports = Command::new(&python)
        .args(["-c", "import torch"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match imports {
        Ok(status) if status.success() => Ok(python),
        _ => Err(format!(
            "{} cannot import torch (scripts/python-env.sh installs it)",
            python.display()
        )),
    }
}

/// The values `model` declares, exactly; None for those it draws or reads.
pub fn declared_exact(model: &nabla::ir::Model) -> Vec<Option<nabla::eval::exact::Value>> {
    model
        .declarations
        .iter()
        .map(|d| match &d.init {
            Some(nabla::ir::Init::Value(v)) => Some(nabla::eval::exact::Value::Exact(v.clone())),
            _ => None,
        })
        .collect()
}

/// The central finite difference of the loss at an element of value `x`: `loss_at(δ)` is the loss
/// with the element moved by δ.
pub fn central_difference(x: f64, loss_at: impl Fn(f64) -> f64) -> f64 {
    let h = 1e-6 * (1.0 + x.abs());
    (loss_at(h) - loss_at(-h)) / (2.0 * h)
}

/// Whether a derived gradient element agrees with its finite difference `numeric` (of a loss of
/// value `loss`): within 1e-5 of the larger of them (or of 1), plus the loss's rounding divided
/// by 2h.
pub fn agrees_with_difference(analytic: f64, numeric: f64, loss: f64) -> bool {
    let scale = 1.0_f64.max(numeric.abs()).max(analytic.abs());
    let tolerance = 1e-5 * scale + 1e-9 * loss.abs();
    analytic.is_finite() && (numeric - analytic).abs() <= tolerance
}
