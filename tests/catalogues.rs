//! The message catalogues (locales/en, locales/vi). build.rs already refuses a phrase missing in
//! a language or taking other arguments; here: no phrase is left that no code says, and the
//! Vietnamese text is in the one normal form (NFC).

use crate::support::root;

/// The text of every file under `dir` with one of these extensions.
fn texts(dir: &std::path::Path, extensions: &[&str], out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).expect("a readable directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            texts(&path, extensions, out);
        } else if path
            .extension()
            .is_some_and(|e| extensions.iter().any(|x| e == *x))
        {
            let text = std::fs::read_to_string(&path).expect("a text file");
            out.push((path.display().to_string(), text));
        }
    }
}

/// Whether `text` calls `name(` as a phrase: `phrase::name(` in code, `.name(` on a template's
/// words, `words::name(` in a trainer's code for a phrase `trainer-name`, `say("name"` in
/// train.py for a phrase `pytorch-name`.
fn says(text: &str, name: &str) -> bool {
    let call = format!("{name}(");
    let said = text.match_indices(&call).any(|(at, _)| {
        let before = &text[..at];
        before.ends_with("phrase::") || before.ends_with('.')
    });
    // A generated trainer's phrase, which its code calls as `words::cannot_read(…)`.
    let trainer = name
        .strip_prefix("trainer_")
        .is_some_and(|short| text.contains(&format!("words::{short}(")));
    // A phrase of train.py, which says it as `say("cannot_read", …)`.
    let pytorch = name
        .strip_prefix("pytorch_")
        .is_some_and(|short| text.contains(&format!("say(\"{short}\"")));
    said || trainer || pytorch
}

#[test]
fn every_phrase_is_said_somewhere() {
    let mut sources = Vec::new();
    texts(&root().join("src"), &["rs"], &mut sources);
    texts(
        &root().join("templates"),
        &["txt", "md", "tex", "html", "svg"],
        &mut sources,
    );
    let unused: Vec<&str> = nabla::words::phrase::IDS
        .iter()
        .copied()
        .filter(|id| {
            let name = id.replace('-', "_");
            !sources.iter().any(|(_, text)| says(text, &name))
        })
        .collect();
    assert!(
        unused.is_empty(),
        "phrases of locales/ that no code or template says: {unused:?}"
    );
}

#[test]
fn the_vietnamese_catalogue_is_nfc() {
    let mut files = Vec::new();
    texts(&root().join("locales/vi"), &["ftl"], &mut files);
    assert!(!files.is_empty());
    for (path, text) in files {
        // In NFC every Vietnamese letter is one precomposed character: a combining mark
        // (U+0300 … U+036F) means a decomposed letter.
        for (number, line) in text.lines().enumerate() {
            assert!(
                !line.chars().any(|c| ('\u{300}'..='\u{36F}').contains(&c)),
                "{path}:{}: a decomposed letter (not NFC): {line}",
                number + 1
            );
        }
    }
}

#[test]
fn every_phrase_says_something_in_every_language() {
    use nabla::words::Language;
    for language in Language::ALL {
        for id in nabla::words::phrase::IDS {
            // A note only some languages need is `{ "" }` in the others (explain-intro, and
            // the trainer's note on numbers).
            let said = language.say_id(id);
            let note = ["explain-intro", "trainer-readme-numbers"].contains(id);
            assert!(
                !said.trim().is_empty() || note,
                "{id} says nothing in {language:?}"
            );
        }
    }
}
