//! Batches of examples, batch statistics and indices (`each`, `batch_mean`, `C[c]`): what the
//! commands make of them.

use crate::support::nabla;

/// The spec's 2-4-1 network on a batch of three examples.
const BINARY: &str = "\
input  x[2] = each [[1.62434536, -1.07296862],
                    [-0.61175641, 0.86540763],
                    [-0.52817175, -2.3015387]]
target y    = each [1, 0, 1]
param W1[4,2] ~ normal(0, 0.01)
param b1[4]   ~ zeros
param W2[1,4] ~ normal(0, 0.01)
param b2[1]   ~ zeros
h = tanh(W1 @ x + b1)
p = sigmoid(W2 @ h + b2)
loss L = binary_cross_entropy(p, y)
optimizer sgd(lr = 1.2)
";

/// Two token numbers, embedded and joined, and a class number for a target.
const EMBEDDING: &str = "\
input  c1 : index(5) = each [0, 3]
input  c2 : index(5) = each [2, 2]
target y  : index(5) = each [1, 4]
param  C[5, 2] = [[1, 0], [0, 1], [1, 1], [-1, 0], [0, -1]]
param  W[5, 4] ~ zeros
e = concat(C[c1], C[c2])
z = W @ e
p = softmax(z)
loss L = cross_entropy(p, y)
optimizer sgd(lr = 1/2)
";

#[test]
fn check_summarizes_a_batch_and_its_indices() {
    for (name, source) in [("check_binary", BINARY), ("check_embedding", EMBEDDING)] {
        let args = ["check", "-"];
        let run = nabla(&args, Some(source.as_bytes()));
        insta::assert_snapshot!(name, run.transcript(&args));
    }
}

#[test]
fn an_index_has_no_gradient() {
    let run = nabla(&["derive", "--wrt", "c1", "-"], Some(EMBEDDING.as_bytes()));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`c1` is an index (a whole number 0 … 4), which has no gradient"),
        "{}",
        run.stderr
    );
}

const PLANAR: &str = "examples/classics/planar-2-4-1.nabla";

fn run_ok(args: &[&str]) -> String {
    let run = nabla(args, None);
    assert_eq!(run.code, 0, "{}:\n{}", args.join(" "), run.stderr);
    run.stdout
}

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&run_ok(args)).expect("valid JSON")
}

// The planar example reads well in every format and language: its snapshots are
// explain_formats' (every example's).

/// The published expected gradients of the assignment's test case, to their printed 8 decimals.
#[test]
fn the_published_test_case_is_reproduced() {
    let page = json(&["explain", PLANAR, "--format", "json"]);
    let published: [(&str, &[f64]); 4] = [
        (
            "W1",
            &[
                0.00301023,
                -0.00747267,
                0.00257968,
                -0.00641288,
                -0.00156892,
                0.003893,
                -0.00652037,
                0.01618243,
            ],
        ),
        ("b1", &[0.00176201, 0.00150995, -0.00091736, -0.00381422]),
        ("W2", &[0.00078841, 0.01765429, -0.00084166, -0.01022527]),
        ("b2", &[-0.16655712]),
    ];
    for (name, figures) in published {
        let values: Vec<f64> = flatten(&page["gradients"][name]);
        assert_eq!(values.len(), figures.len(), "{name}");
        for (value, figure) in values.iter().zip(figures) {
            assert!(
                (value - figure).abs() <= 0.5e-8 * 1.000001,
                "∂L/∂{name}: {value} does not round to {figure}"
            );
        }
    }
    assert_eq!(page["examples"].as_array().map(Vec::len), Some(3));
}

fn flatten(value: &serde_json::Value) -> Vec<f64> {
    match value {
        serde_json::Value::Array(items) => items.iter().flat_map(flatten).collect(),
        other => other.as_f64().into_iter().collect(),
    }
}

/// The same examples, from rows of a data file or written with `each`, give the same step.
#[test]
fn rows_of_a_data_file_are_the_same_examples_as_each_lists() {
    let rows = json(&[
        "explain",
        "examples/iris.nabla",
        "--data",
        "examples/data/iris-species.csv",
        "--rows",
        "50..52",
        "--format",
        "json",
    ]);
    let source = std::fs::read_to_string(crate::support::root().join("examples/iris.nabla"))
        .expect("iris")
        .replace(
            "input  x[4] = [5.1, 3.5, 1.4, 0.2]",
            "input  x[4] = each [[5.0, 3.3, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.4, 3.2, 4.5, 1.5]]",
        )
        .replace(
            "target y[3] = [1, 0, 0]",
            "target y[3] = each [[1, 0, 0], [0, 1, 0], [0, 1, 0]]",
        );
    let run = nabla(
        &["explain", "-", "--format", "json"],
        Some(source.as_bytes()),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(rows["gradients"], written["gradients"]);
    assert_eq!(rows["loss"], written["loss"]);
    assert_eq!(rows["examples"], written["examples"]);
}

#[test]
fn a_batch_trains_on_and_checks_its_gradients() {
    let page = json(&[
        "explain",
        PLANAR,
        "--steps",
        "50",
        "--gradcheck",
        "--format",
        "json",
    ]);
    let losses: Vec<f64> = page["history"]
        .as_array()
        .expect("a history")
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    assert_eq!(losses.len(), 51);
    assert!(losses[50] < losses[0] / 10.0, "{losses:?}");
    let checks = page["gradcheck"].as_array().expect("checks");
    assert_eq!(checks.len(), 17);
    for check in checks {
        assert!(
            check["relative_error"].as_f64().expect("a number") < 1e-6,
            "{check}"
        );
    }
}

#[test]
fn a_batch_statistic_needs_more_than_one_row() {
    let source = "input x[2]\ntarget t\nparam w[2] = [1, 2]\nz = sum(w * x)\n\
                  loss L = ((z - batch_mean(z)) / sqrt(batch_var(z) + 1) - t)^2\n";
    let dir = std::env::temp_dir().join(format!("nabla-one-row-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let file = dir.join("net.nabla");
    std::fs::write(&file, source).expect("writable");
    let file = file.to_string_lossy().into_owned();
    let run = nabla(
        &[
            "explain",
            &file,
            "--data",
            "examples/data/xor.csv",
            "--rows",
            "2",
        ],
        None,
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("one example has no spread to measure"),
        "{}",
        run.stderr
    );
    let run = nabla(
        &[
            "explain",
            &file,
            "--data",
            "examples/data/xor.csv",
            "--form",
            "scalar",
        ],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("a batch is shown a layer at a time"),
        "{}",
        run.stderr
    );
    let run = nabla(&["explain", &file, "--data", "examples/data/xor.csv"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    std::fs::remove_dir_all(&dir).ok();
}
