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
use crate::notation::{Formula, SymbolKind};

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
    /// Too long for one line of a printed page: LaTeX and Markdown set one stage per line.
    pub wide: bool,
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
    /// The backward pass names error signals (`δo`): the page says what they are.
    pub signals: bool,
    /// The network has layers (a value the file names computed as f(net)).
    pub has_layers: bool,
    /// Parameters whose starting values were drawn: (name, initializer), and the seed.
    pub drawn: Vec<(String, String)>,
    pub seed: u64,
    pub kinks: Vec<String>,
    pub first_approximation: Option<String>,
    pub history: Option<HistoryView>,
    pub checks: Vec<CheckView>,
    pub all_checks_agree: bool,
    /// The most columns of any matrix shown (LaTeX's `bmatrix` must be told beyond ten).
    pub matrix_columns: usize,
    /// The computational graph as an SVG picture, for the HTML page to embed. Nothing fills it
    /// yet: it is the hook for `nabla graph`'s layout. The page must stay self-contained, so the
    /// SVG it receives must not refer to anything outside itself (no `xmlns` URL is needed
    /// inside HTML either).
    pub graph_svg: Option<String>,
}

impl Page {
    /// The gradient-check table of the text form, its columns as wide as their heading (the
    /// template's words) or their widest cell. The last column is not padded.
    pub fn check_table(&self, headings: &[&str; 4]) -> TextTable {
        let mut widths = headings.map(UnicodeWidthStr::width);
        let cells = |c: &CheckView| {
            [
                c.element.clone(),
                c.derived.clone(),
                c.numeric.clone(),
                c.relative_error.clone(),
            ]
        };
        for check in &self.checks {
            for (width, cell) in widths.iter_mut().zip(cells(check)) {
                *width = (*width).max(cell.width());
            }
        }
        let row = |cells: [String; 4]| {
            cells
                .iter()
                .zip(widths)
                .enumerate()
                .map(|(i, (cell, width))| {
                    if i == 3 {
                        cell.clone()
                    } else {
                        pad(cell, width)
                    }
                })
                .collect::<Vec<_>>()
                .join("   ")
        };
        TextTable {
            heading: row(headings.map(str::to_string)),
            rows: self.checks.iter().map(|c| row(cells(c))).collect(),
        }
    }
}

/// A table of the text form: its heading line and rows, aligned.
pub struct TextTable {
    pub heading: String,
    pub rows: Vec<String>,
}

fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

fn pad_left(text: &str, width: usize) -> String {
    format!("{}{text}", " ".repeat(width.saturating_sub(text.width())))
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
    /// The loss curve, for the HTML page.
    pub plot: Option<PlotView>,
}

impl HistoryView {
    /// The step column of the text form, right-aligned under its heading.
    pub fn step_column(&self, heading: &str) -> TextTable {
        let width = heading.width().max(self.steps.to_string().len());
        TextTable {
            heading: pad_left(heading, width),
            rows: self
                .rows
                .iter()
                .map(|(step, ..)| pad_left(&step.to_string(), width))
                .collect(),
        }
    }
}

/// The loss curve laid out for an SVG picture: coordinates in the picture's units (y down).
pub struct PlotView {
    pub width: u32,
    pub height: u32,
    /// The plotting area.
    pub left: u32,
    pub right: u32,
    pub top: u32,
    pub bottom: u32,
    /// The curve, as `x,y x,y …` for `<polyline points>`.
    pub points: String,
    /// The loss axis is logarithmic (the losses span more than two decades).
    pub log_scale: bool,
    /// Horizontal grid lines: `(y, label)`.
    pub y_ticks: Vec<(String, String)>,
    /// Marks on the step axis: `(x, label)`.
    pub x_ticks: Vec<(String, String)>,
    /// The loss before the first step and after the last, written beside the curve's ends.
    pub first: PlotLabel,
    pub last: PlotLabel,
    pub frame_width: u32,
    pub frame_height: u32,
    /// Where the tick labels and the axis titles go.
    pub tick_x: u32,
    pub tick_y: u32,
    pub step_title_x: u32,
    pub step_title_y: u32,
    pub loss_title_x: u32,
    pub loss_title_y: u32,
}

pub struct PlotLabel {
    pub x: String,
    pub y: String,
    pub text: String,
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

#[derive(Template)]
#[template(path = "explain/vi.txt")]
struct VietnameseText<'a> {
    page: &'a Page,
}

#[derive(Template)]
#[template(path = "explain/en.md")]
struct EnglishMarkdown<'a> {
    page: &'a Page,
}

