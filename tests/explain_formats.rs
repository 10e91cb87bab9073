//! `nabla explain` in every format and both languages: snapshots a learner reads, the HTML page
//! parsed as XML and checked to be self-contained, the LaTeX document compiled by the TeX engine,
//! and no word of one language in the other.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{examples, nabla, relative};

const FORMATS: [&str; 4] = ["text", "markdown", "latex", "html"];
const LANGUAGES: [&str; 2] = ["en", "vi"];

/// The examples that have values for everything (the others cannot be explained), each with the
/// options it is explained with: the two networks with a hidden layer also train for 20 steps and
/// check their gradients, so that every section of the explanation is shown.
fn explained_examples() -> Vec<(String, Vec<&'static str>)> {
    let found: Vec<_> = examples()
        .iter()
        .map(|p| relative(p))
        .filter(|path| nabla(&["explain", path, "--format", "json"], None).code == 0)
        .map(|path| {
            let options =
                if path.ends_with("step-by-step-2-2-2.nabla") || path.ends_with("xor.nabla") {
                    vec!["--steps", "20", "--gradcheck"]
                } else {
                    vec![]
                };
            (path, options)
        })
        .collect();
    assert!(found.len() >= 4, "the classics and xor explain: {found:?}");
    found
}

/// Networks a learner writes, each showing one thing the classics do not (softmax against a
/// one-hot target, a kink, Adam, names the placeholders must avoid …), with their options.
fn learner_cases() -> Vec<(String, Vec<&'static str>)> {
    let mut found: Vec<String> =
        std::fs::read_dir(crate::support::root().join("tests/fixtures/explain"))
            .expect("tests/fixtures/explain")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "nabla"))
            .map(|p| relative(&p))
            .collect();
    found.sort();
    found
        .into_iter()
        .map(|path| {
            let options = if path.ends_with("placeholder-names.nabla") {
                vec!["--gradcheck"]
            } else {
                vec![]
            };
            (path, options)
        })
        .collect()
}

