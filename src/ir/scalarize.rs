//! The element-level view of a graph: every tensor node becomes one scalar node per element, a
//! matrix product becomes sums of products, softmax its exponentials and their sum.
//!
//! The scalar form of a derivation (`∂E/∂W2₁₁ = ∂E/∂o₁ · ∂o₁/∂net_o₁ · ∂net_o₁/∂W2₁₁`) reads its
//! chains off this graph. It is as large as the network has multiply–adds, so it is only built
//! for small networks (see [`MAX_SCALAR_NODES`]).

use num_rational::BigRational;
use num_traits::One;

use super::tensor_op::{ConvDims, lines, windows};
use super::{Along, Binary, Conv, DeclId, Graph, NodeId, Op, Pool, ShapeError, TensorOp, Unary};
use crate::shape::Shape;
use crate::tensor::Tensor;

/// The largest element-level graph built; beyond it the vector form is the readable one anyway.
pub const MAX_SCALAR_NODES: usize = 50_000;

/// The scalar graph, with the map from each tensor node to its elements.
pub struct Scalarized {
    pub graph: Graph,
    /// For each node of the tensor graph (below the length scalarized), its elements, row-major.
    pub elements: Vec<Vec<NodeId>>,
    /// The element leaves: scalar `Var(DeclId(k))` is element `index` of declaration `decl`.
    pub leaves: Vec<(DeclId, usize)>,
}

#[derive(Debug)]
pub enum ScalarizeError {
    /// The element-level graph would exceed [`MAX_SCALAR_NODES`].
    TooLarge,
    /// An operation the element-level view does not write, and why.
    Unsupported(Unscalar),
    Shape(ShapeError),
}

/// Why an operation has no element-by-element form here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unscalar {
    /// `A[i]` picks by the value of `i`: the elements it uses depend on a value.
    Index,
    /// A batch statistic looks across the examples of a batch.
    Batch,
    /// Max pooling: where each window's gradient goes depends on the values.
    MaxPool,
    /// Softmax or log-softmax along an axis (the vector form works it line by line).
    Axis,
}

impl From<ShapeError> for ScalarizeError {
    fn from(error: ShapeError) -> Self {
        ScalarizeError::Shape(error)
    }
}

/// Scalarizes the first `len` nodes of `graph` (the forward pass).
pub fn scalarize(graph: &Graph, len: usize) -> Result<Scalarized, ScalarizeError> {
    let mut out = Scalarized {
        graph: Graph::default(),
        elements: Vec::with_capacity(len),
        leaves: Vec::new(),
    };
    for id in graph.ids().take(len) {
        let node = &graph[id];
        let span = node.span;
        let elements = match &node.op {
            Op::Var(decl) => {
                let mut elements = Vec::with_capacity(node.shape.size());
                for index in 0..node.shape.size() {
                    let leaf = DeclId(out.leaves.len() as u32);
                    out.leaves.push((*decl, index));
                    elements.push(out.graph.var(leaf, Shape::Scalar, node.per_example, span));
                }
                elements
            }
            Op::Literal(value) => {
                let mut elements = Vec::with_capacity(value.data().len());
                for x in value.data() {
                    elements.push(
                        out.graph
                            .add(Op::Literal(Tensor::scalar(x.clone())), span)?,
                    );
                }
                elements
            }
            Op::Binary(Binary::Pick, ..) | Op::OneHot(..) => {
                return Err(ScalarizeError::Unsupported(Unscalar::Index));
            }
            Op::Unary(Unary::BatchMean, _) | Op::BatchSize => {
                return Err(ScalarizeError::Unsupported(Unscalar::Batch));
            }
            // The gradients of convolution and pooling are in no forward pass a file writes.
            Op::Tensor(
                TensorOp::Conv(Conv::Input { .. } | Conv::Kernel { .. }, ..)
                | TensorOp::Pool(Pool::Max | Pool::ArgMax, ..)
                | TensorOp::Upsample(..),
            ) => return Err(ScalarizeError::Unsupported(Unscalar::MaxPool)),
            Op::Tensor(TensorOp::Along(Along::Softmax | Along::LogSoftmax, ..)) => {
                return Err(ScalarizeError::Unsupported(Unscalar::Axis));
            }
            op => {
                let operands: Vec<(Vec<NodeId>, Shape)> = op
                    .operands()
                    .map(|o| (out.elements[o.index()].clone(), graph[o].shape))
                    .collect();
                lower(&mut out.graph, op, &operands, node.shape, span)?
            }
        };
        if out.graph.len() > MAX_SCALAR_NODES {
            return Err(ScalarizeError::TooLarge);
        }
        out.elements.push(elements);
    }
    Ok(out)
}

