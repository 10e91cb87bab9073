//! The worked step on a batch of examples, a layer at a time: each example's values and error
//! signals with its superscript (h⁽¹⁾, δh⁽²⁾ …), the batch statistics the examples share, each
//! example's loss and their mean, and each parameter's gradient as the mean of the examples'
//! parts, those parts written out with their numbers.
//!
//! Lines come from the same formulas as `derive`'s (with ⁽ⁱ⁾), made the lines of example k by
//! [`Formula::at_example`], and sums over the batch written out by
//! [`Formula::expand_batch_means`]. A large batch shows its first examples and its last.

use crate::eval::batch::Batched;
use crate::eval::exact::Value;
use crate::ir::{Binary, NodeId, Op, Unary};
use crate::notation::from_graph::{Names, definition};
use crate::notation::{Formula, Operator, Symbol};

use super::chain::{Because, Chain};
use super::explanation::{
    BackwardItem, BatchInputs, Inputs, LineRule, Note, Passes, Step, tensor_formula,
};
use super::gradients::{LineKind, is_activation};
use super::number::{Number, elements};

/// At most this many examples get lines of their own; a larger batch shows the first few and
/// the last.
pub const SHOWN_EXAMPLES: usize = 6;

/// The examples that get lines (counted from 1), with `None` where the others are left out.
pub fn shown_examples(m: usize) -> Vec<Option<usize>> {
    if m <= SHOWN_EXAMPLES {
        return (1..=m).map(Some).collect();
    }
    let mut shown: Vec<Option<usize>> = (1..SHOWN_EXAMPLES - 1).map(Some).collect();
    shown.push(None);
    shown.push(Some(m));
    shown
}

/// The names of a batch's values: each example's with the generic superscript ⁽ⁱ⁾.
pub fn names(inputs: &Inputs) -> Names {
    let model = inputs.model;
    let graph = &inputs.gradient.graph;
    let symbol = |id: NodeId, name: &str| {
        let symbol = Symbol::plain(name);
        Formula::Symbol(if graph[id].per_example {
            symbol.of_example("i")
        } else {
            symbol
        })
    };
    let mut names = Names::default();
    for d in &model.declarations {
        names.insert(d.node, symbol(d.node, &d.name));
    }
    for id in graph.ids().take(inputs.gradient.forward_len) {
        if let Some(name) = &graph[id].name {
            names.insert(id, symbol(id, name));
        }
    }
    crate::notation::from_graph::alias_log_softmax(graph, &mut names);
    names
}

/// The line standing for the examples a large batch leaves out.
fn gap() -> Step {
    Step::new(
        Chain::of(Formula::symbol("⋮")).formulas(),
        LineRule::Forward,
    )
}

/// The given values: each example's input and target, then the shared ones.
pub(super) fn given(inputs: &Inputs, batch: &BatchInputs) -> Vec<Step> {
    let digits = inputs.digits;
    let mut given = Vec::new();
    for (index, d) in inputs.model.declarations.iter().enumerate() {
        let Some(value) = batch.declared.get(index).and_then(Option::as_ref) else {
            continue;
        };
        match value {
            Batched::Each(values) => {
                for k in shown_examples(values.len()) {
                    given.push(match k {
                        Some(k) => Step::new(
                            Chain::of(example_symbol(&d.name, k)).tensor(&values[k - 1], digits),
                            LineRule::Given,
                        ),
                        None => gap(),
                    });
                }
            }
            Batched::Shared(value) => given.push(Step::new(
                Chain::of(Formula::symbol(&d.name)).tensor(value, digits),
                LineRule::Given,
            )),
        }
    }
    given
}

fn example_symbol(name: &str, k: usize) -> Formula {
    Formula::Symbol(Symbol::plain(name).of_example(&k.to_string()))
}

