//! `nabla explain`: the worked step laid out as text, Markdown, LaTeX, HTML or JSON, in English
//! or Vietnamese. Each (format, language) pair is one template; this module only typesets the
//! formulas and arranges the steps. The relation between two stages ("=" or "≈") comes from the
//! explanation's chains: nothing here decides one.

use askama::Template;
use unicode_width::UnicodeWidthStr;

use super::math::breaking::{self, Target};
use super::math::{latex, mathml, text};
use crate::explain::chain::{Chain, Relation};
use crate::explain::explanation::{
    BackwardItem, Detail, Equation, Explanation, Kink, LineRule, Note, OptimizerKind, Step,
};
use crate::explain::training::FloatReason;
use crate::notation::placeholders::Role;
use crate::notation::rules::RuleNote;
use crate::notation::{Formula, Symbol, SymbolKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Latex,
    Html,
    Json,
    /// A Jupyter notebook (`render::ipynb`): the Markdown page split into cells, beside code.
    Notebook,
}

pub use crate::words::Language;

/// A stage typeset: the relation before it and its pieces (one, unless it is too long for a
/// line and broken before its terms).
pub struct PartView {
    pub relation: &'static str,
    pub pieces: Vec<String>,
}

/// A step with its formulas typeset.
pub struct StepView {
    pub lhs: String,
    pub parts: Vec<PartView>,
    /// The text form, laid out on one line or, when long, one stage (or piece) per line.
    pub lines: Vec<String>,
    /// LaTeX and Markdown: the rows of an alignment (`lhs &= …`), one, or one per stage and
    /// piece when the step is too wide for a printed line.
    pub rows: Vec<String>,
    /// LaTeX and Markdown: the step on one line, without alignment marks.
    pub flat: String,
    pub is_factor: bool,
    /// The first step of a new group in the backward pass (a blank line before it).
    pub starts_group: bool,
    /// Too long for one line of a printed page: LaTeX and Markdown set one stage per line.
    pub wide: bool,
    /// The numbers of the rules the line follows from, `(1), (3)`; empty for none.
    pub by: String,
    pub notes: Vec<NoteView>,
}

/// A note beside a step, its formulas typeset.
pub struct NoteView {
    /// The expression no fraction equals.
    pub approximation: Option<String>,
    /// The argument that sits on a kink, and whether of relu (else of abs).
    pub kink: Option<String>,
    pub relu: bool,
    /// The line is batch normalization's compact form of the gradient before it.
    pub compact: bool,
    /// An index, its value, and what it picks from (the row or element, counted from 1, is one
    /// more than the value), and whether a row (else an element).
    pub picked: Option<(String, usize, String, usize, bool)>,
    /// Elements of a pooling window that tie for its maximum, the first of them, and whether
    /// the line is of the backward pass (the first receives the gradient).
    pub tie: Option<(Vec<String>, String, bool)>,
}

pub struct EquationView {
    pub lhs: String,
    pub rhs: String,
}

/// The placeholders and small formulas the sentences of a page name, typeset.
pub struct Words {
    /// `v` in "δv is the gradient … of layer v".
    pub layer: String,
    /// The tensor of ones, `𝟙`.
    pub ones: String,
    pub layer_delta: String,
    pub layer_net: String,
    /// The same of example i of a batch, and example i's loss: `δv⁽ⁱ⁾`, `net_v⁽ⁱ⁾`, `L⁽ⁱ⁾`.
    pub layer_delta_i: String,
    pub layer_net_i: String,
    pub loss_i: String,
    /// The batch loss's mean over the examples: `(1/m) Σᵢ L⁽ⁱ⁾`; a per-example gradient of a
    /// coupled batch, `m·∂L/∂v⁽ⁱ⁾`.
    pub batch_mean_loss: String,
    pub coupled_gradient: String,
    /// The gradient check's weight and step (`w`, `h`), and its difference quotient.
    pub check_weight: String,
    pub check_step: String,
    pub check_difference: String,
}

