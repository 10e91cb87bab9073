//! The command line itself in each language: help of every command, and every kind of usage
//! error clap finds, with its message and exit status. (tests/languages.rs checks that each
//! language's output holds no word of the other.)

use crate::support::{nabla, nabla_in};

/// Command lines with an error of each kind clap reports, and one of nabla's value refusals.
pub(crate) const USAGE_ERRORS: &[&[&str]] = &[
    &["explain"],
    &["explain", "--bogus"],
    &["explain", "f.nabla", "--formt", "html"],
    &["explain", "f.nabla", "--format", "htm"],
    &["explain", "f.nabla", "--format"],
    &["explain", "f.nabla", "--digits", "99"],
    &["explain", "f.nabla", "--steps", "many"],
    &["explain", "f.nabla", "--rows", "1..2"],
    &["explain", "f.nabla", "--gradcheck", "--gradcheck"],
    &["explain", "f.nabla", "--form", "diagonal"],
    &["derive", "f.nabla", "--detail", "diagonal"],
    &["exlain"],
    &["check", "a.nabla", "b.nabla"],
    &["--color", "never"],
    &["man", "explian"],
    &["completions", "tcsh"],
    &["gen", "f.nabla"],
    &["help", "frobnicate"],
];

/// The help of every command, and of nabla itself.
pub(crate) fn helps() -> Vec<Vec<&'static str>> {
    let commands = [
        "check",
        "derive",
        "graph",
        "explain",
        "gen",
        "completions",
        "man",
    ];
    let mut runs = vec![vec!["--help"], vec!["-h"], vec!["help"]];
    for command in commands {
        runs.push(vec![command, "--help"]);
        runs.push(vec![command, "-h"]);
        runs.push(vec!["help", command]);
    }
    runs
}

