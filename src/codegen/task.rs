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
//!   largest element; a single sigmoid output gives class 1 when it is at least 1/2.
//! - Otherwise, when the loss takes a cross-entropy of the softmax of a value z (named or not)
//!   against the one target (a class number, or k ≥ 2 elements), the network is a classifier
//!   and z is the prediction: the class is its largest element, the largest probability.

use crate::ir::{Binary, DeclKind, Model, NodeId, Op, Unary};
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
    /// The one target is a class number (`y : index(N)`), not a one-hot vector.
    pub index_target: bool,
    /// The columns holding indices, each with how many values its index takes.
    pub index_columns: Vec<(usize, usize)>,
    pub output: NodeId,
    pub classifier: Option<Classifier>,
}

pub fn task(model: &Model) -> Task {
    let graph = &model.graph;
    let mut columns = Vec::new();
    let mut input_columns = 0;
    let mut index_columns = Vec::new();
    for kind in [DeclKind::Input, DeclKind::Target] {
        for d in model.declarations_of(kind) {
            if let Some(count) = d.index {
                index_columns.push((columns.len(), count));
            }
            let names = element_names(&d.name, d.shape);
            if kind == DeclKind::Input {
                input_columns += names.len();
            }
            columns.extend(names);
        }
    }
    let targets: Vec<_> = model.declarations_of(DeclKind::Target).collect();
    let classes = match targets.as_slice() {
        [t] => match (t.index, t.shape) {
            (Some(k), _) => Some(k),
            (None, Shape::Vector(k)) if k >= 2 => Some(k),
            _ => None,
        },
        _ => None,
    };
    let index_target = matches!(targets.as_slice(), [t] if t.index.is_some());

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

    let probabilities = |op: &Op| {
        matches!(
            op,
            Op::Unary(Unary::Softmax | Unary::LogSoftmax | Unary::Sigmoid, _)
        )
    };
    let classifier = match targets.as_slice() {
        // A class number and a probability for each class.
        [t] if t.index.is_some() => (graph[output].shape == Shape::Vector(t.index.unwrap_or(0))
            && probabilities(&graph[output].op))
        .then_some(Classifier::Argmax),
        [t] if graph[output].shape == t.shape => match (&graph[output].op, t.shape.size()) {
            (op, k) if k >= 2 && probabilities(op) => Some(Classifier::Argmax),
            (Op::Unary(Unary::Sigmoid, _), 1) => Some(Classifier::Threshold),
            _ => None,
        },
        // One probability for a target 0 or 1 written as a number (binary cross-entropy).
        [t] if t.shape.size() == 1 && graph[output].shape.size() == 1 => {
            matches!(graph[output].op, Op::Unary(Unary::Sigmoid, _))
                .then_some(Classifier::Threshold)
        }
        _ => None,
    };
    let (output, classifier) = match (classifier, classes) {
        (None, Some(k)) => match cross_entropy_logits(model, k, &feeds_loss, &on_target) {
            Some(logits) => (logits, Some(Classifier::Argmax)),
            None => (output, None),
        },
        _ => (output, classifier),
    };
    Task {
        columns,
        input_columns,
        classes,
        index_target,
        index_columns,
        output,
        classifier,
    }
}

/// The logits z of k elements whose softmax the loss compares with a target by a cross-entropy,
/// as `cross_entropy(softmax(z), y)` is written in the graph: −log_softmax(z)[y] for a class
/// number, −sum(y ⊙ log_softmax(z)) for k elements (the last such z the loss uses, which
/// depends on no target).
fn cross_entropy_logits(
    model: &Model,
    k: usize,
    feeds_loss: &[bool],
    on_target: &[bool],
) -> Option<NodeId> {
    let graph = &model.graph;
    let target = |id: NodeId| matches!(graph[id].op, Op::Var(d) if model.declaration(d).kind == DeclKind::Target);
    let logits = |log_p: NodeId| match graph[log_p].op {
        Op::Unary(Unary::LogSoftmax, z)
            if graph[z].shape == Shape::Vector(k) && !on_target[z.index()] =>
        {
            Some(z)
        }
        _ => None,
    };
    graph
        .ids()
        .rev()
        .filter(|id| feeds_loss[id.index()])
        .find_map(|id| match graph[id].op {
            Op::Binary(Binary::Pick, log_p, y) if target(y) => logits(log_p),
            Op::Binary(Binary::Mul, y, log_p) | Op::Binary(Binary::Mul, log_p, y) if target(y) => {
                logits(log_p)
            }
            _ => None,
        })
}

