//! The Rust text of the generated `model.rs` (and of `half.rs`, the model one thread of a step
//! cut by units computes), feature by feature.
//!
//! Each feature of a model — its columns, parameters, starting values, parameters stored
//! transposed, batch, the values each pass keeps, the passes, the products a large network's
//! step computes ahead, the gradients it sums by rows, the prediction or the classes … — is an
//! emitter of its own ([`Feature`]): it says whether this network needs it, and what items it
//! adds. Only the features a network needs are written, so a trainer holds only what its network
//! uses, and a new kind of layer is a new emitter. What the other files of the project need to
//! know of the model ([`Facts`]) is read off the same emitters.
//!
//! Invariant: everything written here is formatted as rustfmt formats it (see `layout`), and the
//! kernels the project includes are those the written code calls ([`ModelCode::kernels`]).

mod features;
pub(super) mod passes;
pub(super) mod rolled;
mod text;
mod values;

use std::collections::BTreeSet;

use super::plan::Plan;
use super::task::Task;
use crate::explain::gradients::GradientDerivation;
use crate::ir::Model;

pub use passes::{Pass, Passes};
pub use text::{element_loops, rust_type};

/// Which model a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// `model.rs`: the network.
    Whole,
    /// `half.rs`: the network as one of the two threads of a step cut by units computes it.
    Half,
}

/// What the emitters read: the network, its plan, and the passes written from the plan.
pub struct Network<'a> {
    pub model: &'a Model,
    pub plan: &'a Plan,
    pub task: &'a Task,
    pub derivation: &'a GradientDerivation,
    pub role: Role,
    /// How the project names the `.nabla` file.
    pub source: &'a str,
    pub passes: Passes,
}

/// One feature of a model's code: whether the network needs it, and the items it adds.
pub trait Feature: Sync {
    /// Whether this network's model has the feature.
    fn needed(&self, n: &Network) -> bool;
    /// Its items, in order, each as rustfmt lays it out.
    fn items(&self, n: &Network) -> Vec<String>;
}

/// The features of a model, in the order of the file.
const FEATURES: &[&dyn Feature] = &[
    &features::Columns,
    &features::Work,
    &values::Constants,
    &features::Parameters,
    &values::StartingValues,
    &features::StoredTransposed,
    &features::BatchRows,
    &features::ForwardValues,
    &features::BackwardValues,
    &features::InputProducts,
    &features::Statistics,
    &features::PassFunctions,
    &features::RowProducts,
    &features::Prediction,
    &features::Classes,
    &features::Allocation,
];

/// What the other files of the project need to know of a model.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// Whether some parameter is stored transposed (`stored_at` maps a file's element to its
    /// place).
    pub stored_transposed: bool,
    /// Whether the backward pass keeps values of its own (`Backward`).
    pub backward: bool,
    /// Whether `Forward::new` and `Backward::new` take the room for rows (some value varies).
    pub forward_capacity: bool,
    pub backward_capacity: bool,
    /// Whether the step computes products with inputs ahead (`Products`, `add_input_product`).
    pub input_products: bool,
    /// Whether the step sums gradients by rows (`add_gradient_rows`).
    pub row_products: bool,
    /// Whether the starting values are drawn (`Params::initial` takes the seed).
    pub drawn: bool,
    /// Whether the passes compute batch statistics (`Mode`, `update_statistics`).
    pub statistics: bool,
    /// The parameters each function of the model takes, by name: `predict`, `forward`,
    /// `backward`, `add_gradient_rows`, `output`, `predicted_class`.
    pub calls: Vec<(&'static str, Vec<&'static str>)>,
}

/// Everything `model.rs` (or `half.rs`) is made of.
pub struct ModelCode {
    /// The file, whole.
    pub text: String,
    pub facts: Facts,
    /// The kernels of `kernels.rs` the file calls.
    pub kernels: BTreeSet<&'static str>,
}

