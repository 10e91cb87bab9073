//! The worked step a layer at a time: each layer's net input and output as vectors, the loss,
//! and the backward pass in the vector form's lines (`δo = …`, `∂E/∂W2 = δo hᵀ`) with values.

use crate::eval::exact::{self, Value};
use crate::ir::tensor_op::windows;
use crate::ir::{Along, NodeId, Op, Pool, TensorOp, Unary};
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
        // The net input of a layer first, when the layer is written as f(net) (softmax along
        // an axis too: attention's scores).
        let net = match graph[node].op {
            Op::Unary(f, net) if is_activation(f) => Some(net),
            Op::Tensor(TensorOp::Along(Along::Softmax | Along::LogSoftmax, net, _)) => Some(net),
            _ => None,
        };
        if let Some(net) = net
            && graph[net].name.is_none()
            && !matches!(graph[net].op, Op::Var(_))
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
        // A vector's log-softmax worked by its definition, on its own line.
        if let Some(worked) = super::softmax_lines::vector_line(inputs, &names, node) {
            line.chain = worked;
        }
        line.notes.extend(kinks(inputs, node, &intermediate.name));
        forward.push(line);
        forward.extend(pooled_elements(inputs, &names, node));
        forward.extend(super::softmax_lines::forward_lines(inputs, &names, node));
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
    let mut backward = Vec::new();
    // The lines write the names this page defined (a net input shown above) as the file's.
    for line in &inputs.vector.lines_named(graph, &names) {
        let Some(value) = value_of(line.node) else {
            continue;
        };
        let mut builder = Chain::of(line.lhs.clone()).then(Because::ChainRule, line.rhs.clone());
        if target_sums_to_one && let Some(one_hot) = one_hot_form(&line.rhs) {
            builder = builder.then(Because::KnownValues, one_hot);
        }
        backward.push(BackwardItem::Gradient(Step::new(
            builder.tensor(&value, digits),
            LineRule::Layer,
        )));
        backward.extend(routed_elements(inputs, &names, &line.lhs, &value));
        backward.extend(super::softmax_lines::backward_lines(
            inputs, &names, &line.lhs, &value,
        ));
    }
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

/// A max-pooled value small enough to work element by element has at most this many elements.
const POOLED_ELEMENTS: usize = 32;

/// A max pooling `u = max_pool(x, k)` of named values, with their values: the node, `u`'s and
/// `x`'s names, shapes and values, and each window's elements (offsets into `x`).
struct MaxPool {
    output: Symbol,
    input: Symbol,
    output_shape: Shape,
    input_shape: Shape,
    input_value: Vec<Number>,
    windows: Vec<Vec<usize>>,
}

impl MaxPool {
    fn of(inputs: &Inputs, names: &Names, node: NodeId) -> Option<MaxPool> {
        let graph = &inputs.gradient.graph;
        let Op::Tensor(TensorOp::Pool(Pool::Max, a, k)) = graph[node].op else {
            return None;
        };
        let (output, input) = named(names, node, a)?;
        let (output_shape, input_shape) = (graph[node].shape, graph[a].shape);
        if output_shape.size() > POOLED_ELEMENTS {
            return None;
        }
        let input_value = elements(&inputs.values.get(a.index()).cloned().flatten()?);
        let dims = input_shape.dims();
        let (rows, cols) = (dims[dims.len() - 2], dims[dims.len() - 1]);
        Some(MaxPool {
            output,
            input,
            output_shape,
            input_shape,
            windows: windows(input_value.len(), rows, cols, k),
            input_value,
        })
    }

    fn input_element(&self, index: usize) -> Formula {
        Formula::Symbol(self.input.clone().at(self.input_shape, index))
    }

    fn output_element(&self, index: usize) -> Formula {
        Formula::Symbol(self.output.clone().at(self.output_shape, index))
    }

    /// The window's first largest element in reading order, and every element equal to it
    /// when several are (a tie).
    fn maximum(&self, window: &[usize]) -> (usize, Vec<usize>) {
        let greater = |a: &Number, b: &Number| match (a, b) {
            (Number::Exact(a), Number::Exact(b)) => a > b,
            _ => a.f64() > b.f64(),
        };
        let mut first = window[0];
        for &e in &window[1..] {
            if greater(&self.input_value[e], &self.input_value[first]) {
                first = e;
            }
        }
        let tied: Vec<usize> = window
            .iter()
            .copied()
            .filter(|&e| self.input_value[e] == self.input_value[first])
            .collect();
        (first, if tied.len() > 1 { tied } else { Vec::new() })
    }

