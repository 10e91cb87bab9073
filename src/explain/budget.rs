//! How much arithmetic a worked step asks for, counted before any of it is done.
//!
//! `explain` works out every number of a step exactly (the forward pass, every gradient, every
//! line of the update), and exact arithmetic costs microseconds a number: a 1000 × 1000 linear
//! layer took 12 s and 1.2 GB, a 3000 × 3000 one more than a minute and 5.6 GB. The count here
//! lets the pipeline refuse such a step at once, saying its size, instead of running for minutes.

use crate::autodiff::Gradient;
use crate::ir::{Binary, DeclKind, Model, Op, Optimizer};

/// The most numbers a step may ask for: about three seconds of exact arithmetic on the machine
/// of docs/reliability.md (a 600 × 600 linear layer with SGD is 1,440,000 and takes 2.9 s).
pub const MOST_NUMBERS: u64 = 1_500_000;

/// The numbers a step works out, and the largest value among them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Work {
    pub numbers: u64,
    /// The name and shape of the largest declared value (`W [3000, 3000]`) and its size.
    pub largest: Option<(String, u64)>,
}

/// The numbers `steps` steps of `gradient` on `examples` examples work out: each value of each
/// node (once per example where it differs between them), each product of a matrix product, and
/// the optimizer's update of each parameter element; the gradient check doubles it.
pub fn work(
    model: &Model,
    gradient: &Gradient,
    examples: usize,
    steps: usize,
    gradcheck: bool,
) -> Work {
    let graph = &gradient.graph;
    let mut numbers: u64 = 0;
    for node in graph.nodes() {
        let copies = if node.per_example { examples as u64 } else { 1 };
        let size = node.shape.size() as u64;
        let products = match &node.op {
            Op::Binary(Binary::MatMul, a, _) => {
                size * graph[*a].shape.dims().last().copied().unwrap_or(1) as u64
            }
            _ => 0,
        };
        numbers = numbers.saturating_add((size + products).saturating_mul(copies));
    }
    // As measured: SGD's line costs about one number, momentum's two, and Adam's five exact
    // lines (a square, a square root, divisions by 1 − β and by √v̂ + ε, whose denominators grow)
    // about twenty.
    let update_cost: u64 = match &model.optimizer {
        Optimizer::Sgd { momentum, .. } if num_traits::Zero::is_zero(momentum) => 1,
        Optimizer::Sgd { .. } => 2,
        Optimizer::Adam { .. } => 20,
    };
    let parameters: u64 = model
        .declarations
        .iter()
        .filter(|d| d.kind == DeclKind::Param)
        .map(|d| d.shape.size() as u64)
        .sum();
    numbers = numbers.saturating_add(parameters.saturating_mul(update_cost));
    numbers = numbers.saturating_mul(steps as u64 + 1);
    if gradcheck {
        numbers = numbers.saturating_mul(2);
    }
    let largest = model
        .declarations
        .iter()
        .max_by_key(|d| d.shape.size())
        .map(|d| (format!("{} {}", d.name, d.shape), d.shape.size() as u64));
    Work { numbers, largest }
}
