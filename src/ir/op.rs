//! The core operations. Everything a file can write lowers to these (see `check::lower`), so
//! every later stage — differentiation, evaluation, explanation, code generation — handles this
//! short list and nothing else.

use num_rational::BigRational;

use super::graph::NodeId;
use super::model::DeclId;
use super::tensor_op::TensorOp;
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
    /// The vector `[n]` with 1 at the position an index names and 0 elsewhere. Differentiation
    /// makes these: the gradient of `A[i]` puts the incoming gradient in row `i` only, and the
    /// gradient of cross-entropy with a class number `y` is `p − onehot(y)`.
    OneHot(NodeId, usize),
    /// The elements of a vector from an offset on, as a value of the shape given (a scalar is
    /// one element): the gradient of `concat(a, b)` sent back to `a` or to `b`.
    Slice(NodeId, usize, Shape),
    /// The number of examples m of the batch a step is taken on: a file's `each` lists, a
    /// trainer's batch. `batch_var(v, 1)` divides by m − 1.
    BatchSize,
    /// An operation on the axes of tensors: convolution, pooling, along one axis, reshaping
    /// (see `tensor_op`).
    Tensor(TensorOp),
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
    /// The mean over the examples of the batch: one value shared by all of them, from a value
    /// that has one per example (`batch_mean(z)`).
    BatchMean,
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
    /// `A[i]`: row `i` of a matrix, element `i` of a vector, for an index `i`.
    Pick,
    /// `concat(a, b)`: the elements of `a`, then those of `b`, as one vector (a scalar is one
    /// element).
    Concat,
    /// `−(y log σ(z) + (1 − y) log(1 − σ(z)))` elementwise, of the net input `z` and the target
    /// `y`: binary cross-entropy of a sigmoid, computed stably from `z`, whose gradient with
    /// respect to `z` is `σ(z) − y`.
    SigmoidCrossEntropy,
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
            Unary::BatchMean => "batch_mean",
        }
    }

    /// Applied to each element on its own, keeping the shape.
    pub fn is_elementwise(self) -> bool {
        !matches!(
            self,
            Unary::Transpose
                | Unary::Sum
                | Unary::Mean
                | Unary::Softmax
                | Unary::LogSoftmax
                | Unary::BatchMean
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
            Binary::Pick => "[]",
            Binary::Concat => "concat",
            Binary::SigmoidCrossEntropy => "binary_cross_entropy",
        }
    }
}

impl Op {
    /// The name of an operation on tensors, for messages of what is not computed yet.
    pub fn tensor_operation(&self) -> Option<&'static str> {
        match self {
            Op::Tensor(t) => Some(t.name()),
            _ => None,
        }
    }

    /// The operands, in order.
    pub fn operands(&self) -> impl Iterator<Item = NodeId> {
        let (a, b) = match *self {
            Op::Var(_) | Op::Literal(_) | Op::BatchSize => (None, None),
            Op::Unary(_, a)
            | Op::Pow(a, _)
            | Op::Broadcast(a, _)
            | Op::OneHot(a, _)
            | Op::Slice(a, _, _) => (Some(a), None),
            Op::Binary(_, a, b) => (Some(a), Some(b)),
            Op::Tensor(t) => {
                let (a, b) = t.operands();
                (Some(a), b)
            }
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
            Op::OneHot(a, n) => {
                a.hash(state);
                n.hash(state);
            }
            Op::Slice(a, start, shape) => {
                a.hash(state);
                start.hash(state);
                shape.hash(state);
            }
            Op::BatchSize => {}
            Op::Tensor(t) => t.hash(state),
        }
    }
}
