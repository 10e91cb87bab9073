//! Rendering the project's files from the askama templates under `templates/trainer/`.
//!
//! The templates hold the program's fixed code and all its prose; this module computes the
//! values they show (names, defaults, optimizer settings, which kernels exist) and nothing
//! else. Rust code templates are named `*.rs.txt`, so askama escapes nothing; askama drops a
//! template's final newline, so every file gets exactly one back here.

use std::collections::BTreeSet;

use askama::Template;

use super::emit::ModelCode;
use super::expr::float_literal;
use super::plan::Plan;
use super::task::Task;
use super::units::UnitCut;
use super::{File, Options};
use crate::ir::{DeclKind, Init, Initializer, Model, Optimizer};
use crate::shape::Shape;

/// What the templates show.
pub struct Context {
    pub package: String,
    /// The `.nabla` file's name.
    pub source: String,
    /// `f32` or `f64`.
    pub real: &'static str,
    pub classifier: bool,
    pub classes: Option<usize>,
    pub predict_needs_targets: bool,
    pub adam: bool,
    pub momentum: bool,
    pub momentum_text: String,
    pub beta1: String,
    pub beta2: String,
    pub eps: String,
    /// The learning rate as a float literal.
    pub lr: String,
    pub optimizer_text: String,
    pub epochs: u64,
    pub batch: u64,
    pub shuffle: bool,
    pub seed: u64,
    /// Whether any starting value is drawn: uniform numbers are needed.
    pub random_init: bool,
    pub uniform_fill: bool,
    pub normal_init: bool,
    pub columns_text: String,
    /// What a class column holds, as a Rust string literal: `"the class of y"`.
    pub class_column: String,
    pub weights_list: String,
    pub kernels: BTreeSet<&'static str>,
    /// `LARGE_NETWORK`, for the trainer's `SHARED_UPDATE`.
    pub large_network: usize,
    /// The same for people: `65,536`.
    pub large_network_text: String,
    /// How a step is cut by units, when it is (`units.rs` and `half.rs`).
    pub cut: Option<CutText>,
}

/// What `units.rs` shows of a step cut by units.
pub struct CutText {
    /// The units cut in two, and each thread's.
    pub units: usize,
    pub half: usize,
    /// For each parameter, the axis cut: `[Some(0), Some(0), Some(1), None]`.
    pub axes: String,
    pub params: usize,
    /// Elements of one row of the swapped product.
    pub swapped: usize,
    /// The swapped product, as the comments write it: `W2 h`.
    pub swapped_text: String,
}

impl Context {
    /// Whether the model calls the kernel `name` (askama: `c.uses("matvec")`).
    pub fn uses(&self, name: &str) -> bool {
        self.kernels.contains(name)
    }

    /// Whether the model calls a kernel of the batch, in register tiles (`c.batched()`).
    pub fn batched(&self) -> bool {
        ["matvec_rows", "matvec_transposed_rows", "outer_add_rows"]
            .iter()
            .any(|k| self.kernels.contains(k))
    }
}

/// Epochs of a file without `train(epochs = …)`.
pub const DEFAULT_EPOCHS: u64 = 100;
/// Batch size of a file without `train(batch = …)`.
pub const DEFAULT_BATCH: u64 = 32;

#[derive(Template)]
#[template(path = "trainer/Cargo.toml.txt")]
struct CargoToml<'a> {
    c: &'a Context,
}

#[derive(Template)]
#[template(path = "trainer/README.md.txt")]
struct Readme<'a> {
    c: &'a Context,
}

#[derive(Template)]
#[template(path = "trainer/gitignore.txt")]
struct GitIgnore;

#[derive(Template)]
#[template(path = "trainer/src/main.rs.txt")]
struct Main<'a> {
    c: &'a Context,
}

#[derive(Template)]
#[template(path = "trainer/src/model.rs.txt")]
struct ModelRs<'a> {
    c: &'a Context,
    m: &'a ModelCode,
    /// For `half.rs`, the model of one thread of a step cut by units: the cut.
    half: Option<&'a CutText>,
}

#[derive(Template)]
#[template(path = "trainer/src/units.rs.txt")]
struct Units<'a> {
    c: &'a Context,
    cut: &'a CutText,
}

