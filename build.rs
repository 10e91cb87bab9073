//! Reads the message catalogues under `locales/` (one directory per language, Fluent files) and
//! writes `phrases.rs`: one function per phrase, taking the phrase's named arguments.
//!
//! The build fails when a catalogue does not parse, when a phrase is missing in a language, or
//! when the two languages' phrases take different arguments: a phrase can then never be missing
//! at run time, and a call that passes the wrong arguments does not compile. (A phrase that no
//! code uses is caught by a test, `tests/catalogues.rs`.)

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use fluent_syntax::ast::{
    CallArguments, Entry, Expression, InlineExpression, Pattern, PatternElement, VariantKey,
};

const LANGUAGES: [&str; 2] = ["en", "vi"];

/// A phrase: its arguments in the order the English phrase names them, and which of them
/// choose a variant (a number: plural forms).
#[derive(Default)]
struct Phrase {
    arguments: Vec<String>,
    counts: BTreeSet<String>,
    english: String,
    file: String,
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    println!("cargo:rerun-if-changed=locales");
    let mut problems = Vec::new();
    let mut catalogues: Vec<BTreeMap<String, Phrase>> = Vec::new();
    let mut sources: Vec<Vec<PathBuf>> = Vec::new();
    for language in LANGUAGES {
        let files = ftl_files(&root.join("locales").join(language));
        for file in &files {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        catalogues.push(read_catalogue(&files, &mut problems));
        sources.push(files);
    }
    let english = &catalogues[0];
    for (language, catalogue) in LANGUAGES.iter().zip(&catalogues).skip(1) {
        for (id, phrase) in english {
            match catalogue.get(id) {
                None => problems.push(format!("`{id}` ({}) has no {language} phrase", phrase.file)),
                Some(other) => {
                    // A number that only chooses a plural form in one language may go unused
                    // in a language without plural forms.
                    let ours: BTreeSet<&String> = phrase.arguments.iter().collect();
                    let theirs: BTreeSet<&String> = other.arguments.iter().collect();
                    let unexplained = ours
                        .symmetric_difference(&theirs)
                        .any(|a| !phrase.counts.contains(*a) && !other.counts.contains(*a));
                    if unexplained {
                        problems.push(format!(
                            "`{id}` takes {{{}}} in en but {{{}}} in {language}",
                            join(&phrase.arguments),
                            join(&other.arguments)
                        ));
                    }
                }
            }
        }
        for (id, phrase) in catalogue {
            if !english.contains_key(id) {
                problems.push(format!(
                    "`{id}` ({}) is in {language} but not in en",
                    phrase.file
                ));
            }
        }
    }
    if !problems.is_empty() {
        panic!(
            "the message catalogues under locales/ disagree:\n  {}",
            problems.join("\n  ")
        );
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out.join("phrases.rs"), generate(english, &sources))
        .expect("OUT_DIR is writable");
}

fn join(items: &[String]) -> String {
    items.join(", ")
}

fn ftl_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "ftl"))
        .collect();
    files.sort();
    files
}

fn read_catalogue(files: &[PathBuf], problems: &mut Vec<String>) -> BTreeMap<String, Phrase> {
    let mut catalogue = BTreeMap::new();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let resource = match fluent_syntax::parser::parse(text.as_str()) {
            Ok(resource) => resource,
            Err((_, errors)) => {
                for error in errors {
                    let line = text[..error.pos.start.min(text.len())].lines().count();
                    problems.push(format!("{}:{line}: {:?}", path.display(), error.kind));
                }
                continue;
            }
        };
        for entry in &resource.body {
            let Entry::Message(message) = entry else {
                continue;
            };
            let id = message.id.name.to_string();
            if !message.attributes.is_empty() {
                problems.push(format!(
                    "`{id}` ({name}): write attributes as phrases of their own"
                ));
            }
            let Some(value) = &message.value else {
                problems.push(format!("`{id}` ({name}) has no text"));
                continue;
            };
            let mut phrase = Phrase {
                file: name.clone(),
                ..Phrase::default()
            };
            pattern_arguments(value, &mut phrase);
            phrase.english = flat_text(value);
            if catalogue.insert(id.clone(), phrase).is_some() {
                problems.push(format!("`{id}` ({name}) is defined twice"));
            }
        }
    }
    catalogue
}

fn pattern_arguments(pattern: &Pattern<&str>, phrase: &mut Phrase) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_arguments(expression, phrase);
        }
    }
}

fn expression_arguments(expression: &Expression<&str>, phrase: &mut Phrase) {
    match expression {
        Expression::Select { selector, variants } => {
            // A selector whose variants are plural forms or numbers takes a number; one whose
            // variants are words (`[input]`, `[param]`) takes text.
            let plural = variants.iter().all(|v| match &v.key {
                VariantKey::NumberLiteral { .. } => true,
                VariantKey::Identifier { name } => {
                    ["zero", "one", "two", "few", "many", "other"].contains(name)
                }
            });
            if let (InlineExpression::VariableReference { id }, true) = (selector, plural) {
                phrase.counts.insert(id.name.to_string());
            }
            inline_arguments(selector, phrase);
            for variant in variants {
                pattern_arguments(&variant.value, phrase);
            }
        }
        Expression::Inline(inline) => inline_arguments(inline, phrase),
    }
}

