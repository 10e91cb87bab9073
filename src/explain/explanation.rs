//! One training step, worked through the way a textbook's worked example is: what is given, the
//! forward pass with numbers, the loss, the backward pass as chain-rule products with the value
//! of every factor, and the gradient-descent update.
//!
//! Everything here is data — formulas and rounded numbers — for `render` to lay out.

use std::collections::HashSet;

use crate::autodiff::{Gradient, Rule};
use crate::eval::exact::{self, Value};
use crate::ir::{DeclKind, Model, NodeId, Op, Optimizer};
use crate::notation::from_graph::{Names, definition, name_formula};
use crate::notation::rules::Statement;
use crate::notation::{Formula, Operator, Symbol};
use crate::shape::Shape;
use crate::tensor::Tensor;

use super::gradcheck::Check;
use super::gradients::{GradientDerivation, is_activation};
use super::number::{Number, elements};
use super::scalar::ScalarDerivation;
use super::training::{FloatReason, History, shown_steps};

/// Element by element, or whole layers at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    Scalar,
    Vector,
}

/// `lhs = stage₁ = stage₂ = … = value` (or `≈ value` when the value is rounded).
#[derive(Clone, Debug)]
pub struct Step {
    pub lhs: Formula,
    pub stages: Vec<Formula>,
    pub value: Formula,
    /// The value is an approximation (or rounded for display): written after `≈`.
    pub approximate: bool,
    /// The first step of the forward pass whose value no exact rational can hold.
    pub loses_exactness: bool,
}

/// A definition without numbers: `h = σ(W1 x + b1)`.
#[derive(Clone, Debug)]
pub struct Equation {
    pub lhs: Formula,
    pub rhs: Formula,
}

#[derive(Clone, Debug)]
pub enum BackwardItem {
    /// A local derivative computed the first time it is needed.
    Factor(Step),
    /// A gradient, as the product of its factors' values.
    Gradient(Step),
}

#[derive(Clone, Debug)]
pub struct Update {
    pub optimizer: OptimizerKind,
    /// The learning rate and the optimizer's other settings, as `η = 0.5`.
    pub settings: Vec<Equation>,
    /// The update rule in symbols.
    pub rule: Vec<Equation>,
    pub steps: Vec<Step>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerKind {
    Sgd,
    Momentum,
    Adam,
}

#[derive(Clone, Debug)]
pub struct Explanation {
    pub loss: Formula,
    pub detail: Detail,
    pub digits: usize,
    pub given: Vec<Equation>,
    pub network: Vec<Equation>,
    pub forward: Vec<Step>,
    pub loss_step: Step,
    pub backward: Vec<BackwardItem>,
    /// The requested gradients, by name, with their values (for tools).
    pub gradients: Vec<(String, Value)>,
    pub update: Option<Update>,
    pub rules: Vec<Statement>,
    /// Softmax and cross-entropy differentiated as one step.
    pub fused: bool,
    /// Points where a relu or abs argument sits exactly on its kink.
    pub kinks: Vec<Formula>,
    pub loss_value: Value,
    /// The parameters after the step, by name.
    pub updated: Vec<(String, Value)>,
    pub history: Option<HistorySection>,
    pub checks: Vec<CheckRow>,
    /// Some value the file names is a layer: f(net) of an unnamed net input.
    pub has_layers: bool,
    /// Parameters whose starting values were drawn by their initializer, with it (`xavier`).
    pub drawn: Vec<(Formula, String)>,
    /// The seed they were drawn with.
    pub seed: u64,
}

#[derive(Clone, Debug)]
pub struct HistoryRow {
    pub step: usize,
    pub loss: Formula,
    pub approximate: bool,
}

#[derive(Clone, Debug)]
pub struct HistorySection {
    pub steps: usize,
    pub rows: Vec<HistoryRow>,
    /// Every loss, before the first step through after the last (N + 1 values).
    pub losses: Vec<f64>,
    pub final_params: Vec<Equation>,
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

