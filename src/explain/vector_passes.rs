//! The worked step a layer at a time: each layer's net input and output as vectors, the loss,
//! and the backward pass in the vector form's lines (`δo = …`, `∂E/∂W2 = δo hᵀ`) with values.

use crate::eval::exact::{self, Value};
use crate::ir::{NodeId, Op, Unary};
use crate::notation::from_graph::{Names, definition, name_formula};
use crate::notation::{Formula, Function, Operator, Symbol};
use crate::shape::Shape;

use super::chain::{Because, Chain};
use super::explanation::{BackwardItem, Inputs, Kink, LineRule, Note, Passes, Step};
use super::gradients::is_activation;
use super::number::{Number, elements};

pub(super) fn passes(inputs: &Inputs, names: &Names) -> Passes {
    let digits = inputs.digits;
    let model = inputs.model;
    let graph = &inputs.gradient.graph;
    let value_of = |node: NodeId| inputs.values.get(node.index()).cloned().flatten();
    // Made approximate by this very node: its operands are exact, its value is not.
    let approximated_here = |node: NodeId| {
        value_of(node).is_some_and(|v| !v.is_exact())
            && graph[node]
                .op
                .operands()
                .all(|o| value_of(o).is_some_and(|v| v.is_exact()))
    };
    let step = |lhs: Formula, formula: Formula, node: NodeId, value: &Value, rule: LineRule| {
        let chain = Chain::of(lhs)
            .then(Because::Definition, formula.clone())
            .tensor(value, digits);
        let mut step = Step::new(chain, rule);
        if approximated_here(node) {
            step.notes.push(Note::NoExactValue(formula));
        }
        step
    };
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
            let net_name = Formula::Symbol(Symbol::net_input(&intermediate.name));
            forward.push(step(
                net_name.clone(),
                definition(graph, &names, net),
                net,
                &net_value,
                LineRule::Forward,
            ));
            names.insert(net, net_name);
        }
        let mut line = step(
            name_formula(&intermediate.name),
            definition(graph, &names, node),
            node,
            &value,
            LineRule::Forward,
        );
        line.notes.extend(kinks(inputs, node, &intermediate.name));
        forward.push(line);
    }
    let loss_value = value_of(model.loss.node).unwrap_or_else(|| exact::zeros(Shape::Scalar));
    let loss = step(
        name_formula(&model.loss.name),
        definition(graph, &names, model.loss.node),
        model.loss.node,
        &loss_value,
        LineRule::Loss,
    );
    let target_sums_to_one = fused_target_sums_to_one(inputs);
    let backward = inputs
        .vector
        .lines
        .iter()
        .filter_map(|line| {
            let value = value_of(line.node)?;
            let mut builder =
                Chain::of(line.lhs.clone()).then(Because::ChainRule, line.rhs.clone());
            if target_sums_to_one && let Some(one_hot) = one_hot_form(&line.rhs) {
                builder = builder.then(Because::KnownValues, one_hot);
            }
            Some(BackwardItem::Gradient(Step::new(
                builder.tensor(&value, digits),
                LineRule::Layer,
            )))
        })
        .collect();
    Passes {
        forward,
        loss,
        backward,
        rules: inputs.gradient.rules.clone(),
    }
}

/// `p − y` for the fused step's `p·sum(y) − y`.
fn one_hot_form(rhs: &Formula) -> Option<Formula> {
    let Formula::Binary(Operator::Sub, scaled, y) = rhs else {
        return None;
    };
    let Formula::Binary(Operator::Scale, p, total) = &**scaled else {
        return None;
    };
    match &**total {
        Formula::Call(Function::Sum, inner) if inner == y => {
            Some(Formula::binary(Operator::Sub, (**p).clone(), (**y).clone()))
        }
        _ => None,
    }
}

/// Whether the loss is a cross-entropy over softmax whose target is given and sums to exactly 1.
fn fused_target_sums_to_one(inputs: &Inputs) -> bool {
    if !inputs
        .gradient
        .rules
        .contains(&crate::autodiff::Rule::SoftmaxCrossEntropy)
    {
        return false;
    }
    let graph = &inputs.gradient.graph;
    graph.ids().take(inputs.gradient.forward_len).any(|id| {
        let Op::Binary(crate::ir::Binary::Mul, target, log_p) = graph[id].op else {
            return false;
        };
        matches!(graph[log_p].op, Op::Unary(Unary::LogSoftmax, _))
            && matches!(
                inputs.values.get(target.index()).cloned().flatten(),
                Some(Value::Exact(t)) if t.data().iter().sum::<num_rational::BigRational>()
                    == num_traits::One::one()
            )
    })
}

/// The elements of a relu or abs layer's net input that sit exactly on the kink.
fn kinks(inputs: &Inputs, node: NodeId, layer: &str) -> Vec<Note> {
    let graph = &inputs.gradient.graph;
    let Op::Unary(Unary::Relu | Unary::Abs, argument) = graph[node].op else {
        return Vec::new();
    };
    match inputs.values.get(argument.index()).cloned().flatten() {
        Some(value) => kinks_of(graph, node, layer, &value, None),
        None => Vec::new(),
    }
}

/// The elements of a relu's or abs's argument (worth `value`, in example `example` of a batch)
/// that sit exactly on the kink.
pub(super) fn kinks_of(
    graph: &crate::ir::Graph,
    node: NodeId,
    layer: &str,
    value: &Value,
    example: Option<&str>,
) -> Vec<Note> {
    let Op::Unary(f @ (Unary::Relu | Unary::Abs), argument) = graph[node].op else {
        return Vec::new();
    };
    let base = match &graph[argument].name {
        Some(name) => Symbol::plain(name),
        None => Symbol::net_input(layer),
    };
    let base = match example {
        Some(example) => base.of_example(example),
        None => base,
    };
    let shape = graph[argument].shape;
    elements(value)
        .iter()
        .enumerate()
        .filter(|(_, n)| n.f64() == 0.0 && matches!(n, Number::Exact(_) | Number::Approx(_)))
        .map(|(index, _)| Note::Kink {
            argument: Formula::Symbol(base.clone().at(shape, index)),
            function: if f == Unary::Relu {
                Kink::Relu
            } else {
                Kink::Abs
            },
        })
        .collect()
}
