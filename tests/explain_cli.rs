//! `nabla explain` options: starting weights, steps, and what it refuses.

use crate::support::nabla;

const TWO_TWO_TWO: &str = "examples/classics/step-by-step-2-2-2.nabla";

fn weights_file(name: &str, json: &str) -> String {
    let dir = std::env::temp_dir().join(format!("nabla-explain-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let path = dir.join(name);
    std::fs::write(&path, json).expect("writable");
    path.to_string_lossy().into_owned()
}

#[test]
fn weights_replace_the_files_values_exactly() {
    // The published weights after one step: explaining from them continues the training.
    let path = weights_file(
        "after-one-step.json",
        r#"{"W2": [[0.35891648, 0.408666186], [0.51130127, 0.561370121]],
            "W1": [[0.149780716, 0.19956143], [0.24975114, 0.29950229]]}"#,
    );
    let run = nabla(
        &[
            "explain",
            TWO_TWO_TWO,
            "--weights",
            &path,
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let loss = json["loss"].as_f64().expect("a loss");
    assert!((loss - 0.291027774).abs() < 1e-9, "{loss}");
    assert_eq!(
        json["exact"]["updated"].as_object().map(|o| o.len()),
        Some(0),
        "sigmoid makes the update approximate"
    );
    // The page says where the starting values came from: the file, not an initializer.
    for (language, said) in [("en", "are read from"), ("vi", "được đọc từ tệp")] {
        let run = nabla(
            &[
                "explain",
                TWO_TWO_TWO,
                "--weights",
                &path,
                "--lang",
                language,
            ],
            None,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains(&format!("W1, W2 {said} {path}")),
            "{}",
            run.stdout
        );
    }
    let iris = weights_file("iris.json", &format!("{{\"W2\": {}}}", iris_w2()));
    let run = nabla(
        &["explain", "examples/iris.nabla", "--weights", &iris],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!("W2 are read from {iris}")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("W1 ~ xavier are drawn with seed 1"),
        "only W1 is drawn: {}",
        run.stdout
    );
}

/// A [3, 16] matrix of weights for the iris network, as JSON.
fn iris_w2() -> String {
    let row = format!("[{}]", vec!["0.125"; 16].join(", "));
    format!("[{row}, {row}, {row}]")
}

#[test]
fn bad_weights_files_are_refused_with_the_reason() {
    for (json, message) in [
        (
            r#"{"W3": 1}"#,
            "`W3` is not a param of this network (its params: W1, W2)",
        ),
        (
            r#"{"W2": [1, 2]}"#,
            "`W2` should have shape [2, 2], but has [2]",
        ),
        (
            r#"{"W2": [[1, 2], [3]]}"#,
            "`W2` holds something other than numbers",
        ),
        (r#"[1, 2]"#, "expected an object"),
        (r#"{"W2": "#, "is not valid JSON"),
    ] {
        let path = weights_file("bad.json", json);
        let run = nabla(&["explain", TWO_TWO_TWO, "--weights", &path], None);
        assert_eq!(run.code, 2, "{json}");
        assert!(run.stderr.contains(message), "{json}: {}", run.stderr);
    }
}

#[test]
fn explain_needs_every_value_the_loss_uses() {
    let run = nabla(
        &["explain", "-"],
        Some(b"input x[2]\nparam w[2] = [1, 2]\nloss E = sum(w * x)\n"),
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("these have none: x"), "{}", run.stderr);
}

#[test]
fn steps_need_parameters() {
    let run = nabla(
        &[
            "explain",
            "examples/classics/circuit-xyz.nabla",
            "--steps",
            "3",
        ],
        None,
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("this file has none"), "{}", run.stderr);
}

#[test]
fn exact_training_stays_exact_then_says_when_it_stops() {
    // A rational network: exact for the first steps, until the fractions grow too long.
    let source = b"param w = 1/3\ninput x = 3/7\ntarget y = 2/5\nloss E = (w * x - y)^2\noptimizer sgd(lr = 1/2)\n";
    let run = nabla(&["explain", "-", "--steps", "60"], Some(source));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("exact for the first"), "{}", run.stdout);
    let json = nabla(
        &["explain", "-", "--steps", "60", "--format", "json"],
        Some(source),
    );
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(json["history"].as_array().map(Vec::len), Some(61));
}

#[test]
fn a_float_overflow_is_reported_where_it_first_happens() {
    let args = ["explain", "-"];
    let run = nabla(
        &args,
        Some(b"input x = 1000\nparam w = 1\nloss E = exp(w * x) * 2\n"),
    );
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript(&args));
}

#[test]
fn more_digits_than_a_float_holds_are_not_invented() {
    let run = nabla(&["explain", TWO_TWO_TWO, "--digits", "40"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // σ(0.3775) is a float64: 15 significant digits at most, however many are asked.
    assert!(
        run.stdout.contains("σ(0.3775) ≈ 0.593269992107187\n"),
        "{}",
        run.stdout
    );
    // Exact values are exact to any number of digits.
    assert!(run.stdout.contains("= 151/400 = 0.3775"), "{}", run.stdout);
    assert!(
        run.stdout.contains("they are shown with at most 15"),
        "the note on numbers says so: {}",
        run.stdout
    );
    let run = nabla(&["explain", TWO_TWO_TWO], None);
    assert!(!run.stdout.contains("at most 15"), "{}", run.stdout);
}

/// A linear layer `W [n, n]` from zeros with given values: every number of its step is exact.
fn linear_layer(n: usize) -> Vec<u8> {
    let values = |modulus: usize, shift: i64| {
        (0..n)
            .map(|i| ((i % modulus) as i64 - shift).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "input x[{n}] = [{}]\ntarget y[{n}] = [{}]\nparam W[{n}, {n}] ~ zeros\nloss L = mse(W @ x, y)\noptimizer sgd(lr = 0.1)\n",
        values(7, 3),
        values(5, 2)
    )
    .into_bytes()
}

#[test]
fn a_step_too_large_to_work_by_hand_is_refused_at_once_with_its_size() {
    // 3000 × 3000 took more than a minute and 5.6 GB before the step was counted first.
    let source = linear_layer(3000);
    let run = nabla(&["explain", "-"], Some(&source));
    assert_eq!(run.code, 1, "{}", run.stderr);
    for words in [
        "W [3000, 3000] alone holds 9,000,000",
        "more than the 1,500,000 it works through in a few seconds",
        "nabla derive for the formulas",
        "nabla gen to train the network",
    ] {
        assert!(run.stderr.contains(words), "{words}: {}", run.stderr);
    }
    let run = nabla(&["explain", "-", "--lang", "vi"], Some(&source));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("riêng W [3000, 3000] đã có 9,000,000 giá trị"),
        "{}",
        run.stderr
    );
    // The formulas do not depend on the size.
    let run = nabla(&["derive", "-"], Some(&source));
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn steps_and_the_gradient_check_count_toward_the_size_of_a_step() {
    let source = linear_layer(100);
    let one = nabla(&["explain", "-", "--format", "json"], Some(&source));
    assert_eq!(one.code, 0, "{}", one.stderr);
    let many = nabla(&["explain", "-", "--steps", "200"], Some(&source));
    assert_eq!(many.code, 1, "{}", many.stderr);
    assert!(
        many.stderr.contains("W [100, 100] alone holds 10,000"),
        "{}",
        many.stderr
    );
}

#[test]
fn a_parameter_that_cancels_out_of_the_loss_has_a_zero_gradient_in_every_form() {
    // x·w − x·w: w has no path to the loss. Its gradient once read "∂L/∂w =  = 1".
    let source = b"input x = 3\nparam w = 2\nparam v = 1\nloss L = x * w - x * w + v * v\n";
    for detail in ["scalar", "vector"] {
        let run = nabla(&["explain", "-", "--form", detail], Some(source));
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains("∂L/∂w = 0"),
            "{detail}:\n{}",
            run.stdout
        );
        assert!(!run.stdout.contains("=  ="), "{detail}:\n{}", run.stdout);
        let run = nabla(
            &["explain", "-", "--form", detail, "--format", "json"],
            Some(source),
        );
        let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        assert_eq!(json["gradients"]["w"].as_f64(), Some(0.0), "{detail}");
        assert_eq!(json["updated"]["w"].as_f64(), Some(2.0), "{detail}");
    }
}
