//! Hand-computed results: tiny networks whose exact gradients were worked by hand, softmax along
//! an axis line by line, and the growth of the gradient of deep chains.

use nabla::autodiff::{default_wrt, differentiate};
use nabla::eval::exact::{self, Value};
use nabla::eval::float;
use nabla::ir::{Along, DeclId, Op, TensorOp};

use crate::support::declared_exact;

use super::checks::{
    check_against_finite_differences, check_exact_agrees_with_float, compile, declared_float,
    exact_values,
};

// --- growth -----------------------------------------------------------------------------------

/// A chain of `depth` layers of the given kind, on 3-vectors.
fn chain(kind: &str, depth: usize) -> String {
    let mut source = String::from(
        "input x[3] = [0.5, -0.25, 1]\ntarget y[3] = [0.2, 0.3, 0.5]\n\
         param W[3, 3] = [[0.3, -0.2, 0.1], [0.05, 0.4, -0.3], [-0.1, 0.2, 0.35]]\n\
         param b[3] = [0.1, -0.1, 0.05]\nh0 = x\n",
    );
    for i in 1..=depth {
        let p = i - 1;
        let line = match kind {
            // Each layer its own parameters.
            "own" => format!(
                "param W{i}[3, 3] = [[0.3, -0.2, 0.{i}], [0.05, 0.4, -0.3], [-0.1, 0.2, 0.35]]\n\
                 param b{i}[3] = [0.1, -0.1, 0.05]\n\
                 h{i} = tanh(W{i} @ h{p} + b{i})\n"
            ),
            // One W and b shared by every layer.
            "shared" => format!("h{i} = sigmoid(W @ h{p} + b)\n"),
            // Each value used three times by the next: naive symbolic differentiation would
            // grow as 3^depth.
            "diamond" => format!("h{i} = h{p} + sigmoid(W @ h{p}) * tanh(h{p}) / 4\n"),
            // Softmax layers with a residual path and a division.
            "softmax" => format!("h{i} = softmax(W @ h{p} + b) + h{p} / (h{p}^2 + 1)\n"),
            other => unreachable!("{other}"),
        };
        source.push_str(&line);
    }
    let loss = match kind {
        "softmax" => format!("loss L = cross_entropy(softmax(h{depth}), y)\n"),
        _ => format!("loss L = mse(h{depth}, y)\n"),
    };
    source.push_str(&loss);
    source
}

#[test]
fn the_gradient_of_a_deep_chain_grows_linearly() {
    for kind in ["own", "shared", "diamond", "softmax"] {
        let mut sizes = Vec::new();
        for depth in [10, 20, 40, 80, 160] {
            let source = chain(kind, depth);
            let model = compile(&source);
            let gradient = differentiate(&model, &default_wrt(&model)).expect("differentiable");
            let (forward, total) = (gradient.forward_len, gradient.graph.len());
            assert!(
                total <= 8 * forward,
                "{kind} chain of {depth}: {total} nodes with the gradient, {forward} without"
            );
            sizes.push(total);
            // The deep gradients are right, too (per-layer parameters: only the shallower).
            if depth == 40 || (depth == 160 && kind != "own") {
                check_against_finite_differences(&model, &default_wrt(&model))
                    .unwrap_or_else(|e| panic!("{kind} chain of {depth}: {e}"));
                exact_values(&model, &gradient)
                    .and_then(|exact| check_exact_agrees_with_float(&model, &gradient, &exact))
                    .unwrap_or_else(|e| panic!("{kind} chain of {depth}: {e}"));
            }
        }
        // Doubling the depth adds twice the nodes the previous doubling added: linear growth.
        for w in sizes.windows(3) {
            let (before, after) = ((w[1] - w[0]) as f64, (w[2] - w[1]) as f64);
            assert!(
                after <= 2.1 * before,
                "{kind}: graph sizes {sizes:?} grow faster than linearly"
            );
        }
    }
}

// --- hand-checked exact gradients -------------------------------------------------------------

