//! The expression graph: the network as a DAG of typed, shaped operations.
//!
//! [`Graph`] is a flat arena of [`Node`]s in which every node's operands come before it, so the
//! forward pass is a walk from the first node to the last and the backward pass the walk back;
//! no pass needs recursion or a separate topological sort. Identical operations on identical
//! operands are stored once (hash-consing), which is what makes shared subexpressions shared.
//!
//! [`Model`] is the checked program around the graph: the declarations with their values or
//! initializers, the named intermediates, the loss, the optimizer and the training defaults.
//!
//! Architecture invariant: nothing here knows about source syntax or pest; the only link back to
//! the file is the [`Span`](crate::span::Span) on each node.

pub mod fold;
mod graph;
mod model;
mod op;
pub mod scalarize;
pub mod tensor_op;

pub use graph::{Graph, Node, NodeId, ShapeError};
pub use model::*;
pub use op::{Binary, Op, Unary};
pub use tensor_op::{Along, Conv, ConvDims, Pool, TensorKind, TensorOp, Window};
