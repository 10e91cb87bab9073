//! Formulas read off the expression graph.
//!
//! A node with a name — a declaration, a value the user named, an error signal the derivation
//! named — is written by its name; any other node is written out from its operation and
//! operands. So each formula stays one layer deep however deep the network is.

use std::collections::HashMap;

use super::{Formula, Function, Operator, Symbol};
use crate::ir::{Along, Binary, Conv, Graph, NodeId, Op, Pool, TensorOp, Unary, Window};

/// Beyond this depth a formula is cut short with an ellipsis. Named values keep real formulas
/// far shallower; only a file with one enormous unnamed expression comes near it.
const MAX_DEPTH: usize = 200;

/// The nodes written by name.
#[derive(Clone, Debug, Default)]
pub struct Names {
    by_node: HashMap<NodeId, Formula>,
}

impl Names {
    pub fn insert(&mut self, node: NodeId, name: Formula) {
        self.by_node.entry(node).or_insert(name);
    }

    pub fn get(&self, node: NodeId) -> Option<&Formula> {
        self.by_node.get(&node)
    }

    /// These names, and `more`'s for the nodes these do not name.
    pub fn and(&self, more: &Names) -> Names {
        let mut names = self.clone();
        for (node, name) in &more.by_node {
            names.insert(*node, name.clone());
        }
        names
    }
}

/// The formula of `node`, by its name if it has one.
pub fn formula(graph: &Graph, names: &Names, node: NodeId) -> Formula {
    write(graph, names, node, 0)
}

/// The formula of `node` written out one level even if it has a name: its definition.
pub fn definition(graph: &Graph, names: &Names, node: NodeId) -> Formula {
    expand(graph, names, node, 0)
}

fn write(graph: &Graph, names: &Names, node: NodeId, depth: usize) -> Formula {
    match names.get(node) {
        Some(name) => name.clone(),
        None => expand(graph, names, node, depth),
    }
}

