//! Rendering the project's files from the askama templates under `templates/trainer/`.
//!
//! The templates hold the program's fixed code; its prose is in the catalogues
//! (`locales/*/trainer.ftl`): said here for the README and `--help` (`c.w`), written into the
//! project's `src/words.rs` for what the program says as it runs ([`super::words`]). This
//! module computes the values they show (names, defaults, optimizer settings, which kernels
//! exist) and nothing else. Rust code templates are named `*.rs.txt`, so askama escapes nothing; askama drops a
//! template's final newline, so every file gets exactly one back here.

use std::collections::BTreeSet;

use askama::Template;

use super::emit::{Facts, ModelCode, called_kernels};
use super::expr::float_literal;
use super::plan::Plan;
use super::task::Task;
use super::units::UnitCut;
use super::{File, Options};
use crate::ir::{DeclKind, Init, Initializer, Model, Optimizer};
use crate::shape::Shape;
use crate::words::{Message, Words, phrase};

/// What the templates show.
pub struct Context {
    /// The words of the trainer's language, for its README and `--help`.
    pub w: Words,
    pub package: String,
    /// The `.nabla` file's name.
    pub source: String,
    /// `f32` or `f64`.
    pub real: &'static str,
    pub classifier: bool,
    pub classes: Option<usize>,
    /// The class column holds the target itself, a class number (not a one-hot vector).
    pub class_index: bool,
    /// Some columns hold indices, which the reader checks.
    pub index_columns: bool,
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
    /// Whether a parameter has three or four dimensions (kernels of a convolution): weights
    /// files nest them deeper than matrices.
    pub tensor_params: bool,
    /// Whether any starting value is drawn: uniform numbers are needed.
    pub random_init: bool,
    pub uniform_fill: bool,
    pub normal_init: bool,
    pub columns_text: String,
    /// What a class column holds, as a Rust string literal: `"the class of y"`.
    pub class_column: String,
    pub weights_list: String,
    /// The weights file's names of the running averages of the batch statistics, quoted and
    /// listed: `` `"running mu"`, `"running var"` ``.
    pub running_names: String,
    pub kernels: BTreeSet<&'static str>,
    /// `LARGE_NETWORK`, for the trainer's `SHARED_UPDATE`.
    pub large_network: usize,
    /// The same for people: `65,536`.
    pub large_network_text: String,
    /// How a step is cut by units, when it is (`units.rs` and `half.rs`).
    pub cut: Option<CutText>,
    /// What the files need to know of `model.rs`, and of `half.rs` when there is one.
    pub model: Facts,
    pub half: Option<Facts>,
    /// Whether the steps are shared among threads (`threads.rs`): a large network's, whose
    /// step sums its gradients by rows and computes products with inputs ahead.
    pub threads: bool,
    /// Whether a step with enough work is cut into parts of its rows, each on a thread of its
    /// own (`train.rs`'s `step_in_parts`): a convolutional network's (whose steps are not
    /// shared by `threads.rs` or cut by units), unless it has batch statistics.
    pub parts: bool,
    /// Whether `Forward::new` and `Backward::new` (of `model.rs`, of `half.rs`) take the room
    /// for rows; whether `half.rs` has a `Backward`.
    pub forward_capacity: bool,
    pub backward_capacity: bool,
    pub half_forward_capacity: bool,
    pub half_backward_capacity: bool,
    pub half_backward: bool,
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
    /// The arguments of a call of `function` of `model.rs`, from `candidates`, the call's
    /// expressions for every parameter the function may take (`"p: &params; e: &batch; …"`):
    /// those it takes, in its order. A model's functions take only what they read.
    pub fn args(&self, function: &str, candidates: &str) -> String {
        call_arguments(&self.model, function, candidates)
    }

    /// The statement `{head}{callee}({args}){tail}` at `indent`, its arguments chosen as by
    /// [`Context::args`] for `function`, laid out as rustfmt lays it out.
    pub fn call(
        &self,
        indent: usize,
        head: &str,
        callee: &str,
        function: &str,
        candidates: &str,
        tail: &str,
    ) -> String {
        let args: Vec<String> = self
            .args(function, candidates)
            .split(", ")
            .map(String::from)
            .collect();
        let text = super::layout::call(indent, head, callee, &args, tail);
        text.trim_start().to_string()
    }

