//! The laws every generated network is checked against, and what decides that a network is
//! usable for them (no argument of `relu` or `abs` near its kink, no max-pooling window near a
//! tie, where a finite difference would straddle the kink).

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use nabla::autodiff::{Gradient, differentiate};
use nabla::eval::exact::{self, Value};
use nabla::eval::float;
use nabla::ir::{Binary, DeclId, DeclKind, Model, Op, Pool, TensorOp, Unary};
use nabla::tensor::Tensor;

use super::generator::Tape;
use crate::support::{agrees_with_difference, central_difference, declared_exact};

pub(crate) fn compile(source: &str) -> Model {
    let (model, diagnostics) = nabla::compile(source);
    model.unwrap_or_else(|| {
        panic!("the generated network does not compile:\n{source}\n{diagnostics:#?}")
    })
}

pub(crate) fn declared_float(model: &Model) -> Vec<Option<Tensor<f64>>> {
    declared_exact(model)
        .iter()
        .map(|v| v.as_ref().map(Value::to_f64))
        .collect()
}

/// Whether a `relu` or `abs` takes an argument near its kink, where a finite difference would
/// straddle it and float rounding could land on either side.
pub(crate) fn near_a_kink(model: &Model, declared: &[Option<Tensor<f64>>]) -> bool {
    let values = float::evaluate(&model.graph, declared);
    model.graph.nodes().iter().any(|node| match node.op {
        Op::Unary(Unary::Relu | Unary::Abs, a) => values[a.index()]
            .as_ref()
            .is_some_and(|v| v.data().iter().any(|x| x.abs() < 1e-3)),
        _ => false,
    })
}

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

/// Differentiates, and checks the structure the gradient promises.
pub(crate) fn gradient_of(model: &Model, wrt: &[DeclId]) -> Result<Gradient, TestCaseError> {
    let gradient =
        differentiate(model, wrt).map_err(|e| fail(format!("differentiate failed: {e:?}")))?;
    prop_assert_eq!(gradient.forward_len, model.graph.len());
    for (forward, node) in model.graph.nodes().iter().zip(gradient.graph.nodes()) {
        prop_assert_eq!(
            &forward.op,
            &node.op,
            "differentiation changed a forward node"
        );
    }
    let order: Vec<DeclId> = gradient.wrt.iter().map(|(d, _)| *d).collect();
    prop_assert_eq!(
        &order,
        &wrt.to_vec(),
        "gradients not in the order requested"
    );
    for (decl, node) in &gradient.wrt {
        prop_assert_eq!(
            gradient.graph[*node].shape,
            model.declaration(*decl).shape,
            "the gradient of {} has the wrong shape",
            &model.declaration(*decl).name
        );
    }
    Ok(gradient)
}

/// Each gradient in `wrt` against a central finite difference of the float64 loss, element by
/// element.
pub(crate) fn check_against_finite_differences(
    model: &Model,
    wrt: &[DeclId],
) -> Result<(), TestCaseError> {
    let declared = declared_float(model);
    let gradient = gradient_of(model, wrt)?;
    let values = float::evaluate(&gradient.graph, &declared);
    let loss_node = model.loss.node.index();
    let loss = values[loss_node]
        .as_ref()
        .expect("the loss has a value")
        .data()[0];
    prop_assert!(loss.is_finite(), "the loss is {}", loss);
    for (decl, node) in &gradient.wrt {
        let name = &model.declaration(*decl).name;
        let derived = values[node.index()]
            .clone()
            .expect("the gradient has a value");
        let base = declared[decl.index()].clone().expect("a declared value");
        for i in 0..base.data().len() {
            let loss_at = |delta: f64| {
                let mut shifted = declared.clone();
                let mut data = base.data().to_vec();
                data[i] += delta;
                shifted[decl.index()] = Some(Tensor::new(base.shape(), data));
                float::evaluate(&model.graph, &shifted)[loss_node]
                    .as_ref()
                    .expect("loss")
                    .data()[0]
            };
            let numeric = central_difference(base.data()[i], loss_at);
            let analytic = derived.data()[i];
            prop_assert!(
                agrees_with_difference(analytic, numeric, loss),
                "∂L/∂{}[{}]: derived {}, finite difference {}",
                name,
                i,
                analytic,
                numeric
            );
        }
    }
    Ok(())
}

/// Every node of the gradient graph, by the exact evaluator.
pub(crate) fn exact_values(
    model: &Model,
    gradient: &Gradient,
) -> Result<Vec<Option<Value>>, TestCaseError> {
    exact::evaluate(&gradient.graph, &declared_exact(model)).map_err(|e| {
        fail(format!(
            "exact evaluation failed: {e:?} at {:?}",
            gradient.graph[e.node()].op
        ))
    })
}

