//! `nabla derive`: the gradient formulas in text, Markdown, LaTeX or JSON.

use askama::Template;
use unicode_width::UnicodeWidthStr;

use super::json;
use super::math::{latex, text};
use crate::eval::batch::Batched;
use crate::eval::exact::Value;
use crate::explain::gradients::BatchKind;
use crate::explain::scalar::ScalarDerivation;
use crate::explain::{GradientDerivation, LineKind};
use crate::ir::NodeId;
use crate::notation::placeholders::{Placeholders, Role};
use crate::notation::rules::RuleNote;
use crate::notation::{Formula, Symbol};
use crate::words::{Language, Markup, Words};

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
    /// What the rule's words mean, in a sentence: a convolution's, pooling's, softmax's along
    /// an axis.
    note: Option<String>,
}

/// A layer's placeholder name, its error signal and its net input, typeset; and the same name
/// and signal in example i of a batch (`v⁽ⁱ⁾`, `δv⁽ⁱ⁾`).
struct Layer {
    name: String,
    delta: String,
    net: String,
    name_i: String,
    delta_i: String,
}

fn layer(placeholders: &Placeholders, typeset: fn(&Formula) -> String) -> Layer {
    let name = placeholders.name(Role::Layer);
    Layer {
        name: typeset(&Formula::Symbol(Symbol::plain(name))),
        delta: typeset(&Formula::Symbol(Symbol::delta(name))),
        net: typeset(&Formula::Symbol(Symbol::net_input(name))),
        name_i: typeset(&Formula::Symbol(Symbol::plain(name).of_example("i"))),
        delta_i: typeset(&Formula::Symbol(Symbol::delta(name).of_example("i"))),
    }
}

/// The small formulas the notes' sentences name, typeset and, in Markdown and LaTeX, set as
/// inline math: the phrases of the catalogue take them as arguments.
struct NoteMath {
    loss: String,
    /// `E⁽ⁱ⁾`: the loss of example i.
    loss_i: String,
    /// `E = (1/m) Σᵢ E⁽ⁱ⁾`.
    mean: String,
    m: String,
    i: String,
    /// `(1/m) Σᵢ`.
    average: String,
    /// `m·∂E/∂v⁽ⁱ⁾`.
    sum_gradient: String,
    layer: String,
    delta: String,
    net: String,
    name_i: String,
    delta_i: String,
    odot: String,
    transpose: String,
}

impl NoteMath {
    fn new(loss_formula: &Formula, layer: &Layer, format: Format) -> NoteMath {
        let inline = |math: String| match format {
            Format::Text | Format::Json => math,
            Format::Markdown | Format::Latex => format!("${math}$"),
        };
        let loss = match format {
            Format::Latex => latex::render(loss_formula),
            Format::Markdown => latex::render_markdown(loss_formula),
            Format::Text | Format::Json => text::render(loss_formula),
        };
        let (loss_i, average, sum_gradient, odot, transpose) = match format {
            Format::Text | Format::Json => (
                format!("{loss}⁽ⁱ⁾"),
                "(1/m) Σᵢ".to_string(),
                format!("m·∂{loss}/∂{}", layer.name_i),
                "⊙".to_string(),
                "ᵀ".to_string(),
            ),
            Format::Markdown | Format::Latex => (
                format!("{loss}^{{(i)}}"),
                "\\frac{1}{m} \\sum_{i}".to_string(),
                format!("m \\cdot \\partial {loss} / \\partial {}", layer.name_i),
                "\\odot".to_string(),
                "{}^\\top".to_string(),
            ),
        };
        NoteMath {
            mean: inline(format!("{loss} = {average} {loss_i}")),
            loss_i: inline(loss_i),
            loss: inline(loss),
            m: inline("m".to_string()),
            i: inline("i".to_string()),
            average: inline(average),
            sum_gradient: inline(sum_gradient),
            layer: inline(layer.name.clone()),
            delta: inline(layer.delta.clone()),
            net: inline(layer.net.clone()),
            name_i: inline(layer.name_i.clone()),
            delta_i: inline(layer.delta_i.clone()),
            odot: inline(odot),
            transpose: inline(transpose),
        }
    }
}

#[derive(Template)]
#[template(path = "derive/derive.txt")]
struct TextPage<'a> {
    words: Words,
    math: NoteMath,
    loss: &'a str,
    lines: Vec<LineView>,
    rules: Vec<RuleView>,
    has_signals: bool,
    /// The tensor of ones, typeset, when a line uses it: the page says what it is.
    ones: Option<String>,
    /// "example", "independent" or "coupled": see [`BatchKind`].
    batch: &'static str,
    /// A batch normalization's gradient is given in the compact form too.
    compact: bool,
    /// Softmax with cross-entropy was differentiated as one step: its general form, and the
    /// form for a target that sums to 1.
    fused: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "derive/derive.md")]