#[derive(Template)]
#[template(path = "explain/vi.md")]
struct VietnameseMarkdown<'a> {
    page: &'a Page,
}

#[derive(Template)]
#[template(path = "explain/en.tex", escape = "none", syntax = "latex")]
struct EnglishLatex<'a> {
    page: &'a Page,
}

#[derive(Template)]
#[template(path = "explain/vi.tex", escape = "none", syntax = "latex")]
struct VietnameseLatex<'a> {
    page: &'a Page,
}

#[derive(Template)]
#[template(path = "explain/en.html")]
struct EnglishHtml<'a> {
    page: &'a Page,
}

#[derive(Template)]
#[template(path = "explain/vi.html")]
struct VietnameseHtml<'a> {
    page: &'a Page,
}

/// Lines longer than this are broken, one stage per line.
const TEXT_WIDTH: usize = 100;

/// Steps whose text form is longer than this are set one stage per line on a printed page
/// (LaTeX, Markdown): fractions there are narrower than in text, but the page is too.
const PAGE_WIDTH: usize = 80;

/// How a format writes formulas and the relation of a rounded value.
#[derive(Clone, Copy)]
struct Style {
    formula: fn(&Formula) -> String,
    approx: &'static str,
    /// `=` between two formulas written as one.
    equals: &'static str,
}

impl Style {
    fn relation(self, approximate: bool) -> &'static str {
        if approximate { self.approx } else { "=" }
    }
}

/// The page of `explanation`; `graph_svg` is the computational graph's picture, which only the
/// HTML page embeds.
pub fn render(
    explanation: &Explanation,
    format: Format,
    language: Language,
    graph_svg: Option<String>,
) -> String {
    use Language::{English, Vietnamese};
    let style = match format {
        Format::Json => return super::json::explain(explanation),
        Format::Text => Style {
            formula: text::render,
            approx: "≈",
            equals: " = ",
        },
        Format::Markdown | Format::Latex => Style {
            formula: latex::render,
            approx: "\\approx",
            equals: " = ",
        },
        // The HTML templates put relations in `<mo>`.
        Format::Html => Style {
            formula: mathml::render,
            approx: "≈",
            equals: "<mo>=</mo>",
        },
    };
    let mut page = page(explanation, style);
    page.graph_svg = graph_svg.map(|svg| inline_svg(&svg));
    let rendered = match (format, language) {
        (Format::Text | Format::Json, English) => EnglishText { page: &page }.render(),
        (Format::Text | Format::Json, Vietnamese) => VietnameseText { page: &page }.render(),
        (Format::Markdown, English) => EnglishMarkdown { page: &page }.render(),
        (Format::Markdown, Vietnamese) => VietnameseMarkdown { page: &page }.render(),
        (Format::Latex, English) => EnglishLatex { page: &page }.render(),
        (Format::Latex, Vietnamese) => VietnameseLatex { page: &page }.render(),
        (Format::Html, English) => EnglishHtml { page: &page }.render(),
        (Format::Html, Vietnamese) => VietnameseHtml { page: &page }.render(),
    };
    super::with_final_newline(rendered.unwrap_or_default())
}

fn page(e: &Explanation, style: Style) -> Page {
    let typeset = style.formula;
    let equation = |eq: &Equation| EquationView {
        lhs: typeset(&eq.lhs),
        rhs: typeset(&eq.rhs),
    };
    let step = |s: &Step, is_factor: bool| step_view(s, style, is_factor);
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
                    .map(|(lhs, rhs)| format!("{}{}{}", typeset(lhs), style.equals, typeset(rhs)))
                    .collect(),
            })
            .collect(),
        fused: e.fused,
        signals: e.backward.iter().any(|item| {
            let (BackwardItem::Factor(s) | BackwardItem::Gradient(s)) = item;
            matches!(&s.lhs, Formula::Symbol(symbol) if symbol.kind == SymbolKind::Delta)
        }),
        kinks: e.kinks.iter().map(typeset).collect(),
        first_approximation,
        history: e.history.as_ref().map(|h| HistoryView {
            steps: h.steps,
            rows: h
                .rows
                .iter()
                .map(|r| (r.step, style.relation(r.approximate), typeset(&r.loss)))
                .collect(),
            final_params: h.final_params.iter().map(equation).collect(),
            float_not_rational: h.float_from == Some(FloatReason::NotRational),
            float_optimizer: h.float_from == Some(FloatReason::Optimizer),
            float_grew_after: match h.float_from {
                Some(FloatReason::Grew { after_step }) => Some(after_step),
                _ => None,
            },
            diverged_at: h.diverged_at,
            plot: plot(h),
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
        matrix_columns: matrix_columns(e),
        graph_svg: None,
        has_layers: e.has_layers,
        drawn: e
            .drawn
            .iter()
            .map(|(name, init)| (typeset(name), init.clone()))
            .collect(),
        seed: e.seed,
    }
}

