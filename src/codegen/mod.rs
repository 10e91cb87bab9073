//! `nabla gen`: a checked model becomes a standalone Cargo project that trains exactly that
//! network, with no dependencies.
//!
//! The stages, one per file: [`task`] decides what the trainer does with the model (data
//! columns, the prediction, classifier or not); [`plan`] decides which nodes of the gradient
//! graph are computed where, stored how and named what; [`expr`] and [`emit`] write the Rust
//! code of the passes, under comments holding each statement's formula in the notation of
//! `nabla derive`, laid out as rustfmt would ([`layout`]) with safe names ([`names`]);
//! [`project`] renders every file of the project from the askama templates under
//! `templates/trainer/`.
//!
//! Architecture invariant: generation is a pure function of the model and the options. It does
//! no I/O (the CLI writes the files) and its output holds no time, path or machine detail, so
//! the same file always gives the same project.

/// Networks with at least this many parameters train with the machinery of large steps: the
/// threads share each step's update, the step sums gradients that are products of rows itself
/// and computes the next batch's products with inputs as it updates. A smaller network's step
/// (a microsecond for XOR) is too short for it to pay: its gradients are summed in the backward
/// pass, and one thread takes the step.
pub const LARGE_NETWORK: usize = 65_536;

pub mod emit;
pub mod expr;
pub mod families;
pub mod layout;
pub mod limits;
pub mod names;
pub mod plan;
pub mod project;
pub mod pytorch;
pub mod task;
pub mod units;
pub mod words;

use crate::words::{Language, Message, phrase};
use num_rational::BigRational;

use crate::ir::{DeclKind, Init, Initializer, Model, Op, Optimizer};

/// The number type of the generated trainer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    F32,
    F64,
}

impl Dtype {
    /// The Rust type.
    pub fn rust(self) -> &'static str {
        match self {
            Dtype::F32 => "f32",
            Dtype::F64 => "f64",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    pub dtype: Dtype,
    /// The Cargo package name, already made valid by [`names::package_name`].
    pub package: String,
    /// How the project names the `.nabla` file: its file name, without directories.
    pub source: String,
    /// The language of everything the trainer says: its README, `--help`, progress, results
    /// and errors (fixed here, at generation time).
    pub language: Language,
}

/// One file of the generated project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Relative to the project's directory, with `/`.
    pub path: String,
    pub contents: String,
}

/// Why a model cannot become a trainer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GenError {
    /// Nothing to train.
    NoParameters,
    /// The loss depends on no parameter (every gradient is exactly 0): training changes nothing.
    LossIgnoresParameters,
    /// Neither inputs nor targets: a data row would have no columns.
    NoColumns,
    /// An exact number of the file that the trainer's float type cannot hold.
    TooLarge { what: Message },
    /// The network uses something generated trainers do not compute yet.
    Unsupported { what: Message },
    /// Differentiation failed: a bug, never the user's.
    Internal(String),
}

impl GenError {
    /// Why, to say in the user's language.
    pub fn message(&self) -> Message {
        match self {
            GenError::NoParameters => phrase::gen_no_parameters(),
            GenError::LossIgnoresParameters => phrase::gen_loss_ignores_parameters(),
            GenError::NoColumns => phrase::gen_no_columns(),
            GenError::TooLarge { what } => what.clone(),
            GenError::Unsupported { what } => phrase::gen_unsupported(what.clone()),
            GenError::Internal(message) => phrase::internal_differentiating(message),
        }
    }
}

/// In English, for tests and fuzzing.
impl std::fmt::Display for GenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message().english())
    }
}

/// Every file of the trainer project for `model`.
pub fn generate(model: &Model, options: &Options) -> Result<Vec<File>, GenError> {
    let task = checked(model, options.dtype)?;
    // The Rust trainer's refusal only: the PyTorch target computes tensors.
    let wrt = crate::autodiff::default_wrt(model);
    let (plan, derivation) = whole_plan(model, &task, options.dtype)?;
    let cut = units::find(model, &plan.gradient, task.output, options.dtype)
        .and_then(|cut| half_code(model, &cut, &wrt, &task, options));
    check_literals(&plan)?;
    let code = emit::emit(
        (model, &plan, &task),
        &derivation,
        emit::Role::Whole,
        &options.source,
    );
    Ok(project::render(
        model,
        (&plan, &code),
        &task,
        cut.as_ref(),
        options,
    ))
}

/// What every target refuses before generating; else what the trainer does with the model.
pub(crate) fn checked(model: &Model, dtype: Dtype) -> Result<task::Task, GenError> {
    if model.declarations_of(DeclKind::Param).next().is_none() {
        return Err(GenError::NoParameters);
    }
    limits::check_size(model)?;
    let task = task::task(model);
    if task.columns.is_empty() {
        return Err(GenError::NoColumns);
    }
    check_range(model, dtype)?;
    limits::check_rounding(model, dtype)?;
    Ok(task)
}

/// The plan of the whole network's step, from each example's gradient (a trainer averages
/// them over its batches itself), and the derivation its comments quote.
pub(crate) fn whole_plan(
    model: &Model,
    task: &task::Task,
    dtype: Dtype,
) -> Result<(plan::Plan, crate::explain::gradients::GradientDerivation), GenError> {
    let wrt = crate::autodiff::default_wrt(model);
    let mut gradient =
        crate::autodiff::differentiate_for(model, &wrt, crate::autodiff::Objective::Example)
            .map_err(|e| GenError::Internal(format!("{e:?}")))?;
    summed_by_rows(&mut gradient).map_err(|e| GenError::Internal(format!("{e:?}")))?;
    if gradient
        .wrt
        .iter()
        .all(|&(_, node)| plan::is_zero(&gradient.graph, node))
    {
        return Err(GenError::LossIgnoresParameters);
    }
    let derivation = crate::explain::gradients::derive(model, &gradient);
    let plan = plan::plan(model, gradient, &derivation, (task.output, None), dtype);
    Ok((plan, derivation))
}