pub(super) fn passes(inputs: &Inputs, batch: &BatchInputs) -> Passes {
    let digits = inputs.digits;
    let model = inputs.model;
    let graph = &inputs.gradient.graph;
    let m = batch.m;
    let value_of = |node: NodeId| batch.values.get(node.index()).cloned().flatten();
    let mut names = names(inputs);

    // One line per shown example of a per-example value; one line of a shared one, its sums
    // over the batch written out.
    let lines = |lhs: Formula, formula: Formula, value: &Batched<Value>, rule: LineRule| {
        let mut steps = Vec::new();
        match value {
            Batched::Each(values) => {
                let formula = formula.bind_examples(Some("i"));
                for k in shown_examples(values.len()) {
                    let Some(k) = k else {
                        steps.push(gap());
                        continue;
                    };
                    let example = k.to_string();
                    let chain = Chain::of(lhs.at_example(&example))
                        .then(Because::Definition, formula.at_example(&example))
                        .tensor(&values[k - 1], digits);
                    steps.push(Step::new(chain, rule.clone()));
                }
            }
            Batched::Shared(value) => {
                let formula = formula.bind_examples(None);
                let mut builder = Chain::of(lhs).then(Because::Definition, formula.clone());
                if is_mean(&formula) {
                    builder = builder.then(Because::TermByTerm, formula.expand_batch_means(m));
                }
                let chain = builder.tensor(value, digits);
                steps.push(Step::new(chain, rule.clone()));
            }
        }
        steps
    };

    let mut forward = Vec::new();
    for intermediate in &model.intermediates {
        let node = intermediate.node;
        if matches!(graph[node].op, Op::Var(_)) {
            continue;
        }
        let Some(value) = value_of(node) else {
            continue;
        };
        if let Op::Unary(f, net) = graph[node].op
            && is_activation(f)
            && graph[net].name.is_none()
            && let Some(net_value) = value_of(net)
        {
            let symbol = Symbol::net_input(&intermediate.name);
            let net_name = Formula::Symbol(if graph[net].per_example {
                symbol.of_example("i")
            } else {
                symbol
            });
            forward.extend(lines(
                net_name.clone(),
                definition(graph, &names, net),
                &net_value,
                LineRule::Forward,
            ));
            names.insert(net, net_name);
        }
        let lhs = names
            .get(node)
            .cloned()
            .unwrap_or_else(|| Formula::symbol(&intermediate.name));
        let mut steps = lines(
            lhs,
            definition(graph, &names, node),
            &value,
            LineRule::Forward,
        );
        add_pick_notes(inputs, batch, &names, node, &mut steps);
        // A relu or abs whose argument sits on its kink in an example says so beside its line.
        if let Op::Unary(Unary::Relu | Unary::Abs, argument) = graph[node].op
            && let Some(Batched::Each(arguments)) = value_of(argument)
        {
            let shown = shown_examples(arguments.len()).into_iter();
            for (step, k) in steps.iter_mut().zip(shown) {
                if let Some(k) = k {
                    step.notes.extend(super::vector_passes::kinks_of(
                        graph,
                        node,
                        &intermediate.name,
                        &arguments[k - 1],
                        Some(&k.to_string()),
                    ));
                }
            }
        }
        forward.extend(steps);
    }

    // Each example's loss, then their mean.
    let loss_name = Formula::Symbol(Symbol::plain(&model.loss.name).of_example("i"));
    if let Some(value) = value_of(model.loss.node) {
        let mut steps = lines(
            loss_name.clone(),
            definition(graph, &names, model.loss.node),
            &value,
            LineRule::Loss,
        );
        add_pick_notes(inputs, batch, &names, model.loss.node, &mut steps);
        forward.extend(steps);
    }
    let batch_loss = value_of(inputs.gradient.output)
        .and_then(|v| v.shared().cloned())
        .unwrap_or_else(|| crate::eval::exact::zeros(crate::shape::Shape::Scalar));
    let mean = Formula::batch_mean(loss_name);
    let mut builder = Chain::of(Formula::symbol(&model.loss.name))
        .then(Because::Definition, mean.clone())
        .then(Because::TermByTerm, mean.expand_batch_means(m));
    if let Some(Batched::Each(losses)) = value_of(model.loss.node) {
        builder = builder.then(Because::Substitution, mean_of(&losses, m, digits));
    }
    let loss = Step::new(builder.tensor(&batch_loss, digits), LineRule::Loss);

    // The backward pass: each example's error signals, then each shared gradient as the mean of
    // the examples' parts, with their numbers.
    let mut backward = Vec::new();
    // The lines write the names this page defined (a net input shown above) as the file's.
    for line in &inputs.vector.lines_named(graph, &names) {
        let Some(value) = value_of(line.node) else {
            continue;
        };
        match &value {
            Batched::Each(values) => {
                for k in shown_examples(values.len()) {
                    let Some(k) = k else {
                        backward.push(BackwardItem::Gradient(gap()));
                        continue;
                    };
                    let example = k.to_string();
                    let chain = Chain::of(line.lhs.at_example(&example))
                        .then(Because::ChainRule, line.rhs.at_example(&example))
                        .tensor(&values[k - 1], digits);
                    let mut step = Step::new(chain, LineRule::Layer);
                    if matches!(line.kind, LineKind::Compact { .. }) {
                        step.notes.push(Note::CompactForm);
                    }
                    backward.push(BackwardItem::Gradient(step));
                }
            }
            Batched::Shared(shared) => {
                let mut builder =
                    Chain::of(line.lhs.clone()).then(Because::ChainRule, line.rhs.clone());
                if is_mean(&line.rhs) {
                    builder = builder.then(Because::TermByTerm, line.rhs.expand_batch_means(m));
                }
                if let Op::Unary(Unary::BatchMean, part) = graph[line.node].op
                    && let Some(Batched::Each(parts)) = value_of(part)
                {
                    builder = builder.then(Because::Substitution, mean_of(&parts, m, digits));
                }
                backward.push(BackwardItem::Gradient(Step::new(
                    builder.tensor(shared, digits),
                    LineRule::Layer,
                )));
            }
        }
    }
    Passes {
        forward,
        loss,
        backward,
        rules: inputs.gradient.rules.clone(),
    }
}

