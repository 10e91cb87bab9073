use std::collections::HashMap;

use super::model::DeclId;
use super::op::{Binary, Op, Unary};
use crate::shape::Shape;
use crate::span::Span;

/// An index into [`Graph::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    pub op: Op,
    pub shape: Shape,
    /// The name the user gave this value (`h = …`), if any. A declared value is named by its
    /// declaration instead.
    pub name: Option<String>,
    /// Where the node was first written.
    pub span: Span,
    /// The value differs from example to example of a batch (it depends on an input or a
    /// target), rather than being one value shared by all of them (parameters, constants, a
    /// batch statistic).
    pub per_example: bool,
}

/// Why an operation does not fit its operands' shapes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShapeError {
    /// Elementwise operands of different shapes, neither a scalar.
    Elementwise(Binary, Shape, Shape),
    /// `@` of shapes that do not multiply.
    MatMul(Shape, Shape),
    /// A function applied to a shape it does not take.
    Operand(Unary, Shape),
    /// `A[i]` of something that is not a vector or a matrix, or with an `i` that is not a scalar.
    Pick(Shape, Shape),
    /// `concat` of something that is not a scalar or a vector.
    Concat(Shape, Shape),
    /// A slice or a one-hot vector that does not fit its operand.
    Slice(Shape),
    /// An operation on tensors that does not fit its operands.
    Tensor(super::tensor_op::TensorShapeError),
    /// [`Graph::add`] of a declaration that [`Graph::var`] never added.
    Undeclared(DeclId),
}

/// The arena. Invariant: a node's operands have smaller ids than the node.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    nodes: Vec<Node>,
    existing: HashMap<Op, NodeId>,
}

impl Graph {
    /// The node that reads declaration `decl`, of the declared `shape`; `per_example` for an
    /// input or a target (see [`Node::per_example`]).
    pub fn var(&mut self, decl: DeclId, shape: Shape, per_example: bool, span: Span) -> NodeId {
        let op = Op::Var(decl);
        match self.existing.get(&op) {
            Some(&id) => id,
            None => self.insert(op, shape, per_example, span),
        }
    }

    /// Adds `op`, or finds the node that already computes it. The shape is inferred here, in one
    /// place for every operation. A declaration's node comes from [`Graph::var`].
    pub fn add(&mut self, op: Op, span: Span) -> Result<NodeId, ShapeError> {
        if let Some(&id) = self.existing.get(&op) {
            return Ok(id);
        }
        let shape = self.infer_shape(&op)?;
        let per_example = match op {
            Op::Unary(Unary::BatchMean, _) | Op::BatchSize => false,
            ref op => op.operands().any(|o| self[o].per_example),
        };
        Ok(self.insert(op, shape, per_example, span))
    }