    fn tie_note(&self, tied: &[usize], first: usize, backward: bool) -> Option<Note> {
        (!tied.is_empty()).then(|| Note::Tie {
            elements: tied.iter().map(|&e| self.input_element(e)).collect(),
            first: self.input_element(first),
            backward,
        })
    }
}

/// Each element of a max-pooled value as the largest of its window, the window's elements
/// named: `p₁,₁,₁ = max(h₁,₁,₁, h₁,₁,₂, h₁,₂,₁, h₁,₂,₂) = max(0.1, 0.3, 0.3, 0.5) = 0.5`, with a
/// note when several elements tie for the maximum.
fn pooled_elements(inputs: &Inputs, names: &Names, node: NodeId) -> Vec<Step> {
    let digits = inputs.digits;
    let Some(pool) = MaxPool::of(inputs, names, node) else {
        return Vec::new();
    };
    let Some(value) = inputs.values.get(node.index()).cloned().flatten() else {
        return Vec::new();
    };
    let pooled = elements(&value);
    pool.windows
        .iter()
        .zip(&pooled)
        .enumerate()
        .map(|(o, (window, maximum))| {
            let max = |items: Vec<Formula>| Formula::Apply("max", items);
            let chain = Chain::of_number(pool.output_element(o), maximum)
                .then(
                    Because::Definition,
                    max(window.iter().map(|&e| pool.input_element(e)).collect()),
                )
                .then(
                    Because::Substitution,
                    max(window
                        .iter()
                        .map(|&e| pool.input_value[e].written(digits))
                        .collect()),
                )
                .value(maximum, digits);
            let mut step = Step::new(chain, LineRule::Forward);
            let (first, tied) = pool.maximum(window);
            step.notes.extend(pool.tie_note(&tied, first, false));
            step
        })
        .collect()
}

/// After the gradient `∂L/∂u` of a max pooling `u = max_pool(x, k)`, where each window's
/// gradient goes: `∂L/∂h₁,₂,₂ = ∂L/∂p₁,₁,₁ ≈ 0.141682417`, to the window's first maximum in
/// reading order (the others of the window receive 0), with a note when several tie.
fn routed_elements(
    inputs: &Inputs,
    names: &Names,
    lhs: &Formula,
    gradient: &Value,
) -> Vec<BackwardItem> {
    let loss = name_formula(&inputs.model.loss.name);
    let Some(pool) = gradient_of(inputs, names, lhs).and_then(|u| MaxPool::of(inputs, names, u))
    else {
        return Vec::new();
    };
    let upstream = elements(gradient);
    let rule = crate::autodiff::Rule::Tensor(crate::ir::TensorKind::Pool(Pool::Max));
    pool.windows
        .iter()
        .enumerate()
        .filter_map(|(o, window)| {
            let number = upstream.get(o)?;
            let (first, tied) = pool.maximum(window);
            let chain = Chain::of_number(
                Formula::partial(loss.clone(), pool.input_element(first)),
                number,
            )
            .then(
                Because::ChainRule,
                Formula::partial(loss.clone(), pool.output_element(o)),
            )
            .value(number, inputs.digits);
            let mut step = Step::new(chain, LineRule::Local { rules: vec![rule] });
            step.notes.extend(pool.tie_note(&tied, first, true));
            Some(BackwardItem::Factor(step))
        })
        .collect()
}

/// The names of an operation's result and of its operand, when both are named.
pub(super) fn named(names: &Names, node: NodeId, operand: NodeId) -> Option<(Symbol, Symbol)> {
    match (names.get(node), names.get(operand)) {
        (Some(Formula::Symbol(output)), Some(Formula::Symbol(input))) => {
            Some((output.clone(), input.clone()))
        }
        _ => None,
    }
}

/// The forward node whose gradient a backward line `lhs` (`∂L/∂p`) is.
pub(super) fn gradient_of(inputs: &Inputs, names: &Names, lhs: &Formula) -> Option<NodeId> {
    let graph = &inputs.gradient.graph;
    let loss = name_formula(&inputs.model.loss.name);
    graph.ids().take(inputs.gradient.forward_len).find(|&id| {
        names
            .get(id)
            .is_some_and(|name| *lhs == Formula::partial(loss.clone(), name.clone()))
    })
}
