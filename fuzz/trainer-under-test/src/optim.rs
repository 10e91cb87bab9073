//! Stochastic gradient descent, as PyTorch's `torch.optim.SGD` defines it without momentum:
//! θ ← θ − lr · g, where `g` is the gradient of the batch's mean loss (the sum of its examples'
//! gradients over their number).

use crate::Real;
use crate::kernels;
use crate::model::Params;

pub struct Optimizer {
    lr: Real,
    /// How many parameters there are.
    params: usize,
}

impl Optimizer {
    /// The file's `sgd(…)`, with the learning rate `lr`, for parameters of these names and
    /// shapes (`PARAMS`: the network's, or one thread's share of them).
    pub fn new(lr: Real, params: &[(&str, &[usize])]) -> Optimizer {
        Optimizer {
            lr,
            params: params.len(),
        }
    }

    /// Begins a step from the sum of `count` examples' gradients.
    pub fn begin(&mut self, count: usize) -> Step {
        Step {
            n: count as Real,
            lr: self.lr,
        }
    }

    /// The optimizer's tensors of each parameter: none.
    pub fn state(&mut self) -> impl Iterator<Item = [&mut [Real]; STATE]> {
        std::iter::repeat_with(|| []).take(self.params)
    }
}

/// The optimizer's tensors for each parameter: none.
pub const STATE: usize = 0;

/// What a step's update of every element needs.
pub struct Step {
    n: Real,
    lr: Real,
}

/// The update of elements of one parameter (any share of its elements, with the same share of
/// its gradient sum). Returns whether they are still finite.
pub fn update(step: &Step, p: &mut [Real], s: &[Real], state: [&mut [Real]; STATE]) -> bool {
    // Plain SGD keeps no state.
    let [] = state;
    kernels::sgd_step(p, s, step.n, step.lr)
}

impl Optimizer {
    /// One step of every parameter `p` on `g`, the sum of `count` examples' gradients. Returns
    /// whether the parameters are still finite.
    pub fn step(&mut self, p: &mut Params, g: &Params, count: usize) -> bool {
        let step = self.begin(count);
        let mut finite = true;
        let tensors = p.values_mut().into_iter().zip(g.values());
        for ((p, g), state) in tensors.zip(self.state()) {
            finite &= update(&step, p, g, state);
        }
        finite
    }
}