    let given = model
        .declarations
        .iter()
        .enumerate()
        .filter_map(|(index, d)| {
            let value = inputs.declared.get(index)?.as_ref()?;
            Some(Equation {
                lhs: name_formula(&d.name),
                rhs: tensor_formula(value, digits),
            })
        })
        .collect();

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
    let network: Vec<Equation> = model
        .intermediates
        .iter()
        .map(|i| (i.name.as_str(), i.node))
        .chain(std::iter::once((model.loss.name.as_str(), model.loss.node)))
        .filter(|(_, node)| !matches!(graph[*node].op, Op::Var(_)))
        .map(|(name, node)| Equation {
            lhs: name_formula(name),
            rhs: definition(graph, &names, node),
        })
        .collect();

    let loss_value = value_of(model.loss.node).unwrap_or_else(|| exact::zeros(Shape::Scalar));
    let (mut forward, mut loss_step, backward, kinks) = match inputs.scalar {
        Some(scalar) => scalar_passes(inputs, scalar),
        None => vector_passes(inputs, &names),
    };
    // Exactness can only be lost where it was had: with drawn (approximate) starting values
    // nothing is exact to begin with, and the page says so instead.
    if inputs.declared.iter().flatten().any(|v| !v.is_exact()) {
        for step in forward.iter_mut().chain(std::iter::once(&mut loss_step)) {
            step.loses_exactness = false;
        }
    }