/// Everything a template needs, typeset for its format.
pub struct Page {
    pub loss: String,
    pub scalar: bool,
    pub digits: usize,
    /// Approximations are shown with at most this many digits, fewer than asked.
    pub float_digits: Option<usize>,
    pub given: Vec<StepView>,
    pub network: Vec<EquationView>,
    pub forward: Vec<StepView>,
    pub loss_step: StepView,
    pub backward: Vec<StepView>,
    pub update: Option<UpdateView>,
    pub rules: Vec<RuleView>,
    /// The backward pass names error signals (`δo`): the page says what they are.
    pub signals: bool,
    /// A line writes the tensor of ones `𝟙`: the page says what it is.
    pub ones: bool,
    /// The network has layers (a value the file names computed as f(net)).
    pub has_layers: bool,
    /// Parameters whose starting values were drawn: (name, initializer), and the seed.
    pub drawn: Vec<(String, String)>,
    pub seed: u64,
    /// Values read from a weights file, and the file.
    pub read: Vec<String>,
    pub weights_file: String,
    pub history: Option<HistoryView>,
    pub checks: Vec<CheckView>,
    pub all_checks_agree: bool,
    pub words: Words,
    /// The most columns of any matrix shown (LaTeX's `bmatrix` must be told beyond ten).
    pub matrix_columns: usize,
    /// A step on a batch: how many examples, and whether batch statistics couple them.
    pub batch: Option<(usize, bool)>,
    /// The data file the examples are rows of, and the first and last row.
    pub rows: Option<(String, usize, usize)>,
    /// The computational graph as an SVG picture, for the HTML page to embed. The page must
    /// stay self-contained, so the SVG must not refer to anything outside itself.
    pub graph_svg: Option<String>,
}

impl Page {
    /// The loss's step, as a list of one (for the templates' macros over steps).
    pub fn loss_steps(&self) -> [&StepView; 1] {
        [&self.loss_step]
    }

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
    pub number: usize,
    pub given: Vec<String>,
    pub equations: Vec<String>,
    pub relu_prime: Option<String>,
    pub sign: Option<String>,
    /// The Kronecker delta, with its two indices.
    pub kronecker: Option<(String, String, String)>,
    /// The rule is softmax's along one axis: it holds within each line along the axis. What
    /// `repeat(v, a, n)` of its gradients means: the call, `v`, `n` and `a`, typeset.
    pub along_axis: Option<[String; 4]>,
    /// Softmax's rule summed by the chain rule: its `∂L/∂z`, and `z`.
    pub softmax_sum: Option<(String, String)>,
    /// Softmax with cross-entropy as one step: the general form and the one for a target that
    /// sums to 1.
    pub fused: Option<(String, String)>,
    /// The words of an operation on tensors (`conv`, `max_pool`, `avg_pool`, `repeat`) and the
    /// formulas its sentence names, typeset.
    pub tensor: Option<(&'static str, Vec<String>)>,
}

pub struct HistoryView {
    pub steps: usize,
    pub rows: Vec<(usize, &'static str, String)>,
    pub final_params: Vec<StepView>,
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
    /// The lines of each parameter (or element).
    pub groups: Vec<Vec<StepView>>,
    /// What the rule becomes on the first step (`v⁺ = g`; `m̂ = g`, `v̂ = g²`).
    pub first_step: Vec<String>,
    /// Adam's first step: `η·m̂/(√v̂ + ε) = η·g/(|g| + ε)`.
    pub first_move: String,
    /// The rule's quantities, for the sentences: weight, gradient, velocity, moments, and
    /// `1 − β₁`, `1 − β₂`.
    pub weight: String,
    pub gradient: String,
    pub velocity: String,
    pub first_moment: String,
    pub second_moment: String,
    pub learning_rate: String,
    pub one_minus_beta1: String,
    pub one_minus_beta2: String,
}

/// The small formulas and marks inside a page's sentences, written for its format: the
/// catalogue's phrases take them as arguments.
#[derive(Clone, Copy)]
pub struct Marks {
    format: Format,
}

impl Marks {
    pub fn new(format: Format) -> Marks {
        Marks { format }
    }

    /// A formula set inline.
    pub fn math(&self, x: impl AsRef<str>) -> String {
        let x = x.as_ref();
        match self.format {
            Format::Text | Format::Json => x.to_string(),
            Format::Markdown | Format::Notebook | Format::Latex => format!("${x}$"),
            Format::Html => format!("<math>{x}</math>"),
        }
    }

    fn op(&self, op: &str) -> String {
        match self.format {
            Format::Html => format!("<mo>{op}</mo>"),
            _ => format!(" {op} "),
        }
    }

    fn number(&self, n: &str) -> String {
        match self.format {
            Format::Html => format!("<mn>{n}</mn>"),
            _ => n.to_string(),
        }
    }

    /// `a = b`, inline.
    pub fn eq(&self, a: impl std::fmt::Display, b: impl std::fmt::Display) -> String {
        self.math(format!("{a}{}{b}", self.op("=")))
    }

    /// `a = b` where b is a number.
    pub fn eq_number(&self, a: impl std::fmt::Display, b: impl std::fmt::Display) -> String {
        self.math(format!(
            "{a}{}{}",
            self.op("="),
            self.number(&b.to_string())
        ))
    }

    /// `z > 0`.
    pub fn positive(&self, z: &str) -> String {
        let gt = match self.format {
            Format::Html => "&gt;",
            _ => ">",
        };
        self.math(format!("{z}{}{}", self.op(gt), self.number("0")))
    }