/// The exact values of every node of the gradient graph against the float evaluator's: the same
/// numbers, to float precision.
pub(crate) fn check_exact_agrees_with_float(
    model: &Model,
    gradient: &Gradient,
    exact: &[Option<Value>],
) -> Result<(), TestCaseError> {
    let floats = float::evaluate(&gradient.graph, &declared_float(model));
    for (id, (e, f)) in exact.iter().zip(&floats).enumerate() {
        let (Some(e), Some(f)) = (e, f) else {
            return Err(fail(format!("node {id} has no value")));
        };
        prop_assert_eq!(e.shape(), f.shape(), "node {}", id);
        let e = e.to_f64();
        for (x, y) in e.data().iter().zip(f.data()) {
            let scale = 1.0_f64.max(x.abs()).max(y.abs());
            prop_assert!(
                (x - y).abs() <= 1e-9 * scale,
                "node {} ({:?}): exact {} but float {}",
                id,
                gradient.graph.nodes()[id].op,
                x,
                y
            );
        }
    }
    Ok(())
}

/// Whether `op` of exact operands has an exact value: + − × ÷, integer powers, relu, abs …
pub(crate) fn keeps_rationals_rational(op: &Op) -> bool {
    match op {
        Op::Binary(Binary::SigmoidCrossEntropy, ..) => false,
        Op::Var(_)
        | Op::Literal(_)
        | Op::Binary(..)
        | Op::Broadcast(..)
        | Op::OneHot(..)
        | Op::Slice(..)
        | Op::BatchSize => true,
        Op::Tensor(t) => !matches!(
            t,
            nabla::ir::TensorOp::Along(
                nabla::ir::Along::Softmax | nabla::ir::Along::LogSoftmax,
                ..
            )
        ),
        Op::Pow(_, p) => p.is_integer(),
        Op::Unary(f, _) => matches!(
            f,
            Unary::Neg
                | Unary::Relu
                | Unary::Abs
                | Unary::Transpose
                | Unary::Sum
                | Unary::Mean
                | Unary::Step
                | Unary::Sign
                | Unary::BatchMean
        ),
    }
}

/// Some of the declarations, in some order, always including an input.
pub(crate) fn chosen_declarations(model: &Model, choices: Vec<u32>) -> Vec<DeclId> {
    let mut tape = Tape::new(choices);
    let mut all: Vec<DeclId> = (0..model.declarations.len() as u32).map(DeclId).collect();
    // Shuffle by the tape.
    for i in (1..all.len()).rev() {
        let j = tape.pick(i + 1);
        all.swap(i, j);
    }
    let mut chosen: Vec<DeclId> = all.iter().copied().filter(|_| tape.pick(2) == 0).collect();
    if !chosen
        .iter()
        .any(|&d| model.declaration(d).kind == DeclKind::Input)
    {
        let input = all
            .iter()
            .copied()
            .find(|&d| model.declaration(d).kind == DeclKind::Input);
        chosen.extend(input);
    }
    chosen
}

/// 192 cases each unless `PROPTEST_CASES` says otherwise (for a longer hunt); no files written.
pub(crate) fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(192);
    ProptestConfig {
        cases,
        failure_persistence: None,
        // Shrinking a tape of choices takes many small steps, each quick.
        max_shrink_iters: 20_000,
        ..ProptestConfig::default()
    }
}

/// Whether a max-pooling window holds two elements within 10⁻³ of each other at its top: the
/// gradient jumps from one to the other there.
fn near_a_tie(model: &Model, declared: &[Option<Tensor<f64>>]) -> bool {
    let values = float::evaluate(&model.graph, declared);
    model.graph.nodes().iter().any(|node| match node.op {
        Op::Tensor(TensorOp::Pool(Pool::Max, a, k)) => {
            values[a.index()].as_ref().is_some_and(|v| {
                let dims = v.shape().dims();
                let (h, w) = (dims[dims.len() - 2], dims[dims.len() - 1]);
                let maps = v.data().len() / (h * w);
                (0..maps).any(|m| {
                    (0..h / k).any(|i| {
                        (0..w / k).any(|j| {
                            let mut window: Vec<f64> = (0..k * k)
                                .map(|e| v.data()[(m * h + i * k + e / k) * w + j * k + e % k])
                                .collect();
                            window.sort_by(|a, b| b.total_cmp(a));
                            window[0] - window[1] < 1e-3
                        })
                    })
                })
            })
        }
        _ => false,
    })
}

/// The gradient of every declaration and its exact values, checked to agree with the float ones.
pub(crate) fn exact_agrees_with_float(
    model: &Model,
) -> Result<(Gradient, Vec<Option<Value>>), TestCaseError> {
    let all: Vec<DeclId> = (0..model.declarations.len() as u32).map(DeclId).collect();
    let gradient = gradient_of(model, &all)?;
    let exact = exact_values(model, &gradient)?;
    check_exact_agrees_with_float(model, &gradient, &exact)?;
    Ok((gradient, exact))
}

/// Each example's declared values (a file of one example has one).
fn examples_declared(model: &Model) -> Vec<Vec<Option<Tensor<f64>>>> {
    let Some(m) = model.examples().filter(|&m| m > 1) else {
        return vec![declared_float(model)];
    };
    let batch = nabla::explain::values::declared_batch(model);
    (0..m)
        .map(|k| {
            batch
                .iter()
                .map(|d| d.as_ref().and_then(|b| b.example(k)).map(|v| v.to_f64()))
                .collect()
        })
        .collect()
}

/// Whether no example lies near a kink or a tie of a max-pooling window.
pub(crate) fn usable(model: &Model) -> bool {
    examples_declared(model)
        .iter()
        .all(|declared| !near_a_kink(model, declared) && !near_a_tie(model, declared))
}