#[derive(Template)]
#[template(path = "trainer/src/kernels.rs.txt")]
struct Kernels<'a> {
    c: &'a Context,
}

#[derive(Template)]
#[template(path = "trainer/src/data.rs.txt")]
struct Data<'a> {
    c: &'a Context,
}

#[derive(Template)]
#[template(path = "trainer/src/weights.rs.txt")]
struct Weights<'a> {
    c: &'a Context,
}

#[derive(Template)]
#[template(path = "trainer/src/optim.rs.txt")]
struct Optim<'a> {
    c: &'a Context,
}

#[derive(Template)]
#[template(path = "trainer/src/rng.rs.txt")]
struct Rng<'a> {
    c: &'a Context,
}

#[derive(Template)]
#[template(path = "trainer/src/train.rs.txt")]
struct Train<'a> {
    c: &'a Context,
}

#[derive(Template)]
#[template(path = "trainer/src/checkpoint.rs.txt")]
struct Checkpoint<'a> {
    c: &'a Context,
}

#[derive(Template)]
#[template(path = "trainer/src/progress.rs.txt")]
struct Progress<'a> {
    c: &'a Context,
}

pub fn render(
    model: &Model,
    (plan, code): (&Plan, &ModelCode),
    task: &Task,
    cut: Option<&(UnitCut, ModelCode)>,
    options: &Options,
) -> Vec<File> {
    let mut c = context(model, plan, task, code, options);
    if let Some((cut, half)) = cut {
        c.kernels.extend(half.kernels.iter().copied());
        c.cut = Some(cut_text(model, plan, cut));
    }
    let c = c;
    let mut files: Vec<(&str, Result<String, askama::Error>)> = vec![
        ("Cargo.toml", CargoToml { c: &c }.render()),
        ("README.md", Readme { c: &c }.render()),
        (".gitignore", GitIgnore.render()),
        ("src/main.rs", Main { c: &c }.render()),
        (
            "src/model.rs",
            ModelRs {
                c: &c,
                m: code,
                half: None,
            }
            .render(),
        ),
        ("src/kernels.rs", Kernels { c: &c }.render()),
        ("src/data.rs", Data { c: &c }.render()),
        ("src/weights.rs", Weights { c: &c }.render()),
        ("src/optim.rs", Optim { c: &c }.render()),
        ("src/rng.rs", Rng { c: &c }.render()),
        ("src/train.rs", Train { c: &c }.render()),
        ("src/checkpoint.rs", Checkpoint { c: &c }.render()),
        ("src/progress.rs", Progress { c: &c }.render()),
    ];
    if let (Some((_, half)), Some(text)) = (cut, &c.cut) {
        files.push((
            "src/half.rs",
            ModelRs {
                c: &c,
                m: half,
                half: Some(text),
            }
            .render(),
        ));
        files.push(("src/units.rs", Units { c: &c, cut: text }.render()));
    }
    files
        .into_iter()
        .map(|(path, rendered)| {
            // Rendering a template to a string only fails if a value's Display fails, and
            // every value here is a plain string or number.
            let mut contents = rendered.unwrap_or_else(|e| format!("// askama: {e}"));
            contents.truncate(contents.trim_end().len());
            contents.push('\n');
            File {
                path: path.to_string(),
                contents,
            }
        })
        .collect()
}

