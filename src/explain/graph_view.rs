//! The computational graph as a learner draws it: one box per operation the loss depends on,
//! with its name or operation, its forward value and its gradient; every operand drawn, the
//! constants of the file (`1/2`) and an exponent (`2` of `^`) included, in the order the
//! operation takes them.

use crate::autodiff::Gradient;
use crate::eval::exact::Value;
use crate::ir::{Binary, DeclKind, Model, NodeId, Op, Unary};
use crate::notation::Formula;
use crate::notation::from_graph::name_formula;
use crate::tensor::Tensor;
use crate::words::{Message, phrase};

/// What a box of the graph holds, for how it is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A declared input or target: the data.
    Data,
    /// A parameter: what training changes.
    Param,
    /// A declared constant, or a number written in the file.
    Constant,
    /// An operation on the values above it.
    Operation,
    /// The loss.
    Loss,
}

#[derive(Clone, Debug)]
pub struct GraphNode {
    pub kind: NodeKind,
    /// The user's name, if the value has one.
    pub name: Option<Formula>,
    /// The operation, in words of the language (`@`, `sigmoid`, `+`), or `None` for a declared
    /// value or a number.
    pub operation: Option<Message>,
    pub value: Option<Value>,
    /// ∂loss/∂node.
    pub gradient: Option<Value>,
}

/// An edge from an operand to the operation that takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GraphEdge {
    pub from: usize,
    pub to: usize,
    /// Which operand it is (0 the first), and how many the operation takes.
    pub position: usize,
    pub operands: usize,
}

#[derive(Clone, Debug)]
pub struct GraphView {
    pub loss: Formula,
    pub nodes: Vec<GraphNode>,
    pub edges: Vec<GraphEdge>,
}

/// The forward nodes the loss depends on, with values when `values` has them.
pub fn view(model: &Model, gradient: &Gradient, values: Option<&[Option<Value>]>) -> GraphView {
    let graph = &gradient.graph;
    let needed = graph.reachable_from(&[model.loss.node]);
    let mut index_of = vec![None; gradient.forward_len];
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    let value_at = |id: NodeId| values.and_then(|v| v.get(id.index()).cloned().flatten());
    // A bias per channel is spread in steps (`[2]` to `[2, 4]` to `[2, 4, 4]`): one box, from
    // the value spread to its last shape. A spreading step whose one use is the next step is
    // drawn as part of it.
    let mut uses = vec![0usize; gradient.forward_len];
    for id in graph.ids().take(gradient.forward_len) {
        if needed[id.index()] {
            for operand in graph[id].op.operands() {
                uses[operand.index()] += 1;
            }
        }
    }
    let mut spread_into_next = vec![false; gradient.forward_len];
    for id in graph.ids().take(gradient.forward_len) {
        if needed[id.index()]
            && is_spread(&graph[id].op)
            && let Some(operand) = graph[id].op.operands().next()
            && is_spread(&graph[operand].op)
            && uses[operand.index()] == 1
        {
            spread_into_next[operand.index()] = true;
        }
    }
    // The first value of a chain of spreading steps.
    let source = |mut id: NodeId| {
        while spread_into_next[id.index()] {
            match graph[id].op.operands().next() {
                Some(operand) => id = operand,
                None => break,
            }
        }
        id
    };
    for id in graph.ids().take(gradient.forward_len) {
        if !needed[id.index()] || spread_into_next[id.index()] {
            continue;
        }
        let node = &graph[id];
        let kind = match node.op {
            Op::Var(decl) => match model.declaration(decl).kind {
                DeclKind::Param => NodeKind::Param,
                DeclKind::Const => NodeKind::Constant,
                _ => NodeKind::Data,
            },
            Op::Literal(_) => NodeKind::Constant,
            _ if id == model.loss.node => NodeKind::Loss,
            _ => NodeKind::Operation,
        };
        let mut operands: Vec<Option<usize>> = node
            .op
            .operands()
            .map(|operand| index_of[source(operand).index()])
            .collect();
        // The exponent of a power is part of the operation, not a node: drawn as a constant.
        if let Op::Pow(_, exponent) = &node.op {
            operands.push(Some(nodes.len()));
            nodes.push(GraphNode {
                kind: NodeKind::Constant,
                name: None,
                operation: None,
                value: Some(Value::Exact(Tensor::scalar(exponent.clone()))),
                gradient: None,
            });
        }
        let count = operands.len();
        for (position, from) in operands.into_iter().enumerate() {
            if let Some(from) = from {
                edges.push(GraphEdge {
                    from,
                    to: nodes.len(),
                    position,
                    operands: count,
                });
            }
        }
        index_of[id.index()] = Some(nodes.len());
        nodes.push(GraphNode {
            kind,
            name: model.node_name(id).map(name_formula),
            operation: operation(graph, &node.op),
            value: match &node.op {
                Op::Literal(v) => Some(Value::Exact(v.clone())),
                _ => value_at(id),
            },
            gradient: gradient.adjoint(id).and_then(value_at),
        });
    }
    GraphView {
        loss: name_formula(&model.loss.name),
        nodes,
        edges,
    }
}

