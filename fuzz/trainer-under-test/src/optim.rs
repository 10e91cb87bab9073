//! Stochastic gradient descent, as PyTorch's `torch.optim.SGD` defines it without momentum:
//! θ ← θ − lr · g, where `g` is the gradient of the batch's mean loss (the sum of its examples'
//! gradients over their number).

use crate::Real;
use crate::model::Params;

pub struct Optimizer {
    lr: Real,
}

impl Optimizer {
    /// The file's `sgd(…)`, with the learning rate `lr`.
    pub fn new(lr: Real) -> Optimizer {
        Optimizer { lr }
    }

    /// One step from `sum`, the sum of `count` examples' gradients.
    pub fn step(&mut self, params: &mut Params, sum: &Params, count: usize) {
        let n = count as Real;
        for (p, s) in params.values_mut().into_iter().zip(sum.values()) {
            for (p, s) in p.iter_mut().zip(s) {
                *p -= self.lr * (s / n);
            }
        }
    }
}