    /// `f(z)` for a function written as a word: `relu′(z)`, `sign(z)`.
    fn call(&self, f: &str, z: &str) -> String {
        match self.format {
            Format::Text | Format::Json => format!("{f}({z})"),
            Format::Markdown | Format::Notebook | Format::Latex => {
                let name = match f {
                    "relu′" => "\\operatorname{relu}'",
                    _ => "\\operatorname{sign}",
                };
                format!("{name}({z})")
            }
            Format::Html => {
                format!("<mi>{f}</mi><mo stretchy=\"false\">(</mo>{z}<mo stretchy=\"false\">)</mo>")
            }
        }
    }

    /// `relu′(z)`, inline.
    pub fn relu_prime(&self, z: &str) -> String {
        self.math(self.call("relu′", z))
    }

    /// `sign(z)`, inline.
    pub fn sign(&self, z: &str) -> String {
        self.math(self.call("sign", z))
    }

    /// `relu′(0) = 0` or `sign(0) = 0`: what nabla takes at a kink.
    pub fn at_kink(&self, relu: bool) -> String {
        let f = if relu { "relu′" } else { "sign" };
        let zero = self.number("0");
        self.math(format!("{}{}{zero}", self.call(f, &zero), self.op("=")))
    }

    /// 10⁻⁶.
    pub fn tolerance(&self) -> String {
        match self.format {
            Format::Text | Format::Json => "10⁻⁶".to_string(),
            Format::Markdown | Format::Notebook | Format::Latex => "$10^{-6}$".to_string(),
            Format::Html => self.math("<msup><mn>10</mn><mrow><mo>−</mo><mn>6</mn></mrow></msup>"),
        }
    }

    /// `h = 10⁻⁶·max(1, |w|)`: the gradient check's step.
    pub fn step_rule(&self, h: &str, w: &str) -> String {
        match self.format {
            Format::Text | Format::Json => format!("{h} = 10⁻⁶·max(1, |{w}|)"),
            Format::Markdown | Format::Notebook | Format::Latex => {
                format!("${h} = 10^{{-6}} \\cdot \\max(1, \\lvert {w} \\rvert)$")
            }
            Format::Html => self.math(format!(
                "{h}<mo>=</mo><msup><mn>10</mn><mrow><mo>−</mo><mn>6</mn></mrow></msup><mo>·</mo><mi>max</mi><mo stretchy=\"false\">(</mo><mn>1</mn><mo>,</mo><mo>|</mo>{w}<mo>|</mo><mo stretchy=\"false\">)</mo>"
            )),
        }
    }

    /// ⊙ and ᵀ, named in the notes.
    pub fn odot(&self) -> String {
        match self.format {
            Format::Markdown | Format::Notebook | Format::Latex => "$\\odot$".to_string(),
            Format::Html => self.math("<mo>⊙</mo>"),
            Format::Text | Format::Json => "⊙".to_string(),
        }
    }

    pub fn transpose(&self) -> String {
        match self.format {
            Format::Markdown | Format::Notebook | Format::Latex => "${}^\\top$".to_string(),
            Format::Html => self.math("<msup><mi></mi><mi mathvariant=\"normal\">T</mi></msup>"),
            Format::Text | Format::Json => "ᵀ".to_string(),
        }
    }

    /// "=" and "≈" as the numbers' note quotes them.
    pub fn quoted(&self, approx: bool) -> String {
        let (text, latex) = if approx {
            ("≈", "\\approx")
        } else {
            ("=", "=")
        };
        match self.format {
            Format::Text | Format::Json => format!("\"{text}\""),
            Format::Markdown | Format::Notebook => format!("\"${latex}$\""),
            Format::Latex => format!("``${latex}$\'\'"),
            Format::Html => format!("“{text}”"),
        }
    }

    /// A file's name, as code.
    pub fn code(&self, x: &str) -> String {
        match self.format {
            Format::Text | Format::Json => x.to_string(),
            Format::Markdown | Format::Notebook => format!("`{x}`"),
            Format::Latex => format!("\\texttt{{{}}}", latex_text(x)),
            Format::Html => format!("<code>{}</code>", html_text(x)),
        }
    }

    /// Formulas listed in a sentence: `x, y`.
    pub fn list(&self, items: &[String]) -> String {
        let items: Vec<String> = items.iter().map(|x| self.math(x)).collect();
        items.join(", ")
    }

    /// `W1 ~ xavier, b1 ~ zeros`: the drawn parameters and their initializers.
    pub fn drawn(&self, drawn: &[(String, String)]) -> String {
        let items: Vec<String> = drawn
            .iter()
            .map(|(name, init)| match self.format {
                Format::Text | Format::Json => format!("{name} ~ {init}"),
                Format::Markdown | Format::Notebook | Format::Latex => {
                    format!("${name} \\sim \\mathrm{{{init}}}$")
                }
                Format::Html => {
                    format!("<math>{name}<mo>∼</mo><mi mathvariant=\"normal\">{init}</mi></math>")
                }
            })
            .collect();
        items.join(", ")
    }

