//! `nabla explain --format ipynb`: the worked step as a Jupyter notebook.
//!
//! The prose is the Markdown page (`templates/explain/page.md`), cut at its section headings into
//! Markdown cells; after each section comes a code cell that computes the same values with
//! PyTorch in float64 (`templates/explain/ipynb-code.py.txt`, its expressions from
//! `codegen::pytorch::expr`) and prints the largest difference from the worked ones. The HTML
//! page's pictures (the computational graph, the loss curve) are images in Markdown cells. No
//! cell has outputs: the notebook runs top to bottom on a fresh kernel.

mod code;
mod sections;

use askama::Template;

use code::CodeView;
pub use code::{Network, Unwritable};
use sections::Section;

use super::explain::{self, Format, Language, Marks};
use crate::explain::explanation::Explanation;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    Markdown,
    Code,
}

/// A cell: its kind, an id unique in the notebook (nbformat 4.5), and its source.
pub struct Cell {
    pub kind: CellKind,
    pub id: String,
    pub source: String,
}

pub struct Notebook {
    pub cells: Vec<Cell>,
}

/// The code cells, each after a line `# %% NAME`.
#[derive(Template)]
#[template(path = "explain/ipynb-code.py.txt")]
struct CodeCells<'a> {
    view: &'a CodeView,
    w: crate::words::Words,
}

impl CodeCells<'_> {
    /// A phrase as a Python string literal.
    fn string(&self, text: String) -> String {
        code::string(&text)
    }
}

/// The notebook's own Markdown cells, each after a line `<!-- %% NAME -->`.
#[derive(Template)]
#[template(path = "explain/ipynb-cells.md")]
struct MarkdownCells<'a> {
    w: crate::words::Words,
    x: Marks,
    /// The loss, typeset.
    loss: &'a str,
    /// The graph and the loss curve, SVG in base64.
    graph: Option<String>,
    plot: Option<String>,
}

impl MarkdownCells<'_> {
    /// `∂E/∂` followed by `of`, for the graph's caption.
    fn partial(&self, of: &str) -> String {
        format!("\\partial {}/\\partial{of}", self.loss)
    }
}

/// The notebook of `explanation`: `network` is what the code cells compute from, `graph_svg`
/// the computational graph's picture.
pub fn render(
    explanation: &Explanation,
    network: &Network,
    language: Language,
    graph_svg: Option<String>,
) -> Result<String, Unwritable> {
    let w = language.words();
    let view = CodeView::new(explanation, network)?;
    let code = CodeCells {
        view: &view,
        w: language.words(),
    }
    .render()
    .unwrap_or_default();
    let code = parts(&code, "# %% ", "");
    let extra = MarkdownCells {
        w: language.words(),
        x: Marks::new(Format::Markdown),
        loss: &super::math::latex::render_markdown(&explanation.loss),
        graph: graph_svg.map(|svg| base64(svg.as_bytes())),
        plot: explain::loss_plot(explanation, language).map(|svg| base64(svg.as_bytes())),
    }
    .render()
    .unwrap_or_default();
    let extra = parts(&extra, "<!-- %% ", " -->");
    let page = explain::render(explanation, Format::Notebook, language, None);

    let mut notebook = Notebook { cells: Vec::new() };
    let mut add = |kind: CellKind, id: &str, source: &str| {
        if !source.trim().is_empty() {
            notebook.cells.push(Cell {
                kind,
                id: id.to_string(),
                source: source.trim_matches('\n').to_string(),
            });
        }
    };
    let find = |parts: &[(String, String)], name: &str| {
        parts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, text)| text.clone())
            .unwrap_or_default()
    };
    for (section, text) in sections::sections(&page, explanation, &w) {
        let (id, code_cell) = match section {
            Section::Title => ("title", None),
            Section::Data => ("data", Some("given")),
            Section::Forward => ("forward", Some("forward")),
            Section::Loss => ("loss", Some("loss")),
            Section::Backward => ("backward", Some("backward")),
            Section::Update => ("update", Some("update")),
            Section::Steps => ("steps", Some("steps")),
            Section::Check => ("check", None),
            Section::Numbers => ("numbers", None),
        };
        add(CellKind::Markdown, id, &text);
        match section {
            Section::Title => {
                add(CellKind::Markdown, "how", &find(&extra, "how"));
                add(CellKind::Code, "setup", &find(&code, "setup"));
            }
            Section::Steps => add(CellKind::Markdown, "plot", &find(&extra, "plot")),
            _ => {}
        }
        if let Some(name) = code_cell {
            add(CellKind::Code, &format!("{name}-code"), &find(&code, name));
        }
        if section == Section::Data {
            add(CellKind::Markdown, "graph", &find(&extra, "graph"));
        }
    }
    add(CellKind::Code, "verdict", &find(&code, "verdict"));
    Ok(super::json::notebook(&notebook))
}

/// The parts of `text` after lines `{start}NAME{end}`: (name, text), in order.
fn parts(text: &str, start: &str, end: &str) -> Vec<(String, String)> {
    let mut parts: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let name = line
            .strip_prefix(start)
            .and_then(|rest| rest.strip_suffix(end))
            .filter(|name| !name.contains(' '));
        match (name, parts.last_mut()) {
            (Some(name), _) => parts.push((name.to_string(), String::new())),
            (None, Some((_, body))) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    parts
}

/// Standard base64 (RFC 4648, with padding), for the images' data URLs.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_rfc_4648() {
        // The test vectors of RFC 4648, section 10.
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn parts_are_cut_at_their_marker_lines() {
        let text = "ignored\n# %% one\na\nb\n# %% two\nc\n# %% not a marker\n";
        assert_eq!(
            parts(text, "# %% ", ""),
            [
                ("one".to_string(), "a\nb\n".to_string()),
                ("two".to_string(), "c\n# %% not a marker\n".to_string()),
            ]
        );
    }
}
