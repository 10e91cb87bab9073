//! Reverse-mode differentiation on the expression graph.
//!
//! The gradient of the loss is built as more nodes of the same graph: walking the forward nodes
//! from the loss back to the parameters, each node's adjoint (∂loss/∂node) is built once, as the
//! sum of what its users send it through their local derivative rules (`rules.rs`), and then
//! shared by everything that needs it. The gradient graph therefore grows by a bounded number of
//! nodes per forward node: linearly with the network, never exponentially.
//!
//! Architecture invariant: differentiation only adds nodes; the forward nodes and their ids are
//! untouched, so forward values computed before stay valid.

mod builder;
mod rules;

use num_rational::BigRational;
use num_traits::One;

use crate::ir::{Binary, DeclId, DeclKind, Graph, Model, NodeId, Op, ShapeError, Unary};
use builder::Builder;

pub use rules::Rule;

/// The forward graph extended with the gradient.
#[derive(Clone, Debug)]
pub struct Gradient {
    pub graph: Graph,
    /// Nodes below this id are the forward pass.
    pub forward_len: usize,
    /// For each forward node between a differentiated value and the loss, ∂loss/∂node.
    pub adjoints: Vec<Option<NodeId>>,
    /// The gradient of each requested declaration, in the order requested.
    pub wrt: Vec<(DeclId, NodeId)>,
    /// The local derivative rules used, in the order first used.
    pub rules: Vec<Rule>,
    /// Forward nodes in the order their adjoints were completed (from the loss back), each with
    /// the number of graph nodes at that moment: the order a derivation presents them in.
    pub completed: Vec<(NodeId, usize)>,
}

impl Gradient {
    pub fn adjoint(&self, forward: NodeId) -> Option<NodeId> {
        self.adjoints.get(forward.index()).copied().flatten()
    }

    pub fn of(&self, decl: DeclId) -> Option<NodeId> {
        self.wrt.iter().find(|(d, _)| *d == decl).map(|(_, g)| *g)
    }
}

/// What `differentiate` takes the gradient with respect to when nothing is named: every
/// parameter, or every input of a file without parameters.
pub fn default_wrt(model: &Model) -> Vec<DeclId> {
    let of = |kind| -> Vec<DeclId> {
        (0..model.declarations.len() as u32)
            .map(DeclId)
            .filter(|&d| model.declaration(d).kind == kind)
            .collect()
    };
    let params = of(DeclKind::Param);
    if params.is_empty() {
        of(DeclKind::Input)
    } else {
        params
    }
}

/// The gradient of the loss with respect to each of `wrt`. A shape error here would be a bug in
/// the rules, never the user's: every rule is shape-correct for every operation the checker lets
/// through.
pub fn differentiate(model: &Model, wrt: &[DeclId]) -> Result<Gradient, ShapeError> {
    let mut graph = model.graph.clone();
    let forward_len = graph.len();
    let loss = model.loss.node;

    // A node needs an adjoint when it depends on a value in `wrt` and the loss depends on it.
    let mut depends_on_wrt = vec![false; forward_len];
    for id in graph.ids() {
        depends_on_wrt[id.index()] = match graph[id].op {
            Op::Var(decl) => wrt.contains(&decl),
            ref op => op.operands().any(|o| depends_on_wrt[o.index()]),
        };
    }
    let feeds_loss = graph.reachable_from(&[loss]);
    let wanted: Vec<bool> = depends_on_wrt
        .iter()
        .zip(&feeds_loss)
        .map(|(a, b)| *a && *b)
        .collect();
    let Backprop {
        adjoints,
        rules,
        completed,
    } = backprop(&mut graph, loss, &wanted, &[])?;

    let mut gradients = Vec::with_capacity(wrt.len());
    for &decl in wrt {
        let node = model.declaration(decl).node;
        let gradient = match adjoints[node.index()] {
            Some(g) => g,
            None => {
                let shape = graph[node].shape;
                Builder {
                    span: graph[node].span,
                    graph: &mut graph,
                }
                .zeros(shape)?
            }
        };
        gradients.push((decl, gradient));
    }
    Ok(Gradient {
        graph,
        forward_len,
        adjoints,
        wrt: gradients,
        rules,
        completed,
    })
}

