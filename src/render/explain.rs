//! `nabla explain`: the worked step laid out as text, Markdown, LaTeX, HTML or JSON, in English
//! or Vietnamese. Each (format, language) pair is one template; this module only typesets the
//! formulas and arranges the steps.

use askama::Template;
use unicode_width::UnicodeWidthStr;

use super::math::{latex, mathml, text};
use crate::explain::explanation::{
    BackwardItem, Detail, Equation, Explanation, OptimizerKind, Step,
};
use crate::notation::Formula;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Latex,
    Html,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    English,
    Vietnamese,
}

/// A step with its formulas typeset: `lhs`, then each `(relation, formula)`.
pub struct StepView {
    pub lhs: String,
    pub parts: Vec<(&'static str, String)>,
    /// The text form, laid out on one line or, when long, one stage per line.
    pub lines: Vec<String>,
    pub loses_exactness: bool,
    pub is_factor: bool,
}

pub struct EquationView {
    pub lhs: String,
    pub rhs: String,
}

/// Everything a template needs, typeset for its format.
pub struct Page {
    pub loss: String,
    pub scalar: bool,
    pub digits: usize,
    pub given: Vec<EquationView>,
    pub network: Vec<EquationView>,
    pub forward: Vec<StepView>,
    pub loss_step: StepView,
    pub backward: Vec<StepView>,
    pub update: Option<UpdateView>,
    pub rules: Vec<EquationView>,
    pub fused: bool,
    pub kinks: Vec<String>,
    pub first_approximation: Option<String>,
}

pub struct UpdateView {
    pub sgd: bool,
    pub momentum: bool,
    pub adam: bool,
    pub settings: Vec<EquationView>,
    pub rule: Vec<EquationView>,
    pub steps: Vec<StepView>,
}

#[derive(Template)]
#[template(path = "explain/en.txt")]
struct EnglishText<'a> {
    page: &'a Page,
}

/// Lines longer than this are broken, one stage per line.
const TEXT_WIDTH: usize = 100;

pub fn render(explanation: &Explanation, format: Format, language: Language) -> String {
    let typeset: fn(&Formula) -> String = match format {
        Format::Text | Format::Json => text::render,
        Format::Markdown | Format::Latex => latex::render,
        Format::Html => mathml::render,
    };
    let page = page(explanation, typeset);
    let rendered = match (format, language) {
        (Format::Text, _) => EnglishText { page: &page }.render(),
        _ => EnglishText { page: &page }.render(),
    };
    super::with_final_newline(rendered.unwrap_or_default())
}

fn page(e: &Explanation, typeset: fn(&Formula) -> String) -> Page {
    let equation = |eq: &Equation| EquationView {
        lhs: typeset(&eq.lhs),
        rhs: typeset(&eq.rhs),
    };
    let step = |s: &Step, is_factor: bool| step_view(s, typeset, is_factor);
    let first_approximation = e
        .forward
        .iter()
        .chain(std::iter::once(&e.loss_step))
        .find(|s| s.loses_exactness)
        .map(|s| typeset(&s.lhs));
    Page {
        loss: typeset(&e.loss),
        scalar: e.detail == Detail::Scalar,
        digits: e.digits,
        given: e.given.iter().map(equation).collect(),
        network: e.network.iter().map(equation).collect(),
        forward: e.forward.iter().map(|s| step(s, false)).collect(),
        loss_step: step(&e.loss_step, false),
        backward: e
            .backward
            .iter()
            .map(|item| match item {
                BackwardItem::Factor(s) => step(s, true),
                BackwardItem::Gradient(s) => step(s, false),
            })
            .collect(),
        update: e.update.as_ref().map(|u| UpdateView {
            sgd: u.optimizer == OptimizerKind::Sgd,
            momentum: u.optimizer == OptimizerKind::Momentum,
            adam: u.optimizer == OptimizerKind::Adam,
            settings: u.settings.iter().map(equation).collect(),
            rule: u.rule.iter().map(equation).collect(),
            steps: u.steps.iter().map(|s| step(s, false)).collect(),
        }),
        rules: e
            .rules
            .iter()
            .flat_map(|statement| statement.equations.iter())
            .map(|(lhs, rhs)| EquationView {
                lhs: typeset(lhs),
                rhs: typeset(rhs),
            })
            .collect(),
        fused: e.fused,
        kinks: e.kinks.iter().map(typeset).collect(),
        first_approximation,
    }
}

fn step_view(step: &Step, typeset: fn(&Formula) -> String, is_factor: bool) -> StepView {
    let lhs = typeset(&step.lhs);
    let mut parts: Vec<(&'static str, String)> =
        step.stages.iter().map(|f| ("=", typeset(f))).collect();
    parts.push((
        if step.approximate { "≈" } else { "=" },
        typeset(&step.value),
    ));
    let one_line = std::iter::once(lhs.clone())
        .chain(parts.iter().map(|(rel, f)| format!("{rel} {f}")))
        .collect::<Vec<_>>()
        .join(" ");
    let lines = if one_line.width() <= TEXT_WIDTH {
        vec![one_line]
    } else {
        let indent = " ".repeat(lhs.width());
        parts
            .iter()
            .enumerate()
            .map(|(i, (rel, f))| format!("{} {rel} {f}", if i == 0 { &lhs } else { &indent }))
            .collect()
    };
    StepView {
        lhs,
        parts,
        lines,
        loses_exactness: step.loses_exactness,
        is_factor,
    }
}