    /// The rows an epoch trains on: every row of the data, but for one left over by the
    /// batches in a network with batch statistics (`trained` in `train.rs`).
    pub fn trained_rows(&self) -> &'static str {
        if self.model.statistics {
            "trained"
        } else {
            "data.rows"
        }
    }

    /// The variable of a loop over the rows of a batch that reads the output: `r`, or `_` when
    /// the output is the same for every row (then `output` takes no row).
    pub fn row(&self) -> &'static str {
        if self.args("output", "f: f; r: r").ends_with('r') {
            "r"
        } else {
            "_"
        }
    }

    /// The same for a function of `half.rs`.
    pub fn half_args(&self, function: &str, candidates: &str) -> String {
        match &self.half {
            Some(half) => call_arguments(half, function, candidates),
            None => String::new(),
        }
    }

    /// Where element `position` of parameter `index` (the file's layout) is in `model.rs`'s
    /// field: `crate::model::stored_at(index, position)`, or the same place when no parameter
    /// is stored transposed.
    pub fn stored_at(&self, index: &str, position: &str) -> String {
        if self.model.stored_transposed {
            format!("crate::model::stored_at({index}, {position})")
        } else {
            position.to_string()
        }
    }

    /// The same for `half.rs`.
    pub fn half_stored_at(&self, index: &str, position: &str) -> String {
        match &self.half {
            Some(half) if half.stored_transposed => {
                format!("crate::half::stored_at({index}, {position})")
            }
            _ => position.to_string(),
        }
    }

    /// A line of `--help` inside a Rust string literal: `option` and its description, which
    /// starts at the 23rd column, as each of its lines does.
    pub fn usage_line(&self, option: &str, description: impl AsRef<str>) -> String {
        let mut lines = description.as_ref().lines();
        let mut out = format!("  {option:<20}{}", lines.next().unwrap_or_default());
        for line in lines {
            out.push('\n');
            out.push_str(&" ".repeat(22));
            out.push_str(line);
        }
        self.escaped(&out)
    }

    /// `text` inside a Rust string literal.
    pub fn escaped(&self, text: impl AsRef<str>) -> String {
        text.as_ref().replace('\\', "\\\\").replace('"', "\\\"")
    }

    /// Whether the model calls the kernel `name` (askama: `c.uses("matvec")`).
    pub fn uses(&self, name: &str) -> bool {
        self.kernels.contains(name)
    }

    /// Whether the model calls a kernel in register tiles (`c.tiled()`): one of the batch, or a
    /// convolution of stride 1.
    pub fn tiled(&self) -> bool {
        [
            "matvec_rows",
            "matvec_transposed_rows",
            "outer_add_rows",
            "conv2d",
            "conv2d_input",
            "conv2d_kernel_add",
            "conv2d_kernel_add_filters",
            "conv2d_kernel_add_columns",
        ]
        .iter()
        .any(|k| self.kernels.contains(k))
    }
}