fn expand(graph: &Graph, names: &Names, node: NodeId, depth: usize) -> Formula {
    if depth > MAX_DEPTH {
        return Formula::symbol("…");
    }
    let sub = |id: NodeId| Box::new(write(graph, names, id, depth + 1));
    let is_scalar = |id: NodeId| graph[id].shape.is_scalar();
    match &graph[node].op {
        Op::Var(_) => Formula::symbol("?"),
        Op::BatchSize => Formula::symbol("m"),
        Op::OneHot(i, _) => Formula::Call(Function::OneHot, sub(*i)),
        Op::Slice(a, start, shape) => Formula::Slice(sub(*a), start + 1, start + shape.size()),
        Op::Unary(Unary::BatchMean, a) => Formula::BatchMean("i".to_string(), sub(*a)),
        Op::Tensor(t) => match spread_bias(graph, *t) {
            // A bias per channel spread over its feature map is written as the bias, as a
            // textbook writes `X ⋆ K + b`.
            Some(bias) => write(graph, names, bias, depth + 1),
            None => tensor(*t, &|id| write(graph, names, id, depth + 1)),
        },
        Op::Binary(Binary::Pick, a, i) => Formula::Pick(sub(*a), sub(*i)),
        Op::Binary(Binary::Concat, ..) => {
            // concat(concat(a, b), c) as the one call the file wrote: concat(a, b, c).
            let mut pieces = Vec::new();
            let mut stack = vec![node];
            while let Some(id) = stack.pop() {
                match graph[id].op {
                    Op::Binary(Binary::Concat, a, b) if id == node || names.get(id).is_none() => {
                        stack.push(b);
                        stack.push(a);
                    }
                    _ => pieces.push(write(graph, names, id, depth + 1)),
                }
            }
            Formula::Concat(pieces)
        }
        Op::Binary(Binary::SigmoidCrossEntropy, z, y) => {
            sigmoid_cross_entropy(graph, names, *z, *y, depth)
        }
        Op::Literal(value) => match value.as_scalar() {
            Some(x) => Formula::Number(x.clone()),
            None => Formula::Array(
                value
                    .data()
                    .iter()
                    .map(|x| Formula::Number(x.clone()))
                    .collect(),
            ),
        },
        Op::Unary(f, a) => {
            let function = match f {
                Unary::Neg => return Formula::Neg(sub(*a)),
                Unary::Transpose => return Formula::Transpose(sub(*a)),
                Unary::Sigmoid => Function::Sigmoid,
                Unary::Tanh => Function::Tanh,
                Unary::Relu => Function::Relu,
                Unary::Step => Function::ReluPrime,
                Unary::Exp => Function::Exp,
                Unary::Log => Function::Log,
                Unary::Sqrt => Function::Sqrt,
                Unary::Abs => Function::Abs,
                Unary::Sign => Function::Sign,
                Unary::Sum => Function::Sum,
                Unary::Mean => Function::Mean,
                Unary::Softmax => Function::Softmax,
                Unary::LogSoftmax => Function::LogSoftmax,
                Unary::BatchMean => return Formula::BatchMean("i".to_string(), sub(*a)),
            };
            Formula::Call(function, sub(*a))
        }
        Op::Pow(a, p) => Formula::Pow(sub(*a), Box::new(Formula::Number(p.clone()))),
        // A scalar standing for a tensor of copies: 𝟙 (all ones), or c·𝟙.
        Op::Broadcast(a, _) => {
            let ones = Formula::symbol(super::ONES);
            match &graph[*a].op {
                Op::Literal(v) if v.as_scalar().is_some_and(num_traits::One::is_one) => ones,
                _ => Formula::binary(
                    super::Operator::Scale,
                    write(graph, names, *a, depth + 1),
                    ones,
                ),
            }
        }
        Op::Binary(op, a, b) => {
            let operator = match op {
                Binary::Add => Operator::Add,
                Binary::Sub => Operator::Sub,
                Binary::Mul if is_scalar(*a) || is_scalar(*b) => Operator::Scale,
                Binary::Mul => Operator::Hadamard,
                Binary::Div => Operator::Div,
                Binary::MatMul => Operator::MatMul,
                Binary::Pick | Binary::Concat | Binary::SigmoidCrossEntropy => {
                    return Formula::symbol("…");
                }
                Binary::Outer => {
                    return Formula::Binary(
                        Operator::MatMul,
                        sub(*a),
                        Box::new(Formula::Transpose(sub(*b))),
                    );
                }
            };
            Formula::Binary(operator, sub(*a), sub(*b))
        }
    }
}

/// Binary cross-entropy of `σ(z)` and `y` as a textbook writes it,
/// `−(y ⊙ log p + (1 − y) ⊙ log(1 − p))`, with `p` the name the file gives `σ(z)` (else `σ(z)`).
fn sigmoid_cross_entropy(
    graph: &Graph,
    names: &Names,
    z: NodeId,
    y: NodeId,
    depth: usize,
) -> Formula {
    let p = match graph
        .ids()
        .find(|&id| graph[id].op == Op::Unary(Unary::Sigmoid, z))
    {
        Some(id) => write(graph, names, id, depth + 1),
        None => Formula::call(Function::Sigmoid, write(graph, names, z, depth + 1)),
    };
    let y = write(graph, names, y, depth + 1);
    let product = |a: &Formula, b: Formula| {
        let operator = if matches!(a, Formula::Number(_)) {
            Operator::Scale
        } else {
            Operator::Hadamard
        };
        Formula::binary(operator, a.clone(), b)
    };
    let one = Formula::number(1);
    let log_p = Formula::call(Function::Log, p.clone());
    let log_q = Formula::call(
        Function::Log,
        Formula::binary(Operator::Sub, one.clone(), p),
    );
    let first = product(&y, log_p);
    let second = product(&Formula::binary(Operator::Sub, one, y.clone()), log_q);
    Formula::Neg(Box::new(Formula::binary(Operator::Add, first, second)))
}

