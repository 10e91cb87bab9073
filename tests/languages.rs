//! Every command, in every format, over every example and every diagnostic fixture, speaks one
//! language: no English word in Vietnamese output, no Vietnamese word in English output.
//!
//! The words of each language are those of its catalogue (locales/LANG) that the other's does
//! not use too; a word of the .nabla language (keywords, functions, settings) or of the file
//! itself (its names) is no word of either. Text that is not the output's own is left out before
//! looking: the source lines a diagnostic quotes, code in backticks, the file's path, markup
//! (LaTeX commands, HTML and SVG tags, styles) and JSON (its keys are an interface).

use std::collections::BTreeSet;

use crate::support::{nabla, root};

/// The words of the catalogue of `language`: its phrases' own text, without arguments, code in
/// backticks, variant keys and comments.
pub(crate) fn catalogue_words(language: &str) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    let dir = root().join("locales").join(language);
    for entry in std::fs::read_dir(&dir).expect("a catalogue directory") {
        let text = std::fs::read_to_string(entry.expect("an entry").path()).expect("a catalogue");
        for line in text.lines() {
            let line = line.trim_start();
            if line.starts_with('#') {
                continue;
            }
            // A phrase's first line: the text after its id; a variant: the text after its key.
            let text = match line.split_once(" = ") {
                Some((id, rest)) if !id.contains(' ') => rest,
                _ => line,
            };
            let text = strip_between(text, '{', '}');
            let text = strip_between(&text, '`', '`');
            let text = strip_between(&text, '[', ']');
            words.extend(tokens(&text));
        }
    }
    words
}

/// `text` without what lies between `open` and `close` (both included).
fn strip_between(text: &str, open: char, close: char) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in text.chars() {
        if !inside && c == open {
            inside = true;
        } else if inside && c == close {
            inside = false;
            out.push(' ');
        } else if !inside {
            out.push(c);
        }
    }
    out
}

/// The words of a text: runs of letters, lowercased, of two letters or more.
pub(crate) fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 2)
        .map(str::to_lowercase)
        .collect()
}