    /// `lr = 0.5, momentum = 0.9`: the optimizer's settings.
    pub fn settings(&self, settings: &[EquationView]) -> String {
        let items: Vec<String> = settings
            .iter()
            .map(|eq| self.eq(&eq.lhs, &eq.rhs))
            .collect();
        items.join(", ")
    }
}

fn latex_text(x: &str) -> String {
    x.chars()
        .map(|c| match c {
            '\\' => "\\textbackslash{}".to_string(),
            '{' | '}' | '#' | '$' | '%' | '&' | '_' => format!("\\{c}"),
            '~' => "\\textasciitilde{}".to_string(),
            '^' => "\\textasciicircum{}".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn html_text(x: &str) -> String {
    x.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The text page, in either language: its words come from the catalogue.
#[derive(Template)]
#[template(path = "explain/page.txt")]
struct TextPage<'a> {
    page: &'a Page,
    w: crate::words::Words,
    x: Marks,
}

/// The Markdown page, in either language.
#[derive(Template)]
#[template(path = "explain/page.md")]
struct MarkdownPage<'a> {
    page: &'a Page,
    w: crate::words::Words,
    x: Marks,
}

/// A phrase that starts a sentence, with its first letter a capital.
fn sentence(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

impl MarkdownPage<'_> {
    fn sentence(&self, text: String) -> String {
        sentence(text)
    }
}

/// The LaTeX page, in either language.
#[derive(Template)]
#[template(path = "explain/page.tex", escape = "none", syntax = "latex")]
struct LatexPage<'a> {
    page: &'a Page,
    w: crate::words::Words,
    x: Marks,
}

impl LatexPage<'_> {
    fn sentence(&self, text: String) -> String {
        sentence(text)
    }
}

/// The HTML page, in either language: the phrases' words escaped for HTML, their formulas
/// MathML.
#[derive(Template)]
#[template(path = "explain/page.html")]
struct HtmlPage<'a> {
    page: &'a Page,
    w: crate::words::Words,
    x: Marks,
}

impl HtmlPage<'_> {
    fn sentence(&self, text: String) -> String {
        sentence(text)
    }

    /// `∂E/∂` followed by `of` (MathML), for the graph's caption.
    fn partial(&self, of: &str) -> String {
        format!("<mo>∂</mo>{}<mo>/</mo><mo>∂</mo>{of}", self.page.loss)
    }

    fn display_math(&self, x: &str) -> String {
        format!("<math displaystyle=\"true\">{x}</math>")
    }
}

/// Lines longer than this are broken, one stage per line.
const TEXT_WIDTH: usize = 100;

/// Steps whose text form is longer than this are set one stage per line on a printed page
/// (LaTeX, Markdown): fractions there are narrower than in text, but the page is too.
const PAGE_WIDTH: usize = 80;

/// A stage longer than this (in characters of its text form) is broken before its terms on a
/// printed page.
const PAGE_STAGE_WIDTH: usize = 62;

/// How a format writes formulas and relations.
#[derive(Clone, Copy)]
struct Style {
    formula: fn(&Formula) -> String,
    target: Target,
    equals: &'static str,
    approx: &'static str,
    /// `=` between two formulas typeset as one (a rule's statement).
    joined_equals: &'static str,
    /// The widest stage (in characters of text) set on one line.
    stage_width: usize,
}

impl Style {
    fn relation(self, relation: Relation) -> &'static str {
        match relation {
            Relation::Equals => self.equals,
            Relation::Approx => self.approx,
        }
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
    // A notebook's prose is the Markdown page (`render::ipynb` cuts it into cells).
    let format = match format {
        Format::Notebook => Format::Markdown,
        other => other,
    };
    let style = match format {
        Format::Json => return super::json::explain(explanation),
        Format::Text => Style {
            formula: text::render,
            target: Target::Text,
            equals: "=",
            approx: "≈",
            joined_equals: " = ",
            stage_width: TEXT_WIDTH,
        },
        Format::Markdown | Format::Notebook => Style {
            formula: super::math::latex::render_markdown,
            target: Target::Latex,
            equals: "=",
            approx: "\\approx",
            joined_equals: " = ",
            stage_width: PAGE_STAGE_WIDTH,
        },
        Format::Latex => Style {
            formula: latex::render,
            target: Target::Latex,
            equals: "=",
            approx: "\\approx",
            joined_equals: " = ",
            stage_width: PAGE_STAGE_WIDTH,
        },
        // The HTML templates put relations in `<mo>`.
        Format::Html => Style {
            formula: mathml::render,
            target: Target::MathMl,
            equals: "=",
            approx: "≈",
            joined_equals: "<mo>=</mo>",
            stage_width: PAGE_STAGE_WIDTH,
        },
    };
    let words = match format {
        Format::Latex => language.words_in(crate::words::Markup::Latex),
        Format::Html => language.words_in(crate::words::Markup::Html),
        _ => language.words(),
    };
    let mut page = page(explanation, style, format, &words);
    page.graph_svg = graph_svg.map(|svg| inline_svg(&svg));
    let rendered = match (format, language) {
        (Format::Text | Format::Json, _) => TextPage {
            page: &page,
            w: language.words(),
            x: Marks { format },
        }
        .render(),
        (Format::Markdown | Format::Notebook, _) => MarkdownPage {
            page: &page,
            w: language.words(),
            x: Marks { format },
        }
        .render(),
        (Format::Latex, _) => LatexPage {
            page: &page,
            w: language.words_in(crate::words::Markup::Latex),
            x: Marks { format },
        }
        .render(),
        (Format::Html, _) => HtmlPage {
            page: &page,
            w: language.words_in(crate::words::Markup::Html),
            x: Marks { format },
        }
        .render(),
    };
    super::with_final_newline(rendered.unwrap_or_default())
}