/// A step that spreads a value over more elements.
fn is_spread(op: &Op) -> bool {
    matches!(
        op,
        Op::Broadcast(..) | Op::Tensor(crate::ir::TensorOp::Expand(..))
    )
}

fn operation(graph: &crate::ir::Graph, op: &Op) -> Option<Message> {
    // Operations a file cannot write have names in words; the others are written as the file
    // writes them, and a product of two tensors element by element as the explanation writes
    // it (`T ⊙ P`), so that it is not read as a matrix product.
    match op {
        Op::OneHot(..) => return Some(phrase::graph_onehot()),
        Op::Slice(..) => return Some(phrase::graph_slice()),
        Op::Binary(Binary::SigmoidCrossEntropy, ..) => {
            return Some(phrase::graph_binary_cross_entropy());
        }
        // A bias per channel spread over its map: what the file writes as `+ c`.
        Op::Broadcast(..) | Op::Tensor(crate::ir::TensorOp::Expand(..)) => {
            return Some(phrase::graph_broadcast());
        }
        Op::Binary(Binary::Outer, ..) => return Some(phrase::graph_outer()),
        // Along which axis, as the file writes it: `log_softmax(…, 1)`.
        Op::Tensor(crate::ir::TensorOp::Along(along, _, axis)) => {
            let name = match along {
                crate::ir::Along::Sum => "sum",
                crate::ir::Along::Softmax => "softmax",
                crate::ir::Along::LogSoftmax => "log_softmax",
            };
            return Some(phrase::verbatim(format!("{name}(…, {axis})")));
        }
        _ => {}
    }
    Some(phrase::verbatim(match op {
        Op::Var(_) | Op::Literal(_) => return None,
        Op::BatchSize => "m",
        Op::Tensor(t) => t.name(),
        Op::Binary(Binary::Pick, ..) => "[ ]",
        Op::Binary(Binary::Concat, ..) => "concat",
        Op::Unary(Unary::Neg, _) => "−",
        Op::Unary(f, _) => f.name(),
        Op::Pow(..) => "^",
        Op::Binary(Binary::Add, ..) => "+",
        Op::Binary(Binary::Sub, ..) => "−",
        Op::Binary(Binary::Mul, a, b)
            if !graph[*a].shape.is_scalar() && !graph[*b].shape.is_scalar() =>
        {
            "⊙"
        }
        Op::Binary(Binary::Mul, ..) => "×",
        Op::Binary(Binary::Div, ..) => "÷",
        Op::Binary(Binary::MatMul, ..) => "@",
        Op::OneHot(..)
        | Op::Slice(..)
        | Op::Broadcast(..)
        | Op::Binary(Binary::SigmoidCrossEntropy | Binary::Outer, ..) => return None,
    }))
}
