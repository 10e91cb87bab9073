//! The command's contract with scripts: exit codes, standard input, where output goes.

use crate::support::nabla;

const VALID: &str = "input x = 2\nparam w = 3\nloss E = (w * x)^2\n";

#[test]
fn a_valid_file_exits_0_with_the_summary_on_stdout() {
    let run = nabla(&["check", "-"], Some(VALID.as_bytes()));
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with("<stdin>: a valid network"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn an_invalid_file_exits_1_with_diagnostics_on_stderr() {
    let run = nabla(&["check", "-"], Some(b"loss E = x\n"));
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("<stdin>:1:10"), "{}", run.stderr);
    assert!(run.stderr.ends_with("<stdin>: 1 error\n"), "{}", run.stderr);
}

#[test]
fn bad_usage_and_unreadable_files_exit_2() {
    let missing = nabla(&["check", "no/such/file.nabla"], None);
    assert_eq!(missing.code, 2);
    assert_eq!(
        missing.stderr,
        "nabla: cannot read no/such/file.nabla: no such file\n"
    );
    let directory = nabla(&["check", "examples"], None);
    assert_eq!(directory.code, 2, "{}", directory.stderr);
    assert_eq!(nabla(&["frobnicate"], None).code, 2);
    assert_eq!(nabla(&["check"], None).code, 2);
    assert_eq!(nabla(&["--color", "sometimes", "check", "-"], None).code, 2);
}

#[test]
fn help_and_version_exit_0() {
    let help = nabla(&["--help"], None);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Usage: nabla"), "{}", help.stdout);
    assert_eq!(nabla(&["--version"], None).code, 0);
}

#[test]
fn warnings_do_not_fail_a_valid_file() {
    let run = nabla(
        &["check", "-"],
        Some(b"input x = 1\nparam w = 2\nparam v = 3\nloss E = w * x\n"),
    );
    assert_eq!(run.code, 0);
    assert!(
        run.stderr.contains("warning: param `v` is never used"),
        "{}",
        run.stderr
    );
}

#[test]
fn colour_is_only_used_when_asked_or_on_a_terminal() {
    let plain = nabla(&["check", "-"], Some(b"loss E = x\n"));
    assert!(!plain.stderr.contains('\u{1b}'));
    let coloured = nabla(&["--color", "always", "check", "-"], Some(b"loss E = x\n"));
    assert!(coloured.stderr.contains('\u{1b}'));
}

#[test]
fn text_results_are_coloured_only_when_asked_or_on_a_terminal() {
    let args = ["explain", "examples/classics/circuit-xyz.nabla"];
    assert!(!nabla(&args, None).stdout.contains('\u{1b}'));
    let coloured = nabla(
        &[
            "--color",
            "always",
            "explain",
            "examples/classics/circuit-xyz.nabla",
        ],
        None,
    );
    assert!(
        coloured.stdout.starts_with("\u{1b}[1m"),
        "{}",
        coloured.stdout
    );
    let json = nabla(
        &[
            "--color",
            "always",
            "explain",
            "examples/classics/circuit-xyz.nabla",
            "--format",
            "json",
        ],
        None,
    );
    assert!(!json.stdout.contains('\u{1b}'));
}