fn inline_arguments(inline: &InlineExpression<&str>, phrase: &mut Phrase) {
    match inline {
        InlineExpression::VariableReference { id }
            if !phrase.arguments.iter().any(|a| a == id.name) =>
        {
            phrase.arguments.push(id.name.to_string());
        }
        InlineExpression::FunctionReference { arguments, .. } => call_arguments(arguments, phrase),
        InlineExpression::TermReference {
            arguments: Some(arguments),
            ..
        } => call_arguments(arguments, phrase),
        InlineExpression::Placeable { expression } => expression_arguments(expression, phrase),
        _ => {}
    }
}

fn call_arguments(arguments: &CallArguments<&str>, phrase: &mut Phrase) {
    for argument in &arguments.positional {
        inline_arguments(argument, phrase);
    }
    for argument in &arguments.named {
        inline_arguments(&argument.value, phrase);
    }
}

/// The phrase as one line, for the generated function's documentation.
fn flat_text(pattern: &Pattern<&str>) -> String {
    let mut text = String::new();
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => text.push_str(value),
            PatternElement::Placeable { expression } => match expression {
                Expression::Inline(InlineExpression::VariableReference { id }) => {
                    let _ = write!(text, "{{${}}}", id.name);
                }
                Expression::Inline(InlineExpression::StringLiteral { value }) => {
                    text.push_str(value)
                }
                _ => text.push('…'),
            },
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn generate(phrases: &BTreeMap<String, Phrase>, sources: &[Vec<PathBuf>]) -> String {
    let mut out = String::from("// Written by build.rs from locales/*/*.ftl.\n\n");
    for (language, files) in LANGUAGES.iter().zip(sources) {
        let _ = writeln!(
            out,
            "/// The Fluent sources of the `{language}` catalogue.\npub(crate) const {}: &[&str] = &[",
            language.to_uppercase()
        );
        for file in files {
            let _ = writeln!(out, "    include_str!({:?}),", file.display().to_string());
        }
        out.push_str("];\n\n");
    }
    out.push_str("/// Every phrase's id.\npub const IDS: &[&str] = &[\n");
    for id in phrases.keys() {
        let _ = writeln!(out, "    {id:?},");
    }
    out.push_str("];\n\n");
    let mut methods = String::new();
    for (id, phrase) in phrases {
        let function = rust_name(id);
        let parameters: Vec<String> = phrase
            .arguments
            .iter()
            .map(|a| {
                let kind = if phrase.counts.contains(a) {
                    "Count"
                } else {
                    "Arg"
                };
                format!("{}: impl Into<{kind}>", rust_name(a))
            })
            .collect();
        let arguments: Vec<String> = phrase
            .arguments
            .iter()
            .map(|a| {
                let into = if phrase.counts.contains(a) {
                    format!("Arg::Count({}.into())", rust_name(a))
                } else {
                    format!("{}.into()", rust_name(a))
                };
                format!("({a:?}, {into})")
            })
            .collect();
        let names: Vec<String> = phrase.arguments.iter().map(|a| rust_name(a)).collect();
        let doc = phrase.english.replace('\\', "\\\\");
        let doc = if doc.trim().is_empty() {
            "(nothing, in English)".to_string()
        } else {
            doc
        };
        let _ = writeln!(
            out,
            "/// `{id}` ({}): {doc}\npub fn {function}({}) -> Message {{\n    Message::new({id:?}, vec![{}])\n}}\n",
            phrase.file,
            parameters.join(", "),
            arguments.join(", ")
        );
        let mut receiver = vec!["&self".to_string()];
        receiver.extend(parameters.iter().cloned());
        let _ = writeln!(
            methods,
            "    /// {doc}\n    pub fn {function}({}) -> String {{\n        self.say(&self::{function}({}))\n    }}\n",
            receiver.join(", "),
            names.join(", ")
        );
    }
    let _ = write!(
        out,
        "/// The phrases in one language, for templates: `{{{{ words.title() }}}}`.\nimpl Words {{\n{methods}}}\n"
    );
    out
}

/// `unknown-name` → `unknown_name`; a Rust keyword gets a trailing underscore.
fn rust_name(id: &str) -> String {
    let name = id.replace('-', "_");
    match name.as_str() {
        "as" | "break" | "const" | "continue" | "crate" | "else" | "enum" | "extern" | "false"
        | "fn" | "for" | "if" | "impl" | "in" | "let" | "loop" | "match" | "mod" | "move"
        | "mut" | "pub" | "ref" | "return" | "self" | "static" | "struct" | "super" | "trait"
        | "true" | "type" | "unsafe" | "use" | "where" | "while" | "async" | "await" | "dyn"
        | "box" | "try" | "yield" => format!("{name}_"),
        _ => name,
    }
}
