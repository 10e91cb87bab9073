//! The core operations. Everything a file can write lowers to these (see `check::lower`), so
//! every later stage — differentiation, evaluation, explanation, code generation — handles this
//! short list and nothing else.

use num_rational::BigRational;

use super::graph::NodeId;
use super::model::DeclId;
use crate::shape::Shape;
use crate::tensor::Tensor;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// A declared input, target, parameter or constant, by its declaration.
    Var(DeclId),
    /// An exact constant written in the file: `1/2`, `[1, -1]`, or an exact expression of such.
    Literal(Tensor<BigRational>),
    Unary(Unary, NodeId),
    Binary(Binary, NodeId, NodeId),
    /// `x ^ p` elementwise, for a constant exponent.
    Pow(NodeId, BigRational),
    /// A scalar repeated to fill a shape. Only differentiation makes these: the gradient of
    /// `sum(v)` with respect to `v` is the incoming scalar in every element.
    Broadcast(NodeId, Shape),
}

/// Operations of one operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unary {
    Neg,
    Sigmoid,
    Tanh,
    Relu,
    Exp,
    Log,
    Sqrt,
    Abs,
    Transpose,
    Sum,
    Mean,
    Softmax,
    LogSoftmax,
    /// 1 where the operand is positive, else 0: the derivative of relu (0 at the kink).
    Step,
    /// −1, 0 or 1: the derivative of abs (0 at the kink).
    Sign,
}

/// Operations of two operands. The elementwise ones broadcast a scalar to the other's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Binary {
    Add,
    Sub,
    Mul,
    Div,
    MatMul,
    /// `u vᵀ` of two vectors: the gradient of `W @ x` with respect to `W`.
    Outer,
}

impl Unary {
    /// The function's name in the language.
    pub fn name(self) -> &'static str {
        match self {
            Unary::Neg => "-",
            Unary::Sigmoid => "sigmoid",
            Unary::Tanh => "tanh",
            Unary::Relu => "relu",
            Unary::Exp => "exp",
            Unary::Log => "log",
            Unary::Sqrt => "sqrt",
            Unary::Abs => "abs",
            Unary::Transpose => "transpose",
            Unary::Sum => "sum",
            Unary::Mean => "mean",
            Unary::Softmax => "softmax",
            Unary::LogSoftmax => "log_softmax",
            Unary::Step => "step",
            Unary::Sign => "sign",
        }
    }

    /// Applied to each element on its own, keeping the shape.
    pub fn is_elementwise(self) -> bool {
        !matches!(
            self,
            Unary::Transpose | Unary::Sum | Unary::Mean | Unary::Softmax | Unary::LogSoftmax
        )
    }
}

impl Binary {
    pub fn symbol(self) -> &'static str {
        match self {
            Binary::Add => "+",
            Binary::Sub => "-",
            Binary::Mul => "*",
            Binary::Div => "/",
            Binary::MatMul => "@",
            Binary::Outer => "outer",
        }
    }
}

impl Op {
    /// The operands, in order.
    pub fn operands(&self) -> impl Iterator<Item = NodeId> {
        let (a, b) = match *self {
            Op::Var(_) | Op::Literal(_) => (None, None),
            Op::Unary(_, a) | Op::Pow(a, _) | Op::Broadcast(a, _) => (Some(a), None),
            Op::Binary(_, a, b) => (Some(a), Some(b)),
        };
        a.into_iter().chain(b)
    }
}

/// Hashing for hash-consing. Exact numbers are hashed by their (reduced) numerator and
/// denominator: num-rational's own `Hash` walks the continued fraction recursively, which for a
/// rational of 400,000 bits takes seconds and overflows the stack (found by fuzzing).
impl std::hash::Hash for Op {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        let exact = |r: &BigRational, state: &mut H| {
            r.numer().hash(state);
            r.denom().hash(state);
        };
        match self {
            Op::Var(decl) => decl.hash(state),
            Op::Literal(value) => {
                value.shape().hash(state);
                for x in value.data() {
                    exact(x, state);
                }
            }
            Op::Unary(f, a) => {
                f.hash(state);
                a.hash(state);
            }
            Op::Binary(b, x, y) => {
                b.hash(state);
                x.hash(state);
                y.hash(state);
            }
            Op::Pow(a, p) => {
                a.hash(state);
                exact(p, state);
            }
            Op::Broadcast(a, shape) => {
                a.hash(state);
                shape.hash(state);
            }
        }
    }
}
