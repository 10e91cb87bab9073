//! The computational graph as a learner draws it: one box per operation the loss depends on,
//! with its name or operation, its forward value and its gradient.

use crate::autodiff::Gradient;
use crate::eval::exact::Value;
use crate::ir::{Binary, Model, NodeId, Op, Unary};
use crate::notation::Formula;
use crate::notation::from_graph::name_formula;

#[derive(Clone, Debug)]
pub struct GraphNode {
    /// The user's name, if the value has one.
    pub name: Option<Formula>,
    /// The operation, in words of the language (`@`, `sigmoid`, `+`), or `None` for a declared value.
    pub operation: Option<&'static str>,
    pub value: Option<Value>,
    /// ∂loss/∂node.
    pub gradient: Option<Value>,
}

#[derive(Clone, Debug)]
pub struct GraphView {
    pub loss: Formula,
    pub nodes: Vec<GraphNode>,
    /// Operand → user, by index into `nodes`.
    pub edges: Vec<(usize, usize)>,
}

/// The forward nodes the loss depends on, with values when `values` has them.
pub fn view(model: &Model, gradient: &Gradient, values: Option<&[Option<Value>]>) -> GraphView {
    let graph = &gradient.graph;
    let needed = graph.reachable_from(&[model.loss.node]);
    let mut index_of = vec![None; gradient.forward_len];
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let value_at = |id: NodeId| values.and_then(|v| v.get(id.index()).cloned().flatten());
    for id in graph.ids().take(gradient.forward_len) {
        if !needed[id.index()] {
            continue;
        }
        let node = &graph[id];
        // Constants written in the file are shown inside the operation that uses them.
        if matches!(node.op, Op::Literal(_)) {
            continue;
        }
        index_of[id.index()] = Some(nodes.len());
        for operand in node.op.operands() {
            if let Some(from) = index_of[operand.index()] {
                edges.push((from, nodes.len()));
            }
        }
        nodes.push(GraphNode {
            name: model.node_name(id).map(name_formula),
            operation: operation(&node.op),
            value: value_at(id),
            gradient: gradient.adjoint(id).and_then(value_at),
        });
    }
    GraphView {
        loss: name_formula(&model.loss.name),
        nodes,
        edges,
    }
}

fn operation(op: &Op) -> Option<&'static str> {
    Some(match op {
        Op::Var(_) | Op::Literal(_) => return None,
        Op::BatchSize => "m",
        Op::OneHot(..) => "onehot",
        Op::Slice(..) => "slice",
        Op::Binary(Binary::Pick, ..) => "[ ]",
        Op::Binary(Binary::Concat, ..) => "concat",
        Op::Binary(Binary::SigmoidCrossEntropy, ..) => "binary cross-entropy",
        Op::Unary(Unary::Neg, _) => "−",
        Op::Unary(f, _) => f.name(),
        Op::Pow(..) => "^",
        Op::Broadcast(..) => "broadcast",
        Op::Binary(Binary::Add, ..) => "+",
        Op::Binary(Binary::Sub, ..) => "−",
        Op::Binary(Binary::Mul, ..) => "×",
        Op::Binary(Binary::Div, ..) => "÷",
        Op::Binary(Binary::MatMul, ..) => "@",
        Op::Binary(Binary::Outer, ..) => "outer",
    })
}