    fn insert(&mut self, op: Op, shape: Shape, per_example: bool, span: Span) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(Node {
            op: op.clone(),
            shape,
            name: None,
            span,
            per_example,
        });
        self.existing.insert(op, id);
        id
    }

    fn infer_shape(&self, op: &Op) -> Result<Shape, ShapeError> {
        Ok(match op {
            Op::Var(decl) => return Err(ShapeError::Undeclared(*decl)),
            Op::Literal(value) => value.shape(),
            Op::BatchSize => Shape::Scalar,
            Op::Pow(a, _) => self[*a].shape,
            Op::OneHot(a, n) => match self[*a].shape {
                Shape::Scalar if *n > 0 => Shape::Vector(*n),
                other => return Err(ShapeError::Slice(other)),
            },
            Op::Slice(a, start, shape) => match self[*a].shape {
                Shape::Vector(n)
                    if !matches!(shape, Shape::Matrix(..))
                        && start.checked_add(shape.size()).is_some_and(|end| end <= n) =>
                {
                    *shape
                }
                other => return Err(ShapeError::Slice(other)),
            },
            Op::Unary(f, a) => {
                let shape = self[*a].shape;
                match (f, shape) {
                    (f, shape) if f.is_elementwise() => shape,
                    (Unary::BatchMean, shape) => shape,
                    (Unary::Transpose, Shape::Matrix(m, n)) => Shape::Matrix(n, m),
                    (Unary::Sum | Unary::Mean, _) => Shape::Scalar,
                    (Unary::Softmax | Unary::LogSoftmax, Shape::Vector(n)) => Shape::Vector(n),
                    (f, shape) => return Err(ShapeError::Operand(*f, shape)),
                }
            }
            Op::Tensor(t) => {
                let (a, b) = t.operands();
                t.shape(self[a].shape, b.map(|b| self[b].shape))
                    .map_err(ShapeError::Tensor)?
            }
            Op::Broadcast(a, shape) => match self[*a].shape {
                Shape::Scalar => *shape,
                other => return Err(ShapeError::Operand(Unary::Sum, other)),
            },
            Op::Binary(Binary::Outer, a, b) => match (self[*a].shape, self[*b].shape) {
                (Shape::Vector(m), Shape::Vector(n)) => Shape::Matrix(m, n),
                (a, b) => return Err(ShapeError::MatMul(a, b)),
            },
            Op::Binary(Binary::Pick, a, i) => match (self[*a].shape, self[*i].shape) {
                (Shape::Matrix(_, n), Shape::Scalar) => Shape::Vector(n),
                (Shape::Vector(_), Shape::Scalar) => Shape::Scalar,
                (a, i) => return Err(ShapeError::Pick(a, i)),
            },
            Op::Binary(Binary::Concat, a, b) => match (self[*a].shape, self[*b].shape) {
                (
                    a @ (Shape::Scalar | Shape::Vector(_)),
                    b @ (Shape::Scalar | Shape::Vector(_)),
                ) => Shape::Vector(a.size() + b.size()),
                (a, b) => return Err(ShapeError::Concat(a, b)),
            },
            Op::Binary(Binary::MatMul, a, b) => match (self[*a].shape, self[*b].shape) {
                (Shape::Matrix(m, k), Shape::Vector(k2)) if k == k2 => Shape::Vector(m),
                (Shape::Matrix(m, k), Shape::Matrix(k2, p)) if k == k2 => Shape::Matrix(m, p),
                (a, b) => return Err(ShapeError::MatMul(a, b)),
            },
            Op::Binary(op, a, b) => match (self[*a].shape, self[*b].shape) {
                (a, b) if a == b => a,
                (Shape::Scalar, b) => b,
                (a, Shape::Scalar) => a,
                (a, b) => return Err(ShapeError::Elementwise(*op, a, b)),
            },
        })
    }

    /// Gives the node a user's name unless it has one: with shared nodes, the first name written
    /// is the one a derivation uses.
    pub fn name(&mut self, id: NodeId, name: &str) {
        let node = &mut self.nodes[id.index()];
        if node.name.is_none() {
            node.name = Some(name.to_string());
        }
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The id of the node at `index`, if there is one.
    pub fn id_at(&self, index: usize) -> Option<NodeId> {
        (index < self.nodes.len()).then_some(NodeId(index as u32))
    }

    pub fn ids(&self) -> impl DoubleEndedIterator<Item = NodeId> + use<> {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    /// Which nodes `roots` depend on (themselves included), by one backward sweep.
    pub fn reachable_from(&self, roots: &[NodeId]) -> Vec<bool> {
        let mut reached = vec![false; self.nodes.len()];
        for root in roots {
            reached[root.index()] = true;
        }
        for id in self.ids().rev() {
            if reached[id.index()] {
                for operand in self[id].op.operands() {
                    reached[operand.index()] = true;
                }
            }
        }
        reached
    }
}

impl std::ops::Index<NodeId> for Graph {
    type Output = Node;

    fn index(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }
}