/// A step cut by units: the cut, and the code of the model one thread computes (see
/// [`units`]). `None` when the swapped product turns out to have no buffer to swap in.
fn half_code(
    model: &Model,
    cut: &units::UnitCut,
    wrt: &[crate::ir::DeclId],
    task: &task::Task,
    options: &Options,
) -> Option<(units::UnitCut, emit::ModelCode)> {
    let half = units::half_model(model, cut)?;
    let gradient =
        crate::autodiff::differentiate_for(&half, wrt, crate::autodiff::Objective::Example).ok()?;
    let derivation = crate::explain::gradients::derive(&half, &gradient);
    let output = (task.output, Some(cut.exchange));
    let plan = plan::plan(&half, gradient, &derivation, output, options.dtype);
    if !matches!(plan.storage[cut.exchange.index()], plan::Storage::Buffer(_)) {
        return None;
    }
    let code = emit::emit(
        (&half, &plan, task),
        &derivation,
        emit::Role::Half,
        &options.source,
    );
    Some((cut.clone(), code))
}

/// Whether an exact value survives the trip to the trainer's float type.
fn fits(value: &BigRational, dtype: Dtype) -> bool {
    let x = crate::exact::to_f64(value);
    match dtype {
        Dtype::F64 => x.is_finite(),
        Dtype::F32 => (x as f32).is_finite(),
    }
}

fn too_large(what: Message, dtype: Dtype) -> GenError {
    GenError::TooLarge {
        what: phrase::gen_too_large_for(what, dtype.rust()),
    }
}

/// Refuses declared values and settings the float type cannot hold.
fn check_range(model: &Model, dtype: Dtype) -> Result<(), GenError> {
    for d in &model.declarations {
        let (fine, what) = match &d.init {
            Some(Init::Value(value)) if d.kind == DeclKind::Param || d.kind == DeclKind::Const => {
                let what = phrase::gen_the_value_of(&d.name);
                (value.data().iter().all(|x| fits(x, dtype)), Some(what))
            }
            Some(Init::Random(Initializer::Uniform { low, high })) => (
                fits(low, dtype) && fits(high, dtype) && fits(&(high - low), Dtype::F64),
                Some(phrase::gen_the_range_of(&d.name)),
            ),
            Some(Init::Random(Initializer::Normal { mean, std })) => (
                fits(mean, dtype) && fits(std, dtype),
                Some(phrase::gen_the_distribution_of(&d.name)),
            ),
            _ => (true, None),
        };
        if let (false, Some(what)) = (fine, what) {
            return Err(too_large(what, dtype));
        }
    }
    let settings: Vec<&BigRational> = match &model.optimizer {
        Optimizer::Sgd { lr, momentum } => vec![lr, momentum],
        Optimizer::Adam {
            lr,
            beta1,
            beta2,
            eps,
        } => vec![lr, beta1, beta2, eps],
    };
    if !settings.iter().all(|x| fits(x, dtype)) {
        return Err(too_large(phrase::gen_an_optimizer_setting(), dtype));
    }
    Ok(())
}

/// The parameters' gradients as the trainer's step sums them: row by row, the optimizer
/// dividing the sum by the number of rows. Where batch statistics couple the examples, the
/// batch's gradient of a parameter is a mean over the batch, `batch_mean(c)`: the step sums each
/// row's `c` instead, which is that mean once divided, computed in the same order.
fn summed_by_rows(gradient: &mut crate::autodiff::Gradient) -> Result<(), crate::ir::ShapeError> {
    use crate::ir::{Binary, NodeId, Unary};
    fn per_row(
        graph: &mut crate::ir::Graph,
        node: NodeId,
    ) -> Result<NodeId, crate::ir::ShapeError> {
        match graph[node].op {
            Op::Unary(Unary::BatchMean, c) => Ok(c),
            Op::Binary(Binary::Add, a, b) => {
                let (a2, b2) = (per_row(graph, a)?, per_row(graph, b)?);
                if (a2, b2) == (a, b) {
                    return Ok(node);
                }
                let span = graph[node].span;
                graph.add(Op::Binary(Binary::Add, a2, b2), span)
            }
            // A shared part is added by every row, and so divided back to itself.
            _ => Ok(node),
        }
    }
    if !gradient.batch {
        return Ok(());
    }
    for index in 0..gradient.wrt.len() {
        let node = gradient.wrt[index].1;
        gradient.wrt[index].1 = per_row(&mut gradient.graph, node)?;
    }
    Ok(())
}

/// Refuses constants of the computation (literals, exponents) the float type cannot hold.
fn check_literals(plan: &plan::Plan) -> Result<(), GenError> {
    for id in plan.graph().ids() {
        if plan.storage[id.index()] == plan::Storage::Unused {
            continue;
        }
        let ok = match &plan.graph()[id].op {
            Op::Literal(value) => value.data().iter().all(|x| fits(x, plan.dtype)),
            Op::Pow(_, p) => fits(p, plan.dtype),
            _ => true,
        };
        if !ok {
            return Err(too_large(phrase::gen_a_number_in_the_file(), plan.dtype));
        }
    }
    Ok(())
}