fn step_view(step: &Step, style: Style, is_factor: bool) -> StepView {
    let typeset = style.formula;
    let lhs = typeset(&step.lhs);
    let mut parts: Vec<(&'static str, String)> =
        step.stages.iter().map(|f| ("=", typeset(f))).collect();
    parts.push((style.relation(step.approximate), typeset(&step.value)));
    // The text form decides the layout in every format: it measures what a reader sees.
    let text_lhs = text::render(&step.lhs);
    let text_parts: Vec<String> = step
        .stages
        .iter()
        .map(|f| format!("= {}", text::render(f)))
        .chain(std::iter::once(format!(
            "{} {}",
            if step.approximate { "≈" } else { "=" },
            text::render(&step.value)
        )))
        .collect();
    let one_line = std::iter::once(text_lhs.clone())
        .chain(text_parts.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let width = one_line.width();
    let lines = if width <= TEXT_WIDTH {
        vec![one_line]
    } else {
        let indent = " ".repeat(text_lhs.width());
        text_parts
            .iter()
            .enumerate()
            .map(|(i, part)| format!("{} {part}", if i == 0 { &text_lhs } else { &indent }))
            .collect()
    };
    StepView {
        lhs,
        parts,
        lines,
        loses_exactness: step.loses_exactness,
        is_factor,
        starts_group: false,
        wide: width > PAGE_WIDTH,
    }
}

/// The most columns of any matrix in the explanation (at least LaTeX's default of ten).
fn matrix_columns(e: &Explanation) -> usize {
    let steps = e
        .forward
        .iter()
        .chain(std::iter::once(&e.loss_step))
        .chain(e.backward.iter().map(|item| match item {
            BackwardItem::Factor(s) | BackwardItem::Gradient(s) => s,
        }))
        .chain(e.update.iter().flat_map(|u| u.steps.iter()));
    let mut pending: Vec<&Formula> = steps
        .flat_map(|s| s.stages.iter().chain([&s.lhs, &s.value]))
        .chain(
            e.given
                .iter()
                .chain(&e.network)
                .chain(e.history.iter().flat_map(|h| h.final_params.iter()))
                .flat_map(|eq| [&eq.lhs, &eq.rhs]),
        )
        .collect();
    let mut columns = 10;
    // An explicit stack: formulas can be as deep as the file's expressions.
    while let Some(formula) = pending.pop() {
        match formula {
            Formula::Matrix(rows) => {
                columns = columns.max(rows.iter().map(Vec::len).max().unwrap_or(0));
                pending.extend(rows.iter().flatten());
            }
            Formula::Array(items)
            | Formula::Product(items)
            | Formula::Sum(items)
            | Formula::Concat(items) => pending.extend(items),
            Formula::Neg(a)
            | Formula::Transpose(a)
            | Formula::Call(_, a)
            | Formula::BatchMean(_, a)
            | Formula::Slice(a, ..) => pending.push(a),
            Formula::Derivative(_, a) => pending.push(a),
            Formula::Binary(_, a, b)
            | Formula::Pow(a, b)
            | Formula::Partial(a, b)
            | Formula::Pick(a, b) => {
                pending.push(a);
                pending.push(b);
            }
            Formula::Symbol(_)
            | Formula::Number(_)
            | Formula::Kronecker(..)
            | Formula::Decimal(_) => {}
        }
    }
    columns
}

/// Size of the loss-curve picture and its plotting area, in SVG units.
const PLOT_WIDTH: f64 = 640.0;
const PLOT_HEIGHT: f64 = 300.0;
const PLOT_LEFT: f64 = 64.0;
const PLOT_RIGHT: f64 = 624.0;
const PLOT_TOP: f64 = 28.0;
const PLOT_BOTTOM: f64 = 252.0;
/// More points than a 560-unit-wide line can show are thinned out evenly.
const PLOT_MAX_POINTS: usize = 561;

/// The loss curve of a history: the losses scaled into the plotting area, on a logarithmic axis
/// when they span more than two decades. Only the finite losses before a divergence are drawn.
fn plot(h: &crate::explain::explanation::HistorySection) -> Option<PlotView> {
    let losses: Vec<f64> = h
        .losses
        .iter()
        .copied()
        .take_while(|l| l.is_finite())
        .collect();
    if losses.len() < 2 {
        return None;
    }
    let (first_row, last_row) = (
        h.rows.first()?,
        h.rows.iter().rfind(|r| r.step < losses.len())?,
    );
    let low = losses.iter().copied().fold(f64::INFINITY, f64::min);
    let high = losses.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let log_scale = low > 0.0 && high / low > 100.0;
    // The loss axis: whole decades when logarithmic, else from zero (or the lowest loss, when
    // negative) to the highest.
    let (bottom_value, top_value) = if log_scale {
        (low.log10().floor(), high.log10().ceil())
    } else {
        (low.min(0.0), high.max(0.0))
    };
    let span = if top_value > bottom_value {
        top_value - bottom_value
    } else {
        1.0
    };
    let y = |loss: f64| {
        let v = if log_scale { loss.log10() } else { loss };
        PLOT_BOTTOM - (v - bottom_value) / span * (PLOT_BOTTOM - PLOT_TOP)
    };
    let last_step = losses.len() - 1;
    let x = |step: usize| PLOT_LEFT + step as f64 / last_step as f64 * (PLOT_RIGHT - PLOT_LEFT);
    let shown: Vec<usize> = if losses.len() <= PLOT_MAX_POINTS {
        (0..losses.len()).collect()
    } else {
        let mut shown: Vec<usize> = (0..PLOT_MAX_POINTS)
            .map(|k| k * last_step / (PLOT_MAX_POINTS - 1))
            .collect();
        shown.dedup();
        shown
    };
    let points = shown
        .iter()
        .map(|&step| format!("{:.1},{:.1}", x(step), y(losses[step])))
        .collect::<Vec<_>>()
        .join(" ");
    let y_ticks = if log_scale {
        (bottom_value as i64..=top_value as i64)
            .map(|k| {
                let power =
                    Formula::Pow(Box::new(Formula::number(10)), Box::new(Formula::number(k)));
                (
                    format!("{:.1}", y(10f64.powi(k as i32))),
                    text::render(&power),
                )
            })
            .collect()
    } else {
        vec![(format!("{:.1}", y(0.0)), "0".to_string())]
    };
    let x_ticks = [0, last_step]
        .iter()
        .map(|&step| (format!("{:.1}", x(step)), step.to_string()))
        .collect();
    let label = |row: &crate::explain::explanation::HistoryRow, dx: f64| PlotLabel {
        x: format!("{:.1}", x(row.step) + dx),
        y: format!("{:.1}", (y(losses[row.step]) - 8.0).max(PLOT_TOP - 8.0)),
        text: format!(
            "{} {}",
            if row.approximate { "≈" } else { "=" },
            text::render(&row.loss)
        ),
    };
    Some(PlotView {
        width: PLOT_WIDTH as u32,
        height: PLOT_HEIGHT as u32,
        left: PLOT_LEFT as u32,
        right: PLOT_RIGHT as u32,
        top: PLOT_TOP as u32,
        bottom: PLOT_BOTTOM as u32,
        points,
        log_scale,
        y_ticks,
        x_ticks,
        first: label(first_row, 6.0),
        last: label(last_row, -6.0),
        frame_width: (PLOT_RIGHT - PLOT_LEFT) as u32,
        frame_height: (PLOT_BOTTOM - PLOT_TOP) as u32,
        tick_x: (PLOT_LEFT - 6.0) as u32,
        tick_y: (PLOT_BOTTOM + 16.0) as u32,
        step_title_x: ((PLOT_LEFT + PLOT_RIGHT) / 2.0) as u32,
        step_title_y: (PLOT_BOTTOM + 38.0) as u32,
        loss_title_x: 14,
        loss_title_y: ((PLOT_TOP + PLOT_BOTTOM) / 2.0) as u32,
    })
}

/// An SVG document as an element inside HTML: without its XML declaration and namespace URL
/// (HTML knows `<svg>` already), scaled to the page's width.
fn inline_svg(svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let mut svg = svg[start..]
        .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
        .replacen("<svg ", "<svg class=\"graph\" ", 1);
    // Edges carry no labels; drop the empty label elements the layout writes for them.
    while let Some(at) = svg.find("<text><textPath") {
        let Some(end) = svg[at..].find("</textPath></text>") else {
            break;
        };
        let element = &svg[at..at + end];
        if !element.ends_with('>') {
            break;
        }
        svg.replace_range(at..at + end + "</textPath></text>".len(), "");
    }
    svg
}