/// The `log_softmax` nodes that are the inside of a cross-entropy `−sum(y ⊙ log_softmax(z))`
/// over softmax logits: there, softmax and cross-entropy are explained as one fused step.
fn fused_softmax_cross_entropy(graph: &Graph) -> Vec<NodeId> {
    let mut found = Vec::new();
    for id in graph.ids() {
        let Op::Unary(Unary::Neg, total) = graph[id].op else {
            continue;
        };
        let Op::Unary(Unary::Sum, product) = graph[total].op else {
            continue;
        };
        let Op::Binary(Binary::Mul, _, log_p) = graph[product].op else {
            continue;
        };
        if let Op::Unary(Unary::LogSoftmax, _) = graph[log_p].op {
            found.push(log_p);
        }
    }
    found
}

/// What one reverse sweep produced.
pub struct Backprop {
    /// ∂output/∂node for each node below the sweep's start that received a gradient.
    pub adjoints: Vec<Option<NodeId>>,
    pub rules: Vec<Rule>,
    pub completed: Vec<(NodeId, usize)>,
}

/// One reverse sweep from `output` over the nodes marked `wanted`: each node's adjoint is the sum
/// of what its users send it, built once. Nodes in `stop` receive their adjoint but pass nothing
/// on, which makes them leaves: the scalar form uses this to take local derivatives between
/// named values.
pub fn backprop(
    graph: &mut Graph,
    output: NodeId,
    wanted: &[bool],
    stop: &[bool],
) -> Result<Backprop, ShapeError> {
    let limit = wanted.len().min(graph.len());
    let fused = fused_softmax_cross_entropy(graph);
    let mut contributions: Vec<Vec<NodeId>> = vec![Vec::new(); limit];
    let mut adjoints: Vec<Option<NodeId>> = vec![None; limit];
    let mut rules: Vec<Rule> = Vec::new();
    let mut completed = Vec::new();
    let seed = graph.add(
        Op::Literal(crate::tensor::Tensor::scalar(BigRational::one())),
        graph[output].span,
    )?;
    if output.index() >= limit {
        return Ok(Backprop {
            adjoints,
            rules,
            completed,
        });
    }
    contributions[output.index()].push(seed);

    let ids: Vec<NodeId> = graph.ids().take(limit).collect();
    for id in ids.into_iter().rev() {
        let index = id.index();
        if !wanted[index] || contributions[index].is_empty() {
            continue;
        }
        let op = graph[id].op.clone();
        let mut builder = Builder {
            span: graph[id].span,
            graph: &mut *graph,
        };
        let mut parts = std::mem::take(&mut contributions[index]).into_iter();
        let Some(mut adjoint) = parts.next() else {
            continue;
        };
        for part in parts {
            adjoint = builder.add(adjoint, part)?;
        }
        if builder.is_zero(adjoint) {
            continue;
        }
        adjoints[index] = Some(adjoint);
        completed.push((id, builder.graph.len()));
        if stop.get(index).copied().unwrap_or(false) && id != output {
            continue;
        }
        let rule = if fused.contains(&id) {
            Some(Rule::SoftmaxCrossEntropy)
        } else {
            rules::rule_of(&op)
        };
        let mut used = false;
        for (position, operand) in op.operands().enumerate() {
            if !wanted.get(operand.index()).copied().unwrap_or(false) {
                continue;
            }
            let gradient = rules::vjp(&mut builder, &op, id, position, adjoint)?;
            if !builder.is_zero(gradient) {
                contributions[operand.index()].push(gradient);
                used = true;
            }
        }
        if let Some(rule) = rule
            && used
            && !rules.contains(&rule)
        {
            rules.push(rule);
        }
    }
    Ok(Backprop {
        adjoints,
        rules,
        completed,
    })
}