/// The model code of `plan`'s network.
pub fn emit(
    (model, plan, task): (&Model, &Plan, &Task),
    derivation: &GradientDerivation,
    role: Role,
    source: &str,
) -> ModelCode {
    let n = Network {
        model,
        plan,
        task,
        derivation,
        role,
        source,
        passes: passes::passes(model, plan),
    };
    let items: Vec<String> = FEATURES
        .iter()
        .filter(|f| f.needed(&n))
        .flat_map(|f| f.items(&n))
        .collect();
    let body = items.join("\n");
    let kernels = called_kernels(&body);
    let text = format!("{}\n{body}", features::header(&n, &body, &kernels));
    ModelCode {
        text,
        facts: facts(&n),
        kernels,
    }
}

fn facts(n: &Network) -> Facts {
    let mut calls = vec![
        ("predict", n.passes.predict.names()),
        ("forward", n.passes.forward.names()),
        ("backward", n.passes.backward.names()),
    ];
    if features::RowProducts.needed(n) {
        calls.push(("add_gradient_rows", features::gradient_rows_parameters(n)));
    }
    calls.push(("output", features::prediction_parameters(n)));
    Facts {
        stored_transposed: features::StoredTransposed.needed(n),
        backward: features::BackwardValues.needed(n),
        forward_capacity: features::takes_capacity(&n.passes.forward_fields),
        backward_capacity: features::takes_capacity(&n.passes.backward_fields),
        input_products: features::InputProducts.needed(n),
        row_products: features::RowProducts.needed(n),
        drawn: values::drawn(n),
        statistics: features::Statistics.needed(n),
        calls,
    }
}

/// The kernels of `kernels.rs` that `code` calls: `kernels::name(…)`, and the functions of one
/// number called by name (`sigmoid(…)`).
pub fn called_kernels(code: &str) -> BTreeSet<&'static str> {
    let mut called = BTreeSet::new();
    for kernel in KERNELS {
        let qualified = format!("kernels::{kernel}(");
        let sized = format!("kernels::{kernel}::<");
        let bare = format!("{kernel}(");
        // A call, not a method, a path or the function's own definition.
        let by_name = passes::SCALAR_FUNCTIONS.contains(kernel)
            && code.match_indices(&bare).any(|(at, _)| {
                let before = &code[..at];
                !before.ends_with(|c: char| c.is_alphanumeric() || "_:.".contains(c))
                    && !before.ends_with("fn ")
            });
        if code.contains(&qualified) || code.contains(&sized) || by_name {
            called.insert(*kernel);
        }
    }
    // Kernels that call others.
    for (caller, callee) in [
        ("softmax_along", "softmax"),
        ("log_softmax_along", "log_softmax"),
        ("conv2d", "multiversion"),
        ("conv2d_input", "multiversion"),
        ("conv2d_kernel_add", "multiversion"),
        ("conv2d_kernel_add_filters", "multiversion"),
        ("conv2d_kernel_add_columns", "multiversion"),
    ] {
        if called.contains(caller) {
            called.insert(callee);
        }
    }
    // The macro that compiles a function for each processor.
    if code.contains("multiversion! {") {
        called.insert("multiversion");
    }
    called
}

/// Every kernel a trainer's `kernels.rs` can hold.
pub const KERNELS: &[&str] = &[
    "add_assign",
    "adam_step",
    "argmax",
    "avg_pool",
    "conv2d",
    "conv2d_input",
    "conv2d_input_strided",
    "conv2d_kernel_add",
    "conv2d_kernel_add_columns",
    "conv2d_kernel_add_filters",
    "conv2d_kernel_add_strided",
    "conv2d_strided",
    "flush_denormals",
    "log_softmax",
    "log_softmax_along",
    "matmul",
    "matvec",
    "matvec_rows",
    "matvec_transposed",
    "matvec_transposed_rows",
    "matvec_transposed_rows_add",
    "max_pool",
    "max_pool_at",
    "max_pool_mask",
    "momentum_step",
    "outer",
    "outer_add",
    "outer_add_rows",
    "outer_pair_add_rows",
    "relu",
    "running_average",
    "scatter_add",
    "scatter_add_elements",
    "sgd_step",
    "sigmoid",
    "sigmoid_cross_entropy",
    "sign",
    "softmax",
    "softmax_and_log_softmax",
    "softmax_and_log_softmax_rows",
    "softmax_along",
    "step",
    "transpose",
];
