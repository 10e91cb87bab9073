//! The functions a file can call, with how each lowers to the core operations.

use crate::ir::Unary;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    /// A core operation of one operand.
    Core(Unary),
    /// `mse(o, y)` = mean((o − y)²)
    Mse,
    /// `cross_entropy(p, y)` = −sum(y ⊙ log p)
    CrossEntropy,
}

pub const FUNCTIONS: [(&str, Function); 14] = [
    ("sigmoid", Function::Core(Unary::Sigmoid)),
    ("tanh", Function::Core(Unary::Tanh)),
    ("relu", Function::Core(Unary::Relu)),
    ("exp", Function::Core(Unary::Exp)),
    ("log", Function::Core(Unary::Log)),
    ("sqrt", Function::Core(Unary::Sqrt)),
    ("abs", Function::Core(Unary::Abs)),
    ("sum", Function::Core(Unary::Sum)),
    ("mean", Function::Core(Unary::Mean)),
    ("softmax", Function::Core(Unary::Softmax)),
    ("log_softmax", Function::Core(Unary::LogSoftmax)),
    ("transpose", Function::Core(Unary::Transpose)),
    ("mse", Function::Mse),
    ("cross_entropy", Function::CrossEntropy),
];

impl Function {
    pub fn lookup(name: &str) -> Option<Function> {
        FUNCTIONS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    pub fn names() -> impl Iterator<Item = &'static str> {
        FUNCTIONS.iter().map(|(n, _)| *n)
    }

    /// The parameters, for "takes N arguments" messages.
    pub fn parameters(self) -> &'static [&'static str] {
        match self {
            Function::Core(_) => &["x"],
            Function::Mse => &["prediction", "target"],
            Function::CrossEntropy => &["probabilities", "target"],
        }
    }
}
