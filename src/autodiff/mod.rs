//! Reverse-mode differentiation on the expression graph.
//!
//! The gradient of the loss is built as more nodes of the same graph: walking the forward nodes
//! from the loss back to the parameters, each node's adjoint (∂loss/∂node) is built once, as the
//! sum of what its users send it through their local derivative rules (`rules.rs`), and then
//! shared by everything that needs it. The gradient graph therefore grows by a bounded number of
//! nodes per forward node: linearly with the network, never exponentially.
//!
//! A step on a batch of examples (see [`Model::is_batch`]) differentiates the batch loss
//! J = (1/m) Σᵢ L⁽ⁱ⁾, the mean of the loss line over the examples. Per-example values keep one
//! adjoint node for every example, scaled by m: the adjoint of a per-example node `a` stands for
//! m·∂J/∂a⁽ⁱ⁾, which is ∂L⁽ⁱ⁾/∂a⁽ⁱ⁾ where no batch statistic couples the examples — the error
//! signal δ⁽ⁱ⁾ of a textbook. The adjoint of a value shared by every example (a parameter, a
//! batch statistic) is ∂J/∂s itself. So where a per-example result sends its gradient to a
//! shared operand, the contributions of the examples are averaged (`batch_mean`):
//! ∂J/∂W1 = (1/m) Σᵢ δh⁽ⁱ⁾ x⁽ⁱ⁾ᵀ; and `batch_mean` sends its gradient to each example unscaled.
//!
//! Architecture invariant: differentiation only adds nodes; the forward nodes and their ids are
//! untouched, so forward values computed before stay valid.

mod builder;
mod normalization;
mod rules;

use num_rational::BigRational;
use num_traits::One;

use crate::ir::{Binary, DeclId, DeclKind, Graph, Model, NodeId, Op, ShapeError, Unary};
use builder::Builder;

pub use normalization::Compact;
pub use rules::Rule;

/// The forward graph extended with the gradient.
#[derive(Clone, Debug)]
pub struct Gradient {
    pub graph: Graph,
    /// Nodes below this id are the forward pass.
    pub forward_len: usize,
    /// What is differentiated: the batch loss (the mean of the loss over the examples, a node
    /// of the forward pass) for a step on a batch, else the loss itself.
    pub output: NodeId,
    /// A step on a batch (see the module's documentation).
    pub batch: bool,
    /// For each forward node between a differentiated value and the loss, ∂loss/∂node.
    pub adjoints: Vec<Option<NodeId>>,
    /// The gradient of each requested declaration, in the order requested.
    pub wrt: Vec<(DeclId, NodeId)>,
    /// The local derivative rules used, in the order first used.
    pub rules: Vec<Rule>,
    /// Forward nodes in the order their adjoints were completed (from the loss back), each with
    /// the number of graph nodes at that moment: the order a derivation presents them in.
    pub completed: Vec<(NodeId, usize)>,
    /// Batch normalizations, with their gradient in the compact textbook form.
    pub compact: Vec<Compact>,
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
/// parameter, or every input of a file without parameters (an index has no gradient).
pub fn default_wrt(model: &Model) -> Vec<DeclId> {
    let of = |kind| -> Vec<DeclId> {
        (0..model.declarations.len() as u32)
            .map(DeclId)
            .filter(|&d| {
                let declaration = model.declaration(d);
                declaration.kind == kind && declaration.index.is_none()
            })
            .collect()
    };
    let params = of(DeclKind::Param);
    if params.is_empty() {
        of(DeclKind::Input)
    } else {
        params
    }
}

/// What a gradient is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// The file's own: the batch loss when the model takes its step on a batch
    /// ([`Model::is_batch`]), else the loss of its one example.
    Model,
    /// One example's loss, whatever the file gives: what a trainer computes for every row of a
    /// batch before it averages (possible only without batch statistics).
    Example,
    /// The mean of the loss over a batch, whatever the file gives: for examples that come from
    /// elsewhere (rows of a data file).
    Batch,
}

/// The gradient of the loss with respect to each of `wrt`. A shape error here would be a bug in
/// the rules, never the user's: every rule is shape-correct for every operation the checker lets
/// through.
pub fn differentiate(model: &Model, wrt: &[DeclId]) -> Result<Gradient, ShapeError> {
    differentiate_for(model, wrt, Objective::Model)
}

/// [`differentiate`], of the loss `objective` says.
pub fn differentiate_for(
    model: &Model,
    wrt: &[DeclId],
    objective: Objective,
) -> Result<Gradient, ShapeError> {
    let mut graph = model.graph.clone();
    let batch = match objective {
        Objective::Model => model.is_batch(),
        Objective::Example => model.uses_batch_statistics(),
        Objective::Batch => true,
    };
    let loss = if batch {
        graph.add(
            Op::Unary(Unary::BatchMean, model.loss.node),
            model.loss.definition,
        )?
    } else {
        model.loss.node
    };
    let forward_len = graph.len();

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
    } = backprop(&mut graph, loss, &wanted, &[], batch)?;
    let compact = if batch {
        normalization::compact(&mut graph, forward_len, &feeds_loss, &adjoints)?
    } else {
        Vec::new()
    };

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
        output: loss,
        batch,
        adjoints,
        wrt: gradients,
        rules,
        completed,
        compact,
    })
}

/// The `log_softmax` nodes that are the inside of a cross-entropy over softmax logits —
/// `−sum(y ⊙ log_softmax(z))`, or `−log_softmax(z)[y]` for a class number `y` — with the rule
/// that differentiates softmax and cross-entropy there as one fused step.
fn fused_softmax_cross_entropy(graph: &Graph) -> Vec<(NodeId, Rule)> {
    let mut found = Vec::new();
    for id in graph.ids() {
        let Op::Unary(Unary::Neg, inner) = graph[id].op else {
            continue;
        };
        let (log_p, rule) = match graph[inner].op {
            Op::Unary(Unary::Sum, product) => match graph[product].op {
                Op::Binary(Binary::Mul, _, log_p) => (log_p, Rule::SoftmaxCrossEntropy),
                _ => continue,
            },
            Op::Binary(Binary::Pick, log_p, _) => (log_p, Rule::SoftmaxClassCrossEntropy),
            _ => continue,
        };
        if let Op::Unary(Unary::LogSoftmax, _) = graph[log_p].op {
            found.push((log_p, rule));
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
/// named values. With `batch`, a per-example node's adjoint is scaled by m and the examples'
/// contributions to a shared operand are averaged (see the module's documentation).
pub fn backprop(
    graph: &mut Graph,
    output: NodeId,
    wanted: &[bool],
    stop: &[bool],
    batch: bool,
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
        let rule = match fused.iter().find(|(node, _)| *node == id) {
            Some(&(_, rule)) => Some(rule),
            // The batch loss's own mean is the convention of the whole derivation (the module's
            // documentation), not a rule a line uses.
            None if batch && id == output => None,
            None => rules::rule_of(&op),
        };
        let mut used = false;
        for (position, operand) in op.operands().enumerate() {
            if !wanted.get(operand.index()).copied().unwrap_or(false) {
                continue;
            }
            let mut gradient = rules::vjp(&mut builder, &op, id, position, adjoint)?;
            if batch && builder.graph[id].per_example && !builder.graph[operand].per_example {
                gradient = builder.batch_mean(gradient)?;
            }
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
