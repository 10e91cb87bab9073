//! `nabla derive`: the formulas of every example in every format, and the values in JSON
//! against an independent computation.

use crate::support::{examples, nabla, relative};

#[test]
fn every_example_in_every_format_reads_well() {
    for example in examples() {
        let path = relative(&example);
        let name = path.trim_end_matches(".nabla").replace('/', "__");
        for format in ["text", "markdown", "latex", "json"] {
            let args = ["derive", path.as_str(), "--format", format];
            let run = nabla(&args, None);
            assert_eq!(run.code, 0, "{path} {format}:\n{}", run.stderr);
            insta::assert_snapshot!(format!("{name}__vector__{format}"), run.transcript(&args));
        }
    }
}

#[test]
fn the_scalar_form_of_small_examples_reads_well() {
    for example in examples() {
        let path = relative(&example);
        let name = path.trim_end_matches(".nabla").replace('/', "__");
        for format in ["text", "latex"] {
            let args = [
                "derive",
                path.as_str(),
                "--form",
                "scalar",
                "--format",
                format,
            ];
            let run = nabla(&args, None);
            // The scalar form is of one example, and a chain through a picked row depends on
            // the values.
            let source = std::fs::read_to_string(&example).expect("readable");
            let model = nabla::compile(&source).0.expect("a valid example");
            let picks = model
                .graph
                .nodes()
                .iter()
                .any(|n| matches!(n.op, nabla::ir::Op::Binary(nabla::ir::Binary::Pick, ..)));
            if picks || model.is_batch() {
                assert_eq!(run.code, 2, "{path}: the scalar form is refused");
                assert!(run.stderr.contains("use the vector form"), "{}", run.stderr);
                continue;
            }
            if path.contains("iris") {
                assert_eq!(
                    run.code, 2,
                    "iris has too many elements for the scalar form"
                );
                assert!(
                    run.stderr.contains("pick a few with --wrt"),
                    "{}",
                    run.stderr
                );
                continue;
            }
            assert_eq!(run.code, 0, "{path}:\n{}", run.stderr);
            insta::assert_snapshot!(format!("{name}__scalar__{format}"), run.transcript(&args));
        }
    }
}

#[test]
fn wrt_selects_inputs_and_parameters() {
    let args = [
        "derive",
        "examples/classics/sigmoid-neuron.nabla",
        "--wrt",
        "x0,w0",
    ];
    let run = nabla(&args, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.transcript(&args));

    let unknown = nabla(&["derive", "examples/xor.nabla", "--wrt", "W3"], None);
    assert_eq!(unknown.code, 2);
    assert_eq!(
        unknown.stderr,
        "nabla: --wrt W3: no input or param is called `W3`; the file declares: x, W1, b1, W2, b2\n"
    );
    let target = nabla(&["derive", "examples/xor.nabla", "--wrt", "y"], None);
    assert_eq!(target.code, 2);
    assert!(
        target.stderr.contains("`y` is a target"),
        "{}",
        target.stderr
    );
}