fn context(
    model: &Model,
    plan: &Plan,
    task: &Task,
    code: &ModelCode,
    options: &Options,
) -> Context {
    let dtype = options.dtype;
    let literal = |x: &num_rational::BigRational| float_literal(crate::exact::to_f64(x), dtype);
    let (adam, momentum_value, beta1, beta2, eps) = match &model.optimizer {
        Optimizer::Sgd { momentum, .. } => (
            false,
            momentum.clone(),
            String::new(),
            String::new(),
            String::new(),
        ),
        Optimizer::Adam {
            beta1, beta2, eps, ..
        } => (
            true,
            num_traits::Zero::zero(),
            literal(beta1),
            literal(beta2),
            literal(eps),
        ),
    };
    let momentum = !num_traits::Zero::is_zero(&momentum_value);
    let random: Vec<&Initializer> = model
        .declarations_of(DeclKind::Param)
        .filter_map(|d| match &d.init {
            Some(Init::Random(i)) => Some(i),
            _ => None,
        })
        .collect();
    let uniform_fill = random
        .iter()
        .any(|i| matches!(i, Initializer::Uniform { .. } | Initializer::Xavier));
    let normal_init = random
        .iter()
        .any(|i| matches!(i, Initializer::Normal { .. } | Initializer::He));
    let training = &model.training;
    Context {
        package: options.package.clone(),
        source: options.source.clone(),
        real: dtype.rust(),
        classifier: task.classifier.is_some(),
        classes: task.classes,
        predict_needs_targets: plan.output_needs_targets(),
        adam,
        momentum,
        momentum_text: literal(&momentum_value),
        beta1,
        beta2,
        eps,
        lr: literal(model.optimizer.learning_rate()),
        optimizer_text: crate::render::summary::optimizer_text(&model.optimizer),
        epochs: training.epochs.unwrap_or(DEFAULT_EPOCHS),
        batch: training.batch.unwrap_or(DEFAULT_BATCH),
        shuffle: training.shuffle.unwrap_or(true),
        seed: training.seed.unwrap_or(0),
        random_init: uniform_fill || normal_init,
        uniform_fill,
        normal_init,
        columns_text: columns_text(model, task),
        class_column: format!(
            "{:?}",
            match model.declarations_of(DeclKind::Target).next() {
                Some(target) => format!("the class of {}", target.name),
                None => "the class".to_string(),
            }
        ),
        weights_list: weights_list(model),
        kernels: code.kernels.clone(),
        large_network: super::LARGE_NETWORK,
        large_network_text: crate::check::group_digits(super::LARGE_NETWORK as u64),
        cut: None,
    }
}

fn cut_text(model: &Model, plan: &Plan, cut: &UnitCut) -> CutText {
    let axes: Vec<String> = model
        .declarations
        .iter()
        .zip(&cut.axes)
        .filter(|(d, _)| d.kind == DeclKind::Param)
        .map(|(_, axis)| match axis {
            Some(axis) => format!("Some({axis})"),
            None => "None".to_string(),
        })
        .collect();
    let exchange = &plan.graph()[cut.exchange];
    CutText {
        units: cut.units,
        half: cut.units / super::units::THREADS,
        params: axes.len(),
        axes: format!("[{}]", axes.join(", ")),
        swapped: exchange.shape.size(),
        swapped_text: crate::render::math::text::render(&crate::notation::from_graph::formula(
            plan.graph(),
            &plan.names,
            cut.exchange,
        )),
    }
}

/// "the 2 columns of input `x`, then the 1 column of target `y`".
fn columns_text(model: &Model, task: &Task) -> String {
    let mut parts = Vec::new();
    for kind in [DeclKind::Input, DeclKind::Target] {
        for d in model.declarations_of(kind) {
            let n = d.shape.size();
            let kind = if kind == DeclKind::Input {
                "input"
            } else {
                "target"
            };
            let columns = if n == 1 { "column" } else { "columns" };
            let order = if matches!(d.shape, Shape::Matrix(..)) {
                " (row by row)"
            } else {
                ""
            };
            parts.push(format!("the {n} {columns} of {kind} `{}`{order}", d.name));
        }
    }
    let _ = task;
    parts.join(", then ")
}

/// A Markdown list of the weights file's keys and what each holds.
fn weights_list(model: &Model) -> String {
    model
        .declarations_of(DeclKind::Param)
        .map(|d| {
            let numbers = |n: usize| match n {
                1 => "1 number".to_string(),
                n => format!("{n} numbers"),
            };
            let holds = match d.shape {
                Shape::Scalar => "a number".to_string(),
                Shape::Vector(n) => format!("an array of {}", numbers(n)),
                Shape::Matrix(1, n) => format!("an array of 1 row, an array of {}", numbers(n)),
                Shape::Matrix(m, n) => {
                    format!("an array of {m} rows, each an array of {}", numbers(n))
                }
            };
            format!("- `\"{}\"`: {holds}", d.name)
        })
        .collect::<Vec<_>>()
        .join("\n")
}
