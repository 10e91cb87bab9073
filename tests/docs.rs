//! The documentation's examples are true: every ```nabla block of docs/language.md checks as the
//! page says — valid, unless the block after it shows the diagnostics it gets.

use crate::support::root;

/// The fenced blocks of a Markdown text: (language, body), in order.
fn blocks(markdown: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in markdown.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(language)) => open = Some((language.trim().to_string(), String::new())),
            (Some(_), Some("")) => blocks.extend(open.take()),
            (Some((_, body)), _) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    blocks
}

#[test]
fn every_example_of_the_language_page_checks_as_the_page_says() {
    let page = std::fs::read_to_string(root().join("docs/language.md")).expect("the page");
    let blocks = blocks(&page);
    let mut checked = 0;
    for (k, (language, body)) in blocks.iter().enumerate() {
        if language != "nabla" {
            continue;
        }
        // A full diagnostic (with the place it points at) right after is this example's.
        let shows_errors = blocks.get(k + 1).is_some_and(|(next, text)| {
            next == "text" && text.starts_with("error") && text.contains("┌─")
        });
        let (model, diagnostics) = nabla::compile(body);
        assert_eq!(
            model.is_none(),
            shows_errors,
            "this example {}:\n{body}\n{diagnostics:#?}",
            if shows_errors {
                "is shown with errors but checks"
            } else {
                "does not check"
            }
        );
        checked += 1;
    }
    assert!(checked > 20, "only {checked} examples found");
}
