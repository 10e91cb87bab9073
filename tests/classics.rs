//! The published worked examples, reproduced (examples/classics/README.md lists the figures).

use crate::support::nabla;

fn explain(args: &[&str]) -> String {
    let run = nabla(args, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&explain(args)).expect("valid JSON")
}

/// `value` agrees with `published` to the last digit it was published with.
fn agrees(value: f64, published: &str) {
    let decimals = published.split('.').nth(1).map_or(0, str::len) as i32;
    let published_value: f64 = published.parse().expect("a number");
    let half_unit = 0.5 * 10f64.powi(-decimals);
    assert!(
        (value - published_value).abs() <= half_unit * 1.000001,
        "{value} does not round to the published {published}"
    );
}

#[test]
fn the_2_2_2_example_shows_every_published_figure() {
    let text = explain(&["explain", "examples/classics/step-by-step-2-2-2.nabla"]);
    for figure in [
        "0.3775",
        "0.593269992",
        "0.596884378",
        "0.75136507",
        "0.772928465",
        "0.274811083",
        "0.023560026",
        "0.298371109",
        "0.74136507",
        "0.186815602",
        "0.082167041",
        "0.35891648",
        "0.408666186",
        "0.51130127",
        "0.561370121",
        "0.036350306",
        "0.241300709",
        "0.000438568",
        "0.149780716",
    ] {
        assert!(
            text.contains(figure),
            "the explanation does not show {figure}"
        );
    }
    let values = json(&[
        "explain",
        "examples/classics/step-by-step-2-2-2.nabla",
        "--format",
        "json",
    ]);
    let w1 = &values["updated"]["W1"];
    for (i, j, published) in [
        (0, 1, "0.19956143"),
        (1, 0, "0.24975114"),
        (1, 1, "0.29950229"),
    ] {
        agrees(w1[i][j].as_f64().expect("a number"), published);
    }
}

#[test]
fn the_2_2_2_example_totals_after_training_as_nabla_recomputes_them() {
    let values = json(&[
        "explain",
        "examples/classics/step-by-step-2-2-2.nabla",
        "--format",
        "json",
        "--steps",
        "10000",
    ]);
    let history = values["history"].as_array().expect("a history");
    assert_eq!(history.len(), 10_001);
    // The published totals (0.291027924 and 0.0000351085) do not follow from the method; these
    // do, and agree with a direct NumPy computation (see examples/classics/README.md).
    agrees(history[1].as_f64().expect("a number"), "0.291027774");
    let last = history[10_000].as_f64().expect("a number");
    assert!((last - 3.51018778e-5).abs() < 5e-14, "{last}");
}

#[test]
fn the_first_cs231n_circuit_is_exact() {
    let values = json(&[
        "explain",
        "examples/classics/circuit-xyz.nabla",
        "--format",
        "json",
    ]);
    assert_eq!(values["exact"]["loss"], "-12");
    assert_eq!(values["exact"]["gradients"]["x"], "-4");
    assert_eq!(values["exact"]["gradients"]["y"], "-4");
    assert_eq!(values["exact"]["gradients"]["z"], "3");
}

#[test]
fn the_cs231n_sigmoid_neuron_reproduces_its_figures() {
    let values = json(&[
        "explain",
        "examples/classics/sigmoid-neuron.nabla",
        "--format",
        "json",
        "--wrt",
        "w0,w1,w2,x0,x1",
    ]);
    agrees(values["loss"].as_f64().expect("f"), "0.73");
    let gradients = &values["gradients"];
    for (name, published) in [
        ("w0", "-0.20"),
        ("w1", "-0.39"),
        ("w2", "0.20"),
        ("x0", "0.39"),
        ("x1", "-0.59"),
    ] {
        agrees(gradients[name].as_f64().expect("a gradient"), published);
    }
}
