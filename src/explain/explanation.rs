//! One training step, worked through the way a textbook's worked example is: what is given, the
//! forward pass with numbers, the loss, the backward pass as chain-rule products with the value
//! of every factor, and the gradient-descent update.
//!
//! Everything here is data for `render` to lay out. Every line is a [`Step`]: a [`Chain`] of
//! stages (whose relations, "=" or "≈", the chain decides from the numbers written in them) and
//! the [`LineRule`] that produced the line — a definition, a local derivative by numbered rules,
//! the chain rule, an optimizer's rule. A line of a batch explanation would carry one chain per
//! example beside the same rule; nothing here assumes one example beyond `Step::chain`.

use crate::autodiff::{Gradient, Rule};
use crate::eval::batch::Batched;
use crate::eval::exact::{self, Value};
use crate::ir::{Model, NodeId, Op};
use crate::notation::from_graph::{Names, definition, name_formula};
use crate::notation::placeholders::{Placeholders, Role};
use crate::notation::rules::{Statement, statement};
use crate::notation::{Formula, Grid, GridMap, Symbol};
use crate::shape::Shape;

use super::chain::Chain;
use super::gradcheck::Check;
use super::gradients::{GradientDerivation, net_input};
use super::number::{FLOAT_DIGITS, Number, elements};
use super::scalar::ScalarDerivation;
use super::training::{FloatReason, History, shown_steps};

/// Element by element, or whole layers at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    Scalar,
    Vector,
}

/// A worked line: its chain of stages, the rule that produced it, and notes beside it.
#[derive(Clone, Debug)]
pub struct Step {
    pub chain: Chain,
    pub rule: LineRule,
    pub notes: Vec<Note>,
}

impl Step {
    pub fn new(chain: Chain, rule: LineRule) -> Step {
        Step {
            chain,
            rule,
            notes: Vec::new(),
        }
    }
}

/// Which rule produced a line: how a learner checks it against the lines above.
#[derive(Clone, Debug, PartialEq)]
pub enum LineRule {
    /// A value the file gives (or a weights file, or an initializer drew).
    Given,
    /// A value's definition in the network, evaluated with the values above.
    Forward,
    /// The loss's definition, evaluated.
    Loss,
    /// A local derivative between two named values, by these rules of the rules list.
    Local { rules: Vec<Rule> },
    /// The chain rule along one path: the product of the local derivatives above.
    ChainRule,
    /// The chain rule over several paths: the sum of their products.
    ChainRuleSum,
    /// A layer's gradient in vector form, by the rules of the rules list.
    Layer,
    /// A map (or a kernel's gradient) gathered from its elements, each worked on a line above.
    Gathered,
    /// One line of the optimizer's update rule.
    Update(UpdateLine),
}

/// The lines of an optimizer's update.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateLine {
    Velocity,
    FirstMoment,
    SecondMoment,
    CorrectedFirstMoment,
    CorrectedSecondMoment,
    Parameter,
}