struct MarkdownPage {
    words: Words,
    math: NoteMath,
    lines: Vec<LineView>,
    rules: Vec<RuleView>,
    has_signals: bool,
    /// The tensor of ones, typeset, when a line uses it: the page says what it is.
    ones: Option<String>,
    /// "example", "independent" or "coupled": see [`BatchKind`].
    batch: &'static str,
    /// A batch normalization's gradient is given in the compact form too.
    compact: bool,
    /// Softmax with cross-entropy was differentiated as one step: its general form, and the
    /// form for a target that sums to 1.
    fused: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "derive/derive.tex", escape = "none", syntax = "latex")]
struct LatexPage {
    words: Words,
    math: NoteMath,
    lines: Vec<LineView>,
    rules: Vec<RuleView>,
    has_signals: bool,
    /// The tensor of ones, typeset, when a line uses it: the page says what it is.
    ones: Option<String>,
    /// "example", "independent" or "coupled": see [`BatchKind`].
    batch: &'static str,
    /// A batch normalization's gradient is given in the compact form too.
    compact: bool,
    /// Softmax with cross-entropy was differentiated as one step: its general form, and the
    /// form for a target that sums to 1.
    fused: Option<(String, String)>,
}

/// The page of `nabla derive`; with the values of every node on the file's examples, and the
/// node of the (batch) loss, the JSON carries numbers.
pub fn render(
    derivation: &GradientDerivation,
    values: Option<(&[Option<Batched<Value>>], NodeId)>,
    format: Format,
    language: Language,
) -> String {
    let typeset: fn(&Formula) -> String = match format {
        Format::Latex => latex::render,
        Format::Markdown => latex::render_markdown,
        Format::Text | Format::Json => text::render,
    };
    let mut lines: Vec<LineView> = derivation
        .lines
        .iter()
        .map(|line| LineView {
            // The compact form goes on under the step-by-step line it equals.
            lhs: match (&line.kind, format) {
                (LineKind::Compact { .. }, Format::Text | Format::Latex) => String::new(),
                _ => typeset(&line.lhs),
            },
            rhs: typeset(&line.rhs),
            is_signal: matches!(line.kind, LineKind::ErrorSignal { .. }),
        })
        .collect();
    let compact = derivation
        .lines
        .iter()
        .any(|l| matches!(l.kind, LineKind::Compact { .. }));
    let inline = |math: String| match format {
        Format::Text | Format::Json => math,
        Format::Markdown | Format::Latex => format!("${math}$"),
    };
    let words = match format {
        Format::Latex => language.words_in(Markup::Latex),
        _ => language.words(),
    };
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
            note: rule_note(statement.note.as_ref(), &words, &|f| inline(typeset(f))),
        })
        .collect();
    let has_signals = lines.iter().any(|l| l.is_signal);
    let ones = derivation
        .lines
        .iter()
        .any(|l| l.rhs.uses_ones())
        .then(|| inline(typeset(&Formula::symbol(crate::notation::ONES))));
    let fused = derivation.rules.iter().find_map(|s| match &s.note {
        Some(RuleNote::SoftmaxCrossEntropy { general, one_hot }) => {
            Some((inline(typeset(general)), inline(typeset(one_hot))))
        }
        _ => None,
    });
    let loss_formula = crate::notation::from_graph::name_formula(&derivation.loss);
    let math = NoteMath::new(
        &loss_formula,
        &layer(&derivation.placeholders, typeset),
        format,
    );
    let loss = typeset(&loss_formula);
    let loss = loss.as_str();
    let batch = match derivation.batch {
        BatchKind::Example => "example",
        BatchKind::Independent => "independent",
        BatchKind::Coupled => "coupled",
    };
    let page = match format {
        Format::Text => {
            pad_to_widest(lines.iter_mut().map(|l| &mut l.lhs));
            TextPage {
                words,
                math,
                loss,
                lines,
                rules,
                has_signals,
                ones,
                fused,
                batch,
                compact,
            }
            .render()
        }
        Format::Markdown => MarkdownPage {
            words,
            math,
            lines,
            rules,
            has_signals,
            ones,
            fused,
            batch,
            compact,
        }
        .render(),
        Format::Latex => LatexPage {
            words,
            math,
            lines,
            rules,
            has_signals,
            ones,
            fused,
            batch,
            compact,
        }
        .render(),
        Format::Json => return json::derive(derivation, values),
    };
    super::with_final_newline(page.unwrap_or_default())
}

