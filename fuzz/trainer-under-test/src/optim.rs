//! Stochastic gradient descent, as PyTorch's `torch.optim.SGD` defines it without momentum:
//! θ ← θ − lr · g, where `g` is the gradient of the batch's mean loss (the sum of its examples'
//! gradients over their number).

use crate::Real;
use crate::kernels;
use crate::model::Params;

pub struct Optimizer {
    lr: Real,
}

impl Optimizer {
    /// The file's `sgd(…)`, with the learning rate `lr`.
    pub fn new(lr: Real) -> Optimizer {
        Optimizer { lr }
    }

    /// One step from `sum`, the sum of `count` examples' gradients. Returns whether every
    /// parameter is still finite.
    pub fn step(&mut self, params: &mut Params, sum: &Params, count: usize) -> bool {
        let n = count as Real;
        let mut finite = true;
        for (p, s) in params.values_mut().into_iter().zip(sum.values()) {
            finite &= kernels::sgd_step(p, s, n, self.lr);
        }
        finite
    }
}
