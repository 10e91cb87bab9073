//! The summary `nabla check` prints for a valid file: what the network is made of, at a glance.

use askama::Template;
use unicode_width::UnicodeWidthStr;

use crate::check::{group_digits, memory};
use crate::exact;
use crate::ir::{DeclKind, Init, Initializer, Model, Optimizer};
use crate::tensor::Tensor;
use crate::words::{Language, Words, phrase};
use num_rational::BigRational;

/// A declared value is shown in full up to this many elements; larger ones by their size.
const SHOWN_ELEMENTS: usize = 8;

#[derive(Template)]
#[template(path = "check/summary.txt")]
struct Summary {
    words: Words,
    file: String,
    rows: Vec<Row>,
    parameter_count: u64,
    parameter_count_text: String,
    parameter_tensors: usize,
    memory_f32: String,
    optimizer: String,
    optimizer_is_default: bool,
    training: Vec<String>,
    /// A step on a batch: the loss's name, and how many examples the file gives (if any).
    batch: Option<(String, Option<usize>)>,
}

struct Section {
    title: String,
    rows: Vec<Row>,
}

struct Row {
    /// The section's title on its first row, blank after.
    label: String,
    name: String,
    shape: String,
    detail: String,
}

/// `file` is the name to show for the source (a path, or `<stdin>`).
pub fn render(model: &Model, source: &str, file: &str, language: Language) -> String {
    let say = |message| language.say(&message);
    let mut sections = Vec::new();
    let mut section = |title: String, rows: Vec<Row>| {
        if !rows.is_empty() {
            sections.push(Section { title, rows });
        }
    };
    section(
        say(phrase::summary_dims()),
        model
            .dims
            .iter()
            .map(|d| Row {
                label: String::new(),
                name: d.name.clone(),
                shape: String::new(),
                detail: format!("= {}", d.value),
            })
            .collect(),
    );
    for (title, kind) in [
        (phrase::summary_inputs(), DeclKind::Input),
        (phrase::summary_targets(), DeclKind::Target),
        (phrase::summary_parameters(), DeclKind::Param),
        (phrase::summary_constants(), DeclKind::Const),
    ] {
        section(
            say(title),
            model
                .declarations_of(kind)
                .map(|d| Row {
                    label: String::new(),
                    name: d.name.clone(),
                    shape: match d.index {
                        Some(n) => format!("index({n})"),
                        None => shape_text(d.shape, language),
                    },
                    detail: match &d.init {
                        None => say(phrase::no_value()),
                        Some(Init::Value(value)) => value_text(value, language),
                        Some(Init::Each(values)) => each_text(values, language),
                        Some(Init::Random(init)) => format!("~ {}", initializer_text(init)),
                    },
                })
                .collect(),
        );
    }
    section(
        say(phrase::summary_values()),
        model
            .intermediates
            .iter()
            .map(|i| Row {
                label: String::new(),
                name: i.name.clone(),
                shape: shape_text(model.graph[i.node].shape, language),
                detail: format!("= {}", one_line(i.definition.text(source))),
            })
            .collect(),
    );
    section(
        say(phrase::summary_loss()),
        vec![Row {
            label: String::new(),
            name: model.loss.name.clone(),
            shape: shape_text(model.graph[model.loss.node].shape, language),
            detail: format!("= {}", one_line(model.loss.definition.text(source))),
        }],
    );
    let rows = align(sections);

    let count = model.parameter_count();
    let t = &model.training;
    let training = [
        t.epochs.map(|n| format!("epochs = {n}")),
        t.batch.map(|n| format!("batch = {n}")),
        t.shuffle.map(|b| format!("shuffle = {b}")),
        t.seed.map(|n| format!("seed = {n}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let summary = Summary {
        words: language.words(),
        file: file.to_string(),
        rows,
        parameter_count: count,
        parameter_count_text: group_digits(count),
        parameter_tensors: model.declarations_of(DeclKind::Param).count(),
        memory_f32: say(memory(count * 4)),
        optimizer: optimizer_text(&model.optimizer),
        optimizer_is_default: !model.optimizer_written,
        training,
        batch: model
            .is_batch()
            .then(|| (model.loss.name.clone(), model.examples())),
    };
    super::with_final_newline(summary.render().unwrap_or_default())
}

/// One row per line, the section titles in the first column, every column padded to line up.
fn align(sections: Vec<Section>) -> Vec<Row> {
    let width = |f: fn(&Row) -> usize| {
        sections
            .iter()
            .flat_map(|s| &s.rows)
            .map(f)
            .max()
            .unwrap_or(0)
    };
    let title = sections.iter().map(|s| s.title.width()).max().unwrap_or(0);
    let name = width(|r| r.name.width());
    let shape = width(|r| r.shape.width());
    // By display width, so that wide characters in names do not push the columns out.
    let pad =
        |text: &str, to: usize| format!("{text}{}", " ".repeat(to.saturating_sub(text.width())));
    let mut rows = Vec::new();
    for section in sections {
        for (i, mut row) in section.rows.into_iter().enumerate() {
            row.label = pad(if i == 0 { section.title.as_str() } else { "" }, title);
            row.name = pad(&row.name, name);
            row.shape = pad(&row.shape, shape);
            rows.push(row);
        }
    }
    rows
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A shape as a declaration writes it, a scalar in words.
fn shape_text(shape: crate::shape::Shape, language: Language) -> String {
    language.say(&phrase::verbatim(shape))
}

fn value_text(value: &Tensor<BigRational>, language: Language) -> String {
    if value.data().len() > SHOWN_ELEMENTS {
        return language.say(&phrase::summary_given_values(value.data().len()));
    }
    let row = |xs: &[BigRational]| {
        let items: Vec<String> = xs.iter().map(exact::display).collect();
        format!("[{}]", items.join(", "))
    };
    match value.shape() {
        crate::shape::Shape::Scalar => {
            // A number too long to print exactly comes rounded, already marked `≈`.
            let shown = exact::display(&value.data()[0]);
            if shown.starts_with('≈') {
                shown
            } else {
                format!("= {shown}")
            }
        }
        crate::shape::Shape::Vector(_) => format!("= {}", row(value.data())),
        crate::shape::Shape::Matrix(..) => {
            let rows: Vec<String> = value.rows().map(row).collect();
            format!("= [{}]", rows.join(", "))
        }
        crate::shape::Shape::Tensor3(..) | crate::shape::Shape::Tensor4(..) => {
            let nested = value.nest(exact::display, |xs| format!("[{}]", xs.join(", ")));
            format!("= {}", nested.unwrap_or_default())
        }
    }
}

/// The values of the examples of a batch, `= each [1, 0, 1]`, or how many there are.
fn each_text(values: &[Tensor<BigRational>], language: Language) -> String {
    let elements: usize = values.iter().map(|v| v.data().len()).sum();
    if elements > SHOWN_ELEMENTS {
        return language.say(&phrase::summary_each_of(values.len()));
    }
    let items: Vec<String> = values
        .iter()
        .map(|v| {
            let text = value_text(v, language);
            text.strip_prefix("= ").map_or(text.clone(), str::to_string)
        })
        .collect();
    format!("= each [{}]", items.join(", "))
}

pub fn initializer_text(init: &Initializer) -> String {
    init.to_string()
}

pub fn optimizer_text(optimizer: &Optimizer) -> String {
    match optimizer {
        Optimizer::Sgd { lr, momentum } if num_traits::Zero::is_zero(momentum) => {
            format!("sgd(lr = {})", exact::display(lr))
        }
        Optimizer::Sgd { lr, momentum } => format!(
            "sgd(lr = {}, momentum = {})",
            exact::display(lr),
            exact::display(momentum)
        ),
        Optimizer::Adam {
            lr,
            beta1,
            beta2,
            eps,
        } => format!(
            "adam(lr = {}, beta1 = {}, beta2 = {}, eps = {})",
            exact::display(lr),
            exact::display(beta1),
            exact::display(beta2),
            exact::display(eps)
        ),
    }
}