fn transcripts(lang: &str, runs: &[&[&str]]) -> String {
    runs.iter()
        .map(|args| {
            let mut full = vec!["--lang", lang];
            full.extend_from_slice(args);
            nabla(&full, None).transcript(&full)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn usage_errors_read_well_in_english() {
    insta::assert_snapshot!(transcripts("en", USAGE_ERRORS));
}

#[test]
fn usage_errors_read_well_in_vietnamese() {
    insta::assert_snapshot!(transcripts("vi", USAGE_ERRORS));
}

#[test]
fn help_reads_well_in_english() {
    insta::assert_snapshot!(transcripts(
        "en",
        &[&["--help"], &["-h"], &["explain", "--help"], &["gen", "-h"]]
    ));
}

#[test]
fn help_reads_well_in_vietnamese() {
    insta::assert_snapshot!(transcripts(
        "vi",
        &[&["--help"], &["-h"], &["explain", "--help"], &["gen", "-h"]]
    ));
}

#[test]
fn usage_errors_exit_2_on_standard_error_and_help_exits_0_on_standard_output() {
    for lang in ["en", "vi"] {
        for args in USAGE_ERRORS {
            let mut full = vec!["--lang", lang];
            full.extend_from_slice(args);
            let run = nabla(&full, None);
            assert_eq!(run.code, 2, "{full:?}: {}", run.stderr);
            assert_eq!(run.stdout, "", "{full:?}");
            assert!(run.stderr.ends_with(".\n"), "{full:?}: {}", run.stderr);
        }
        for args in helps() {
            let mut full = vec!["--lang", lang];
            full.extend_from_slice(&args);
            let run = nabla(&full, None);
            assert_eq!(run.code, 0, "{full:?}: {}", run.stderr);
            assert_eq!(run.stderr, "", "{full:?}");
            assert!(!run.stdout.is_empty(), "{full:?}");
        }
        let version = nabla(&["--lang", lang, "--version"], None);
        assert_eq!(
            (version.code, version.stdout.as_str()),
            (0, "nabla 0.1.0\n")
        );
        // Nothing at all: the help, on standard error, as a usage error.
        let nothing = nabla_in(&[("LANG", lang)], &[], None);
        assert_eq!(nothing.code, 2);
        assert!(nothing.stderr.contains("nabla"), "{}", nothing.stderr);
    }
}

#[test]
fn help_of_a_command_is_the_same_however_it_is_asked() {
    for lang in ["en", "vi"] {
        let asked = nabla(&["--lang", lang, "help", "explain"], None).stdout;
        assert_eq!(
            asked,
            nabla(&["--lang", lang, "explain", "--help"], None).stdout
        );
        assert_ne!(
            asked,
            nabla(&["--lang", lang, "explain", "-h"], None).stdout
        );
    }
}

#[test]
fn the_command_line_takes_its_language_from_the_option_or_else_the_locale() {
    let vietnamese = "lỗi: thiếu các đối số bắt buộc sau:\n  <TỆP>\n";
    let english = "error: the following required arguments were not provided:\n  <FILE>\n";
    let locale = nabla_in(&[("LANG", "vi_VN.UTF-8")], &["explain"], None);
    assert!(locale.stderr.starts_with(vietnamese), "{}", locale.stderr);
    let option = nabla(&["explain", "--lang", "vi"], None);
    assert!(option.stderr.starts_with(vietnamese), "{}", option.stderr);
    let equals = nabla(&["explain", "--lang=vi"], None);
    assert!(equals.stderr.starts_with(vietnamese), "{}", equals.stderr);
    let over = nabla_in(
        &[("LANG", "vi_VN.UTF-8")],
        &["--lang", "en", "explain"],
        None,
    );
    assert!(over.stderr.starts_with(english), "{}", over.stderr);
    let messages = nabla_in(
        &[("LANG", "en_US.UTF-8"), ("LC_MESSAGES", "vi_VN.UTF-8")],
        &["explain", "--help"],
        None,
    );
    assert!(
        messages
            .stdout
            .contains("Cách dùng: nabla explain [TUỲ_CHỌN] <TỆP>")
    );
    // A language clap refuses is refused in the locale's language.
    let refused = nabla_in(
        &[("LANG", "vi_VN.UTF-8")],
        &["--lang", "fr", "check", "-"],
        None,
    );
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.starts_with(
            "lỗi: giá trị 'fr' không hợp lệ cho '--lang <NGÔN_NGỮ>'\n  [các giá trị: en, vi]"
        ),
        "{}",
        refused.stderr
    );
}

#[test]
fn usage_errors_are_coloured_only_when_asked() {
    let plain = nabla(&["explain", "--bogus"], None);
    assert!(!plain.stderr.contains('\u{1b}'));
    let coloured = nabla(&["--color", "always", "explain", "--bogus"], None);
    assert!(
        coloured.stderr.starts_with("\u{1b}["),
        "{}",
        coloured.stderr
    );
    assert!(
        coloured
            .stderr
            .contains("unexpected argument '--bogus' found")
    );
}

#[test]
fn a_vietnamese_manual_page_has_vietnamese_sections() {
    let page = nabla(&["--lang", "vi", "man", "explain"], None);
    assert_eq!(page.code, 0, "{}", page.stderr);
    for section in [
        ".SH TÊN",
        ".SH \"TÓM TẮT\"",
        ".SH \"MÔ TẢ\"",
        ".SH \"TUỲ CHỌN\"",
    ] {
        assert!(
            page.stdout.contains(section),
            "no {section}: {}",
            page.stdout
        );
    }
    assert!(
        page.stdout
            .contains("Số chữ số có nghĩa của các số được làm tròn")
    );
    let english = nabla(&["man", "explain"], None).stdout;
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS"] {
        assert!(english.contains(section), "no {section}: {english}");
    }
}

#[test]
fn completions_describe_options_in_the_language() {
    let zsh = nabla(&["--lang", "vi", "completions", "zsh"], None);
    assert_eq!(zsh.code, 0);
    assert!(
        zsh.stdout
            .contains("Số chữ số có nghĩa của các số được làm tròn")
    );
    assert!(
        zsh.stdout
            .contains("Khi in ra terminal, trừ khi biến NO_COLOR được đặt")
    );
}

/// `derive` and `explain` choose the vector or the scalar form with one option, `--form`;
/// `--detail`, explain's first name for it, still works in both, and help names `--form` only.
#[test]
fn the_form_is_one_option_in_derive_and_explain() {
    let file = "examples/classics/step-by-step-2-2-2.nabla";
    for command in ["derive", "explain"] {
        let mut outputs = Vec::new();
        for form in ["vector", "scalar"] {
            let canonical = nabla(&[command, file, "--form", form], None);
            assert_eq!(
                canonical.code, 0,
                "{command} --form {form}: {}",
                canonical.stderr
            );
            let old = nabla(&[command, file, "--detail", form], None);
            assert_eq!(
                (old.code, &old.stdout),
                (0, &canonical.stdout),
                "{command} --detail {form}: {}",
                old.stderr
            );
            outputs.push(canonical.stdout);
        }
        assert_ne!(
            outputs[0], outputs[1],
            "{command}: both forms wrote the same"
        );
        for lang in ["en", "vi"] {
            let help = nabla(&["--lang", lang, command, "--help"], None).stdout;
            assert!(help.contains("--form <"), "{command} {lang}: {help}");
            assert!(!help.contains("--detail"), "{command} {lang}: {help}");
        }
    }
    let vector = nabla(&["derive", file], None).stdout;
    assert!(vector.contains("(vector form)"), "{vector}");
}
