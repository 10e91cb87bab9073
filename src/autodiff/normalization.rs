//! Batch normalization's gradient in its compact textbook form.
//!
//! Written out with batch statistics, `zn = (z − μ)/√(σ² + ε)` with `μ = batch_mean(z)` and
//! `σ² = batch_mean((z − μ)²)`, the chain rule reaches z three ways: directly, through μ and
//! through σ². Textbooks add the three into one line; with g⁽ⁱ⁾ the (m-scaled) gradient at
//! zn⁽ⁱ⁾, the gradient at z⁽ⁱ⁾ is
//!
//!   (g⁽ⁱ⁾ − (1/m) Σⱼ g⁽ʲ⁾ − zn⁽ⁱ⁾ (1/m) Σⱼ g⁽ʲ⁾ zn⁽ʲ⁾) / √(σ² + ε).
//!
//! This finds such normalizations whose statistics serve nothing else, and builds that line as
//! nodes of the gradient graph, so a derivation can show it and its values, equal to the step by
//! step ones.

use super::builder::Builder;
use crate::ir::{Binary, Graph, NodeId, Op, ShapeError, Unary};

/// A normalization found: the value normalized, and the compact gradient at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Compact {
    /// `z`, whose gradient the compact line gives.
    pub normalized: NodeId,
    /// The node of the compact line.
    pub gradient: NodeId,
}

/// The pattern, in the forward graph.
struct Normalization {
    z: NodeId,
    zn: NodeId,
    /// √(σ² + ε)
    scale: NodeId,
    /// Every node of the pattern but `zn`: the only users of `z` and of the statistics.
    inside: Vec<NodeId>,
}

fn find(graph: &Graph, zn: NodeId) -> Option<Normalization> {
    let Op::Binary(Binary::Div, centred, scale) = graph[zn].op else {
        return None;
    };
    let Op::Binary(Binary::Sub, z, mean) = graph[centred].op else {
        return None;
    };
    if graph[mean].op != Op::Unary(Unary::BatchMean, z) || !graph[z].per_example {
        return None;
    }
    let Op::Unary(Unary::Sqrt, shifted) = graph[scale].op else {
        return None;
    };
    let (variance, epsilon) = match graph[shifted].op {
        Op::Binary(Binary::Add, variance, epsilon) if !graph[epsilon].per_example => {
            (variance, Some(shifted))
        }
        _ => (shifted, None),
    };
    let Op::Unary(Unary::BatchMean, squared) = graph[variance].op else {
        return None;
    };
    if graph[squared].op != Op::Pow(centred, num_rational::BigRational::from_integer(2.into())) {
        return None;
    }
    let mut inside = vec![centred, mean, scale, variance, squared];
    inside.extend(epsilon);
    Some(Normalization {
        z,
        zn,
        scale,
        inside,
    })
}

/// Builds the compact gradient of every normalization of the forward graph (its first
/// `forward_len` nodes) whose statistics feed nothing else, given the adjoints of the sweep.
pub fn compact(
    graph: &mut Graph,
    forward_len: usize,
    feeds_loss: &[bool],
    adjoints: &[Option<NodeId>],
) -> Result<Vec<Compact>, ShapeError> {
    let mut users: Vec<Vec<NodeId>> = vec![Vec::new(); forward_len];
    for id in graph.ids().take(forward_len) {
        if feeds_loss.get(id.index()).copied().unwrap_or(false) {
            for operand in graph[id].op.operands() {
                users[operand.index()].push(id);
            }
        }
    }
    let found: Vec<Normalization> = graph
        .ids()
        .take(forward_len)
        .filter_map(|id| find(graph, id))
        .filter(|n| {
            // z and the statistics serve the normalization only: then its three paths are all
            // of z's gradient.
            let allowed = |user: &NodeId| *user == n.zn || n.inside.contains(user);
            std::iter::once(n.z)
                .chain(n.inside.iter().copied())
                .all(|node| users[node.index()].iter().all(allowed))
        })
        .collect();
    let mut compact = Vec::new();
    for n in found {
        let (Some(g), Some(_)) = (adjoints[n.zn.index()], adjoints[n.z.index()]) else {
            continue;
        };
        let mut b = Builder {
            span: graph[n.zn].span,
            graph: &mut *graph,
        };
        let mean_g = b.batch_mean(g)?;
        let weighted = b.mul(g, n.zn)?;
        let mean_weighted = b.batch_mean(weighted)?;
        let along = b.mul(n.zn, mean_weighted)?;
        let centred = b.sub(g, mean_g)?;
        let inner = b.sub(centred, along)?;
        let gradient = b.div(inner, n.scale)?;
        compact.push(Compact {
            normalized: n.z,
            gradient,
        });
    }
    Ok(compact)
}