/// The exact gradient of the loss of `source` with respect to each of `wrt` (by name), as the
/// text of each element.
fn exact_gradients(source: &str, wrt: &[&str]) -> Vec<Vec<String>> {
    let model = compile(source);
    let ids: Vec<DeclId> = wrt
        .iter()
        .map(|name| {
            let index = model.declarations.iter().position(|d| d.name == *name);
            DeclId(index.unwrap_or_else(|| panic!("`{name}` is not declared")) as u32)
        })
        .collect();
    let gradient = differentiate(&model, &ids).expect("differentiable");
    let values = exact::evaluate(&gradient.graph, &declared_exact(&model)).unwrap_or_else(|e| {
        panic!(
            "exact evaluation failed: {e:?} at {:?}",
            gradient.graph[e.node()].op
        )
    });
    gradient
        .wrt
        .iter()
        .map(
            |(decl, node)| match values[node.index()].as_ref().expect("a value") {
                Value::Exact(t) => t.data().iter().map(ToString::to_string).collect(),
                Value::Approx(t) => {
                    panic!("∂L/∂{} is not exact: {t:?}", model.declaration(*decl).name)
                }
            },
        )
        .collect()
}

#[test]
fn a_linear_neuron_with_mse_has_the_hand_computed_gradient() {
    // o = w·x + b = 1/2·2 − 1·3 + 1/4 = −7/4, and L = mse(o, y) = (o − y)² = (−11/4)².
    // ∂L/∂o = 2(o − y) = −11/2, so
    //   ∂L/∂w = −11/2 · x = [−11, −33/2],  ∂L/∂b = −11/2,
    //   ∂L/∂x = −11/2 · w = [−11/4, 11/2],  ∂L/∂y = −∂L/∂o = 11/2.
    let source = "param w[2] = [1/2, -1]\nparam b = 1/4\ninput x[2] = [2, 3]\ntarget y = 1\n\
                  loss L = mse(sum(w * x) + b, y)\n";
    assert_eq!(
        exact_gradients(source, &["w", "b", "x", "y"]),
        [
            vec!["-11", "-33/2"],
            vec!["-11/2"],
            vec!["-11/4", "11/2"],
            vec!["11/2"]
        ]
    );
}

#[test]
fn a_relu_layer_has_the_hand_computed_gradient() {
    // z = W @ x = [1/3 − 2, 1 + 1/2] = [−5/3, 3/2]; relu(z) = [0, 3/2]; L = sum(relu(z)²)/2.
    // ∂L/∂z = relu(z) ⊙ step(z) = [0, 3/2], so
    //   ∂L/∂W = [0, 3/2] xᵀ = [[0, 0], [1/2, 3/2]],
    //   ∂L/∂x = Wᵀ [0, 3/2] = [3 · 3/2, 1/2 · 3/2] = [9/2, 3/4].
    let source = "param W[2, 2] = [[1, -2], [3, 1/2]]\ninput x[2] = [1/3, 1]\n\
                  loss L = sum(relu(W @ x)^2) / 2\n";
    assert_eq!(
        exact_gradients(source, &["W", "x"]),
        [vec!["0", "0", "1/2", "3/2"], vec!["9/2", "3/4"]]
    );
}

#[test]
fn abs_relu_and_a_negative_power_have_the_hand_computed_gradient() {
    // L = relu(a) + |a|·b + b⁻¹ with a = −1/3, b = 5/2:
    //   ∂L/∂a = step(a) + sign(a)·b = 0 − 5/2 = −5/2,
    //   ∂L/∂b = |a| − b⁻² = 1/3 − 4/25 = 13/75.
    let source = "param a = -1/3\nparam b = 5/2\nloss L = relu(a) + abs(a) * b + b^-1\n";
    assert_eq!(exact_gradients(source, &["a", "b"]), [["-5/2"], ["13/75"]]);
}

#[test]
fn a_quotient_and_a_cube_have_the_hand_computed_gradient() {
    // L = p/q + (p − q)³/2 with p = 3, q = 4, so (p − q)² = 1:
    //   ∂L/∂p = 1/q + 3/2·(p − q)² = 1/4 + 3/2 = 7/4,
    //   ∂L/∂q = −p/q² − 3/2·(p − q)² = −3/16 − 24/16 = −27/16.
    let source = "param p = 3\nparam q = 4\nloss L = p / q + (p - q)^3 / 2\n";
    assert_eq!(exact_gradients(source, &["p", "q"]), [["7/4"], ["-27/16"]]);
}

