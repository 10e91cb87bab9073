//! The derived gradients are right: against published figures, hand-computed fractions, and
//! central finite differences.

use crate::support::declared_exact;
use nabla::autodiff::{default_wrt, differentiate};
use nabla::eval::exact::{self, Value};
use nabla::eval::float;
use nabla::ir::Model;
use nabla::tensor::Tensor;

fn model(source: &str) -> Model {
    let (model, diagnostics) = nabla::compile(source);
    model.unwrap_or_else(|| panic!("{diagnostics:?}"))
}

fn example(path: &str) -> Model {
    model(&std::fs::read_to_string(crate::support::root().join(path)).expect("example"))
}

/// Each requested gradient, as floats, by name.
fn gradients(model: &Model) -> Vec<(String, Value)> {
    let gradient = differentiate(model, &default_wrt(model)).expect("differentiable");
    let values = exact::evaluate(&gradient.graph, &declared_exact(model)).expect("evaluates");
    gradient
        .wrt
        .iter()
        .map(|(decl, node)| {
            (
                model.declaration(*decl).name.clone(),
                values[node.index()].clone().expect("a value"),
            )
        })
        .collect()
}

#[test]
fn the_classic_2_2_2_example_reproduces_the_published_gradients() {
    let model = example("examples/classics/step-by-step-2-2-2.nabla");
    let grads = gradients(&model);
    let w2 = grads
        .iter()
        .find(|(n, _)| n == "W2")
        .expect("W2")
        .1
        .to_f64();
    let w1 = grads
        .iter()
        .find(|(n, _)| n == "W1")
        .expect("W1")
        .1
        .to_f64();
    // Published: ∂E/∂w5 = 0.082167041, ∂E/∂w1 = 0.000438568 (rounded to 9 digits).
    assert!(
        (w2.data()[0] - 0.082167041).abs() < 5e-10,
        "{:?}",
        w2.data()
    );
    assert!(
        (w1.data()[0] - 0.000438568).abs() < 5e-10,
        "{:?}",
        w1.data()
    );
}

#[test]
fn rational_networks_get_exact_gradients() {
    let model = example("examples/classics/circuit-xyz.nabla");
    let grads = gradients(&model);
    let shown: Vec<String> = grads
        .iter()
        .map(|(name, value)| match value {
            Value::Exact(t) => format!("{name} = {}", t.data()[0]),
            Value::Approx(t) => format!("{name} ≈ {}", t.data()[0]),
        })
        .collect();
    assert_eq!(shown, ["x = -4", "y = -4", "z = 3"]);

    let model = model_of_polynomial();
    let grads = gradients(&model);
    let Value::Exact(w) = &grads[0].1 else {
        panic!("not exact")
    };
    // E = (w x − y)² / 2 with w = 3/4, x = 2/3, y = 1/5: ∂E/∂w = (w x − y) x = (1/2 − 1/5)·2/3 = 1/5.
    assert_eq!(w.data()[0].to_string(), "1/5");
}

fn model_of_polynomial() -> Model {
    model("param w = 3/4\ninput x = 2/3\ntarget y = 1/5\nloss E = (w * x - y)^2 / 2\n")
}

/// Central finite difference of the loss in float64 along each element of each gradient.
pub fn check_against_finite_differences(
    model: &Model,
    declared: &[Option<Tensor<f64>>],
    tolerance: f64,
) {
    let wrt = default_wrt(model);
    let gradient = differentiate(model, &wrt).expect("differentiable");
    let values = float::evaluate(&gradient.graph, declared);
    for (decl, node) in &gradient.wrt {
        let derived = values[node.index()].clone().expect("gradient value");
        let base = declared[decl.index()].clone().expect("declared value");
        for i in 0..base.data().len() {
            let loss_at = |delta: f64| {
                let mut shifted = declared.to_vec();
                let mut data = base.data().to_vec();
                data[i] += delta;
                shifted[decl.index()] = Some(Tensor::new(base.shape(), data));
                let values = float::evaluate(&model.graph, &shifted);
                values[model.loss.node.index()]
                    .clone()
                    .expect("loss")
                    .data()[0]
            };
            let numeric = crate::support::central_difference(base.data()[i], loss_at);
            let analytic = derived.data()[i];
            let scale = 1.0_f64.max(numeric.abs()).max(analytic.abs());
            assert!(
                (numeric - analytic).abs() <= tolerance * scale,
                "{}[{i}]: derived {analytic}, finite difference {numeric}",
                model.declaration(*decl).name
            );
        }
    }
}

#[test]
fn every_example_with_values_agrees_with_finite_differences() {
    for path in crate::support::examples() {
        let model = example(&path.to_string_lossy());
        let declared: Vec<Option<Tensor<f64>>> = declared_exact(&model)
            .iter()
            .map(|v| v.as_ref().map(Value::to_f64))
            .collect();
        let wrt = default_wrt(&model);
        if wrt.iter().any(|d| declared[d.index()].is_none()) {
            continue;
        }
        check_against_finite_differences(&model, &declared, 1e-6);
    }
}
