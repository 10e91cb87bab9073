//! `nabla explain`: the worked step laid out as text, Markdown, LaTeX, HTML or JSON, in English
//! or Vietnamese. Each (format, language) pair is one template; this module only typesets the
//! formulas and arranges the steps.

use askama::Template;
use unicode_width::UnicodeWidthStr;

use super::math::{latex, mathml, text};
use crate::explain::explanation::{
    BackwardItem, Detail, Equation, Explanation, OptimizerKind, Step,
};
use crate::explain::training::FloatReason;
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
    /// The first step of a new group in the backward pass (a blank line before it).
    pub starts_group: bool,
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
    pub rules: Vec<RuleView>,
    pub fused: bool,
    pub kinks: Vec<String>,
    pub first_approximation: Option<String>,
    pub history: Option<HistoryView>,
    pub checks: Vec<CheckView>,
    pub all_checks_agree: bool,
}

pub struct RuleView {
    pub given: Vec<String>,
    pub equations: Vec<String>,
}

pub struct HistoryView {
    pub steps: usize,
    pub rows: Vec<(usize, &'static str, String)>,
    pub final_params: Vec<EquationView>,
    /// Why the run is in float64, in a few words for the template to choose from.
    pub float_not_rational: bool,
    pub float_optimizer: bool,
    pub float_grew_after: Option<usize>,
    pub diverged_at: Option<usize>,
}

pub struct CheckView {
    pub element: String,
    pub derived: String,
    pub numeric: String,
    pub relative_error: String,
    pub agrees: bool,
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
    if format == Format::Json {
        return super::json::explain(explanation);
    }
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
            .enumerate()
            .map(|(i, item)| {
                let mut view = match item {
                    BackwardItem::Factor(s) => step(s, true),
                    BackwardItem::Gradient(s) => step(s, false),
                };
                view.starts_group = i > 0 && matches!(e.backward[i - 1], BackwardItem::Gradient(_));
                view
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
            .map(|statement| RuleView {
                given: statement.given.iter().map(typeset).collect(),
                equations: statement
                    .equations
                    .iter()
                    .map(|(lhs, rhs)| format!("{} = {}", typeset(lhs), typeset(rhs)))
                    .collect(),
            })
            .collect(),
        fused: e.fused,
        kinks: e.kinks.iter().map(typeset).collect(),
        first_approximation,
        history: e.history.as_ref().map(|h| HistoryView {
            steps: h.steps,
            rows: h
                .rows
                .iter()
                .map(|r| {
                    (
                        r.step,
                        if r.approximate { "≈" } else { "=" },
                        typeset(&r.loss),
                    )
                })
                .collect(),
            final_params: h.final_params.iter().map(equation).collect(),
            float_not_rational: h.float_from == Some(FloatReason::NotRational),
            float_optimizer: h.float_from == Some(FloatReason::Optimizer),
            float_grew_after: match h.float_from {
                Some(FloatReason::Grew { after_step }) => Some(after_step),
                _ => None,
            },
            diverged_at: h.diverged_at,
        }),
        checks: e
            .checks
            .iter()
            .map(|c| CheckView {
                element: typeset(&c.element),
                derived: typeset(&c.derived),
                numeric: typeset(&c.numeric),
                relative_error: typeset(&c.relative_error),
                agrees: c.agrees,
            })
            .collect(),
        all_checks_agree: e.checks.iter().all(|c| c.agrees),
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
        starts_group: false,
    }
}