/// The words of the .nabla language: no one's English or Vietnamese.
pub(crate) fn language_words() -> BTreeSet<String> {
    let mut words: BTreeSet<String> = [
        "input",
        "target",
        "param",
        "const",
        "dim",
        "loss",
        "optimizer",
        "train",
        "each",
        "index",
        "true",
        "false",
        "lr",
        "momentum",
        "beta",
        "eps",
        "epochs",
        "batch",
        "shuffle",
        "seed",
        "mean",
        "std",
        "nabla",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    words.extend(nabla::check::FUNCTIONS.iter().flat_map(|(n, _)| tokens(n)));
    words.extend(nabla::check::OPTIMIZERS.iter().flat_map(|n| tokens(n)));
    words.extend(nabla::check::INITIALIZERS.iter().flat_map(|n| tokens(n)));
    words
}

/// The output's own text: quoted source lines, code, what the command was given (paths, names),
/// markup and styles left out.
pub(crate) fn own_text(output: &str, given: &[String]) -> String {
    let mut text = String::new();
    for line in output.lines() {
        // Graphviz's own words: `node [shape=box …]`, and of a node only its label.
        if line.trim_start().starts_with("node [") {
            continue;
        }
        if let Some((_, label)) = line.split_once("[label=\"") {
            text.push_str(label.rsplit_once('"').map_or(label, |(label, _)| label));
            text.push('\n');
            continue;
        }
        // A source line a diagnostic quotes: `12 │ h = …`.
        let quoted = line
            .trim_start()
            .split_once('│')
            .is_some_and(|(number, _)| {
                !number.trim().is_empty() && number.trim().chars().all(|c| c.is_ascii_digit())
            });
        if !quoted {
            text.push_str(line);
            text.push('\n');
        }
    }
    let text = given
        .iter()
        .filter(|g| !g.starts_with('-'))
        .fold(text, |text, g| text.replace(g.as_str(), " "));
    let text = strip_blocks(&text, "<style", "</style>");
    let text = strip_blocks(&text, "\\documentclass", "\\begin{document}");
    let text = strip_between(&text, '<', '>');
    let text = strip_between(&text, '`', '`');
    // LaTeX commands and environments: `\section`, `\begin{align*}`.
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            while chars.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
                chars.next();
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    for environment in [
        "align", "itemize", "document", "bmatrix", "aligned", "array",
    ] {
        out = out.replace(&format!("{{{environment}"), " ");
    }
    out.replace("&amp;", " ")
        .replace("&lt;", " ")
        .replace("&gt;", " ")
}

/// `text` without each block from `start` to `end`.
fn strip_blocks(text: &str, start: &str, end: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(start) {
        out.push_str(&rest[..at]);
        match rest[at..].find(end) {
            Some(close) => rest = &rest[at + close + end.len()..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The names a .nabla file uses, outside its comments.
pub(crate) fn file_words(path: &std::path::Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .flat_map(tokens)
        .collect()
}

fn files() -> Vec<std::path::PathBuf> {
    let mut files = crate::support::examples();
    let mut fixtures: Vec<_> = std::fs::read_dir(root().join("tests/fixtures/diagnostics"))
        .expect("the fixtures")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "nabla"))
        .map(|p| {
            p.strip_prefix(root())
                .expect("under the root")
                .to_path_buf()
        })
        .collect();
    fixtures.sort();
    files.extend(fixtures);
    files
}

/// Every command and text format (JSON is an interface, not prose), for one file.
fn commands(path: &str) -> Vec<Vec<String>> {
    let mut commands: Vec<Vec<&str>> = vec![vec!["check", path]];
    for form in ["vector", "scalar"] {
        for format in ["text", "markdown", "latex"] {
            commands.push(vec!["derive", path, "--form", form, "--format", format]);
        }
    }
    for format in ["dot", "svg"] {
        commands.push(vec!["graph", path, "--format", format]);
    }
    for format in ["text", "markdown", "latex", "html"] {
        commands.push(vec!["explain", path, "--format", format]);
    }
    commands.push(vec!["explain", path, "--steps", "3", "--gradcheck"]);
    commands
        .into_iter()
        .map(|c| c.into_iter().map(str::to_string).collect())
        .collect()
}

/// Usage errors nabla writes itself, for every example.
fn refusals(path: &str) -> Vec<Vec<String>> {
    [
        vec!["derive", path, "--wrt", "nothing_is_called_this"],
        vec!["explain", path, "--weights", "no/such/weights.json"],
        vec!["explain", path, "--data", "no/such/data.csv"],
        vec!["explain", path, "--data", "examples/data/xor.csv"],
        vec![
            "explain",
            path,
            "--data",
            "examples/data/xor.csv",
            "--rows",
            "9..1",
        ],
        vec!["gen", path, "-o", "examples"],
    ]
    .into_iter()
    .map(|c| c.into_iter().map(str::to_string).collect())
    .collect()
}

/// The words of `words` found in the own text of a run, and where.
pub(crate) fn found_in(
    words: &BTreeSet<String>,
    allowed: &BTreeSet<String>,
    output: &str,
    given: &[String],
) -> Vec<String> {
    let own = own_text(output, given);
    tokens(&own)
        .into_iter()
        .filter(|w| words.contains(w) && !allowed.contains(w))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[test]
fn each_language_speaks_only_its_own_words() {
    let english = catalogue_words("en");
    let vietnamese = catalogue_words("vi");
    let only_english: BTreeSet<String> = english.difference(&vietnamese).cloned().collect();
    let only_vietnamese: BTreeSet<String> = vietnamese.difference(&english).cloned().collect();
    assert!(only_english.contains("gradients") && only_vietnamese.contains("chuỗi"));
    let mut problems = Vec::new();
    for file in files() {
        let path = crate::support::relative(&root().join(&file));
        let mut allowed = language_words();
        allowed.extend(file_words(&root().join(&file)));
        let mut runs = commands(&path);
        if !path.contains("fixtures") {
            runs.extend(refusals(&path));
        }
        for args in runs {
            for (lang, foreign) in [("vi", &only_english), ("en", &only_vietnamese)] {
                let mut full = vec!["--lang", lang];
                full.extend(args.iter().map(String::as_str));
                let run = nabla(&full, None);
                let output = format!("{}\n{}", run.stdout, run.stderr);
                let found = foreign_text(lang, foreign, &allowed, &output, &args);
                if !found.is_empty() {
                    problems.push(format!("nabla {}: {found:?}", full.join(" ")));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "words of the other language:\n{}",
        problems.join("\n")
    );
}

/// What of the other language the `output` of a run in `language` holds: its words, and in
/// English any Vietnamese letter. Empty when the output speaks only its language.
pub(crate) fn foreign_text(
    language: &str,
    foreign: &BTreeSet<String>,
    allowed: &BTreeSet<String>,
    output: &str,
    given: &[String],
) -> Vec<String> {
    let mut found = found_in(foreign, allowed, output, given);
    if language == "en" && own_text(output, given).chars().any(is_vietnamese_letter) {
        found.push("Vietnamese letters".to_string());
    }
    found
}

/// A letter only Vietnamese writes (among the languages nabla speaks).
pub(crate) fn is_vietnamese_letter(c: char) -> bool {
    "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĂÂĐÊÔƠƯ".contains(c)
}

/// The words of nabla's interface: the names of its commands, options and values, as the bash
/// completion script lists them (`opts="…"`, `compgen -W "…"`). They are written as they are in
/// every language.
fn interface_words() -> BTreeSet<String> {
    let script = nabla(&["completions", "bash"], None).stdout;
    let mut words = BTreeSet::new();
    for line in script.lines() {
        for marker in ["opts=\"", "compgen -W \""] {
            if let Some((_, rest)) = line.split_once(marker)
                && let Some((quoted, _)) = rest.split_once('"')
            {
                words.extend(tokens(quoted));
            }
        }
    }
    words
}

#[test]
fn the_command_line_speaks_only_its_own_words() {
    let english = catalogue_words("en");
    let vietnamese = catalogue_words("vi");
    let only_english: BTreeSet<String> = english.difference(&vietnamese).cloned().collect();
    let only_vietnamese: BTreeSet<String> = vietnamese.difference(&english).cloned().collect();
    let mut allowed = language_words();
    allowed.extend(interface_words());
    assert!(allowed.contains("gradcheck") && allowed.contains("markdown"));
    let mut runs: Vec<Vec<&str>> = crate::command_line::helps();
    runs.extend(crate::command_line::USAGE_ERRORS.iter().map(|r| r.to_vec()));
    let mut problems = Vec::new();
    for args in runs {
        let given: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        for (lang, foreign) in [("vi", &only_english), ("en", &only_vietnamese)] {
            let mut full = vec!["--lang", lang];
            full.extend(args.iter().copied());
            let run = nabla(&full, None);
            let output = format!("{}\n{}", run.stdout, run.stderr);
            let words = found_in(foreign, &allowed, &output, &given);
            if !words.is_empty() {
                problems.push(format!("nabla {}: {words:?}", full.join(" ")));
            }
            // The one Vietnamese an English page shows: the name of the language, as a
            // Vietnamese reader looks for it in the help of --lang.
            let own = own_text(&output, &given).replace("tiếng Việt", " ");
            if lang == "en" && own.chars().any(is_vietnamese_letter) {
                problems.push(format!("nabla {}: Vietnamese letters", full.join(" ")));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "words of the other language:\n{}",
        problems.join("\n")
    );
}