fn explain(path: &str, options: &[&str], format: &str, language: &str) -> (Vec<String>, String) {
    let mut args: Vec<String> = ["explain", path, "--format", format, "--lang", language]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(options.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = nabla(&refs, None);
    assert_eq!(run.code, 0, "{}:\n{}", args.join(" "), run.stderr);
    assert!(run.stderr.is_empty(), "{}:\n{}", args.join(" "), run.stderr);
    (args, run.stdout)
}

fn snapshot_name(path: &str) -> String {
    path.trim_end_matches(".nabla").replace('/', "__")
}

#[test]
fn every_example_reads_well_in_every_format_and_language() {
    for (path, options) in explained_examples() {
        let name = snapshot_name(&path);
        for format in FORMATS {
            for language in LANGUAGES {
                let (args, output) = explain(&path, &options, format, language);
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let transcript = format!("$ nabla {}\n{output}", args.join(" "));
                insta::assert_snapshot!(format!("{name}__{format}__{language}"), transcript);
            }
        }
        let (_, json) = explain(&path, &options, "json", "en");
        insta::assert_snapshot!(format!("{name}__json"), json);
    }
}

#[test]
fn networks_a_learner_writes_read_well() {
    for (path, options) in learner_cases() {
        let name = snapshot_name(&path);
        for language in LANGUAGES {
            let (args, output) = explain(&path, &options, "text", language);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let transcript = format!("$ nabla {}\n{output}", args.join(" "));
            insta::assert_snapshot!(format!("{name}__text__{language}"), transcript);
        }
        for format in ["markdown", "html"] {
            let (args, output) = explain(&path, &options, format, "en");
            if format == "html" {
                check_html_page(&output, "en", &args.join(" "));
            }
        }
    }
}

#[test]
fn the_vector_form_reads_well_in_every_format_and_language() {
    for format in FORMATS {
        for language in LANGUAGES {
            let (args, output) = explain(
                "examples/xor.nabla",
                &["--form", "vector"],
                format,
                language,
            );
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let transcript = format!("$ nabla {}\n{output}", args.join(" "));
            insta::assert_snapshot!(format!("xor__vector__{format}__{language}"), transcript);
        }
    }
}

/// Elements whose text MathML renders; text anywhere else inside `<math>` is not shown right.
const MATHML_TOKENS: [&str; 5] = ["mi", "mn", "mo", "mtext", "ms"];

fn check_html_page(html: &str, language: &str, context: &str) {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let document = roxmltree::Document::parse_with_options(html, options)
        .unwrap_or_else(|e| panic!("{context}: the page is not well-formed: {e}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "html", "{context}");
    assert_eq!(root.attribute("lang"), Some(language), "{context}");
    assert!(
        document
            .descendants()
            .any(|n| n.has_tag_name("meta") && n.attribute("charset") == Some("utf-8")),
        "{context}: UTF-8 is declared"
    );
    // References inside the page (an SVG arrow's marker) are self-contained; only those may stay.
    let lower = html
        .to_lowercase()
        .replace("href=\"#", "")
        .replace("url(#", "");
    for forbidden in [
        "<script", "http", "//", "href=", "src=", "url(", "@import", "<link", "<iframe", "<img",
    ] {
        assert!(
            !lower.contains(forbidden),
            "{context}: a self-contained page has no `{forbidden}`"
        );
    }
    for text in document.descendants().filter(|n| n.is_text()) {
        let inside_math = text.ancestors().any(|a| a.has_tag_name("math"));
        let parent = text
            .parent_element()
            .map(|p| p.tag_name().name())
            .unwrap_or("");
        if inside_math && !text.text().unwrap_or("").trim().is_empty() {
            assert!(
                MATHML_TOKENS.contains(&parent),
                "{context}: text {:?} directly inside <{parent}> in MathML",
                text.text()
            );
        }
    }
}

#[test]
fn the_html_page_is_well_formed_and_self_contained() {
    for (path, options) in explained_examples() {
        for language in LANGUAGES {
            let (args, html) = explain(&path, &options, "html", language);
            let context = args.join(" ");
            check_html_page(&html, language, &context);
            let has_history = options.contains(&"--steps");
            assert_eq!(
                html.contains("<polyline"),
                has_history,
                "{context}: the loss curve is drawn exactly when there is a history"
            );
        }
    }
    // A loss spanning many decades is drawn on a logarithmic axis, ticked at powers of ten.
    let (args, html) = explain(
        "examples/classics/step-by-step-2-2-2.nabla",
        &["--steps", "2000"],
        "html",
        "en",
    );
    check_html_page(&html, "en", &args.join(" "));
    assert!(html.contains("(log scale)"), "{}", args.join(" "));
    assert!(html.contains(">10⁻²</text>"), "{}", args.join(" "));
}

/// `pdflatex` with the Vietnamese fonts (vntex), or why it is missing.
pub(crate) fn tex_engine() -> Result<(), String> {
    let pdflatex = Command::new("pdflatex").arg("--version").output();
    if !pdflatex.is_ok_and(|o| o.status.success()) {
        return Err("pdflatex is not installed".into());
    }
    let vntex = Command::new("kpsewhich").arg("t5enc.def").output();
    if !vntex.is_ok_and(|o| o.status.success() && !o.stdout.is_empty()) {
        return Err("the Vietnamese fonts (vntex: t5enc.def) are not installed".into());
    }
    Ok(())
}

pub(crate) fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nabla-explain-tex-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

/// Compiles `source` with pdflatex; returns the log.
pub(crate) fn compile(dir: &Path, name: &str, source: &str) -> String {
    let file = dir.join(format!("{name}.tex"));
    std::fs::write(&file, source).expect("writable");
    let run = Command::new("pdflatex")
        .args([
            "-interaction=nonstopmode",
            "-halt-on-error",
            "-no-shell-escape",
        ])
        .arg(format!("{name}.tex"))
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("pdflatex runs");
    let log = std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
    assert!(
        run.status.success() && dir.join(format!("{name}.pdf")).exists(),
        "{name}.tex does not compile:\n{}",
        log.lines()
            .skip_while(|l| !l.starts_with('!'))
            .take(12)
            .collect::<Vec<_>>()
            .join("\n")
    );
    log
}

#[test]
fn the_latex_document_compiles_in_both_languages() {
    if let Err(why) = tex_engine() {
        if std::env::var_os("CI").is_some() {
            panic!("{why}: CI must compile the LaTeX output (.ci/run installs it)");
        }
        crate::support::skipped(
            "explain_formats::the_latex_document_compiles_in_both_languages",
            &why,
        );
        return;
    }
    let dir = scratch_dir("examples");
    for (path, options) in explained_examples().into_iter().chain(learner_cases()) {
        for language in LANGUAGES {
            for detail in ["scalar", "vector"] {
                let mut options = options.clone();
                options.extend(["--form", detail]);
                // The scalar form is for small networks; a large one is refused, and that has
                // its own test.
                let mut probe = vec!["explain", path.as_str(), "--format", "json"];
                probe.extend(options.iter().copied());
                if detail == "scalar" && nabla(&probe, None).code != 0 {
                    continue;
                }
                let (_, source) = explain(&path, &options, "latex", language);
                let name = format!("{}-{detail}-{language}", snapshot_name(&path));
                let log = compile(&dir, &name, &source);
                // Wide formulas are broken over lines or fit: nothing runs into the margin.
                assert!(
                    !log.contains("Overfull \\hbox"),
                    "{name}.tex runs into the margin:\n{}",
                    log.lines()
                        .filter(|l| l.starts_with("Overfull"))
                        .collect::<Vec<_>>()
                        .join("\n")
                );
            }
        }
    }
    // Names in Greek, in Vietnamese, and in a script no font here has (printed as `?`): the
    // document still compiles.
    let source = "input x = 2\nparam α = 3\nparam trọng_số = 1\nparam 权 = 1\n\
                  loss L = (α*x - trọng_số + 权)^2\noptimizer sgd(lr = 0.1)\n";
    for language in LANGUAGES {
        let run = nabla(
            &["explain", "-", "--format", "latex", "--lang", language],
            Some(source.as_bytes()),
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        compile(&dir, &format!("names-{language}"), &run.stdout);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The words a reader sees: markup, LaTeX commands and CSS removed.
fn visible_words(output: &str, format: &str) -> Vec<String> {
    let mut text = String::new();
    match format {
        "html" => {
            let body = output.split("</style>").last().unwrap_or(output);
            let mut in_tag = false;
            for c in body.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' => {
                        in_tag = false;
                        text.push(' ');
                    }
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
        }
        "latex" => {
            let mut chars = output.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    // A command name is not a word of the explanation.
                    while chars
                        .peek()
                        .is_some_and(|c| c.is_ascii_alphabetic() || *c == '@')
                    {
                        chars.next();
                    }
                    text.push(' ');
                } else {
                    text.push(c);
                }
            }
        }
        _ => text.push_str(output),
    }
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether the words hold `phrase` (words separated by spaces) as consecutive whole words.
fn holds(words: &[String], phrase: &str) -> bool {
    let wanted: Vec<&str> = phrase.split(' ').collect();
    words
        .windows(wanted.len())
        .any(|window| window.iter().zip(&wanted).all(|(w, p)| w == p))
}

/// Words of the English templates that have no place in the Vietnamese explanation.
const ENGLISH: &[&str] = &[
    "One step",
    "worked through",
    "network",
    "Given",
    "computes",
    "Forward pass",
    "Backward pass",
    "the",
    "The",
    "loss",
    "chain rule",
    "parameter",
    "layer",
    "at a time",
    "update",
    "learning rate",
    "steps",
    "step",
    "with",
    "and",
    "Each",
    "every",
    "Every",
    "derived",
    "finite difference",
    "relative error",
    "agrees",
    "Local derivative",
    "rules used",
    "where",
    "Numbers",
    "exact",
    "rounded",
    "significant digits",
    "approximation",
    "approximations",
    "After",
    "Computed",
    "From here on",
    "Nothing",
    "velocity",
    "moments",
    "frameworks",
];

/// Words of the Vietnamese templates written in plain ASCII letters.
const VIETNAMESE_ASCII: &[&str] = &["Cho", "Ta", "ta", "theo", "tham", "trong", "chung", "nhau"];

/// Letters that only the Vietnamese text uses.
fn is_vietnamese_letter(c: char) -> bool {
    matches!(c, '\u{1EA0}'..='\u{1EF9}') || "ăâđêôơưĂÂĐÊÔƠƯàáãèéìíòóõùúýÀÁÃÈÉÌÍÒÓÕÙÚÝ".contains(c)
}

#[test]
fn no_word_of_one_language_leaks_into_the_other() {
    let mut runs: Vec<(String, Vec<&str>)> = explained_examples();
    runs.push(("examples/xor.nabla".into(), vec!["--form", "vector"]));
    for (path, options) in runs {
        for format in FORMATS {
            let (args, vietnamese) = explain(&path, &options, format, "vi");
            let words = visible_words(&vietnamese, format);
            for english in ENGLISH {
                assert!(
                    !holds(&words, english),
                    "{}: the Vietnamese explanation says {english:?}",
                    args.join(" ")
                );
            }
            let (args, english) = explain(&path, &options, format, "en");
            if let Some(c) = english.chars().find(|c| is_vietnamese_letter(*c)) {
                panic!("{}: the English explanation holds {c:?}", args.join(" "));
            }
            let words = visible_words(&english, format);
            for vietnamese in VIETNAMESE_ASCII {
                assert!(
                    !holds(&words, vietnamese),
                    "{}: the English explanation says {vietnamese:?}",
                    args.join(" ")
                );
            }
        }
    }
}

#[test]
fn the_vietnamese_templates_are_nfc_and_say_how_numbers_are_written() {
    for format in FORMATS {
        let (args, output) = explain("examples/classics/sigmoid-neuron.nabla", &[], format, "vi");
        // No combining marks: every accented letter is one precomposed character (NFC).
        assert!(
            !output
                .chars()
                .any(|c| ('\u{0300}'..='\u{036F}').contains(&c)),
            "{}: decomposed diacritics",
            args.join(" ")
        );
        assert!(
            output.contains("dấu") && output.contains("chấm"),
            "{}: the decimal point is explained",
            args.join(" ")
        );
    }
}
