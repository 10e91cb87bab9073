//! The functions a file can call, with how each lowers to the core operations.

use crate::ir::Unary;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    /// A core operation of one operand.
    Core(Unary),
    /// `mse(o, y)` = mean((o − y)²)
    Mse,
    /// `cross_entropy(p, y)` = −sum(y ⊙ log p), or −log p[y] for a class number `y`
    CrossEntropy,
    /// `binary_cross_entropy(p, y)` = −sum(y ⊙ log p + (1 − y) ⊙ log(1 − p))
    BinaryCrossEntropy,
    /// `batch_mean(v)`: the mean of `v` over the examples of the batch
    BatchMean,
    /// `batch_var(v)`, `batch_var(v, 1)`: the variance of `v` over the examples of the batch,
    /// dividing by m, or by m − 1 with a correction of 1
    BatchVar,
    /// `concat(a, b, …)`: vectors joined into one
    Concat,
    /// `sum(X)`, `mean(X)`, `softmax(Z)`, `log_softmax(Z)`, and the same along one axis:
    /// `sum(X, axis)` …
    Along(Unary),
    /// `conv2d(X, K)`, `conv2d(X, K, stride, padding)`, `conv2d(X, K, b, stride, padding)`
    Conv2d,
    /// `max_pool(X, k)`, `avg_pool(X, k)`
    Pool(crate::ir::Pool),
    /// `flatten(X)`: the elements in row-major order, as a vector
    Flatten,
}

pub const FUNCTIONS: [(&str, Function); 22] = [
    ("sigmoid", Function::Core(Unary::Sigmoid)),
    ("tanh", Function::Core(Unary::Tanh)),
    ("relu", Function::Core(Unary::Relu)),
    ("exp", Function::Core(Unary::Exp)),
    ("log", Function::Core(Unary::Log)),
    ("sqrt", Function::Core(Unary::Sqrt)),
    ("abs", Function::Core(Unary::Abs)),
    ("sum", Function::Along(Unary::Sum)),
    ("mean", Function::Along(Unary::Mean)),
    ("softmax", Function::Along(Unary::Softmax)),
    ("log_softmax", Function::Along(Unary::LogSoftmax)),
    ("transpose", Function::Core(Unary::Transpose)),
    ("mse", Function::Mse),
    ("cross_entropy", Function::CrossEntropy),
    ("binary_cross_entropy", Function::BinaryCrossEntropy),
    ("batch_mean", Function::BatchMean),
    ("batch_var", Function::BatchVar),
    ("concat", Function::Concat),
    ("conv2d", Function::Conv2d),
    ("max_pool", Function::Pool(crate::ir::Pool::Max)),
    ("avg_pool", Function::Pool(crate::ir::Pool::Mean)),
    ("flatten", Function::Flatten),
];

impl Function {
    pub fn lookup(name: &str) -> Option<Function> {
        FUNCTIONS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    pub fn names() -> impl Iterator<Item = &'static str> {
        FUNCTIONS.iter().map(|(n, _)| *n)
    }

    /// The parameters, for "takes N arguments" messages: the required ones, then the optional.
    pub fn parameters(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Function::Core(_) | Function::BatchMean => (&["x"], &[]),
            Function::Along(_) => (&["x"], &["axis"]),
            Function::Conv2d => (&["X", "K"], &["b", "stride", "padding"]),
            Function::Pool(_) => (&["X", "k"], &[]),
            Function::Flatten => (&["X"], &[]),
            Function::Mse => (&["prediction", "target"], &[]),
            Function::CrossEntropy | Function::BinaryCrossEntropy => {
                (&["probabilities", "target"], &[])
            }
            Function::BatchVar => (&["x"], &["correction"]),
            Function::Concat => (&["a", "b"], &["…"]),
        }
    }

    /// How many arguments it takes: at least, and at most (`None`: any number more).
    pub fn arity(self) -> (usize, Option<usize>) {
        let (required, optional) = self.parameters();
        match self {
            Function::Concat => (required.len(), None),
            _ => (required.len(), Some(required.len() + optional.len())),
        }
    }
}
