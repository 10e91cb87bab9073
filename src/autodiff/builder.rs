//! Building gradient nodes with the simplifications a person would make on paper.
//!
//! Each constructor folds exact constants and applies identities — `x·1 = x`, `x + 0 = x`,
//! `−(−x) = x`, `−(a − b) = b − a`, a scalar broadcast folded into the product it feeds — so the
//! gradient reads like a textbook's (`(o − y) ⊙ o ⊙ (1 − o)`) and never grows with useless
//! nodes. Every identity preserves the value and the shape exactly.

use num_rational::BigRational;
use num_traits::{One, Zero};

use crate::ir::fold;
use crate::ir::{Binary, Graph, NodeId, Op, ShapeError, Unary};
use crate::shape::Shape;
use crate::span::Span;
use crate::tensor::Tensor;

pub type Built = Result<NodeId, ShapeError>;

pub struct Builder<'g> {
    pub graph: &'g mut Graph,
    /// Where new nodes point: the forward node whose derivative they are part of.
    pub span: Span,
}

impl Builder<'_> {
    pub fn shape(&self, id: NodeId) -> Shape {
        self.graph[id].shape
    }

    fn literal(&self, id: NodeId) -> Option<&Tensor<BigRational>> {
        match &self.graph[id].op {
            Op::Literal(value) => Some(value),
            _ => None,
        }
    }

    pub fn is_zero(&self, id: NodeId) -> bool {
        self.literal(id)
            .is_some_and(|v| v.data().iter().all(Zero::is_zero))
    }

    fn is_one(&self, id: NodeId) -> bool {
        self.literal(id)
            .is_some_and(|v| v.data().iter().all(One::is_one))
    }

    fn is_minus_one(&self, id: NodeId) -> bool {
        self.literal(id)
            .is_some_and(|v| v.data().iter().all(|x| *x == -BigRational::one()))
    }

    fn scalar_literal(&self, id: NodeId) -> Option<&BigRational> {
        self.literal(id).and_then(|v| v.as_scalar())
    }

    pub fn number(&mut self, value: BigRational) -> Built {
        self.node(Op::Literal(Tensor::scalar(value)))
    }

    pub fn zeros(&mut self, shape: Shape) -> Built {
        self.node(Op::Literal(Tensor::filled(shape, BigRational::zero())))
    }

    /// Adds `op`, folded to a literal when its operands are exact literals.
    fn node(&mut self, op: Op) -> Built {
        let literals: Option<Vec<&Tensor<BigRational>>> =
            op.operands().map(|id| self.literal(id)).collect();
        if let Some(literals) = literals
            && !literals.is_empty()
            && let Ok(Some(value)) = fold::exact(&op, &literals)
        {
            return self.graph.add(Op::Literal(value), self.span);
        }
        self.graph.add(op, self.span)
    }

    /// The shape of an elementwise result of `a` and `b`.
    fn joint(&self, a: NodeId, b: NodeId) -> Shape {
        match (self.shape(a), self.shape(b)) {
            (Shape::Scalar, s) | (s, Shape::Scalar) => s,
            (s, _) => s,
        }
    }

    /// `x` as a value of `shape`: itself, or a scalar repeated.
    fn fit(&mut self, x: NodeId, shape: Shape) -> Built {
        if self.shape(x) == shape {
            Ok(x)
        } else {
            self.broadcast(x, shape)
        }
    }

    pub fn broadcast(&mut self, scalar: NodeId, shape: Shape) -> Built {
        if shape.is_scalar() {
            return Ok(scalar);
        }
        if self.is_zero(scalar) {
            return self.zeros(shape);
        }
        self.graph.add(Op::Broadcast(scalar, shape), self.span)
    }

    pub fn neg(&mut self, a: NodeId) -> Built {
        match self.graph[a].op {
            Op::Unary(Unary::Neg, x) => Ok(x),
            Op::Binary(Binary::Sub, x, y) => self.sub(y, x),
            _ => self.node(Op::Unary(Unary::Neg, a)),
        }
    }

    pub fn add(&mut self, a: NodeId, b: NodeId) -> Built {
        let shape = self.joint(a, b);
        // Two means over the batch are the mean of the sum: (1/m) Σᵢ (a⁽ⁱ⁾ + b⁽ⁱ⁾).
        if let (Op::Unary(Unary::BatchMean, x), Op::Unary(Unary::BatchMean, y)) =
            (&self.graph[a].op, &self.graph[b].op)
        {
            let (x, y) = (*x, *y);
            let total = self.add(x, y)?;
            return self.batch_mean(total);
        }
        if self.is_zero(a) {
            return self.fit(b, shape);
        }
        if self.is_zero(b) {
            return self.fit(a, shape);
        }
        if let Op::Unary(Unary::Neg, c) = self.graph[b].op {
            return self.sub(a, c);
        }
        if let Op::Unary(Unary::Neg, c) = self.graph[a].op {
            return self.sub(b, c);
        }
        self.node(Op::Binary(Binary::Add, a, b))
    }

    pub fn sub(&mut self, a: NodeId, b: NodeId) -> Built {
        let shape = self.joint(a, b);
        if self.is_zero(b) {
            return self.fit(a, shape);
        }
        if self.is_zero(a) {
            let negated = self.neg(b)?;
            return self.fit(negated, shape);
        }
        if a == b {
            return self.zeros(shape);
        }
        if let Op::Unary(Unary::Neg, c) = self.graph[b].op {
            return self.add(a, c);
        }
        self.node(Op::Binary(Binary::Sub, a, b))
    }

    pub fn mul(&mut self, a: NodeId, b: NodeId) -> Built {
        let shape = self.joint(a, b);
        if self.is_zero(a) || self.is_zero(b) {
            return self.zeros(shape);
        }
        if self.is_one(a) && self.shape(a).size() <= self.shape(b).size() {
            return self.fit(b, shape);
        }
        if self.is_one(b) && self.shape(b).size() <= self.shape(a).size() {
            return self.fit(a, shape);
        }
        if self.is_minus_one(a) && self.shape(a).is_scalar() {
            let negated = self.neg(b)?;
            return self.fit(negated, shape);
        }
        if self.is_minus_one(b) && self.shape(b).is_scalar() {
            let negated = self.neg(a)?;
            return self.fit(negated, shape);
        }
        // A repeated scalar times a value of its shape is the plain scalar product.
        if let Op::Broadcast(s, repeated) = self.graph[a].op {
            return if self.shape(b) == repeated {
                self.mul(s, b)
            } else {
                let product = self.mul(s, b)?;
                self.broadcast(product, repeated)
            };
        }
        if let Op::Broadcast(s, repeated) = self.graph[b].op {
            return if self.shape(a) == repeated {
                self.mul(a, s)
            } else {
                let product = self.mul(a, s)?;
                self.broadcast(product, repeated)
            };
        }
        if let Op::Unary(Unary::Neg, x) = self.graph[a].op {
            let product = self.mul(x, b)?;
            return self.neg(product);
        }
        if let Op::Unary(Unary::Neg, y) = self.graph[b].op {
            let product = self.mul(a, y)?;
            return self.neg(product);
        }
        // Constant coefficients go first and merge: 1/2 · (2 · d) is d.
        if self.scalar_literal(b).is_some() && self.scalar_literal(a).is_none() {
            return self.mul(b, a);
        }
        if let Some(c1) = self.scalar_literal(a).cloned()
            && let Op::Binary(Binary::Mul, c, x) = self.graph[b].op
            && let Some(c2) = self.scalar_literal(c).cloned()
        {
            let coefficient = self.number(c1 * c2)?;
            return self.mul(coefficient, x);
        }
        self.node(Op::Binary(Binary::Mul, a, b))
    }

    pub fn div(&mut self, a: NodeId, b: NodeId) -> Built {
        let shape = self.joint(a, b);
        if self.is_one(b) && self.shape(b).size() <= self.shape(a).size() {
            return self.fit(a, shape);
        }
        if self.is_zero(a) {
            return self.zeros(shape);
        }
        if let Op::Unary(Unary::Neg, x) = self.graph[a].op {
            let quotient = self.div(x, b)?;
            return self.neg(quotient);
        }
        self.node(Op::Binary(Binary::Div, a, b))
    }

    pub fn pow(&mut self, a: NodeId, exponent: BigRational) -> Built {
        if exponent.is_one() {
            return Ok(a);
        }
        if exponent.is_zero() {
            let one = self.number(BigRational::one())?;
            return self.fit(one, self.shape(a));
        }
        self.node(Op::Pow(a, exponent))
    }

    pub fn matmul(&mut self, a: NodeId, b: NodeId) -> Built {
        if self.is_zero(a) || self.is_zero(b) {
            let shape = match (self.shape(a), self.shape(b)) {
                (Shape::Matrix(m, _), Shape::Vector(_)) => Shape::Vector(m),
                (Shape::Matrix(m, _), Shape::Matrix(_, p)) => Shape::Matrix(m, p),
                _ => return self.node(Op::Binary(Binary::MatMul, a, b)),
            };
            return self.zeros(shape);
        }
        self.node(Op::Binary(Binary::MatMul, a, b))
    }

    pub fn outer(&mut self, a: NodeId, b: NodeId) -> Built {
        if (self.is_zero(a) || self.is_zero(b))
            && let (Shape::Vector(m), Shape::Vector(n)) = (self.shape(a), self.shape(b))
        {
            return self.zeros(Shape::Matrix(m, n));
        }
        self.node(Op::Binary(Binary::Outer, a, b))
    }

    pub fn transpose(&mut self, a: NodeId) -> Built {
        match self.graph[a].op {
            Op::Unary(Unary::Transpose, x) => Ok(x),
            // (u vᵀ)ᵀ = v uᵀ: a textbook writes the product the other way round, and a trainer
            // computes it without making the matrix only to transpose it.
            Op::Binary(Binary::Outer, u, v) => self.outer(v, u),
            _ => self.node(Op::Unary(Unary::Transpose, a)),
        }
    }

    pub fn sum(&mut self, a: NodeId) -> Built {
        match self.graph[a].op {
            _ if self.shape(a).is_scalar() => Ok(a),
            Op::OneHot(..) => self.number(BigRational::one()),
            Op::Broadcast(s, shape) => {
                let count = self.number(BigRational::from_integer(shape.size().into()))?;
                self.mul(count, s)
            }
            Op::Unary(Unary::Neg, x) => {
                let total = self.sum(x)?;
                self.neg(total)
            }
            _ => self.node(Op::Unary(Unary::Sum, a)),
        }
    }

    pub fn unary(&mut self, f: Unary, a: NodeId) -> Built {
        self.node(Op::Unary(f, a))
    }

    /// The mean over the batch of a per-example value; a shared value is its own mean.
    pub fn batch_mean(&mut self, a: NodeId) -> Built {
        if !self.graph[a].per_example {
            return Ok(a);
        }
        self.node(Op::Unary(Unary::BatchMean, a))
    }

    /// An operation on tensors; reshaping to the operand's own shape is the operand, and a
    /// reshape of a reshape one reshape.
    pub fn tensor(&mut self, op: crate::ir::TensorOp) -> Built {
        use crate::ir::TensorOp;
        if let TensorOp::Reshape(a, shape) = op {
            if self.shape(a) == shape {
                return Ok(a);
            }
            if let Op::Tensor(TensorOp::Reshape(inner, _)) = self.graph[a].op {
                return self.tensor(TensorOp::Reshape(inner, shape));
            }
        }
        self.node(Op::Tensor(op))
    }

    /// The one-hot vector `[n]` of an index.
    pub fn one_hot(&mut self, index: NodeId, n: usize) -> Built {
        self.node(Op::OneHot(index, n))
    }

    /// The part of a vector from `start` on, of `shape`.
    pub fn slice(&mut self, a: NodeId, start: usize, shape: Shape) -> Built {
        if self.shape(a) == shape {
            return Ok(a);
        }
        if self.is_zero(a) {
            return self.zeros(shape);
        }
        // The part of a joined vector that is one of its pieces is that piece.
        if let Op::Binary(Binary::Concat, x, y) = self.graph[a].op {
            let width = self.shape(x).size();
            if start == 0 && self.shape(x) == shape {
                return Ok(x);
            }
            if start == width && self.shape(y) == shape {
                return Ok(y);
            }
        }
        self.node(Op::Slice(a, start, shape))
    }

    pub fn concat(&mut self, a: NodeId, b: NodeId) -> Built {
        self.node(Op::Binary(Binary::Concat, a, b))
    }

    /// Sums a gradient of a broadcast result back to a scalar operand's shape.
    pub fn unbroadcast(&mut self, gradient: NodeId, operand_shape: Shape) -> Built {
        if operand_shape.is_scalar() && !self.shape(gradient).is_scalar() {
            self.sum(gradient)
        } else {
            Ok(gradient)
        }
    }
}