/// Tied weights: W encodes, Wᵀ decodes. The chain rule through Wᵀ gives (δx̂ hᵀ)ᵀ, which the
/// derivation writes as a textbook does, h δx̂ᵀ (and a trainer computes without a transpose).
#[test]
fn the_transpose_of_a_product_of_vectors_is_the_product_the_other_way_round() {
    let args = ["derive", "tests/fixtures/codegen/tied.nabla", "--wrt", "W"];
    let run = nabla(&args, None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let gradient = run
        .stdout
        .lines()
        .find(|line| line.trim_start().starts_with("∂L/∂W ="))
        .unwrap_or_else(|| panic!("no ∂L/∂W line in\n{}", run.stdout));
    assert_eq!(gradient.trim(), "∂L/∂W = h δxhatᵀ + δh xᵀ");
}

/// The 2-2-2 network computed directly in f64, as a learner would with a calculator.
#[test]
fn json_values_agree_with_an_independent_float_computation() {
    let run = nabla(
        &[
            "derive",
            "examples/classics/step-by-step-2-2-2.nabla",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");

    let sigmoid = |z: f64| 1.0 / (1.0 + (-z).exp());
    let (x, y) = ([0.05, 0.10], [0.01, 0.99]);
    let w1 = [[0.15, 0.20], [0.25, 0.30]];
    let w2 = [[0.40, 0.45], [0.50, 0.55]];
    let (b1, b2) = (0.35, 0.60);
    let h: Vec<f64> = (0..2)
        .map(|i| sigmoid(w1[i][0] * x[0] + w1[i][1] * x[1] + b1))
        .collect();
    let o: Vec<f64> = (0..2)
        .map(|i| sigmoid(w2[i][0] * h[0] + w2[i][1] * h[1] + b2))
        .collect();
    let loss: f64 = (0..2).map(|i| 0.5 * (y[i] - o[i]).powi(2)).sum();
    let delta_o: Vec<f64> = (0..2)
        .map(|i| (o[i] - y[i]) * o[i] * (1.0 - o[i]))
        .collect();
    let delta_h: Vec<f64> = (0..2)
        .map(|j| (0..2).map(|i| w2[i][j] * delta_o[i]).sum::<f64>() * h[j] * (1.0 - h[j]))
        .collect();

    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1e-300);
    let number = |v: &serde_json::Value| v.as_f64().expect("a number");
    assert!(
        close(number(&json["loss"]), loss),
        "{} vs {loss}",
        json["loss"]
    );
    for i in 0..2 {
        for j in 0..2 {
            let dw2 = number(&json["gradients"]["W2"][i][j]);
            let dw1 = number(&json["gradients"]["W1"][i][j]);
            assert!(close(dw2, delta_o[i] * h[j]), "W2[{i}][{j}] = {dw2}");
            assert!(close(dw1, delta_h[i] * x[j]), "W1[{i}][{j}] = {dw1}");
        }
    }
    assert_eq!(json["formulas"]["W2"], "δo hᵀ");
    // Sigmoid makes every value approximate: no exact section.
    assert!(json.get("exact").is_none());
}

#[test]
fn exact_values_are_given_as_fractions() {
    let source = b"param w = 3/4\ninput x = 2/3\ntarget y = 1/5\nloss E = (w * x - y)^2 / 2\n";
    let run = nabla(&["derive", "-", "--format", "json"], Some(source));
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    // E = (1/2 − 1/5)² / 2 = 9/200; ∂E/∂w = (w x − y) x = 3/10 · 2/3 = 1/5.
    assert_eq!(json["exact"]["loss"], "9/200");
    assert_eq!(json["exact"]["gradients"]["w"], "1/5");
    assert_eq!(json["loss"], 0.045);
    assert_eq!(json["gradients"]["w"], 0.2);
}

#[test]
fn a_division_by_zero_in_the_given_values_points_at_the_expression() {
    let source = b"input x = 0\nparam w = 1\nloss E = w / x\n";
    let args = ["derive", "-", "--format", "json"];
    let run = nabla(&args, Some(source));
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript(&args));
}

/// The LaTeX documents compile (pdflatex; .ci/run installs it, so on CI a missing engine fails).
#[test]
fn the_latex_documents_compile() {
    let engine = std::process::Command::new("pdflatex")
        .arg("--version")
        .output();
    if engine.is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must compile the LaTeX output (.ci/run installs it)"
        );
        crate::support::skipped(
            "derive::the_latex_documents_compile",
            "pdflatex is not installed",
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("nabla-derive-latex-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    // The examples, networks of tensors, and a file whose names push the rules' placeholders to
    // Greek letters (τ for a target when the file has `y` and `c`), in both languages.
    let mut paths: Vec<String> = examples().iter().map(|e| relative(e)).collect();
    paths.push("tests/fixtures/explain/taken-letters.nabla".to_string());
    paths.push("tests/fixtures/tensors/small-cnn.nabla".to_string());
    paths.push("tests/fixtures/tensors/log-softmax-rows.nabla".to_string());
    for (path, form, language) in paths.iter().flat_map(|path| {
        ["vector", "scalar"]
            .into_iter()
            .flat_map(move |form| ["en", "vi"].map(|language| (path, form, language)))
    }) {
        {
            let run = nabla(
                &[
                    "derive",
                    path.as_str(),
                    "--format",
                    "latex",
                    "--form",
                    form,
                    "--lang",
                    language,
                ],
                None,
            );
            if run.code != 0 {
                continue; // the scalar form refuses large networks; tested elsewhere
            }
            let name = format!(
                "{}-{form}-{language}",
                path.trim_end_matches(".nabla").replace('/', "-")
            );
            std::fs::write(dir.join(format!("{name}.tex")), &run.stdout).expect("writable");
            let compiled = std::process::Command::new("pdflatex")
                .args([
                    "-interaction=nonstopmode",
                    "-halt-on-error",
                    &format!("{name}.tex"),
                ])
                .current_dir(&dir)
                .output()
                .expect("pdflatex runs");
            let log = std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
            assert!(
                compiled.status.success(),
                "{name}.tex does not compile:\n{log}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_scalar_form_of_a_large_network_is_refused_in_one_clean_sentence() {
    let run = nabla(&["derive", "examples/iris.nabla", "--form", "scalar"], None);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "nabla: --form scalar writes one line per parameter element, and this gradient has 131; \
         pick a few with --wrt, or use the vector form\n"
    );
}

/// The rules' Greek placeholders are LaTeX's letters (`\tau`), not text in a formula: a file
/// with `y` and `c` has the target `τ`.
#[test]
fn greek_placeholders_are_latex_letters() {
    let path = "tests/fixtures/explain/taken-letters.nabla";
    let text = nabla(&["derive", path], None);
    assert!(
        text.stdout.contains("∂u/∂ξ = q·sum(τ) − τ"),
        "{}",
        text.stdout
    );
    for command in ["derive", "explain"] {
        let run = nabla(&[command, path, "--format", "latex"], None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stdout.contains("\\tau"), "{}", run.stdout);
        assert!(run.stdout.contains("\\xi"), "{}", run.stdout);
        assert!(!run.stdout.contains("\\text{τ}"), "{}", run.stdout);
    }
}

/// `𝟙`, a tensor of ones (`−1/6·𝟙` is the gradient of `−sum(P)/6`), is said in words on every
/// page that writes it, and only there.
#[test]
fn the_tensor_of_ones_is_defined_where_a_line_writes_it() {
    let file = std::env::temp_dir().join("nabla-derive-ones.nabla");
    std::fs::write(
        &file,
        "param S[2, 3] = [[1, 0, 2], [0, 1, 1]]\nP = log_softmax(S, 1)\nloss L = -sum(P) / 6\n",
    )
    .expect("written");
    let path = file.to_str().expect("a path");
    for (command, language, format, words) in [
        (
            "derive",
            "en",
            "text",
            "𝟙 is a tensor whose every element is 1",
        ),
        (
            "derive",
            "vi",
            "latex",
            "$\\mathbf{1}$ là tensor có mọi phần tử bằng 1",
        ),
        (
            "explain",
            "en",
            "markdown",
            "$\\mathbf{1}$ is a tensor whose every element is 1",
        ),
        ("explain", "vi", "text", "𝟙 là tensor có mọi phần tử bằng 1"),
        (
            "explain",
            "en",
            "html",
            "<math><mi>𝟙</mi></math> is a tensor",
        ),
    ] {
        let run = nabla(
            &[command, path, "--lang", language, "--format", format],
            None,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            run.stdout.contains(words),
            "{command} {format}\n{}",
            run.stdout
        );
    }
    let without = nabla(
        &["derive", "tests/fixtures/tensors/log-softmax-rows.nabla"],
        None,
    );
    assert!(!without.stdout.contains("𝟙"), "{}", without.stdout);
    assert!(
        !without.stdout.contains("every element is 1"),
        "{}",
        without.stdout
    );
}

/// The scalar form refuses a network it cannot write element by element, naming what stops it:
/// an index's pick, a batch statistic, max pooling, softmax along an axis.
#[test]
fn the_scalar_form_says_which_operation_it_cannot_write() {
    let pick = std::env::temp_dir().join("nabla-derive-scalar-pick.nabla");
    std::fs::write(
        &pick,
        "input c : index(3) = 1\nparam E[3, 2] = [[1, 0], [0, 1], [1, 1]]\n\
         loss L = sum(E[c] * E[c])\n",
    )
    .expect("written");
    let begins = "nabla: the scalar form writes a chain for every element";
    for (path, says) in [
        (
            pick.to_str().expect("a path"),
            ", and this network picks by an index (which elements it uses depends on the \
             index's value); use the vector form\n",
        ),
        (
            "tests/fixtures/explain/batch-normalization.nabla",
            " of one example, and this network looks across a batch; use the vector form\n",
        ),
        (
            "tests/fixtures/tensors/max-pool-tie.nabla",
            ", and this network has max pooling (where each window's gradient goes depends on \
             the values); use the vector form, which works each window\n",
        ),
        (
            "tests/fixtures/tensors/log-softmax-rows.nabla",
            ", and this network has softmax or log_softmax along an axis; use the vector form, \
             which works it line by line\n",
        ),
    ] {
        let run = nabla(&["derive", path, "--form", "scalar"], None);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_eq!(run.stderr, format!("{begins}{says}"));
    }
    // explain --form scalar says the same, in the user's language.
    let run = nabla(
        &[
            "explain",
            "tests/fixtures/tensors/log-softmax-rows.nabla",
            "--form",
            "scalar",
            "--lang",
            "vi",
        ],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "nabla: dạng vô hướng viết một chuỗi cho từng phần tử, mà mạng này có softmax hoặc \
         log_softmax theo một trục; hãy dùng dạng vectơ, dạng này giải từng dòng\n"
    );
}