fn page(e: &Explanation, style: Style, format: Format, words: &crate::words::Words) -> Page {
    let typeset = style.formula;
    let equation = |eq: &Equation| EquationView {
        lhs: typeset(&eq.lhs),
        rhs: typeset(&eq.rhs),
    };
    let step = |s: &Step, is_factor: bool| step_view(s, e, style, format, words, is_factor);
    let names = &e.placeholders;
    let symbol = |s: Symbol| typeset(&Formula::Symbol(s));
    let layer = names.name(Role::Layer);
    let loss_i = match &e.loss {
        Formula::Symbol(symbol) => symbol.clone().of_example("i"),
        _ => Symbol::plain("L").of_example("i"),
    };
    let check_weight = names.formula(Role::CheckWeight);
    let check_step = names.formula(Role::CheckStep);
    Page {
        loss: typeset(&e.loss),
        scalar: e.detail == Detail::Scalar,
        digits: e.digits,
        float_digits: e.float_digits,
        given: e.given.iter().map(|s| step(s, false)).collect(),
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
        update: e.update.as_ref().map(|u| {
            let one_minus = |b: &Formula| {
                typeset(&Formula::binary(
                    crate::notation::Operator::Sub,
                    Formula::number(1),
                    b.clone(),
                ))
            };
            UpdateView {
                sgd: u.optimizer == OptimizerKind::Sgd,
                momentum: u.optimizer == OptimizerKind::Momentum,
                adam: u.optimizer == OptimizerKind::Adam,
                settings: u.settings.iter().map(equation).collect(),
                rule: u.rule.iter().map(equation).collect(),
                groups: u
                    .groups
                    .iter()
                    .map(|group| group.iter().map(|s| step(s, false)).collect())
                    .collect(),
                first_step: u.first_step.iter().take(2).map(typeset).collect(),
                first_move: u.first_step.get(2).map(typeset).unwrap_or_default(),
                weight: typeset(&u.symbols.weight),
                gradient: typeset(&u.symbols.gradient),
                velocity: typeset(&u.symbols.velocity),
                first_moment: typeset(&u.symbols.first_moment),
                second_moment: typeset(&u.symbols.second_moment),
                learning_rate: typeset(&u.symbols.learning_rate),
                one_minus_beta1: one_minus(&u.symbols.beta1),
                one_minus_beta2: one_minus(&u.symbols.beta2),
            }
        }),
        rules: e
            .rules
            .iter()
            .enumerate()
            .map(|(i, statement)| {
                let note = statement.note.as_ref();
                RuleView {
                    number: i + 1,
                    given: statement.given.iter().map(typeset).collect(),
                    equations: statement
                        .equations
                        .iter()
                        .map(|(lhs, rhs)| {
                            format!("{}{}{}", typeset(lhs), style.joined_equals, typeset(rhs))
                        })
                        .collect(),
                    relu_prime: match note {
                        Some(RuleNote::ReluPrime { argument }) => Some(typeset(argument)),
                        _ => None,
                    },
                    sign: match note {
                        Some(RuleNote::Sign { argument }) => Some(typeset(argument)),
                        _ => None,
                    },
                    kronecker: match note {
                        Some(RuleNote::Kronecker { delta, i, j, .. }) => {
                            Some((typeset(delta), typeset(i), typeset(j)))
                        }
                        _ => None,
                    },
                    softmax_sum: match note {
                        Some(RuleNote::Kronecker {
                            gradient, argument, ..
                        }) => Some((typeset(gradient), typeset(argument))),
                        _ => None,
                    },
                    along_axis: match note {
                        Some(RuleNote::Kronecker {
                            along_axis: Some(repeat),
                            ..
                        }) => Some(
                            [&repeat.call, &repeat.value, &repeat.times, &repeat.axis]
                                .map(typeset),
                        ),
                        _ => None,
                    },
                    fused: match note {
                        Some(RuleNote::SoftmaxCrossEntropy { general, one_hot }) => {
                            Some((typeset(general), typeset(one_hot)))
                        }
                        _ => None,
                    },
                    tensor: match note {
                        Some(RuleNote::Tensor { kind, formulas }) => {
                            use crate::ir::{Along, Pool, TensorKind};
                            let sentence = match kind {
                                TensorKind::Conv => Some("conv"),
                                TensorKind::Pool(Pool::Max) => Some("max_pool"),
                                TensorKind::Pool(Pool::Mean) => Some("avg_pool"),
                                TensorKind::Along(Along::Sum) => Some("repeat"),
                                _ => None,
                            };
                            sentence.map(|s| (s, formulas.iter().map(typeset).collect()))
                        }
                        _ => None,
                    },
                }
            })
            .collect(),
        ones: e.backward.iter().any(|item| {
            let chain = &item.step().chain;
            chain.lhs().uses_ones() || chain.stages().any(Formula::uses_ones)
        }),
        signals: e.backward.iter().any(|item| {
            matches!(item.step().chain.lhs(), Formula::Symbol(symbol) if symbol.kind == SymbolKind::Delta)
        }),
        history: e.history.as_ref().map(|h| HistoryView {
            steps: h.steps,
            rows: h
                .rows
                .iter()
                .filter_map(|r| {
                    let (relation, value, _) = r.chain.relations().last()?;
                    Some((r.step, style.relation(relation), typeset(value)))
                })
                .collect(),
            final_params: h.final_params.iter().map(|s| step(s, false)).collect(),
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
        words: Words {
            layer: symbol(Symbol::plain(layer)),
            ones: symbol(Symbol::plain(crate::notation::ONES)),
            layer_delta: symbol(Symbol::delta(layer)),
            layer_net: symbol(Symbol::net_input(layer)),
            layer_delta_i: symbol(Symbol::delta(layer).of_example("i")),
            layer_net_i: symbol(Symbol::net_input(layer).of_example("i")),
            loss_i: symbol(loss_i.clone()),
            batch_mean_loss: typeset(&Formula::batch_mean(Formula::Symbol(loss_i))),
            coupled_gradient: typeset(&Formula::binary(
                crate::notation::Operator::Scale,
                Formula::symbol("m"),
                Formula::partial(e.loss.clone(), Formula::Symbol(Symbol::plain(layer).of_example("i"))),
            )),
            check_difference: typeset(&check_difference(&e.loss, &check_weight, &check_step)),
            check_weight: typeset(&check_weight),
            check_step: typeset(&check_step),
        },
        matrix_columns: matrix_columns(e),
        batch: e.batch.as_ref().map(|b| (b.m, b.coupled)),
        rows: e.batch.as_ref().and_then(|b| b.rows.clone()),
        graph_svg: None,
        has_layers: e.has_layers,
        drawn: e
            .sources
            .drawn
            .iter()
            .map(|(name, init)| (typeset(name), init.clone()))
            .collect(),
        seed: e.sources.seed,
        read: e.sources.read.iter().map(typeset).collect(),
        weights_file: match format {
            Format::Latex => latex::escape_text(e.sources.weights_file.as_deref().unwrap_or("")),
            _ => e.sources.weights_file.clone().unwrap_or_default(),
        },
    }
}

/// `(E(w + h) − E(w − h))/2h`: the central finite difference of the loss in one weight.
fn check_difference(loss: &Formula, w: &Formula, h: &Formula) -> Formula {
    use crate::notation::Operator::{Add, Div, Scale, Sub};
    let at = |op| Formula::of(loss.clone(), Formula::binary(op, w.clone(), h.clone()));
    Formula::binary(
        Div,
        Formula::binary(Sub, at(Add), at(Sub)),
        Formula::binary(Scale, Formula::number(2), h.clone()),
    )
}

fn step_view(
    step: &Step,
    e: &Explanation,
    style: Style,
    format: Format,
    words: &crate::words::Words,
    is_factor: bool,
) -> StepView {
    let typeset = style.formula;
    let chain: &Chain = &step.chain;
    let lhs = typeset(chain.lhs());
    let text_lhs = text::render(chain.lhs());
    let relations: Vec<(Relation, &Formula)> = chain.relations().map(|(r, f, _)| (r, f)).collect();
    let by = match &step.rule {
        LineRule::Local { rules } => rules
            .iter()
            .filter_map(|r| e.rule_number(*r))
            .map(|n| format!("({n})"))
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    };
    let text_relation = |r: Relation| if r == Relation::Equals { "=" } else { "≈" };

    // The text form: one line, or one stage per line, a long stage broken before its terms.
    let indent = " ".repeat(text_lhs.width());
    let one_line = std::iter::once(text_lhs.clone())
        .chain(
            relations
                .iter()
                .map(|(r, f)| format!("{} {}", text_relation(*r), text::render(f))),
        )
        .collect::<Vec<_>>()
        .join(" ");
    let tag_width = if by.is_empty() { 0 } else { by.width() + 6 };
    let width = one_line.width();
    // A stage on lines of its own, broken before its terms when long; a grid's maps under
    // their labels, the relation before the first row of the first maps.
    let stage_lines = |i: usize, r: Relation, f: &Formula, lines: &mut Vec<String>| {
        let start = if i == 0 { &text_lhs } else { &indent };
        if let Formula::Grid(grid) = f {
            let column = " ".repeat(indent.width() + 3);
            let limit = TEXT_WIDTH.saturating_sub(column.width());
            for (b, band) in super::grid::text_bands(grid, words, limit)
                .iter()
                .enumerate()
            {
                if let Some(labels) = &band.labels {
                    lines.push(format!("{column}{labels}"));
                }
                for (k, line) in band.lines.iter().enumerate() {
                    lines.push(if b == 0 && k == 0 {
                        format!("{start} {} {line}", text_relation(r))
                    } else {
                        format!("{column}{line}")
                    });
                }
            }
            return;
        }
        let limit = TEXT_WIDTH.saturating_sub(indent.width() + 3).max(30);
        match breaking::pieces(f, limit, Target::Text) {
            Some(pieces) => {
                for (j, piece) in pieces.iter().enumerate() {
                    lines.push(if j == 0 {
                        format!("{start} {} {piece}", text_relation(r))
                    } else {
                        format!("{indent}     {piece}")
                    });
                }
            }
            None => lines.push(format!("{start} {} {}", text_relation(r), text::render(f))),
        }
    };
    let grid_at = relations
        .iter()
        .position(|(_, f)| matches!(f, Formula::Grid(_)));
    let lines = match grid_at {
        // The stages before the grid on one line when they fit, then the grid.
        Some(at) => {
            let head = std::iter::once(text_lhs.clone())
                .chain(
                    relations[..at]
                        .iter()
                        .map(|(r, f)| format!("{} {}", text_relation(*r), text::render(f))),
                )
                .collect::<Vec<_>>()
                .join(" ");
            let mut lines = Vec::new();
            if at > 0 && head.width() <= TEXT_WIDTH {
                lines.push(head);
            } else {
                for (i, (r, f)) in relations[..at].iter().enumerate() {
                    stage_lines(i, *r, f, &mut lines);
                }
            }
            for (i, (r, f)) in relations.iter().enumerate().skip(at) {
                stage_lines(i, *r, f, &mut lines);
            }
            lines
        }
        None if width + tag_width <= TEXT_WIDTH => vec![one_line],
        None => {
            let mut lines = Vec::new();
            for (i, (r, f)) in relations.iter().enumerate() {
                stage_lines(i, *r, f, &mut lines);
            }
            lines
        }
    };

    // The printed page (LaTeX, Markdown, HTML): stages broken into pieces when too long, a grid
    // on a row of its own.
    let wide = width > PAGE_WIDTH || (grid_at.is_some() && relations.len() > 1);
    let parts: Vec<PartView> = relations
        .iter()
        .map(|(r, f)| PartView {
            relation: style.relation(*r),
            pieces: match (format, f) {
                (Format::Text | Format::Json, _) => vec![text::render(f)],
                (Format::Html, Formula::Grid(grid)) => {
                    vec![super::grid::mathml(grid, words, style.stage_width)]
                }
                (Format::Latex, Formula::Grid(grid)) => {
                    vec![super::grid::latex(grid, words, style.stage_width)]
                }
                (Format::Markdown | Format::Notebook, Formula::Grid(grid)) => {
                    vec![super::math::latex::for_markdown(&super::grid::latex(
                        grid,
                        words,
                        style.stage_width,
                    ))]
                }
                _ => breaking::pieces(f, style.stage_width, style.target)
                    .map(|pieces| match format {
                        // The Markdown flavour of LaTeX writes no `\\`.
                        Format::Markdown | Format::Notebook => pieces
                            .into_iter()
                            .map(|p| super::math::latex::for_markdown(&p))
                            .collect(),
                        _ => pieces,
                    })
                    .unwrap_or_else(|| vec![typeset(f)]),
            },
        })
        .collect();
    let mut rows = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        for (j, piece) in part.pieces.iter().enumerate() {
            match (i, j) {
                (0, 0) => rows.push(format!("{lhs} &{} {piece}", part.relation)),
                (_, 0) if wide => rows.push(format!("&{} {piece}", part.relation)),
                (_, 0) => {
                    if let Some(last) = rows.last_mut() {
                        last.push_str(&format!(" {} {piece}", part.relation));
                    }
                }
                _ => rows.push(format!("&\\quad {piece}")),
            }
        }
    }
    let flat = std::iter::once(lhs.clone())
        .chain(
            parts
                .iter()
                .map(|p| format!("{} {}", p.relation, p.pieces.join(" "))),
        )
        .collect::<Vec<_>>()
        .join(" ");
    StepView {
        lhs,
        parts,
        lines,
        rows,
        flat,
        is_factor,
        starts_group: false,
        wide,
        by,
        notes: step
            .notes
            .iter()
            .map(|note| match note {
                Note::NoExactValue(expression) => NoteView {
                    approximation: Some(typeset(expression)),
                    kink: None,
                    relu: false,
                    compact: false,
                    picked: None,
                    tie: None,
                },
                Note::Kink { argument, function } => NoteView {
                    approximation: None,
                    kink: Some(typeset(argument)),
                    relu: *function == Kink::Relu,
                    compact: false,
                    picked: None,
                    tie: None,
                },
                Note::CompactForm => NoteView {
                    approximation: None,
                    kink: None,
                    relu: false,
                    compact: true,
                    picked: None,
                    tie: None,
                },
                Note::Picked {
                    index,
                    value,
                    from,
                    row,
                } => NoteView {
                    approximation: None,
                    kink: None,
                    relu: false,
                    compact: false,
                    picked: Some((typeset(index), *value, typeset(from), value + 1, *row)),
                    tie: None,
                },
                Note::Tie {
                    elements,
                    first,
                    backward,
                } => NoteView {
                    approximation: None,
                    kink: None,
                    relu: false,
                    compact: false,
                    picked: None,
                    tie: Some((
                        elements.iter().map(typeset).collect(),
                        typeset(first),
                        *backward,
                    )),
                },
            })
            .collect(),
    }
}

/// The most columns of any matrix in the explanation (at least LaTeX's default of ten).
fn matrix_columns(e: &Explanation) -> usize {
    let steps: Vec<&Step> = e
        .given
        .iter()
        .chain(&e.forward)
        .chain(std::iter::once(&e.loss_step))
        .chain(e.backward.iter().map(BackwardItem::step))
        .chain(e.update.iter().flat_map(|u| u.groups.iter().flatten()))
        .chain(e.history.iter().flat_map(|h| h.final_params.iter()))
        .collect();
    let mut pending: Vec<&Formula> = steps
        .iter()
        .flat_map(|s| std::iter::once(s.chain.lhs()).chain(s.chain.stages()))
        .chain(e.network.iter().flat_map(|eq| [&eq.lhs, &eq.rhs]))
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
            | Formula::Concat(items)
            | Formula::Apply(_, items) => pending.extend(items),
            Formula::Neg(a)
            | Formula::Transpose(a)
            | Formula::Call(_, a)
            | Formula::BatchMean(_, a)
            | Formula::Slice(a, ..) => pending.push(a),
            Formula::Derivative(_, a) => pending.push(a),
            Formula::Grid(grid) => {
                for map in &grid.maps {
                    columns = columns.max(map.rows.iter().map(Vec::len).max().unwrap_or(0));
                    pending.extend(map.rows.iter().flatten());
                }
            }
            Formula::Binary(_, a, b)
            | Formula::Pow(a, b)
            | Formula::Partial(a, b)
            | Formula::Pick(a, b)
            | Formula::Of(a, b) => {
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
        text: row
            .chain
            .relations()
            .last()
            .map(|(relation, value, _)| {
                let sign = if relation == Relation::Equals {
                    "="
                } else {
                    "≈"
                };
                format!("{sign} {}", text::render(value))
            })
            .unwrap_or_default(),
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

/// The loss curve of a history as an SVG image of its own (for a notebook), in the page's words.
#[derive(Template)]
#[template(path = "explain/plot.svg")]
struct PlotImage<'a> {
    plot: &'a PlotView,
    w: crate::words::Words,
    standalone: bool,
}

/// The loss curve of `explanation`'s steps as an SVG document, if it has one (the HTML page's).
pub fn loss_plot(explanation: &Explanation, language: Language) -> Option<String> {
    let plot = plot(explanation.history.as_ref()?)?;
    PlotImage {
        plot: &plot,
        w: language.words_in(crate::words::Markup::Html),
        standalone: true,
    }
    .render()
    .ok()
}

/// An SVG document as an element inside HTML: without its XML declaration and namespace URL
/// (HTML knows `<svg>` already).
fn inline_svg(svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    svg[start..].replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}