fn lower(
    g: &mut Graph,
    op: &Op,
    operands: &[(Vec<NodeId>, Shape)],
    shape: Shape,
    span: crate::span::Span,
) -> Result<Vec<NodeId>, ShapeError> {
    let scalar = |g: &mut Graph, op: Op| g.add(op, span);
    let first = |i: usize| -> &[NodeId] { &operands[i].0 };
    Ok(match op {
        // Each output a sum of products, in the kernel's order: channel, row, column.
        Op::Tensor(TensorOp::Conv(Conv::Forward, window, ..)) => {
            let dims = ConvDims::of(Conv::Forward, *window, operands[0].1, operands[1].1)
                .map_err(ShapeError::Tensor)?;
            let (x, k) = (first(0), first(1));
            let mut products: Vec<(usize, usize, usize)> = Vec::new();
            dims.products(|i, kernel, o| products.push((i, kernel, o)));
            let mut terms: Vec<Vec<NodeId>> = vec![Vec::new(); shape.size()];
            for (i, kernel, o) in products {
                terms[o].push(scalar(g, Op::Binary(Binary::Mul, x[i], k[kernel]))?);
            }
            terms
                .iter()
                .map(|t| sum(g, t, span))
                .collect::<Result<_, _>>()?
        }
        Op::Tensor(TensorOp::Pool(Pool::Mean, _, k)) => {
            let a = first(0);
            let dims = operands[0].1.dims();
            let (rows, cols) = (dims[dims.len() - 2], dims[dims.len() - 1]);
            let count = BigRational::from_integer((k * k).into());
            let count = scalar(g, Op::Literal(Tensor::scalar(count)))?;
            let mut elements = Vec::with_capacity(shape.size());
            for window in windows(a.len(), rows, cols, *k) {
                let terms: Vec<NodeId> = window.iter().map(|&e| a[e]).collect();
                let total = sum(g, &terms, span)?;
                elements.push(scalar(g, Op::Binary(Binary::Div, total, count))?);
            }
            elements
        }
        Op::Tensor(TensorOp::Along(Along::Sum, _, axis)) => {
            let a = first(0);
            let Some((outer, n, inner)) = lines(operands[0].1, *axis) else {
                return Ok(Vec::new());
            };
            let mut elements = Vec::with_capacity(outer * inner);
            for o in 0..outer {
                for t in 0..inner {
                    let terms: Vec<NodeId> = (0..n).map(|i| a[(o * n + i) * inner + t]).collect();
                    elements.push(sum(g, &terms, span)?);
                }
            }
            elements
        }
        Op::Tensor(TensorOp::Expand(_, axis, _)) => {
            let a = first(0);
            let Some((outer, n, inner)) = lines(shape, *axis) else {
                return Ok(Vec::new());
            };
            let mut elements = Vec::with_capacity(shape.size());
            for o in 0..outer {
                for _ in 0..n {
                    elements.extend_from_slice(&a[o * inner..(o + 1) * inner]);
                }
            }
            elements
        }
        Op::Tensor(TensorOp::Reshape(..)) => first(0).to_vec(),
        Op::Var(_) | Op::Literal(_) | Op::BatchSize | Op::OneHot(..) | Op::Tensor(_) => Vec::new(),
        Op::Slice(_, start, shape) => first(0)[*start..*start + shape.size()].to_vec(),
        Op::Binary(Binary::Concat, ..) => [first(0), first(1)].concat(),
        Op::Unary(f, _) => {
            let a = first(0);
            match f {
                Unary::Transpose => match operands[0].1 {
                    Shape::Matrix(m, n) => (0..n)
                        .flat_map(|j| (0..m).map(move |i| a[i * n + j]))
                        .collect(),
                    _ => a.to_vec(),
                },
                Unary::Sum => vec![sum(g, a, span)?],
                Unary::Mean if a.len() == 1 => a.to_vec(),
                Unary::Mean => {
                    let total = sum(g, a, span)?;
                    let count = scalar(
                        g,
                        Op::Literal(Tensor::scalar(BigRational::from_integer(a.len().into()))),
                    )?;
                    vec![scalar(g, Op::Binary(Binary::Div, total, count))?]
                }
                Unary::Softmax | Unary::LogSoftmax => {
                    let exps = a
                        .iter()
                        .map(|&x| scalar(g, Op::Unary(Unary::Exp, x)))
                        .collect::<Result<Vec<_>, _>>()?;
                    let total = sum(g, &exps, span)?;
                    if *f == Unary::Softmax {
                        exps.iter()
                            .map(|&e| scalar(g, Op::Binary(Binary::Div, e, total)))
                            .collect::<Result<_, _>>()?
                    } else {
                        let log_total = scalar(g, Op::Unary(Unary::Log, total))?;
                        a.iter()
                            .map(|&x| scalar(g, Op::Binary(Binary::Sub, x, log_total)))
                            .collect::<Result<_, _>>()?
                    }
                }
                elementwise => a
                    .iter()
                    .map(|&x| scalar(g, Op::Unary(*elementwise, x)))
                    .collect::<Result<_, _>>()?,
            }
        }
        Op::Pow(_, p) => first(0)
            .iter()
            .map(|&x| scalar(g, Op::Pow(x, p.clone())))
            .collect::<Result<_, _>>()?,
        Op::Broadcast(_, shape) => vec![first(0)[0]; shape.size()],
        Op::Binary(Binary::MatMul, ..) => {
            let (a, b) = (first(0), first(1));
            let (m, k) = match operands[0].1 {
                Shape::Matrix(m, k) => (m, k),
                _ => return Ok(Vec::new()),
            };
            let p = shape.size() / m.max(1);
            let mut elements = Vec::with_capacity(m * p);
            for i in 0..m {
                for j in 0..p {
                    let products = (0..k)
                        .map(|l| scalar(g, Op::Binary(Binary::Mul, a[i * k + l], b[l * p + j])))
                        .collect::<Result<Vec<_>, _>>()?;
                    elements.push(sum(g, &products, span)?);
                }
            }
            elements
        }
        Op::Binary(Binary::Outer, ..) => {
            let (a, b) = (first(0), first(1));
            let mut elements = Vec::with_capacity(a.len() * b.len());
            for &u in a {
                for &v in b {
                    elements.push(scalar(g, Op::Binary(Binary::Mul, u, v))?);
                }
            }
            elements
        }
        Op::Binary(kind, ..) => {
            let (a, b) = (first(0), first(1));
            (0..shape.size())
                .map(|i| {
                    let x = if a.len() == 1 { a[0] } else { a[i] };
                    let y = if b.len() == 1 { b[0] } else { b[i] };
                    scalar(g, Op::Binary(*kind, x, y))
                })
                .collect::<Result<_, _>>()?
        }
    })
}

/// `a₁ + a₂ + … + aₙ`, left to right as one writes it.
fn sum(g: &mut Graph, terms: &[NodeId], span: crate::span::Span) -> Result<NodeId, ShapeError> {
    let mut iter = terms.iter();
    let Some(&first) = iter.next() else {
        return g.add(
            Op::Literal(Tensor::scalar(BigRational::one() - BigRational::one())),
            span,
        );
    };
    let mut total = first;
    for &term in iter {
        total = g.add(Op::Binary(Binary::Add, total, term), span)?;
    }
    Ok(total)
}