#[test]
fn kinks_take_the_zero_derivative() {
    // At a = 0, relu′ = abs′ = 0 by convention: ∂L/∂a = 0 + 0 + c = 2/3, ∂L/∂c = a = 0.
    let source = "param a = 0\nparam c = 2/3\nloss L = relu(a) + abs(a) + c * a\n";
    assert_eq!(exact_gradients(source, &["a", "c"]), [["2/3"], ["0"]]);
}

#[test]
fn a_matrix_product_with_a_transpose_has_the_hand_computed_gradient() {
    // sum(AᵀA) = Σₖ (Σᵢ Aₖᵢ)² = Σₖ rₖ², the row sums r = [3, 7]; L = sum(AᵀA)/4.
    // ∂L/∂Aₖᵢ = 2rₖ/4 = rₖ/2: [[3/2, 3/2], [7/2, 7/2]].
    let source = "param A[2, 2] = [[1, 2], [3, 4]]\nloss L = mean(A' @ A)\n";
    assert_eq!(
        exact_gradients(source, &["A"]),
        [["3/2", "3/2", "7/2", "7/2"]]
    );
}

#[test]
fn a_broadcast_scalar_over_a_vector_has_the_hand_computed_gradient() {
    // L = sum(s / v) with s = 2, v = [1, 4]:
    //   ∂L/∂s = sum(1/v) = 1 + 1/4 = 5/4,  ∂L/∂v = −s/v² = [−2, −1/8].
    let source = "param s = 2\ninput v[2] = [1, 4]\nloss L = sum(s / v)\n";
    assert_eq!(
        exact_gradients(source, &["s", "v"]),
        [vec!["5/4"], vec!["-2", "-1/8"]]
    );
}

// --- bugs found, now fixed -------------------------------------------------------------------------------

#[test]
fn the_gradient_of_a_zeroth_power_at_zero_evaluates_exactly() {
    // w^0 is the constant 1 (and 0^0 = 1 in the forward pass), so ∂L/∂w = 0 + 1 = 1.
    assert_eq!(
        exact_gradients("param w = 0\nloss L = w^0 + w\n", &["w"]),
        [["1"]]
    );
}

#[test]
fn softmax_along_an_axis_is_softmax_of_each_line() {
    let model = compile(
        "input Z[2, 3] = [[1, 2, 3], [0, 0, 1]]\n\
         p = softmax(Z, 1)\n\
         q = softmax(Z, 0)\n\
         loss L = sum(p) + sum(q)\n",
    );
    let values = float::evaluate(&model.graph, &declared_float(&model));
    let value = |op: Along, axis: usize| {
        let id = model
            .graph
            .ids()
            .find(|&id| {
                matches!(model.graph[id].op,
                    Op::Tensor(TensorOp::Along(a, _, x)) if a == op && x == axis)
            })
            .expect("the node");
        values[id.index()].clone().expect("a value")
    };
    let rows = value(Along::Softmax, 1);
    let row = |z: [f64; 3]| {
        let total: f64 = z.iter().map(|x| x.exp()).sum();
        z.map(|x| x.exp() / total)
    };
    let (first, second) = (row([1.0, 2.0, 3.0]), row([0.0, 0.0, 1.0]));
    for (got, want) in rows.data().iter().zip(first.iter().chain(&second)) {
        assert!((got - want).abs() < 1e-15, "{got} {want}");
    }
    let columns = value(Along::Softmax, 0);
    let column = |a: f64, b: f64| a.exp() / (a.exp() + b.exp());
    let expected = [
        column(1.0, 0.0),
        column(2.0, 0.0),
        column(3.0, 1.0),
        column(0.0, 1.0),
        column(0.0, 2.0),
        column(1.0, 3.0),
    ];
    for (got, want) in columns.data().iter().zip(&expected) {
        assert!((got - want).abs() < 1e-15, "{got} {want}");
    }
}
