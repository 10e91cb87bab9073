//! `nabla derive`: the gradient formulas in text, Markdown, LaTeX or JSON.

use askama::Template;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::json;
use super::math::{latex, text};
use crate::eval::exact::Value;
use crate::explain::{GradientDerivation, LineKind};
use crate::ir::Model;
use crate::notation::Formula;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Latex,
    Json,
}

/// The formulas of one line, typeset.
struct LineView {
    lhs: String,
    rhs: String,
    is_signal: bool,
}

struct RuleView {
    given: Vec<String>,
    equations: Vec<String>,
}

#[derive(Template)]
#[template(path = "derive/derive.txt")]
struct TextPage<'a> {
    loss: &'a str,
    lines: Vec<LineView>,
    rules: Vec<RuleView>,
    has_signals: bool,
}

#[derive(Template)]
#[template(path = "derive/derive.md")]
struct MarkdownPage<'a> {
    loss: &'a str,
    lines: Vec<LineView>,
    rules: Vec<RuleView>,
    has_signals: bool,
}

#[derive(Template)]
#[template(path = "derive/derive.tex", escape = "none", syntax = "latex")]
struct LatexPage<'a> {
    loss: &'a str,
    lines: Vec<LineView>,
    rules: Vec<RuleView>,
    has_signals: bool,
}

pub fn render(model: &Model, derivation: &GradientDerivation, values: Option<&[Option<Value>]>, format: Format) -> String {
    let typeset: fn(&Formula) -> String = match format {
        Format::Latex | Format::Markdown => latex::render,
        Format::Text | Format::Json => text::render,
    };
    let mut lines: Vec<LineView> = derivation
        .lines
        .iter()
        .map(|line| LineView {
            lhs: typeset(&line.lhs),
            rhs: typeset(&line.rhs),
            is_signal: matches!(line.kind, LineKind::ErrorSignal { .. }),
        })
        .collect();
    let rules: Vec<RuleView> = derivation
        .rules
        .iter()
        .map(|statement| RuleView {
            given: statement.given.iter().map(typeset).collect(),
            equations: statement
                .equations
                .iter()
                .map(|(lhs, rhs)| format!("{} = {}", typeset(lhs), typeset(rhs)))
                .collect(),
        })
        .collect();
    let has_signals = lines.iter().any(|l| l.is_signal);
    let loss = typeset(&crate::notation::from_graph::name_formula(&derivation.loss));
    let loss = loss.as_str();
    let page = match format {
        Format::Text => {
            let width = lines.iter().map(|l| l.lhs.width()).max().unwrap_or(0);
            for line in &mut lines {
                let pad = width.saturating_sub(line.lhs.width());
                line.lhs.push_str(&" ".repeat(pad));
            }
            TextPage { loss, lines, rules, has_signals }.render()
        }
        Format::Markdown => MarkdownPage { loss, lines, rules, has_signals }.render(),
        Format::Latex => LatexPage { loss, lines, rules, has_signals }.render(),
        Format::Json => return json::derive(model, derivation, values),
    };
    super::with_final_newline(page.unwrap_or_default())
}

#[derive(Serialize)]
pub(super) struct FormulaLine {
    pub lhs: String,
    pub rhs: String,
}