/// `x` for a scalar, `x[0]` … for a vector, `W[0, 0]` … for a matrix (row-major).
fn element_names(name: &str, shape: Shape) -> Vec<String> {
    match shape {
        Shape::Scalar => vec![name.to_string()],
        Shape::Vector(n) => (0..n).map(|i| format!("{name}[{i}]")).collect(),
        Shape::Matrix(m, n) => (0..m)
            .flat_map(|i| (0..n).map(move |j| format!("{name}[{i}, {j}]")))
            .collect(),
        shape => crate::data::element_names(name, shape),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task_of(source: &str) -> (Model, Task) {
        let model = crate::compile(source).0.expect("a valid network");
        let task = task(&model);
        (model, task)
    }

    #[test]
    fn a_softmax_output_over_a_one_hot_target_is_a_classifier() {
        let (model, task) = task_of(
            "input x[2]\ntarget y[3]\nparam W[3, 2] ~ xavier\np = softmax(W @ x)\n\
             loss L = cross_entropy(p, y)\n",
        );
        assert_eq!(model.node_name(task.output), Some("p"));
        assert_eq!(task.classifier, Some(Classifier::Argmax));
        assert_eq!(task.classes, Some(3));
        assert_eq!(task.columns, ["x[0]", "x[1]", "y[0]", "y[1]", "y[2]"]);
        assert_eq!(task.input_columns, 2);
    }

    #[test]
    fn one_sigmoid_output_is_a_two_class_classifier() {
        let (_, task) = task_of(
            "input x[2]\ntarget y[1]\nparam W[1, 2] ~ xavier\no = sigmoid(W @ x)\n\
             loss E = mse(o, y)\n",
        );
        assert_eq!(task.classifier, Some(Classifier::Threshold));
        assert_eq!(task.classes, None);
    }

    #[test]
    fn without_named_values_or_targets_the_prediction_is_the_loss() {
        let (model, task) = task_of("input x\nparam w = 2\nloss f = sigmoid(w * x)\n");
        assert_eq!(task.output, model.loss.node);
        assert_eq!(task.classifier, None);
    }

    #[test]
    fn a_regression_output_is_not_a_classifier() {
        let (model, task) = task_of(
            "input A[2, 2]\ntarget t[2]\nparam w[2] ~ zeros\nr = A @ w\nloss E = mse(r, t)\n",
        );
        assert_eq!(model.node_name(task.output), Some("r"));
        assert_eq!(task.classifier, None);
        assert_eq!(
            task.columns[..4],
            ["A[0, 0]", "A[0, 1]", "A[1, 0]", "A[1, 1]"]
        );
    }

    #[test]
    fn a_cross_entropy_of_the_softmax_of_unnamed_or_named_logits_is_a_classifier() {
        for source in [
            // Unnamed logits, a class number.
            "input x[2]\ntarget y : index(3)\nparam W[3, 2] ~ xavier\nh = relu(x)\n\
             loss L = cross_entropy(softmax(W @ h), y)\n",
            // Named logits, a one-hot target, and a penalty.
            "input x[2]\ntarget y[3]\nparam W[3, 2] ~ xavier\nz = W @ x\n\
             loss L = cross_entropy(softmax(z), y) + sum(W^2) / 100\n",
        ] {
            let (model, task) = task_of(source);
            assert_eq!(task.classifier, Some(Classifier::Argmax), "{source}");
            assert_eq!(model.graph[task.output].shape, Shape::Vector(3), "{source}");
            assert!(
                matches!(model.graph[task.output].op, Op::Binary(Binary::MatMul, ..)),
                "{source}: {:?}",
                model.graph[task.output].op
            );
        }
        // A mean squared error of a softmax is no cross-entropy: nothing to count as classes.
        let (model, task) = task_of(
            "input x[2]\ntarget y[3]\nparam W[3, 2] ~ xavier\nz = W @ x\n\
             loss L = mse(softmax(z), y)\n",
        );
        assert_eq!(model.node_name(task.output), Some("z"));
        assert_eq!(task.classifier, None);
    }
}