/// The arguments of a call of `function` (of a model whose facts are `facts`) chosen from
/// `candidates`, `name: expression` pairs separated by `;`.
fn call_arguments(facts: &Facts, function: &str, candidates: &str) -> String {
    let taken = facts
        .calls
        .iter()
        .find(|(name, _)| *name == function)
        .map(|(_, params)| params.as_slice())
        .unwrap_or_default();
    let given: Vec<(&str, &str)> = candidates
        .split(';')
        .filter_map(|pair| pair.split_once(':'))
        .map(|(name, expression)| (name.trim(), expression.trim()))
        .collect();
    taken
        .iter()
        .filter_map(|param| given.iter().find(|(name, _)| name == param))
        .map(|(_, expression)| *expression)
        .collect::<Vec<_>>()
        .join(", ")
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

/// The f32 trainers' number writer: plain Rust, the same for every network.
const SHORTEST: &str = include_str!("../../templates/trainer/src/shortest.rs.txt");

#[derive(Template)]
#[template(path = "trainer/src/main.rs.txt")]
struct Main<'a> {
    c: &'a Context,
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
#[template(path = "trainer/src/threads.rs.txt")]
struct Threads<'a> {
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
        c.cut = Some(cut_text(model, plan, cut));
        c.parts = false;
        c.half_forward_capacity = half.facts.forward_capacity;
        c.half_backward_capacity = half.facts.backward_capacity;
        c.half_backward = half.facts.backward;
        c.half = Some(half.facts.clone());
    }
    let mut files: Vec<(&str, Result<String, askama::Error>)> = vec![
        ("Cargo.toml", CargoToml { c: &c }.render()),
        ("README.md", Readme { c: &c }.render()),
        (".gitignore", GitIgnore.render()),
        ("src/main.rs", Main { c: &c }.render()),
        ("src/model.rs", Ok(code.text.clone())),
        ("src/data.rs", Data { c: &c }.render()),
        ("src/weights.rs", Weights { c: &c }.render()),
        ("src/optim.rs", Optim { c: &c }.render()),
        ("src/rng.rs", Rng { c: &c }.render()),
        ("src/train.rs", Train { c: &c }.render()),
        ("src/checkpoint.rs", Checkpoint { c: &c }.render()),
        ("src/progress.rs", Progress { c: &c }.render()),
    ];
    if c.real == "f32" {
        files.push(("src/shortest.rs", Ok(SHORTEST.to_string())));
    }
    if c.threads {
        files.push(("src/threads.rs", Threads { c: &c }.render()));
    }
    if let (Some((_, half)), Some(text)) = (cut, &c.cut) {
        files.push(("src/half.rs", Ok(half.text.clone())));
        files.push(("src/units.rs", Units { c: &c, cut: text }.render()));
    }
    // The kernels are those the other files call.
    for (_, text) in &files {
        if let Ok(text) = text {
            c.kernels.extend(called_kernels(text));
        }
    }
    files.push(("src/kernels.rs", Kernels { c: &c }.render()));
    // The words are those the other files say; a phrase missing from the catalogues stops the
    // project's build with the reason (tests build every template's calls).
    let mut said = std::collections::BTreeSet::new();
    for (_, text) in &files {
        if let Ok(text) = text {
            said.extend(super::words::called(text));
        }
    }
    let words = super::words::module(options.language, &said)
        .unwrap_or_else(|problem| format!("compile_error!({problem:?});"));
    files.push(("src/words.rs", Ok(words)));
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
    // A large network's steps are shared by `threads.rs`; a convolutional one's are cut into parts.
    let threads = code.facts.row_products && code.facts.input_products;
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
    let w = options.language.words();
    Context {
        w,
        package: options.package.clone(),
        source: options.source.clone(),
        real: dtype.rust(),
        classifier: task.classifier.is_some(),
        classes: task.classes,
        class_index: task.index_target,
        index_columns: !task.index_columns.is_empty(),
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
        tensor_params: model
            .declarations_of(DeclKind::Param)
            .any(|d| d.shape.rank() > 2),
        random_init: uniform_fill || normal_init,
        uniform_fill,
        normal_init,
        columns_text: columns_text(model)
            .map(|text| w.say(&text))
            .unwrap_or_default(),
        class_column: format!(
            "{:?}",
            w.say(&match model.declarations_of(DeclKind::Target).next() {
                Some(target) => phrase::trainer_usage_class_of(&target.name),
                None => phrase::trainer_usage_class(),
            })
        ),
        weights_list: weights_list(model, w),
        running_names: plan
            .statistics
            .iter()
            .map(|s| format!("`\"{}\"`", s.name))
            .collect::<Vec<_>>()
            .join(", "),
        kernels: code.kernels.clone(),
        large_network: super::LARGE_NETWORK,
        large_network_text: crate::check::group_digits(super::LARGE_NETWORK as u64),
        cut: None,
        model: code.facts.clone(),
        half: None,
        threads,
        parts: !threads
            && code.facts.backward
            && !code.facts.statistics
            && ["conv2d", "conv2d_strided"]
                .iter()
                .any(|k| code.kernels.contains(k)),
        forward_capacity: code.facts.forward_capacity,
        backward_capacity: code.facts.backward_capacity,
        half_forward_capacity: false,
        half_backward_capacity: false,
        half_backward: false,
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
fn columns_text(model: &Model) -> Option<Message> {
    let mut parts = Vec::new();
    for kind in [DeclKind::Input, DeclKind::Target] {
        for d in model.declarations_of(kind) {
            let n = d.shape.size();
            let part = if kind == DeclKind::Input {
                phrase::trainer_readme_input_columns(n, &d.name)
            } else {
                phrase::trainer_readme_target_columns(n, &d.name)
            };
            parts.push(if matches!(d.shape, Shape::Matrix(..)) {
                phrase::trainer_readme_row_by_row(part)
            } else {
                part
            });
        }
    }
    let mut parts = parts.into_iter();
    let mut text = parts.next()?;
    for next in parts {
        text = phrase::trainer_readme_then(text, next);
    }
    Some(text)
}

/// A Markdown list of the weights file's keys and what each holds.
fn weights_list(model: &Model, w: Words) -> String {
    model
        .declarations_of(DeclKind::Param)
        .map(|d| {
            let holds = match d.shape {
                Shape::Scalar => phrase::trainer_readme_holds_number(),
                Shape::Vector(n) => phrase::trainer_readme_holds_vector(n),
                Shape::Matrix(1, n) => phrase::trainer_readme_holds_row(n),
                Shape::Matrix(m, n) => phrase::trainer_readme_holds_matrix(m, n),
                shape => phrase::trainer_readme_holds_tensor(shape.to_string(), shape.size()),
            };
            format!("- `\"{}\"`: {}", d.name, w.say(&holds))
        })
        .collect::<Vec<_>>()
        .join("\n")
}
