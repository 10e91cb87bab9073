//! What a trainer does with the network besides minimizing its loss: which columns a data row
//! has, which value is the prediction, and whether the network is a classifier.
//!
//! The rules, which docs/trainer.md states for users:
//!
//! - A row holds each input's elements, then each target's, in declaration order (row-major for
//!   a matrix). When the file has one target, a vector of k ≥ 2 elements, a row may instead end
//!   with one column holding a class (0 … k−1, or text): the target is its one-hot vector.
//! - The prediction is the last named value that depends on no target; without one, the last
//!   computed value the loss uses that depends on no target; without one, the loss.
//! - The network is a classifier when it has one target and the prediction has the target's
//!   shape and is a softmax, log-softmax or sigmoid: with k ≥ 2 elements the class is the
//!   largest element, with one the class is 1 when it is at least 1/2 (0 for log-softmax).

use crate::ir::{DeclKind, Model, NodeId, Op, Unary};
use crate::shape::Shape;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Classifier {
    /// The class is the index of the largest element (of the output, and of the one-hot target).
    Argmax,
    /// One output element: class 1 when it is at least the threshold.
    Threshold,
}

#[derive(Clone, Debug)]
pub struct Task {
    /// A name for each data column, for messages: `x[0]`, `W[1, 2]`, `t`.
    pub columns: Vec<String>,
    /// How many of the columns are the inputs'.
    pub input_columns: usize,
    /// When the one target may be given as a class column: its number of classes.
    pub classes: Option<usize>,
    pub output: NodeId,
    pub classifier: Option<Classifier>,
}

pub fn task(model: &Model) -> Task {
    let graph = &model.graph;
    let mut columns = Vec::new();
    let mut input_columns = 0;
    for kind in [DeclKind::Input, DeclKind::Target] {
        for d in model.declarations_of(kind) {
            let names = element_names(&d.name, d.shape);
            if kind == DeclKind::Input {
                input_columns += names.len();
            }
            columns.extend(names);
        }
    }
    let targets: Vec<_> = model.declarations_of(DeclKind::Target).collect();
    let classes = match targets.as_slice() {
        [t] => match t.shape {
            Shape::Vector(k) if k >= 2 => Some(k),
            _ => None,
        },
        _ => None,
    };

    let mut on_target = vec![false; graph.len()];
    for id in graph.ids() {
        on_target[id.index()] = match graph[id].op {
            Op::Var(decl) => model.declaration(decl).kind == DeclKind::Target,
            ref op => op.operands().any(|o| on_target[o.index()]),
        };
    }
    let computed = |id: NodeId| !matches!(graph[id].op, Op::Var(_) | Op::Literal(_));
    let feeds_loss = graph.reachable_from(&[model.loss.node]);
    let output = model
        .intermediates
        .iter()
        .rev()
        .map(|i| i.node)
        .find(|&id| computed(id) && !on_target[id.index()])
        .or_else(|| {
            graph
                .ids()
                .rev()
                .find(|&id| feeds_loss[id.index()] && computed(id) && !on_target[id.index()])
        })
        .unwrap_or(model.loss.node);

    let classifier = match targets.as_slice() {
        [t] if graph[output].shape == t.shape => match (&graph[output].op, t.shape.size()) {
            (Op::Unary(Unary::Softmax | Unary::LogSoftmax | Unary::Sigmoid, _), k) if k >= 2 => {
                Some(Classifier::Argmax)
            }
            (Op::Unary(Unary::Sigmoid, _), 1) => Some(Classifier::Threshold),
            _ => None,
        },
        _ => None,
    };
    Task {
        columns,
        input_columns,
        classes,
        output,
        classifier,
    }
}

/// `x` for a scalar, `x[0]` … for a vector, `W[0, 0]` … for a matrix (row-major).
fn element_names(name: &str, shape: Shape) -> Vec<String> {
    match shape {
        Shape::Scalar => vec![name.to_string()],
        Shape::Vector(n) => (0..n).map(|i| format!("{name}[{i}]")).collect(),
        Shape::Matrix(m, n) => (0..m)
            .flat_map(|i| (0..n).map(move |j| format!("{name}[{i}, {j}]")))
            .collect(),
    }
}