/// A remark that belongs beside one line.
#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// The line's value is an approximation although the numbers it is computed from are exact:
    /// no fraction equals this expression (`σ(0.3775)`).
    NoExactValue(Formula),
    /// The argument of relu or abs sits exactly on the kink, where nabla takes the derivative
    /// to be 0.
    Kink { argument: Formula, function: Kink },
    /// The line is batch normalization's gradient again, in its compact textbook form: the same
    /// values as the step-by-step line before it.
    CompactForm,
    /// Several elements of a pooling window tie for its maximum: `first`, the first of them in
    /// reading order, is taken as the maximum (and, in the backward pass, receives the window's
    /// gradient).
    Tie {
        elements: Vec<Formula>,
        first: Formula,
        backward: bool,
    },
    /// An index in the line picks a row (or an element): `c1⁽¹⁾ = 0` picks row 1 of `C`, counted
    /// from 1 as subscripts are.
    Picked {
        index: Formula,
        value: usize,
        from: Formula,
        row: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kink {
    Relu,
    Abs,
}

/// A definition without numbers: `h = σ(W1 x + b1)`.
#[derive(Clone, Debug)]
pub struct Equation {
    pub lhs: Formula,
    pub rhs: Formula,
}

#[derive(Clone, Debug)]
pub enum BackwardItem {
    /// A local derivative, on its own line the first time it is used.
    Factor(Step),
    /// A gradient, as the product of its factors' values.
    Gradient(Step),
}

impl BackwardItem {
    pub fn step(&self) -> &Step {
        match self {
            BackwardItem::Factor(step) | BackwardItem::Gradient(step) => step,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Update {
    pub optimizer: OptimizerKind,
    /// The learning rate and the optimizer's other settings, as `η = 0.5`.
    pub settings: Vec<Equation>,
    /// The update rule in symbols.
    pub rule: Vec<Equation>,
    /// The lines of each parameter (or element): one for SGD, two with momentum, five for Adam.
    pub groups: Vec<Vec<Step>>,
    /// What the rule becomes on this first step, from zero state (`v⁺ = g`).
    pub first_step: Vec<Formula>,
    /// The placeholders the rule and its sentences use.
    pub symbols: UpdateSymbols,
}

/// The names of the update rule's quantities: none is one of the file's names.
#[derive(Clone, Debug)]
pub struct UpdateSymbols {
    pub weight: Formula,
    pub gradient: Formula,
    pub velocity: Formula,
    pub first_moment: Formula,
    pub second_moment: Formula,
    pub learning_rate: Formula,
    pub momentum: Formula,
    pub beta1: Formula,
    pub beta2: Formula,
    pub epsilon: Formula,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerKind {
    Sgd,
    Momentum,
    Adam,
}

/// Where the starting values of the parameters come from.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// Parameters whose starting values were drawn by their initializer (`xavier`).
    pub drawn: Vec<(Formula, String)>,
    /// The seed they were drawn with.
    pub seed: u64,
    /// Declarations whose values were read from a weights file, and the file.
    pub read: Vec<Formula>,
    pub weights_file: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Explanation {
    pub loss: Formula,
    pub detail: Detail,
    pub digits: usize,
    pub given: Vec<Step>,
    pub sources: Sources,
    pub network: Vec<Equation>,
    pub forward: Vec<Step>,
    pub loss_step: Step,
    pub backward: Vec<BackwardItem>,
    /// The requested gradients, by name, with their values (for tools).
    pub gradients: Vec<(String, Value)>,
    pub update: Option<Update>,
    /// The local derivative rules the backward pass uses, numbered from 1 in this order.
    pub rules: Vec<Statement>,
    pub loss_value: Value,
    /// The parameters after the step, by name.
    pub updated: Vec<(String, Value)>,
    pub history: Option<HistorySection>,
    pub checks: Vec<CheckRow>,
    /// Some value the file names is a layer: f(net) of an unnamed net input.
    pub has_layers: bool,
    /// Some value is an approximation shown with fewer digits than asked (a float64 has no
    /// more than [`FLOAT_DIGITS`]).
    pub float_digits: Option<usize>,
    pub placeholders: Placeholders,
    /// The step is taken on a batch of examples.
    pub batch: Option<BatchSummary>,
}

impl Explanation {
    /// The number of `rule` in the rules list (from 1), if the list states it.
    pub fn rule_number(&self, rule: Rule) -> Option<usize> {
        self.rules
            .iter()
            .position(|s| s.rule == rule)
            .map(|i| i + 1)
    }
}

#[derive(Clone, Debug)]
pub struct HistoryRow {
    pub step: usize,
    /// `loss = value` (or `≈`).
    pub chain: Chain,
}

#[derive(Clone, Debug)]
pub struct HistorySection {
    pub steps: usize,
    pub rows: Vec<HistoryRow>,
    /// Every loss, before the first step through after the last (N + 1 values).
    pub losses: Vec<f64>,
    pub final_params: Vec<Step>,
    /// The parameters after the last step, by name (for tools).
    pub final_values: Vec<(String, Value)>,
    pub float_from: Option<FloatReason>,
    pub diverged_at: Option<usize>,
}

/// A derived gradient beside its finite difference.
#[derive(Clone, Debug)]
pub struct CheckRow {
    pub element: Formula,
    pub derived: Formula,
    pub numeric: Formula,
    pub relative_error: Formula,
    /// Agreement to better than 1e-6 relative.
    pub agrees: bool,
    pub derived_value: f64,
    pub numeric_value: f64,
    pub relative_error_value: f64,
}

/// Everything needed to explain one step.
pub struct Inputs<'a> {
    pub model: &'a Model,
    pub gradient: &'a Gradient,
    pub vector: &'a GradientDerivation,
    pub scalar: Option<&'a ScalarDerivation>,
    /// Values of every node of `gradient.graph`.
    pub values: &'a [Option<Value>],
    /// The declarations' values.
    pub declared: &'a [Option<Value>],
    pub digits: usize,
    pub history: Option<&'a History>,
    pub checks: &'a [Check],
    /// The declarations whose values a weights file gave, and the file's name.
    pub read: &'a [crate::ir::DeclId],
    pub weights_file: Option<&'a str>,
    /// For a step on a batch, the values of its examples (then `values` and `declared` hold the
    /// values every example shares: parameters, batch statistics, gradients).
    pub batch: Option<BatchInputs<'a>>,
}

/// The values of a step on a batch of `m` examples, node by node and declaration by declaration.
pub struct BatchInputs<'a> {
    pub m: usize,
    pub values: &'a [Option<Batched<Value>>],
    pub declared: &'a [Option<Batched<Value>>],
    /// When the examples are rows of a data file: the file, and its first and last row used.
    pub rows: Option<(String, usize, usize)>,
}

/// What the page says of a batch.
#[derive(Clone, Debug)]
pub struct BatchSummary {
    pub m: usize,
    /// Batch statistics couple the examples: a per-example gradient is written m·∂L/∂v⁽ⁱ⁾.
    pub coupled: bool,
    /// Each example's loss, in order.
    pub losses: Vec<Value>,
    /// When the examples are rows of a data file: the file, and its first and last row used.
    pub rows: Option<(String, usize, usize)>,
}

/// What the forward pass, the loss and the backward pass produce, in either form.
pub(super) struct Passes {
    pub forward: Vec<Step>,
    pub loss: Step,
    pub backward: Vec<BackwardItem>,
    /// The local derivative rules the lines use, in the order first used.
    pub rules: Vec<Rule>,
}

pub fn explain(inputs: &Inputs) -> Explanation {
    let model = inputs.model;
    let digits = inputs.digits;
    let detail = if inputs.scalar.is_some() {
        Detail::Scalar
    } else {
        Detail::Vector
    };
    let graph = &inputs.gradient.graph;
    let value_of = |node: NodeId| inputs.values.get(node.index()).cloned().flatten();
    let placeholders = inputs.vector.placeholders.clone();

    let given = match &inputs.batch {
        Some(batch) => super::batch_passes::given(inputs, batch),
        None => model
            .declarations
            .iter()
            .enumerate()
            .filter_map(|(index, d)| {
                let value = inputs.declared.get(index)?.as_ref()?;
                Some(Step::new(
                    Chain::of(name_formula(&d.name)).tensor(value, digits),
                    LineRule::Given,
                ))
            })
            .collect(),
    };

    let names = match &inputs.batch {
        Some(_) => super::batch_passes::names(inputs),
        None => {
            let mut names = Names::default();
            for d in &model.declarations {
                names.insert(d.node, name_formula(&d.name));
            }
            for id in graph.ids().take(inputs.gradient.forward_len) {
                if let Some(name) = &graph[id].name {
                    names.insert(id, name_formula(name));
                }
            }
            crate::notation::from_graph::alias_log_softmax(graph, &mut names);
            names
        }
    };
    let network: Vec<Equation> = model
        .intermediates
        .iter()
        .map(|i| (i.name.as_str(), i.node))
        .chain(std::iter::once((model.loss.name.as_str(), model.loss.node)))
        .filter(|(_, node)| !matches!(graph[*node].op, Op::Var(_)))
        .map(|(name, node)| {
            let free = (inputs.batch.is_some() && graph[node].per_example).then_some("i");
            Equation {
                lhs: names
                    .get(node)
                    .filter(|_| free.is_some())
                    .cloned()
                    .unwrap_or_else(|| name_formula(name)),
                rhs: definition(graph, &names, node).bind_examples(free),
            }
        })
        .collect();

    let loss_value = match &inputs.batch {
        Some(batch) => batch
            .values
            .get(inputs.gradient.output.index())
            .cloned()
            .flatten()
            .and_then(|v| v.shared().cloned()),
        None => value_of(model.loss.node),
    }
    .unwrap_or_else(|| exact::zeros(Shape::Scalar));
    let loss_definition = definition(graph, &names, model.loss.node);
    let passes = match (&inputs.batch, inputs.scalar) {
        (Some(batch), _) => super::batch_passes::passes(inputs, batch),
        (None, Some(scalar)) => super::scalar_passes::passes(inputs, scalar, &loss_definition),
        (None, None) => super::vector_passes::passes(inputs, &names),
    };
    let mut passes = passes;
    if detail == Detail::Scalar && inputs.batch.is_none() {
        gather_maps(inputs, &mut passes);
    }
    let rules = passes
        .rules
        .iter()
        .filter_map(|rule| statement(*rule, &model.loss.name, &placeholders))
        .collect();

    let gradients: Vec<(String, Value)> = inputs
        .gradient
        .wrt
        .iter()
        .filter_map(|(decl, node)| Some((model.declaration(*decl).name.clone(), value_of(*node)?)))
        .collect();
    let (update, updated) = super::update::update(inputs, detail, &placeholders);
    let float_digits = (digits > FLOAT_DIGITS
        && (inputs.values.iter().flatten().any(|v| !v.is_exact())
            || inputs.declared.iter().flatten().any(|v| !v.is_exact())))
    .then_some(FLOAT_DIGITS);
    let mut explanation = Explanation {
        loss: name_formula(&model.loss.name),
        detail,
        digits,
        given,
        sources: sources(inputs),
        network,
        forward: passes.forward,
        loss_step: passes.loss,
        backward: passes.backward,
        gradients,
        update,
        rules,
        loss_value,
        updated,
        history: inputs.history.map(|h| history_section(model, h, digits)),
        checks: inputs
            .checks
            .iter()
            .map(|c| check_row(model, c, digits))
            .collect(),
        has_layers: model
            .intermediates
            .iter()
            .map(|i| i.node)
            .chain(std::iter::once(model.loss.node))
            .any(|node| is_layer(graph, node)),
        float_digits,
        placeholders,
        batch: inputs.batch.as_ref().map(|batch| BatchSummary {
            m: batch.m,
            coupled: model.uses_batch_statistics(),
            losses: match batch.values.get(model.loss.node.index()).cloned().flatten() {
                Some(Batched::Each(losses)) => losses,
                Some(Batched::Shared(loss)) => vec![loss; batch.m],
                None => Vec::new(),
            },
            rows: batch.rows.clone(),
        }),
    };
    if matrices_are_maps(inputs.gradient) {
        explanation.matrices_as_maps();
    }
    explanation
}

/// In the scalar form, each map the lines work element by element gathered into one grid after
/// its last element: a named intermediate `Z = ⎡Z₁₁ Z₁₂⎤ = ⎡−3.5 −3.5⎤` after the forward
/// pass, a parameter's gradient `∂L/∂K = ⎡∂L/∂K₁₁ …⎤ = …` after the backward pass.
fn gather_maps(inputs: &Inputs, passes: &mut Passes) {
    let model = inputs.model;
    let graph = &inputs.gradient.graph;
    let loss = name_formula(&model.loss.name);
    let value_of = |node: NodeId| inputs.values.get(node.index()).cloned().flatten();
    // Matrices are maps only in a network that convolves or pools them.
    let not_a_map = match matrices_are_maps(inputs.gradient) {
        true => |shape: Shape| matches!(shape, Shape::Scalar | Shape::Vector(_)),
        false => {
            |shape: Shape| matches!(shape, Shape::Scalar | Shape::Vector(_) | Shape::Matrix(..))
        }
    };
    let gathered = |lhs: Formula, cells: Vec<Formula>, value: &Value| {
        let shape = value.shape();
        let symbols = formulas_grid(cells, &shape.dims())?;
        Some(Step::new(
            Chain::of(lhs)
                .then(super::chain::Because::ElementByElement, symbols)
                .tensor(value, inputs.digits),
            LineRule::Gathered,
        ))
    };
    for intermediate in &model.intermediates {
        let node = intermediate.node;
        let shape = graph[node].shape;
        let Some(value) = value_of(node) else {
            continue;
        };
        let cells: Vec<Formula> = (0..shape.size())
            .map(|i| Formula::Symbol(Symbol::element(&intermediate.name, shape, i)))
            .collect();
        let worked: Vec<&Formula> = passes.forward.iter().map(|s| s.chain.lhs()).collect();
        if not_a_map(shape) || !cells.iter().all(|c| worked.contains(&c)) {
            continue;
        }
        passes
            .forward
            .extend(gathered(name_formula(&intermediate.name), cells, &value));
    }
    for (decl, node) in &inputs.gradient.wrt {
        let declaration = model.declaration(*decl);
        let shape = declaration.shape;
        let Some(value) = value_of(*node) else {
            continue;
        };
        let cells: Vec<Formula> = (0..shape.size())
            .map(|i| {
                Formula::partial(
                    loss.clone(),
                    Formula::Symbol(Symbol::element(&declaration.name, shape, i)),
                )
            })
            .collect();
        let worked: Vec<&Formula> = passes
            .backward
            .iter()
            .map(|item| item.step().chain.lhs())
            .collect();
        if not_a_map(shape) || !cells.iter().all(|c| worked.contains(&c)) {
            continue;
        }
        let lhs = Formula::partial(loss.clone(), name_formula(&declaration.name));
        passes
            .backward
            .extend(gathered(lhs, cells, &value).map(BackwardItem::Gradient));
    }
}

/// Whether the network convolves or pools matrices: then its matrices are images and kernels.
fn matrices_are_maps(gradient: &Gradient) -> bool {
    let graph = &gradient.graph;
    graph
        .ids()
        .take(gradient.forward_len)
        .any(|id| match graph[id].op {
            Op::Tensor(op @ crate::ir::TensorOp::Conv(..) | op @ crate::ir::TensorOp::Pool(..)) => {
                matches!(graph[op.operands().0].shape, Shape::Matrix(..))
            }
            _ => false,
        })
}

impl Explanation {
    /// Every matrix value written as one map of a grid.
    fn matrices_as_maps(&mut self) {
        let steps = self
            .given
            .iter_mut()
            .chain(&mut self.forward)
            .chain(std::iter::once(&mut self.loss_step))
            .chain(self.backward.iter_mut().map(|item| match item {
                BackwardItem::Factor(step) | BackwardItem::Gradient(step) => step,
            }))
            .chain(
                self.update
                    .iter_mut()
                    .flat_map(|u| u.groups.iter_mut().flatten()),
            )
            .chain(
                self.history
                    .iter_mut()
                    .flat_map(|h| h.final_params.iter_mut()),
            );
        for step in steps {
            step.chain.rewrite_value(matrix_as_map);
        }
    }
}

fn sources(inputs: &Inputs) -> Sources {
    let model = inputs.model;
    let read = |index: usize| inputs.read.iter().any(|d| d.index() == index);
    Sources {
        drawn: model
            .declarations
            .iter()
            .enumerate()
            .filter(|(index, _)| !read(*index))
            .filter_map(|(_, d)| match &d.init {
                Some(crate::ir::Init::Random(init))
                    if !matches!(
                        init,
                        crate::ir::Initializer::Zeros | crate::ir::Initializer::Ones
                    ) =>
                {
                    Some((name_formula(&d.name), init.to_string()))
                }
                _ => None,
            })
            .collect(),
        seed: super::values::seed(model),
        read: model
            .declarations
            .iter()
            .enumerate()
            .filter(|(index, _)| read(*index))
            .map(|(_, d)| name_formula(&d.name))
            .collect(),
        weights_file: inputs.weights_file.map(str::to_string),
    }
}

/// The update rule's quantities, named by `placeholders`.
pub(super) fn update_symbols(placeholders: &Placeholders) -> UpdateSymbols {
    let f = |role| placeholders.formula(role);
    UpdateSymbols {
        weight: f(Role::Weight),
        gradient: f(Role::Gradient),
        velocity: f(Role::Velocity),
        first_moment: f(Role::FirstMoment),
        second_moment: f(Role::SecondMoment),
        learning_rate: f(Role::LearningRate),
        momentum: f(Role::Momentum),
        beta1: f(Role::Beta1),
        beta2: f(Role::Beta2),
        epsilon: f(Role::Epsilon),
    }
}

fn history_section(model: &Model, history: &History, digits: usize) -> HistorySection {
    let steps = history.losses.len().saturating_sub(1);
    let loss = name_formula(&model.loss.name);
    let rows = shown_steps(steps)
        .into_iter()
        .filter_map(|step| {
            let number = match history.exact_losses.get(step) {
                Some(exact) => Number::Exact(exact.clone()),
                None => Number::Approx(*history.losses.get(step)?),
            };
            Some(HistoryRow {
                step,
                chain: Chain::of_number(loss.clone(), &number).value(&number, digits),
            })
        })
        .collect();
    let final_values: Vec<(String, Value)> = history
        .final_params
        .iter()
        .map(|(decl, value)| (model.declaration(*decl).name.clone(), value.clone()))
        .collect();
    HistorySection {
        steps,
        rows,
        losses: history.losses.clone(),
        final_params: final_values
            .iter()
            .map(|(name, value)| {
                Step::new(
                    Chain::of(name_formula(name)).tensor(value, digits),
                    LineRule::Update(UpdateLine::Parameter),
                )
            })
            .collect(),
        final_values,
        float_from: history.float_from.clone(),
        diverged_at: history.diverged_at,
    }
}

fn check_row(model: &Model, check: &Check, digits: usize) -> CheckRow {
    let declaration = model.declaration(check.decl);
    let element = Formula::partial(
        name_formula(&model.loss.name),
        Formula::Symbol(Symbol::element(
            &declaration.name,
            declaration.shape,
            check.index,
        )),
    );
    CheckRow {
        element,
        derived: Number::Approx(check.derived).formula(digits),
        numeric: Number::Approx(check.numeric).formula(digits),
        relative_error: Number::Approx(check.relative_error).formula(3),
        agrees: check.relative_error < 1e-6,
        derived_value: check.derived,
        numeric_value: check.numeric,
        relative_error_value: check.relative_error,
    }
}

/// `f(net)` of an activation over an unnamed net input: what a textbook calls a layer.
pub(crate) fn is_layer(graph: &crate::ir::Graph, node: NodeId) -> bool {
    net_input(graph, node).is_some()
}

/// A value as a formula: a number, a list, or a matrix of rounded numbers.
/// Large values show their first and last elements, with `⋯` (and `⋮` for rows) between.
pub fn tensor_formula(value: &Value, digits: usize) -> Formula {
    tensor_formula_within(value, digits, 20)
}

/// [`tensor_formula`] with fractions of at most `bits` bits ([`Number::written_within`]).
pub fn tensor_formula_within(value: &Value, digits: usize, bits: u64) -> Formula {
    numbers_formula(&elements(value), value.shape(), Cell { digits, bits })
}

/// How an element of a value is written: to `digits` significant digits, or exactly as a
/// fraction of at most `bits` bits where its decimals would be rounded.
#[derive(Clone, Copy)]
struct Cell {
    digits: usize,
    bits: u64,
}

impl Cell {
    fn write(self, n: &Number) -> Formula {
        n.written_within(self.digits, self.bits)
    }
}

/// Numbers of a value of `shape` as a formula. A tensor of three or four dimensions is a grid of
/// its maps ([`grid`]), or when they are too large a list of its matrices (channels one after
/// another), elided like a vector's elements.
fn numbers_formula(numbers: &[Number], shape: Shape, cell: Cell) -> Formula {
    let write = |n: &Number| cell.write(n);
    match shape {
        Shape::Tensor3(..) | Shape::Tensor4(..) => {
            let dims = shape.dims();
            let inner = Shape::from_dims(&dims[1..]).unwrap_or(Shape::Scalar);
            let parts: Vec<&[Number]> = numbers.chunks(inner.size().max(1)).collect();
            let nested = Formula::Array(elided(
                &parts,
                SHOWN,
                |part| nested_formula(part, inner, cell),
                || Formula::symbol("⋯"),
            ));
            grid(numbers, &dims, cell, nested.clone()).unwrap_or(nested)
        }
        Shape::Scalar => numbers.first().map_or(Formula::number(0), write),
        Shape::Vector(_) => Formula::Array(elided(
            numbers,
            SHOWN,
            |n| write(n),
            || Formula::symbol("⋯"),
        )),
        Shape::Matrix(_, n) => {
            let rows: Vec<&[Number]> = numbers.chunks(n.max(1)).collect();
            let row = |r: &&[Number]| elided(r, SHOWN, |n| write(n), || Formula::symbol("⋯"));
            let width = row(&rows[0]).len();
            Formula::Matrix(elided(&rows, SHOWN, row, || {
                vec![Formula::symbol("⋮"); width]
            }))
        }
    }
}

/// The nested lists of a part of a tensor: a matrix, or a list of them.
fn nested_formula(numbers: &[Number], shape: Shape, cell: Cell) -> Formula {
    match shape {
        Shape::Tensor3(..) => {
            let dims = shape.dims();
            let inner = Shape::from_dims(&dims[1..]).unwrap_or(Shape::Scalar);
            let parts: Vec<&[Number]> = numbers.chunks(inner.size().max(1)).collect();
            Formula::Array(elided(
                &parts,
                SHOWN,
                |part| nested_formula(part, inner, cell),
                || Formula::symbol("⋯"),
            ))
        }
        _ => numbers_formula(numbers, shape, cell),
    }
}

/// At most this many elements along a vector or a matrix's rows or columns are shown.
const SHOWN: usize = 6;

/// The largest maps laid out as grids, and the most of them: a small image (8×8 digits), a
/// kernel's filters. Larger values are written as lists, elided.
const GRID_SIDE: usize = 8;
const GRID_MAPS: usize = 16;

/// The numbers of a value of `dims` (two to four) as a grid of maps: each `[H, W]` map row by
/// row, a `[C, H, W]` value's channels and a `[F, C, kh, kw]` kernel's filters and channels
/// one after another, labelled. `None` when the maps are too large or too many to read as
/// pictures.
fn grid(numbers: &[Number], dims: &[usize], cell: Cell, nested: Formula) -> Option<Formula> {
    let (rows, cols) = match dims {
        [.., rows, cols] if dims.len() >= 2 => (*rows, *cols),
        _ => return None,
    };
    let size = rows * cols;
    let count = numbers.len() / size.max(1);
    if size == 0 || rows > GRID_SIDE || cols > GRID_SIDE || count > GRID_MAPS {
        return None;
    }
    let channels = if dims.len() >= 3 {
        dims[dims.len() - 3]
    } else {
        1
    };
    let maps = numbers
        .chunks(size)
        .enumerate()
        .map(|(m, map)| GridMap {
            filter: (dims.len() == 4).then(|| m / channels.max(1) + 1),
            channel: (dims.len() >= 3).then(|| m % channels.max(1) + 1),
            rows: map
                .chunks(cols)
                .map(|row| row.iter().map(|n| cell.write(n)).collect())
                .collect(),
        })
        .collect();
    Some(Formula::Grid(Grid {
        dims: dims.to_vec(),
        maps,
        nested: Box::new(nested),
    }))
}

/// Formulas (one per element, row-major) of a value of `dims` laid out as its grid, or `None`
/// when the maps are too large to read as one.
fn formulas_grid(cells: Vec<Formula>, dims: &[usize]) -> Option<Formula> {
    let (rows, cols) = match dims {
        [.., rows, cols] if dims.len() >= 2 => (*rows, *cols),
        _ => return None,
    };
    let size = rows * cols;
    if size == 0 || rows > GRID_SIDE || cols > GRID_SIDE || cells.len() / size > GRID_MAPS {
        return None;
    }
    let channels = if dims.len() >= 3 {
        dims[dims.len() - 3]
    } else {
        1
    };
    let matrix = |map: &[Formula]| -> Vec<Vec<Formula>> {
        map.chunks(cols).map(<[Formula]>::to_vec).collect()
    };
    let maps: Vec<GridMap> = cells
        .chunks(size)
        .enumerate()
        .map(|(m, map)| GridMap {
            filter: (dims.len() == 4).then(|| m / channels.max(1) + 1),
            channel: (dims.len() >= 3).then(|| m % channels.max(1) + 1),
            rows: matrix(map),
        })
        .collect();
    let nested = match dims.len() {
        2 => Formula::Matrix(matrix(&cells)),
        _ => Formula::Array(
            cells
                .chunks(size)
                .map(|map| Formula::Matrix(matrix(map)))
                .collect(),
        ),
    };
    Some(Formula::Grid(Grid {
        dims: dims.to_vec(),
        maps,
        nested: Box::new(nested),
    }))
}

/// A matrix value written as one map of a grid: in a network whose convolutions or pooling work
/// on matrices, a matrix is an image (or a kernel) and reads best as one. A matrix elided for
/// its size stays a list.
pub(crate) fn matrix_as_map(formula: &Formula) -> Option<Formula> {
    let Formula::Matrix(rows) = formula else {
        return None;
    };
    let elided = rows
        .iter()
        .flatten()
        .any(|f| matches!(f, Formula::Symbol(s) if s.name == "⋯" || s.name == "⋮"));
    if elided || rows.is_empty() {
        return None;
    }
    Some(Formula::Grid(Grid {
        dims: vec![rows.len(), rows[0].len()],
        maps: vec![GridMap {
            filter: None,
            channel: None,
            rows: rows.clone(),
        }],
        nested: Box::new(formula.clone()),
    }))
}

/// `items` mapped, or its first and last few with `gap` between when there are more than `most`.
fn elided<T, U>(
    items: &[T],
    most: usize,
    mut map: impl FnMut(&T) -> U,
    gap: impl Fn() -> U,
) -> Vec<U> {
    if items.len() <= most {
        return items.iter().map(map).collect();
    }
    let head = most / 2;
    let tail = most - head - 1;
    let mut out: Vec<U> = items[..head].iter().map(&mut map).collect();
    out.push(gap());
    out.extend(items[items.len() - tail..].iter().map(map));
    out
}

/// Adds the rules of a line to the list of rules used, keeping the order of first use.
pub(super) fn note_rules(used: &mut Vec<Rule>, rules: &[Rule]) {
    for rule in rules {
        if !used.contains(rule) {
            used.push(*rule);
        }
    }
}
