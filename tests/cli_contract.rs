//! The command's contract with scripts: exit codes, standard input, where output goes.

use crate::support::{nabla, nabla_in};

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

#[test]
fn completions_for_every_shell_name_the_commands_and_options() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = nabla(&["completions", shell], None);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        // fish writes options as `-l lang`.
        for word in ["explain", "derive", "lang", "format", "steps", "gradcheck"] {
            assert!(run.stdout.contains(word), "{shell}: no {word}");
        }
    }
    assert_eq!(nabla(&["completions", "tcsh"], None).code, 2);
}

/// The bash script is valid bash and registers a completion for `nabla` (where bash runs).
#[test]
fn the_bash_completion_script_loads() {
    let script = nabla(&["completions", "bash"], None).stdout;
    let path = std::env::temp_dir().join(format!("nabla-completion-{}.bash", std::process::id()));
    std::fs::write(&path, script).expect("a temporary file");
    let loaded = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source '{}' && complete -p nabla", path.display()))
        .output();
    let _ = std::fs::remove_file(&path);
    let Ok(loaded) = loaded else {
        crate::support::skipped(
            "cli_contract::the_bash_completion_script_loads",
            "bash is not installed",
        );
        return;
    };
    assert!(
        loaded.status.success(),
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    assert!(String::from_utf8_lossy(&loaded.stdout).contains("_nabla"));
}

#[test]
fn the_manual_pages_are_roff_with_every_option() {
    let page = nabla(&["man"], None);
    assert_eq!(page.code, 0, "{}", page.stderr);
    assert!(page.stdout.starts_with(".ie"), "{}", page.stdout);
    assert!(page.stdout.contains(".TH nabla 1"));
    assert!(
        page.stdout.contains("nabla\\-explain(1)"),
        "{}",
        page.stdout
    );
    let explain = nabla(&["man", "explain"], None);
    assert_eq!(explain.code, 0, "{}", explain.stderr);
    assert!(
        explain
            .stdout
            .contains(".TH nabla-explain 1  \"nabla 0.1.0\""),
        "{}",
        explain.stdout
    );
    for option in ["steps", "gradcheck", "weights", "digits", "lang"] {
        assert!(
            explain.stdout.contains(&format!("\\-\\-{option}")),
            "no --{option}"
        );
    }
    assert_eq!(nabla(&["man", "frobnicate"], None).code, 2);
}

#[test]
fn the_language_comes_from_the_option_or_else_the_locale() {
    let args = ["explain", "examples/classics/circuit-xyz.nabla"];
    let english = nabla(&args, None).stdout;
    assert!(english.starts_with("The chain rule"), "{english}");
    for locale in [
        vec![("LANG", "vi_VN.UTF-8")],
        vec![("LC_MESSAGES", "vi_VN.UTF-8"), ("LANG", "en_US.UTF-8")],
        vec![("LC_ALL", "vi_VN.UTF-8"), ("LANG", "en_US.UTF-8")],
    ] {
        let run = nabla_in(&locale, &args, None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.starts_with("Giải chi tiết quy tắc chuỗi"),
            "{locale:?}: {}",
            run.stdout
        );
    }
    let vietnamese = nabla_in(&[("LANG", "vi_VN.UTF-8")], &args, None).stdout;
    let overridden = nabla_in(
        &[("LC_ALL", "en_US.UTF-8"), ("LANG", "vi_VN.UTF-8")],
        &args,
        None,
    );
    assert_eq!(overridden.stdout, english);
    // The option wins over the locale, written before or after the command.
    let option = nabla_in(
        &[("LANG", "vi_VN.UTF-8")],
        &["--lang", "en", args[0], args[1]],
        None,
    );
    assert_eq!(option.stdout, english);
    let option = nabla(&[args[0], args[1], "--lang", "vi"], None);
    assert_eq!(option.stdout, vietnamese);
}
