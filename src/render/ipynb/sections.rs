//! The Markdown page of `nabla explain` cut into its sections, each a cell of the notebook.

use crate::explain::explanation::Explanation;
use crate::words::Words;

/// A section of the page, by its heading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// The title, and the sentence under it.
    Title,
    Data,
    Forward,
    Loss,
    Backward,
    Update,
    Steps,
    Check,
    /// How the numbers are written: the paragraph that ends the page.
    Numbers,
}

/// The sections of `markdown` (the Markdown page of `e`, in the language of `w`), in order, each
/// without the blank lines around it. A section starts at its heading, as the catalogue words
/// it; a line inside display math is never a heading.
pub fn sections(markdown: &str, e: &Explanation, w: &Words) -> Vec<(Section, String)> {
    let mut headings: Vec<(Section, String)> = vec![
        (Section::Data, w.explain_section_data()),
        (Section::Forward, w.explain_section_forward()),
        (Section::Forward, w.explain_section_forward_layers()),
        (Section::Forward, w.explain_section_forward_scalar()),
        (Section::Loss, w.explain_section_loss()),
        (Section::Backward, w.explain_section_backward_scalar()),
        (Section::Backward, w.explain_section_backward_vector()),
        (Section::Update, w.explain_section_update()),
        (Section::Check, w.explain_check_heading()),
    ];
    if let Some(history) = &e.history {
        headings.push((Section::Steps, w.explain_section_steps(history.steps)));
    }
    let numbers = format!("**{}**", w.explain_numbers_label());

    let mut sections: Vec<(Section, String)> = vec![(Section::Title, String::new())];
    let mut in_math = false;
    for line in markdown.lines() {
        let starts = if in_math {
            None
        } else if let Some(heading) = line.strip_prefix("## ") {
            headings
                .iter()
                .find(|(_, words)| words == heading)
                .map(|(section, _)| *section)
        } else if line.starts_with(&numbers) {
            Some(Section::Numbers)
        } else {
            None
        };
        if line.trim() == "$$" {
            in_math = !in_math;
        }
        if let Some(section) = starts {
            sections.push((section, String::new()));
        }
        if let Some((_, text)) = sections.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    sections
        .into_iter()
        .map(|(section, text)| (section, text.trim_matches('\n').to_string()))
        .filter(|(_, text)| !text.is_empty())
        .collect()
}