/// Beside each example's line of `node`, which row (or element) each index in its definition
/// picks: `c1⁽¹⁾ = 0 picks row 1 of C`.
fn add_pick_notes(
    inputs: &Inputs,
    batch: &BatchInputs,
    names: &Names,
    node: NodeId,
    steps: &mut [Step],
) {
    let graph = &inputs.gradient.graph;
    // The picks written out in the node's definition: down its operands, to named values.
    let mut picks = Vec::new();
    let mut pending = vec![node];
    while let Some(id) = pending.pop() {
        if let Op::Binary(Binary::Pick, from, index) = graph[id].op {
            picks.push((from, index));
        }
        for operand in graph[id].op.operands() {
            if names.get(operand).is_none() {
                pending.push(operand);
            }
        }
    }
    picks.reverse();
    let Some(Batched::Each(_)) = batch.values.get(node.index()).cloned().flatten() else {
        return;
    };
    let m = batch.m;
    for (step, k) in steps.iter_mut().zip(shown_examples(m)) {
        let Some(k) = k else { continue };
        let example = k.to_string();
        for &(from, index) in &picks {
            let value = batch
                .values
                .get(index.index())
                .cloned()
                .flatten()
                .and_then(|v| v.example(k - 1).cloned());
            let Some(Value::Exact(value)) = value else {
                continue;
            };
            let Some(value) = crate::ir::fold::index(&value) else {
                continue;
            };
            let written = |id: NodeId| {
                crate::notation::from_graph::formula(graph, names, id)
                    .bind_examples(Some("i"))
                    .at_example(&example)
            };
            step.notes.push(Note::Picked {
                index: written(index),
                value,
                from: written(from),
                row: matches!(graph[from].shape, crate::shape::Shape::Matrix(..)),
            });
        }
    }
}

/// Whether a formula is a mean over the batch, whose terms are worth writing out (a mean deep
/// inside a larger formula would make a line too long to read).
fn is_mean(formula: &Formula) -> bool {
    matches!(formula, Formula::BatchMean(..))
}

/// `1/m (v⁽¹⁾ + v⁽²⁾ + …)` with the examples' values written in (a large batch elided).
fn mean_of(values: &[Value], m: usize, digits: usize) -> Formula {
    let written = |value: &Value| match value.shape() {
        crate::shape::Shape::Scalar => elements(value)
            .first()
            .map_or(Formula::number(0), |n: &Number| n.written(digits)),
        _ => tensor_formula(value, digits),
    };
    let mut terms: Vec<Formula> = Vec::new();
    for k in shown_examples(values.len()) {
        terms.push(match k {
            Some(k) => written(&values[k - 1]),
            None => Formula::symbol("⋯"),
        });
    }
    Formula::binary(
        Operator::Scale,
        Formula::Number(num_rational::BigRational::new(1.into(), m.max(1).into())),
        Formula::Sum(terms),
    )
}