    let gradients: Vec<(String, Value)> = inputs
        .gradient
        .wrt
        .iter()
        .filter_map(|(decl, node)| Some((model.declaration(*decl).name.clone(), value_of(*node)?)))
        .collect();
    let (update, updated) = update(inputs, detail);
    Explanation {
        loss: name_formula(&model.loss.name),
        detail,
        digits,
        given,
        network,
        forward,
        loss_step,
        backward,
        gradients,
        update,
        rules: inputs.vector.rules.clone(),
        fused: inputs.gradient.rules.contains(&Rule::SoftmaxCrossEntropy),
        kinks,
        loss_value,
        updated,
        history: inputs.history.map(|h| history_section(model, h, digits)),
        checks: inputs
            .checks
            .iter()
            .map(|c| check_row(model, c, digits))
            .collect(),
        drawn: model
            .declarations
            .iter()
            .filter_map(|d| match &d.init {
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
        has_layers: model
            .intermediates
            .iter()
            .map(|i| i.node)
            .chain(std::iter::once(model.loss.node))
            .any(|node| is_layer(graph, node)),
    }
}

fn history_section(model: &Model, history: &History, digits: usize) -> HistorySection {
    let steps = history.losses.len().saturating_sub(1);
    let rows = shown_steps(steps)
        .into_iter()
        .filter_map(|step| {
            let number = match history.exact_losses.get(step) {
                Some(exact) => Number::Exact(exact.clone()),
                None => Number::Approx(*history.losses.get(step)?),
            };
            Some(HistoryRow {
                step,
                loss: number.formula(digits),
                approximate: number.decimal(digits).rounded,
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
            .map(|(name, value)| Equation {
                lhs: name_formula(name),
                rhs: tensor_formula(value, digits),
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
fn is_layer(graph: &crate::ir::Graph, node: NodeId) -> bool {
    matches!(graph[node].op, Op::Unary(f, net)
        if is_activation(f) && graph[net].name.is_none() && !matches!(graph[net].op, Op::Var(_)))
}

/// A value as a formula: a number, a list, or a matrix of rounded numbers.
/// Large values show their first and last elements, with `⋯` (and `⋮` for rows) between.
pub fn tensor_formula(value: &Value, digits: usize) -> Formula {
    let numbers = elements(value);
    let cell = |n: &Number| n.formula(digits);
    match value.shape() {
        Shape::Scalar => numbers.first().map_or(Formula::number(0), cell),
        Shape::Vector(_) => Formula::Array(elided(
            &numbers,
            SHOWN,
            |n| cell(n),
            || Formula::symbol("⋯"),
        )),
        Shape::Matrix(_, n) => {
            let rows: Vec<&[Number]> = numbers.chunks(n.max(1)).collect();
            let row = |r: &&[Number]| elided(r, SHOWN, |n| cell(n), || Formula::symbol("⋯"));
            let width = row(&rows[0]).len();
            Formula::Matrix(elided(&rows, SHOWN, row, || {
                vec![Formula::symbol("⋮"); width]
            }))
        }
    }
}

/// At most this many elements along a vector or a matrix's rows or columns are shown.
const SHOWN: usize = 6;

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

/// Whether a value is written rounded: approximate, or exact with more digits than shown.
fn is_rounded(value: &Value, digits: usize) -> bool {
    elements(value).iter().any(|n| n.decimal(digits).rounded)
}

fn scalar_number(value: Option<&Value>) -> Option<Number> {
    value.and_then(|v| elements(v).into_iter().next())
}

type Passes = (Vec<Step>, Step, Vec<BackwardItem>, Vec<Formula>);

fn scalar_passes(inputs: &Inputs, scalar: &ScalarDerivation) -> Passes {
    let digits = inputs.digits;
    let graph = &scalar.graph;
    let leaf_values = scalar.leaf_values(inputs.declared);
    let values = exact::evaluate_needed(graph, &leaf_values, &scalar.needed()).unwrap_or_default();
    let number = |id: NodeId| scalar_number(values.get(id.index()).and_then(Option::as_ref));

    // Named elements written by name in formulas, by value in substitutions.
    let mut by_name = Names::default();
    let mut by_value = Names::default();
    for (&id, name) in &scalar.named {
        by_name.insert(id, name.clone());
        if let Some(n) = number(id) {
            by_value.insert(id, n.written(digits));
        }
    }
    let loss = scalar.loss_node;

    let mut forward = Vec::new();
    let mut exact_so_far = true;
    let mut kinks = Vec::new();
    let mut ordered: Vec<NodeId> = scalar.named.keys().copied().collect();
    ordered.sort();
    for id in ordered {
        if matches!(graph[id].op, Op::Var(_) | Op::Literal(_))
            || id == loss
            || !scalar.feeds_loss(id)
        {
            continue;
        }
        let Some(value) = number(id) else { continue };
        let lhs = scalar.named[&id].clone();
        if let Op::Unary(crate::ir::Unary::Relu | crate::ir::Unary::Abs, arg) = graph[id].op
            && number(arg).is_some_and(|n| n.f64() == 0.0)
        {
            kinks.push(lhs.clone());
        }
        let step = worked_step(
            lhs,
            definition(graph, &by_name, id),
            definition(graph, &by_value, id),
            &value,
            digits,
            &mut exact_so_far,
        );
        forward.push(step);
    }

    let loss_value = number(loss).unwrap_or(Number::Exact(num_traits::Zero::zero()));
    let mut loss_step = worked_step(
        name_formula(&inputs.model.loss.name),
        definition(graph, &by_name, loss),
        definition(graph, &by_value, loss),
        &loss_value,
        digits,
        &mut exact_so_far,
    );
    // Term by term: the value of each term of a sum, before the total.
    let terms = sum_terms(graph, loss);
    if terms.len() > 1 {
        let term_values: Vec<Formula> = terms
            .iter()
            .filter_map(|t| number(*t).map(|n| n.formula(digits)))
            .collect();
        if term_values.len() == terms.len() {
            let at = loss_step.stages.len().min(2);
            loss_step.stages.insert(at, Formula::Sum(term_values));
        }
    }

    let mut backward = Vec::new();
    let mut shown: HashSet<NodeId> = HashSet::new();
    for line in &scalar.lines {
        for factors in &line.terms {
            for factor in factors {
                let trivial =
                    matches!(factor.expression, Formula::Number(_) | Formula::Partial(..))
                        || factor.symbolic == line.lhs;
                if trivial || !shown.insert(factor.node) {
                    continue;
                }
                let Some(value) = number(factor.node) else {
                    continue;
                };
                let mut quiet = true;
                let substituted =
                    crate::notation::from_graph::formula(graph, &by_value, factor.node);
                backward.push(BackwardItem::Factor(worked_step(
                    factor.symbolic.clone(),
                    factor.expression.clone(),
                    substituted,
                    &value,
                    digits,
                    &mut quiet,
                )));
            }
        }
        let Some(value) = number(line.node) else {
            continue;
        };
        let (chain, _) = line.chain_and_product();
        let numbers = sum_of_products(line, |node| number(node).map(|n| n.written(digits)));
        if let [factor] = line.terms.iter().flatten().collect::<Vec<_>>().as_slice()
            && factor.symbolic == line.lhs
        {
            // A value the loss uses directly: its gradient is its local derivative, worked out.
            let mut quiet = true;
            let substituted = crate::notation::from_graph::formula(graph, &by_value, factor.node);
            backward.push(BackwardItem::Gradient(worked_step(
                line.lhs.clone(),
                factor.expression.clone(),
                substituted,
                &value,
                digits,
                &mut quiet,
            )));
            continue;
        }
        let mut stages = Vec::new();
        if chain != line.lhs {
            stages.push(chain);
        }
        if let Some(numbers) = numbers
            && line.terms.iter().map(Vec::len).sum::<usize>() > 1
        {
            stages.push(numbers);
        }
        let rounded = value.decimal(digits).rounded;
        backward.push(BackwardItem::Gradient(Step {
            lhs: line.lhs.clone(),
            stages,
            value: value.formula(digits),
            approximate: rounded,
            loses_exactness: false,
        }));
    }
    (forward, loss_step, backward, kinks)
}

/// `lhs = formula = numbers (= exact fraction) = value`, dropping stages that say nothing new.
fn worked_step(
    lhs: Formula,
    formula: Formula,
    numbers: Formula,
    value: &Number,
    digits: usize,
    exact_so_far: &mut bool,
) -> Step {
    let mut stages = Vec::new();
    let written = value.formula(digits);
    let computed = !matches!(formula, Formula::Symbol(_));
    if formula != lhs && formula != written {
        stages.push(formula);
    }
    if stages.last() != Some(&numbers)
        && numbers != written
        && !matches!(numbers, Formula::Decimal(_))
    {
        stages.push(numbers);
    }
    // The exact fraction of a computed result (151/400 = 0.3775), not of a value merely named
    // (W2₁₁ = 0.4, not 2/5 = 0.4), unless its decimals do not end.
    if let Some(fraction) = value.fraction()
        && (computed || value.decimal(digits).rounded)
        && Formula::Decimal(value.decimal(digits)) != fraction
    {
        stages.push(fraction);
    }
    let loses_exactness = *exact_so_far && !value.is_exact();
    if loses_exactness {
        *exact_so_far = false;
    }
    Step {
        lhs,
        stages,
        value: written,
        approximate: value.decimal(digits).rounded,
        loses_exactness,
    }
}

/// The top-level terms of a sum node (`a + b + c`), or the node alone.
fn sum_terms(graph: &crate::ir::Graph, node: NodeId) -> Vec<NodeId> {
    let mut terms = Vec::new();
    let mut current = node;
    while let Op::Binary(crate::ir::Binary::Add, rest, last) = graph[current].op {
        terms.push(last);
        current = rest;
    }
    terms.push(current);
    terms.reverse();
    terms
}

fn sum_of_products(
    line: &super::scalar::ScalarLine,
    value: impl Fn(NodeId) -> Option<Formula>,
) -> Option<Formula> {
    let mut terms = Vec::new();
    for factors in &line.terms {
        let numbers: Option<Vec<Formula>> = factors.iter().map(|f| value(f.node)).collect();
        let numbers = numbers?;
        terms.push(if numbers.len() == 1 {
            numbers.into_iter().next()?
        } else {
            Formula::Product(numbers)
        });
    }
    Some(if terms.len() == 1 {
        terms.into_iter().next()?
    } else {
        Formula::Sum(terms)
    })
}

fn vector_passes(inputs: &Inputs, names: &Names) -> Passes {
    let digits = inputs.digits;
    let model = inputs.model;
    let graph = &inputs.gradient.graph;
    let value_of = |node: NodeId| inputs.values.get(node.index()).cloned().flatten();
    let mut exact_so_far = true;
    let mut forward = Vec::new();
    // A layer's net input, once shown, is written by its name in the layer's own formula.
    let mut names = names.clone();
    for intermediate in &model.intermediates {
        let node = intermediate.node;
        let Some(value) = value_of(node) else {
            continue;
        };
        if matches!(graph[node].op, Op::Var(_)) {
            continue;
        }
        // The net input of a layer first, when the layer is written as f(net).
        if let Op::Unary(f, net) = graph[node].op
            && is_activation(f)
            && graph[net].name.is_none()
            && let Some(net_value) = value_of(net)
        {
            let net_name = Formula::symbol(&format!("net_{}", intermediate.name));
            forward.push(vector_step(
                net_name.clone(),
                definition(graph, &names, net),
                &net_value,
                digits,
                &mut exact_so_far,
            ));
            names.insert(net, net_name);
        }
        forward.push(vector_step(
            name_formula(&intermediate.name),
            definition(graph, &names, node),
            &value,
            digits,
            &mut exact_so_far,
        ));
    }
    let loss_value = value_of(model.loss.node).unwrap_or_else(|| exact::zeros(Shape::Scalar));
    let loss_step = vector_step(
        name_formula(&model.loss.name),
        definition(graph, &names, model.loss.node),
        &loss_value,
        digits,
        &mut exact_so_far,
    );
    let backward = inputs
        .vector
        .lines
        .iter()
        .filter_map(|line| {
            let value = value_of(line.node)?;
            let mut quiet = true;
            Some(BackwardItem::Gradient(vector_step(
                line.lhs.clone(),
                line.rhs.clone(),
                &value,
                digits,
                &mut quiet,
            )))
        })
        .collect();
    (forward, loss_step, backward, Vec::new())
}

fn vector_step(
    lhs: Formula,
    formula: Formula,
    value: &Value,
    digits: usize,
    exact_so_far: &mut bool,
) -> Step {
    let written = tensor_formula(value, digits);
    let loses_exactness = *exact_so_far && !value.is_exact();
    if loses_exactness {
        *exact_so_far = false;
    }
    Step {
        stages: if formula == lhs || formula == written {
            vec![]
        } else {
            vec![formula]
        },
        lhs,
        value: written,
        approximate: is_rounded(value, digits),
        loses_exactness,
    }
}

/// The update step of the optimizer, from zero optimizer state (the first step).
fn update(inputs: &Inputs, detail: Detail) -> (Option<Update>, Vec<(String, Value)>) {
    let model = inputs.model;
    let digits = inputs.digits;
    let params: Vec<_> = inputs
        .gradient
        .wrt
        .iter()
        .filter(|(decl, _)| model.declaration(*decl).kind == DeclKind::Param)
        .collect();
    if params.is_empty() {
        return (None, Vec::new());
    }
    let symbol = |s: &str| Formula::symbol(s);
    let n = |r: &num_rational::BigRational| Number::Exact(r.clone());
    let (kind, settings, rule) = match &model.optimizer {
        Optimizer::Sgd { lr, momentum } if num_traits::Zero::is_zero(momentum) => (
            OptimizerKind::Sgd,
            vec![Equation {
                lhs: symbol("η"),
                rhs: n(lr).formula(digits),
            }],
            vec![Equation {
                lhs: Formula::Symbol(Symbol::plain("w").updated()),
                rhs: Formula::binary(
                    Operator::Sub,
                    symbol("w"),
                    Formula::binary(Operator::Scale, symbol("η"), symbol("g")),
                ),
            }],
        ),
        Optimizer::Sgd { lr, momentum } => (
            OptimizerKind::Momentum,
            vec![
                Equation {
                    lhs: symbol("η"),
                    rhs: n(lr).formula(digits),
                },
                Equation {
                    lhs: symbol("μ"),
                    rhs: n(momentum).formula(digits),
                },
            ],
            vec![
                Equation {
                    lhs: Formula::Symbol(Symbol::plain("v").updated()),
                    rhs: Formula::binary(
                        Operator::Add,
                        Formula::binary(Operator::Scale, symbol("μ"), symbol("v")),
                        symbol("g"),
                    ),
                },
                Equation {
                    lhs: Formula::Symbol(Symbol::plain("w").updated()),
                    rhs: Formula::binary(
                        Operator::Sub,
                        symbol("w"),
                        Formula::binary(
                            Operator::Scale,
                            symbol("η"),
                            Formula::Symbol(Symbol::plain("v").updated()),
                        ),
                    ),
                },
            ],
        ),
        Optimizer::Adam {
            lr,
            beta1,
            beta2,
            eps,
        } => {
            let updated = |s: &str| Formula::Symbol(Symbol::plain(s).updated());
            let one = Formula::number(1);
            (
                OptimizerKind::Adam,
                vec![
                    Equation {
                        lhs: symbol("η"),
                        rhs: n(lr).formula(digits),
                    },
                    Equation {
                        lhs: symbol("β₁"),
                        rhs: n(beta1).formula(digits),
                    },
                    Equation {
                        lhs: symbol("β₂"),
                        rhs: n(beta2).formula(digits),
                    },
                    Equation {
                        lhs: symbol("ε"),
                        rhs: n(eps).formula(digits),
                    },
                ],
                vec![
                    Equation {
                        lhs: updated("m"),
                        rhs: Formula::binary(
                            Operator::Add,
                            Formula::binary(Operator::Scale, symbol("β₁"), symbol("m")),
                            Formula::binary(
                                Operator::Scale,
                                Formula::binary(Operator::Sub, one.clone(), symbol("β₁")),
                                symbol("g"),
                            ),
                        ),
                    },
                    Equation {
                        lhs: updated("v"),
                        rhs: Formula::binary(
                            Operator::Add,
                            Formula::binary(Operator::Scale, symbol("β₂"), symbol("v")),
                            Formula::binary(
                                Operator::Scale,
                                Formula::binary(Operator::Sub, one.clone(), symbol("β₂")),
                                Formula::Pow(Box::new(symbol("g")), Box::new(Formula::number(2))),
                            ),
                        ),
                    },
                    Equation {
                        lhs: updated("w"),
                        rhs: Formula::binary(
                            Operator::Sub,
                            symbol("w"),
                            Formula::binary(
                                Operator::Scale,
                                symbol("η"),
                                Formula::binary(
                                    Operator::Div,
                                    Formula::binary(
                                        Operator::Div,
                                        updated("m"),
                                        Formula::binary(Operator::Sub, one.clone(), symbol("β₁")),
                                    ),
                                    Formula::binary(
                                        Operator::Add,
                                        Formula::call(
                                            crate::notation::Function::Sqrt,
                                            Formula::binary(
                                                Operator::Div,
                                                updated("v"),
                                                Formula::binary(Operator::Sub, one, symbol("β₂")),
                                            ),
                                        ),
                                        symbol("ε"),
                                    ),
                                ),
                            ),
                        ),
                    },
                ],
            )
        }
    };

    let mut steps = Vec::new();
    let mut updated = Vec::new();
    for (decl, gradient_node) in params {
        let declaration = model.declaration(*decl);
        let Some(current) = inputs.declared[decl.index()].as_ref() else {
            continue;
        };
        let Some(gradient) = inputs.values.get(gradient_node.index()).cloned().flatten() else {
            continue;
        };
        let (w, g) = (elements(current), elements(&gradient));
        let new: Vec<Number> = w
            .iter()
            .zip(&g)
            .map(|(w, g)| step_value(&model.optimizer, w, g))
            .collect();
        let shape = declaration.shape;
        let new_value = if new.iter().all(Number::is_exact) {
            Value::Exact(Tensor::new(
                shape,
                new.iter()
                    .map(|n| match n {
                        Number::Exact(r) => r.clone(),
                        Number::Approx(_) => num_traits::Zero::zero(),
                    })
                    .collect(),
            ))
        } else {
            Value::Approx(Tensor::new(shape, new.iter().map(Number::f64).collect()))
        };
        match detail {
            Detail::Scalar => {
                for (index, ((w, g), new)) in w.iter().zip(&g).zip(&new).enumerate() {
                    let element = Symbol::element(&declaration.name, shape, index);
                    let lhs = Formula::Symbol(element.clone().updated());
                    let gradient_symbol = Formula::partial(
                        name_formula(&model.loss.name),
                        Formula::Symbol(element.clone()),
                    );
                    let (symbolic, numbers) = update_formulas(
                        &model.optimizer,
                        Formula::Symbol(element),
                        gradient_symbol,
                        w,
                        g,
                        digits,
                    );
                    let mut stages = vec![symbolic, numbers];
                    stages.extend(new.fraction());
                    steps.push(Step {
                        lhs,
                        stages,
                        value: new.formula(digits),
                        approximate: new.decimal(digits).rounded,
                        loses_exactness: false,
                    });
                }
            }
            Detail::Vector => {
                let lhs = Formula::Symbol(Symbol::plain(&declaration.name).updated());
                let w_symbol = name_formula(&declaration.name);
                let g_symbol = Formula::partial(name_formula(&model.loss.name), w_symbol.clone());
                let (symbolic, _) =
                    update_formulas(&model.optimizer, w_symbol, g_symbol, &w[0], &g[0], digits);
                steps.push(Step {
                    lhs,
                    stages: vec![symbolic],
                    value: tensor_formula(&new_value, digits),
                    approximate: is_rounded(&new_value, digits),
                    loses_exactness: false,
                });
            }
        }
        updated.push((declaration.name.clone(), new_value));
    }
    (
        Some(Update {
            optimizer: kind,
            settings,
            rule,
            steps,
        }),
        updated,
    )
}

/// The parameter after one step from zero optimizer state.
pub fn step_value(optimizer: &Optimizer, w: &Number, g: &Number) -> Number {
    match optimizer {
        // With zero velocity, the first momentum step is a plain step: v⁺ = g.
        Optimizer::Sgd { lr, .. } => w.sub(&Number::Exact(lr.clone()).mul(g)),
        Optimizer::Adam {
            lr,
            beta1,
            beta2,
            eps,
        } => {
            // m⁺ = (1 − β₁)g, v⁺ = (1 − β₂)g²; the bias corrections divide them back to g, g².
            let one = Number::Exact(num_traits::One::one());
            let m = one.sub(&Number::Exact(beta1.clone())).mul(g);
            let v = one.sub(&Number::Exact(beta2.clone())).mul(&g.mul(g));
            let m_hat = m.div(&one.sub(&Number::Exact(beta1.clone())));
            let v_hat = v.div(&one.sub(&Number::Exact(beta2.clone())));
            let denominator = v_hat.sqrt().add(&Number::Exact(eps.clone()));
            w.sub(&Number::Exact(lr.clone()).mul(&m_hat.div(&denominator)))
        }
    }
}

/// `w − η·∂E/∂w` and the same with numbers.
fn update_formulas(
    optimizer: &Optimizer,
    w: Formula,
    g: Formula,
    w_value: &Number,
    g_value: &Number,
    digits: usize,
) -> (Formula, Formula) {
    let scale = |a: Formula, b: Formula| Formula::binary(Operator::Scale, a, b);
    let sub = |a: Formula, b: Formula| Formula::binary(Operator::Sub, a, b);
    match optimizer {
        Optimizer::Sgd { lr, .. } => (
            sub(w, scale(Formula::symbol("η"), g)),
            sub(
                w_value.written(digits),
                scale(
                    Number::Exact(lr.clone()).written(digits),
                    g_value.written(digits),
                ),
            ),
        ),
        Optimizer::Adam { lr, eps, .. } => {
            // First step: m̂ = g and v̂ = g², so w⁺ = w − η·g/(|g| + ε).
            let abs = |x: Formula| Formula::call(crate::notation::Function::Abs, x);
            let fraction = |a: Formula, b: Formula| Formula::binary(Operator::Div, a, b);
            (
                sub(
                    w,
                    scale(
                        Formula::symbol("η"),
                        fraction(
                            g.clone(),
                            Formula::binary(Operator::Add, abs(g), Formula::symbol("ε")),
                        ),
                    ),
                ),
                sub(
                    w_value.written(digits),
                    scale(
                        Number::Exact(lr.clone()).written(digits),
                        fraction(
                            g_value.written(digits),
                            Formula::binary(
                                Operator::Add,
                                abs(g_value.written(digits)),
                                Number::Exact(eps.clone()).written(digits),
                            ),
                        ),
                    ),
                ),
            )
        }
    }
}