/// The name of a declared or user-named node, for [`Names`].
pub fn name_formula(name: &str) -> Formula {
    Formula::Symbol(Symbol::plain(name))
}

/// `log_softmax(z)` is written `log(p)` where the file names `p = softmax(z)`: the loss the
/// file wrote as `cross_entropy(p, y)` reads `−sum(y ⊙ log(p))`, as written, even though it is
/// computed through the stable log-softmax.
pub fn alias_log_softmax(graph: &Graph, names: &mut Names) {
    for id in graph.ids() {
        let Op::Unary(Unary::Softmax, logits) = graph[id].op else {
            continue;
        };
        let Some(p) = names.get(id).cloned() else {
            continue;
        };
        let log_softmax = Op::Unary(Unary::LogSoftmax, logits);
        if let Some(log_id) = graph.ids().find(|&other| graph[other].op == log_softmax) {
            names.insert(log_id, Formula::call(Function::Log, p));
        }
    }
}

/// An operation on tensors as a call: `conv2d(X, K)`, and its gradients in the textbook's words:
/// `correlate(X, δ)` (the kernel's: the correlation of the input with the upstream gradient) and
/// `full_conv(δ, rot180(K))` (the input's: the full convolution of the upstream gradient with
/// the flipped kernel), with the stride and padding when they are not 1 and 0.
fn tensor(t: TensorOp, write: &dyn Fn(NodeId) -> Formula) -> Formula {
    let count = |n: usize| Formula::number(n as i64);
    let with_window = |mut arguments: Vec<Formula>, window: Window| {
        if window != Window::PLAIN {
            arguments.extend([count(window.stride), count(window.padding)]);
        }
        arguments
    };
    match t {
        TensorOp::Conv(conv, window, a, b) => {
            let (name, arguments) = match conv {
                Conv::Forward => ("conv2d", vec![write(a), write(b)]),
                Conv::Kernel { .. } => ("correlate", vec![write(a), write(b)]),
                Conv::Input { .. } => (
                    "full_conv",
                    vec![write(a), Formula::Apply("rot180", vec![write(b)])],
                ),
            };
            Formula::Apply(name, with_window(arguments, window))
        }
        TensorOp::Pool(pool, a, k) => {
            let name = match pool {
                Pool::Max => "max_pool",
                Pool::Mean => "avg_pool",
                Pool::ArgMax => "argmax_mask",
            };
            Formula::Apply(name, vec![write(a), count(k)])
        }
        TensorOp::Upsample(a, k) => Formula::Apply("upsample", vec![write(a), count(k)]),
        TensorOp::Along(along, a, axis) => {
            let name = match along {
                Along::Sum => "sum",
                Along::Softmax => "softmax",
                Along::LogSoftmax => "log_softmax",
            };
            Formula::Apply(name, vec![write(a), count(axis)])
        }
        TensorOp::Expand(a, axis, n) => {
            Formula::Apply("repeat", vec![write(a), count(axis), count(n)])
        }
        TensorOp::Reshape(a, crate::shape::Shape::Vector(_)) => {
            Formula::Apply("flatten", vec![write(a)])
        }
        TensorOp::Reshape(a, shape) => Formula::Apply(
            "reshape",
            vec![
                write(a),
                Formula::Array(shape.dims().into_iter().map(count).collect()),
            ],
        ),
    }
}

/// The vector `b` of `repeat(repeat(b, 1, H), 2, W)`: a bias per channel over a feature map.
fn spread_bias(graph: &Graph, t: TensorOp) -> Option<NodeId> {
    let TensorOp::Expand(inner, 2, _) = t else {
        return None;
    };
    match graph[inner].op {
        Op::Tensor(TensorOp::Expand(bias, 1, _))
            if matches!(graph[bias].shape, crate::shape::Shape::Vector(_)) =>
        {
            Some(bias)
        }
        _ => None,
    }
}
