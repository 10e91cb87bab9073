//! Random networks, from the one generator of `generator/`: gradients against finite
//! differences, exact against float evaluation, batches against their examples, and PyTorch's
//! autograd of the same files.
//!
//! Networks of scalars, vectors and matrices (a fifth of them taking an image through layers of
//! tensors first) and networks of tensors (convolutions with and without channels, stride,
//! padding, a bias; max and average pooling; matrix layers on a map; sums, means and softmax
//! along an axis; flatten; batches of `each` images) are checked by the same laws:
//!
//! - every derived gradient agrees with central finite differences of the float64 loss, for the
//!   default gradient and for explicit lists of declarations (inputs, targets, constants too),
//!   on one example and on batches;
//! - the exact and the float evaluators agree on every node, forward and gradient; a network of
//!   only what keeps rationals rational (+ − × ÷, integer powers, relu, abs, sum, mean,
//!   transpose, @, mse, convolution, pooling) is exact throughout;
//! - a batch's gradient is the mean of its examples' (`batch_properties.rs`);
//! - nabla's check, derive, explain and gradients agree with PyTorch's autograd of the same file
//!   read independently (`tests/support/torch_batch.py`), for networks over the whole language
//!   and for networks of tensors and batches of images;
//! - the generated trainers agree with the evaluator (`codegen_tensors.rs`), and PyTorch trains
//!   them as the evaluator does (`pytorch_tensors.rs`).
//!
//! A failure prints the network's source; the deterministic tests take fixed seeds
//! ([`seeded`]), and `PROPTEST_CASES` sets how many cases a property tries.

mod checks;
mod generator;
mod hand;
mod pytorch;

use std::collections::BTreeSet;

use proptest::prelude::*;

use nabla::autodiff::default_wrt;
use nabla::eval::exact::Value;
use nabla::ir::{DeclId, DeclKind};

pub(crate) use checks::{
    check_against_finite_differences, chosen_declarations, compile, config,
    exact_agrees_with_float, exact_values, gradient_of, keeps_rationals_rational, near_a_kink,
    usable,
};
pub(crate) use generator::{
    Mode, Network, Tape, generate, generate_tensors, networks, seeded, tensor_networks,
    xorshift_choices,
};
pub(crate) use pytorch::agree_with_pytorch;

proptest! {
    #![proptest_config(config())]

    #[test]
    fn gradients_agree_with_finite_differences(network in networks(Mode::Any)) {
        let model = compile(&network.source);
        prop_assume!(usable(&model));
        check_against_finite_differences(&model, &default_wrt(&model))?;
    }

    #[test]
    fn gradients_of_chosen_declarations_agree_with_finite_differences(
        network in networks(Mode::Any),
        choices in proptest::collection::vec(any::<u32>(), 0..40),
    ) {
        let model = compile(&network.source);
        prop_assume!(usable(&model));
        let wrt = chosen_declarations(&model, choices);
        check_against_finite_differences(&model, &wrt)?;
    }

    #[test]
    fn exact_and_float_evaluation_agree_on_every_node(network in networks(Mode::Any)) {
        let model = compile(&network.source);
        prop_assume!(usable(&model));
        let (gradient, exact) = exact_agrees_with_float(&model)?;
        // Exact wherever the operation keeps rationals rational and its operands are exact.
        for (id, node) in gradient.graph.nodes().iter().enumerate() {
            let operands_exact = node
                .op
                .operands()
                .all(|o| exact[o.index()].as_ref().is_some_and(Value::is_exact));
            if operands_exact && keeps_rationals_rational(&node.op) {
                prop_assert!(
                    exact[id].as_ref().is_some_and(Value::is_exact),
                    "node {} ({:?}) of exact operands is not exact",
                    id,
                    node.op
                );
            }
        }
    }

    #[test]
    fn rational_networks_are_exact_on_every_node(network in networks(Mode::Rational)) {
        let model = compile(&network.source);
        let all: Vec<DeclId> = (0..model.declarations.len() as u32).map(DeclId).collect();
        let gradient = gradient_of(&model, &all)?;
        let exact = exact_values(&model, &gradient)?;
        for (id, value) in exact.iter().enumerate() {
            prop_assert!(
                value.as_ref().is_some_and(Value::is_exact),
                "node {} ({:?}) is not exact: {:?}",
                id,
                gradient.graph.nodes()[id].op,
                value
            );
        }
        // Away from kinks and ties, where float rounding cannot flip a step, the floats agree
        // too, and the gradients match finite differences.
        if usable(&model) {
            checks::check_exact_agrees_with_float(&model, &gradient, &exact)?;
            check_against_finite_differences(&model, &default_wrt(&model))?;
        }
    }

    #[test]
    fn gradients_of_tensor_networks_agree_with_finite_differences(
        network in tensor_networks(Mode::Any, true),
        choices in proptest::collection::vec(any::<u32>(), 0..40),
    ) {
        let model = compile(&network.source);
        prop_assume!(usable(&model));
        if model.is_batch() {
            // The gradient of the batch's mean loss, each parameter's (if it has any).
            prop_assume!(model.declarations_of(DeclKind::Param).next().is_some());
            return crate::batch_properties::check_finite_differences(&network.source);
        }
        check_against_finite_differences(&model, &default_wrt(&model))?;
        // An index (a class number) is a whole number: it has no gradient.
        let wrt: Vec<DeclId> = chosen_declarations(&model, choices)
            .into_iter()
            .filter(|&d| model.declaration(d).index.is_none())
            .collect();
        check_against_finite_differences(&model, &wrt)?;
    }

    #[test]
    fn the_batch_gradient_of_a_tensor_network_is_the_mean_of_its_examples(
        network in tensor_networks(Mode::Rational, false),
        m in 2usize..4,
    ) {
        // Exactly: each example's image moved a little, the batch's step against each one's.
        let model = compile(&network.source);
        crate::batch_properties::check_mean_of_examples(&model, m)?;
    }

    #[test]
    fn exact_and_float_evaluation_of_tensor_networks_agree(
        network in tensor_networks(Mode::Any, false),
    ) {
        let model = compile(&network.source);
        prop_assume!(usable(&model));
        exact_agrees_with_float(&model)?;
    }

    #[test]
    fn rational_tensor_networks_are_exact_throughout(
        network in tensor_networks(Mode::Rational, false),
    ) {
        let model = compile(&network.source);
        prop_assume!(usable(&model));
        let (gradient, exact) = exact_agrees_with_float(&model)?;
        for (id, node) in gradient.graph.nodes().iter().enumerate() {
            prop_assert!(
                keeps_rationals_rational(&node.op),
                "{:?} in a rational network", node.op
            );
            prop_assert!(
                exact[id].as_ref().is_some_and(Value::is_exact),
                "node {} ({:?}) is not exact", id, node.op
            );
        }
    }
}