/// The sentence beside a rule of an operation on tensors, its formulas set by `math`: the
/// convolution's gradients as correlation and full convolution, pooling's routing, softmax along
/// an axis.
fn rule_note(
    note: Option<&RuleNote>,
    words: &Words,
    math: &dyn Fn(&Formula) -> String,
) -> Option<String> {
    use crate::ir::{Along, Pool, TensorKind};
    match note? {
        RuleNote::Tensor { kind, formulas: m } => match (kind, m.as_slice()) {
            (TensorKind::Conv, [correlate, upstream, input, flipped, kernel, full]) => {
                Some(words.explain_conv_note(
                    math(correlate),
                    math(input),
                    math(upstream),
                    math(full),
                    math(flipped),
                    math(kernel),
                ))
            }
            (TensorKind::Pool(Pool::Max), [mask, window, upsample]) => {
                Some(words.explain_max_pool_note(math(mask), math(window), math(upsample)))
            }
            (TensorKind::Pool(Pool::Mean), [upsample, window]) => {
                Some(words.explain_avg_pool_note(math(upsample), math(window)))
            }
            (TensorKind::Along(Along::Sum), [repeat, axis]) => {
                Some(words.explain_repeat_note(math(repeat), math(axis)))
            }
            _ => None,
        },
        RuleNote::Kronecker {
            delta,
            i,
            j,
            along_axis,
            gradient,
            argument,
        } => {
            let mut sentences = vec![
                words.explain_kronecker(math(delta), math(&Formula::equals(i.clone(), j.clone()))),
                words.explain_softmax_sum_note(math(i), math(gradient), math(argument)),
            ];
            if let Some(repeat) = along_axis {
                sentences.push(words.explain_softmax_axis_note(math(i), math(j)));
                sentences.push(words.explain_softmax_repeat_note(
                    math(&repeat.call),
                    math(&repeat.value),
                    math(&repeat.times),
                    math(&repeat.axis),
                ));
            }
            Some(sentences.join("\n"))
        }
        _ => None,
    }
}

struct ScalarLineView {
    lhs: String,
    /// Empty when the chain is the gradient itself (a value the loss uses directly).
    chain: String,
    product: String,
}

#[derive(Template)]
#[template(path = "derive/scalar.txt")]
struct ScalarTextPage<'a> {
    words: Words,
    math: NoteMath,
    loss: &'a str,
    lines: Vec<ScalarLineView>,
    indent: String,
}

#[derive(Template)]
#[template(path = "derive/scalar.md")]
struct ScalarMarkdownPage {
    words: Words,
    math: NoteMath,
    lines: Vec<ScalarLineView>,
}

#[derive(Template)]
#[template(path = "derive/scalar.tex", escape = "none", syntax = "latex")]
struct ScalarLatexPage {
    words: Words,
    math: NoteMath,
    lines: Vec<ScalarLineView>,
}

pub fn render_scalar(derivation: &ScalarDerivation, format: Format, language: Language) -> String {
    let typeset: fn(&Formula) -> String = match format {
        Format::Latex => latex::render,
        Format::Markdown => latex::render_markdown,
        Format::Text | Format::Json => text::render,
    };
    let mut lines: Vec<ScalarLineView> = derivation
        .lines
        .iter()
        .map(|line| {
            let (chain, product) = line.chain_and_product();
            ScalarLineView {
                lhs: typeset(&line.lhs),
                chain: if chain == line.lhs {
                    String::new()
                } else {
                    typeset(&chain)
                },
                product: typeset(&product),
            }
        })
        .collect();
    let loss_formula = crate::notation::from_graph::name_formula(&derivation.loss);
    let math = NoteMath::new(
        &loss_formula,
        &layer(&derivation.placeholders, typeset),
        format,
    );
    let loss = typeset(&loss_formula);
    let loss = loss.as_str();
    let page = match format {
        Format::Text => {
            let width = pad_to_widest(lines.iter_mut().map(|l| &mut l.lhs));
            ScalarTextPage {
                words: language.words(),
                math,
                loss,
                lines,
                indent: " ".repeat(width),
            }
            .render()
        }
        Format::Markdown => ScalarMarkdownPage {
            words: language.words(),
            math,
            lines,
        }
        .render(),
        Format::Latex => ScalarLatexPage {
            words: language.words_in(Markup::Latex),
            math,
            lines,
        }
        .render(),
        Format::Json => return json::derive_scalar(derivation),
    };
    super::with_final_newline(page.unwrap_or_default())
}

/// Pads every text to the widest one's display width (so the `=` signs line up); the width.
fn pad_to_widest<'a>(texts: impl Iterator<Item = &'a mut String>) -> usize {
    let mut texts: Vec<&mut String> = texts.collect();
    let width = texts.iter().map(|t| t.width()).max().unwrap_or(0);
    for text in &mut texts {
        let pad = width.saturating_sub(text.width());
        text.push_str(&" ".repeat(pad));
    }
    width
}
