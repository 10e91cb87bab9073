//! Numerically honest: stable where a naive formula overflows, and where a value stops being a
//! number the user is told where and why, never shown NaN tables.

use crate::support::nabla;

fn json(source: &str, command: &str) -> serde_json::Value {
    let run = nabla(&[command, "-", "--format", "json"], Some(source.as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("JSON")
}

#[test]
fn softmax_and_cross_entropy_stay_finite_for_huge_logits() {
    // p = softmax([1000, −1000]) is [1, 0] to float precision; the loss is −log p₂ = 2000.
    let source = "input z[2] = [1000, -1000]\ntarget y[2] = [0, 1]\nparam w = 1\np = softmax(w * z)\nloss L = cross_entropy(p, y)\n";
    let values = json(source, "explain");
    assert_eq!(values["loss"], 2000.0);
    // ∂L/∂w = sum((p − y) ⊙ z) = (1 − 0)·1000 + (0 − 1)·(−1000) = 2000.
    assert_eq!(values["gradients"]["w"], 2000.0);
    let log_softmax =
        "input z[3] = [-1000, 0, 1000]\nparam w = 1\nloss L = sum(log_softmax(w * z))\n";
    let values = json(log_softmax, "derive");
    assert_eq!(values["loss"], -3000.0);
}

#[test]
fn sigmoid_and_tanh_saturate_without_nan() {
    let source =
        "input x = 1000\nparam w = 1\nloss L = sigmoid(w * x) + tanh(-w * x) + sigmoid(-w * x)\n";
    let values = json(source, "explain");
    assert_eq!(values["loss"], 0.0);
    assert_eq!(values["gradients"]["w"], 0.0);
}

#[test]
fn domain_errors_point_at_the_expression() {
    for (name, source) in [
        (
            "log of an exact zero",
            "input x = 0\nparam w = 1\nloss L = log(w * x)\n",
        ),
        (
            "sqrt of an exact negative",
            "input x = -4\nparam w = 1\nloss L = sqrt(w * x)\n",
        ),
        (
            "log of a float that underflowed",
            "input x = -1000\nparam w = 1\nloss L = log(sigmoid(w * x))\n",
        ),
        (
            "exp that overflows",
            "input x = 1000\nparam w = 1\nloss L = exp(w * x)\n",
        ),
    ] {
        let args = ["explain", "-"];
        let run = nabla(&args, Some(source.as_bytes()));
        assert_eq!(run.code, 1, "{name}");
        insta::assert_snapshot!(
            name.replace(' ', "_"),
            format!("{source}---\n{}", run.transcript(&args))
        );
    }
}

#[test]
fn a_diverging_run_says_at_which_step() {
    // Learning rate 10 on a quadratic: every step overshoots further, until float64 overflows.
    let source = "param w = 1\ninput x = 3\nloss L = (w * x)^2\noptimizer sgd(lr = 10)\n";
    let run = nabla(
        &["explain", "-", "--steps", "1000"],
        Some(source.as_bytes()),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("stopped being a finite number at step"),
        "{}",
        run.stdout
    );
    let values = json(source, "explain");
    assert!(values["loss"].as_f64().is_some());
}