/// Every network of the first `seeds` seeds compiles, and together they use every feature in
/// `wanted`.
fn compiles_and_covers(
    seeds: u64,
    generate: impl Fn(&mut Tape, u64) -> Network,
    wanted: &[&str],
) -> BTreeSet<&'static str> {
    let mut seen: BTreeSet<&'static str> = BTreeSet::new();
    for seed in 0..seeds {
        let network = generate(&mut seeded(seed), seed);
        let (model, diagnostics) = nabla::compile(&network.source);
        assert!(
            model.is_some(),
            "seed {seed}:\n{}\n{diagnostics:#?}",
            network.source
        );
        seen.extend(network.features);
    }
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|f| !seen.contains(f))
        .collect();
    assert!(missing.is_empty(), "never generated: {missing:?}");
    seen
}

/// Every fourth seed a network of only what keeps rationals rational.
fn mode_of(seed: u64) -> Mode {
    if seed.is_multiple_of(4) {
        Mode::Rational
    } else {
        Mode::Any
    }
}

/// The features of layers of tensors.
const TENSOR_FEATURES: [&str; 17] = [
    "an image of one map",
    "an image of channels",
    "conv2d of channels",
    "conv2d of a map",
    "conv2d(X, K)",
    "conv2d with a stride",
    "conv2d with padding",
    "conv2d with a bias",
    "max_pool",
    "avg_pool",
    "a matrix layer on a map",
    "the transpose of a map",
    "a weight of the map's shape",
    "a scalar weight of a map",
    "softmax along an axis",
    "flatten",
    "shared weight",
];

#[test]
fn the_generator_uses_the_whole_language_and_always_compiles() {
    let mut wanted = vec![
        "sigmoid",
        "tanh",
        "relu",
        "exp",
        "log",
        "sqrt",
        "abs",
        "sum",
        "mean",
        "softmax",
        "log_softmax",
        "transpose()",
        "postfix '",
        "mse",
        "cross_entropy",
        "+",
        "-",
        "*",
        "/",
        "^ integer",
        "^ negative integer",
        "^ non-integer",
        "unary -",
        "@ matrix-vector",
        "@ matrix-matrix",
        "scalar broadcast on the left",
        "scalar broadcast on the right",
        "loss mse",
        "loss sum of squares",
        "loss half sum of squares",
        "loss mean",
        "loss sum",
        "loss cross_entropy of softmax",
        "loss cross_entropy of a named softmax",
        "loss -sum(y * log_softmax)",
        "loss cross_entropy of sigmoid",
        "loss with a penalty",
        "fraction literal",
        "exponent literal",
        "array in an expression",
        "array of ones or zeros",
        "literal 0, 1 or -1",
        "shared weight",
        "lines in reverse",
        "image then vectors",
    ];
    // Of the layers of tensors, those the first one or two layers of an image use.
    wanted.extend([
        "conv2d of channels",
        "conv2d of a map",
        "max_pool",
        "avg_pool",
    ]);
    compiles_and_covers(400, |tape, seed| generate(tape, mode_of(seed)), &wanted);
    // An exhausted tape gives the simplest network; it compiles too.
    let simplest = generate(&mut Tape::new(Vec::new()), Mode::Any);
    assert!(
        nabla::compile(&simplest.source).0.is_some(),
        "{}",
        simplest.source
    );
}

#[test]
fn the_generator_of_tensor_networks_uses_every_operation_and_always_compiles() {
    let mut wanted = TENSOR_FEATURES.to_vec();
    wanted.extend([
        "a batch of each images",
        "a target class (index)",
        "sum along an axis",
        "mean along an axis",
        "log_softmax along an axis",
        "loss mse of a flattened map",
        "loss mse of a dense layer",
        "loss cross_entropy of softmax against a class",
        "loss of a reduction along an axis",
        "loss -sum(T * log_softmax along an axis)",
        "loss of softmax along an axis",
        "fraction literal",
        "exponent literal",
    ]);
    compiles_and_covers(
        300,
        |tape, seed| generate_tensors(tape, mode_of(seed), true),
        &wanted,
    );
    let simplest = generate_tensors(&mut Tape::new(Vec::new()), Mode::Any, true);
    assert!(
        nabla::compile(&simplest.source).0.is_some(),
        "{}",
        simplest.source
    );
}
