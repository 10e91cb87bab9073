use num_rational::BigRational;

use super::graph::{Graph, NodeId};
use crate::shape::Shape;
use crate::span::Span;
use crate::tensor::Tensor;

pub use crate::syntax::ast::DeclKind;

/// An index into [`Model::declarations`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeclId(pub u32);

impl DeclId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A checked `.nabla` file.
#[derive(Clone, Debug)]
pub struct Model {
    pub graph: Graph,
    /// Inputs, targets, parameters and constants, in the order they were written.
    pub declarations: Vec<Declaration>,
    /// `dim` names, in the order they were written.
    pub dims: Vec<Dim>,
    /// Named intermediate values, in an order where each comes after what it uses.
    pub intermediates: Vec<Intermediate>,
    pub loss: Loss,
    pub optimizer: Optimizer,
    /// False when the file has no `optimizer` line and [`Model::optimizer`] is the default.
    pub optimizer_written: bool,
    pub training: Training,
}

#[derive(Clone, Debug)]
pub struct Declaration {
    pub kind: DeclKind,
    pub name: String,
    pub shape: Shape,
    pub init: Option<Init>,
    /// For `c : index(27)`, the number of values (27): the declaration holds a whole number
    /// 0 … 26 that picks a row or names a class.
    pub index: Option<usize>,
    /// The name where it is declared.
    pub span: Span,
    pub node: NodeId,
}

impl Declaration {
    /// Whether its value differs from example to example: an input or a target.
    pub fn is_per_example(&self) -> bool {
        matches!(self.kind, DeclKind::Input | DeclKind::Target)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Init {
    /// `= [0.05, 0.10]`: exact, in the declared shape.
    Value(Tensor<BigRational>),
    /// `~ xavier`
    Random(Initializer),
    /// `= each [v₁, v₂, …]`: an input's or a target's value in each example of a batch, each
    /// exact and in the declared shape.
    Each(Vec<Tensor<BigRational>>),
}

/// How a parameter's starting values are drawn. The distributions' arguments are exact as written.
#[derive(Clone, Debug, PartialEq)]
pub enum Initializer {
    Zeros,
    Ones,
    Uniform {
        low: BigRational,
        high: BigRational,
    },
    Normal {
        mean: BigRational,
        std: BigRational,
    },
    /// Glorot: uniform on ±sqrt(6 / (fan_in + fan_out)).
    Xavier,
    /// Kaiming: normal with std sqrt(2 / fan_in).
    He,
}

impl std::fmt::Display for Initializer {
    /// As written in a file: `xavier`, `uniform(-0.1, 0.1)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::exact::display;
        match self {
            Initializer::Zeros => f.write_str("zeros"),
            Initializer::Ones => f.write_str("ones"),
            Initializer::Uniform { low, high } => {
                write!(f, "uniform({}, {})", display(low), display(high))
            }
            Initializer::Normal { mean, std } => {
                write!(f, "normal({}, {})", display(mean), display(std))
            }
            Initializer::Xavier => f.write_str("xavier"),
            Initializer::He => f.write_str("he"),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Dim {
    pub name: String,
    pub value: u64,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Intermediate {
    pub name: String,
    pub node: NodeId,
    /// The name where it is defined.
    pub span: Span,
    /// The expression it is defined by.
    pub definition: Span,
}

#[derive(Clone, Debug)]
pub struct Loss {
    pub name: String,
    pub node: NodeId,
    pub span: Span,
    pub definition: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Optimizer {
    /// Stochastic gradient descent, with PyTorch's momentum (no dampening) when `momentum > 0`.
    Sgd {
        lr: BigRational,
        momentum: BigRational,
    },
    Adam {
        lr: BigRational,
        beta1: BigRational,
        beta2: BigRational,
        eps: BigRational,
    },
}

impl Optimizer {
    pub fn learning_rate(&self) -> &BigRational {
        match self {
            Optimizer::Sgd { lr, .. } | Optimizer::Adam { lr, .. } => lr,
        }
    }
}

/// `train(...)`: defaults for the generated trainer; `None` where the file says nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Training {
    pub epochs: Option<u64>,
    pub batch: Option<u64>,
    pub shuffle: Option<bool>,
    pub seed: Option<u64>,
}

impl Model {
    pub fn declaration(&self, id: DeclId) -> &Declaration {
        &self.declarations[id.index()]
    }

    pub fn declarations_of(&self, kind: DeclKind) -> impl Iterator<Item = &Declaration> {
        self.declarations.iter().filter(move |d| d.kind == kind)
    }

    /// The number of examples the file gives values for: the length of its `each` lists, 1 when
    /// its inputs and targets have plain values, `None` when none has a value.
    pub fn examples(&self) -> Option<usize> {
        self.declarations
            .iter()
            .filter(|d| d.is_per_example())
            .find_map(|d| match &d.init {
                Some(Init::Each(values)) => Some(values.len()),
                Some(Init::Value(_)) => Some(1),
                _ => None,
            })
    }

    /// Whether a step is taken on a batch of examples: the file gives `each` lists, or uses a
    /// statistic over the batch. Then the loss line is one example's loss, the batch loss is
    /// their mean, and every gradient is of the batch loss.
    pub fn is_batch(&self) -> bool {
        self.uses_batch_statistics()
            || self
                .declarations
                .iter()
                .any(|d| matches!(d.init, Some(Init::Each(_))))
    }

    /// Whether a value looks across the examples of a batch (`batch_mean`, `batch_var`).
    pub fn uses_batch_statistics(&self) -> bool {
        self.graph.nodes().iter().any(|n| {
            matches!(
                n.op,
                super::Op::Unary(super::Unary::BatchMean, _) | super::Op::BatchSize
            )
        })
    }

    /// Number of trainable values.
    pub fn parameter_count(&self) -> u64 {
        self.declarations_of(DeclKind::Param)
            .map(|d| d.shape.size() as u64)
            .sum()
    }

    /// The display name of a node: its declaration's name for a declared value, else the name the
    /// user gave it.
    pub fn node_name(&self, id: NodeId) -> Option<&str> {
        let node = &self.graph[id];
        match node.op {
            super::Op::Var(decl) => Some(&self.declaration(decl).name),
            _ => node.name.as_deref(),
        }
    }
}
