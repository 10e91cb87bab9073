//! Softmax and log-softmax worked a line at a time: each row's values in the forward pass
//! (log-softmax by its definition, `z − log(exp(z₁) + …)`), each row's gradient by the rule's
//! Jacobian–vector product, and the rule that product follows from, in every format and language.

use crate::support::nabla;

const ROWS: &str = "tests/fixtures/tensors/log-softmax-rows.nabla";

/// A source file in the temporary directory, for the edge cases below.
fn source(name: &str, text: &str) -> String {
    let file = std::env::temp_dir().join(format!("nabla-softmax-lines-{name}.nabla"));
    std::fs::write(&file, text).expect("written");
    file.to_str().expect("a path").to_string()
}

fn explain(args: &[&str]) -> String {
    let run = nabla(args, None);
    assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
    assert!(run.stderr.is_empty(), "{args:?}: {}", run.stderr);
    run.stdout
}

/// The tagger's page in every format and both languages, as a learner reads it.
#[test]
fn log_softmax_rows_read_well_in_every_format() {
    for format in ["markdown", "latex", "html", "json"] {
        for language in ["en", "vi"] {
            let args = ["explain", ROWS, "--format", format, "--lang", language];
            let page = explain(&args);
            if format == "json" && language == "vi" {
                // The JSON model has no words: the same in every language.
                assert_eq!(page, explain(&["explain", ROWS, "--format", "json"]));
                continue;
            }
            insta::assert_snapshot!(
                format!("log-softmax-rows__{format}__{language}"),
                format!("$ nabla {}\n{}", args.join(" "), page)
            );
        }
    }
}

/// Each row by log-softmax's definition, the log of the sum worked out; each row's gradient
/// by the rule, its values put in; and the rule's product stated before the lines use it.
#[test]
fn each_row_of_a_log_softmax_is_worked_forward_and_back() {
    let page = explain(&["explain", ROWS]);
    let lines: Vec<&str> = page.lines().map(str::trim).collect();
    let row = |i: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(&format!("[P{i}₁, P{i}₂, P{i}₃] = log_softmax(")))
            .unwrap_or_else(|| panic!("row {i}:\n{page}"))
    };
    for sub in ["₁", "₂", "₃"] {
        let at = row(sub);
        assert_eq!(
            lines[at + 1],
            format!(
                "= [S{sub}₁, S{sub}₂, S{sub}₃] − log(exp(S{sub}₁) + exp(S{sub}₂) + exp(S{sub}₃))"
            ),
            "{page}"
        );
    }
    // S = X W = [[1, −1, 0], [0, 1, −1], [1, 0, −1]]: the first row, exactly put in, then the
    // log of the sum (an approximation: ≈ from there on).
    let first = row("₁");
    assert_eq!(
        lines[first + 2],
        "= [1, −1, 0] − log(exp(1) + exp(−1) + exp(0))"
    );
    assert_eq!(lines[first + 3], "≈ [1, −1, 0] − 1.40760596");
    assert_eq!(
        lines[first + 4],
        "≈ [−0.407605964, −2.40760596, −1.40760596]"
    );
    // The rule, with the product each backward line is, and why its elements add up to 0.
    for phrase in [
        "∂ℓᵢ/∂zⱼ = δᵢⱼ − pⱼ",
        "∂L/∂z = ∂L/∂ℓ − p·sum(∂L/∂ℓ)",
        "The last equation is the first summed over i by the chain rule.",
        "Along an axis the rule holds on each line along that axis",
    ] {
        assert!(page.contains(phrase), "{phrase}\n{page}");
    }
    // ∂L/∂P = −T/3: the first row's gradient with the exact upstream gradient put in.
    let backward = lines
        .iter()
        .position(|l| l.starts_with("[∂L/∂S₁₁, ∂L/∂S₁₂, ∂L/∂S₁₃] = [∂L/∂P₁₁, ∂L/∂P₁₂, ∂L/∂P₁₃]"))
        .expect("the first row's gradient");
    assert_eq!(
        lines[backward + 1],
        "− softmax([S₁₁, S₁₂, S₁₃])·sum([∂L/∂P₁₁, ∂L/∂P₁₂, ∂L/∂P₁₃])"
    );
    assert_eq!(
        lines[backward + 2],
        "= [−1/3, 0, 0] − softmax([1, −1, 0])·sum([−1/3, 0, 0])"
    );
    assert!(
        lines[backward + 3]
            .starts_with("≈ [−1/3, 0, 0] − [0.665240956, 0.090030573, 0.244728471]·(−1/3)"),
        "{page}"
    );
    assert!(lines[backward + 4].ends_with("by (5)"), "{page}");
}

/// The JSON of each row's gradient: the values the backward pass computed, which add up to 0
/// along the row as the rule's note says.
#[test]
fn each_rows_gradient_adds_up_to_zero() {
    let json: serde_json::Value =
        serde_json::from_str(&explain(&["explain", ROWS, "--format", "json"])).expect("JSON");
    let rows: Vec<&serde_json::Value> = json["lines"]["backward"]
        .as_array()
        .expect("backward lines")
        .iter()
        .filter(|l| l["lhs"].as_str().is_some_and(|s| s.starts_with("[∂L/∂S")))
        .collect();
    assert_eq!(rows.len(), 3, "{json}");
    for row in rows {
        let value = row["stages"]
            .as_array()
            .and_then(|s| s.last())
            .and_then(|s| s["formula"].as_str())
            .expect("a value");
        let numbers: Vec<f64> = value
            .trim_matches(|c| c == '[' || c == ']')
            .split(", ")
            .map(|n| n.replace('−', "-").parse().expect("a number"))
            .collect();
        assert_eq!(numbers.len(), 3);
        assert!(numbers.iter().sum::<f64>().abs() < 1e-8, "{value}");
    }
}

/// Along an axis of one element log-softmax is exactly 0 (and softmax exactly 1): "=" all the
/// way, and no note that no fraction equals it.
#[test]
fn a_line_of_one_element_is_exact() {
    let path = source(
        "one",
        "param S[2, 1] = [[1], [-2]]\nP = log_softmax(S, 1)\nA = softmax(S, 1)\n\
         loss L = sum(P * P) + sum(A)\n",
    );
    let page = explain(&["explain", &path]);
    for line in [
        "P = log_softmax(S, 1) = [[0], [0]]",
        "[P₁₁] = log_softmax([S₁₁]) = [S₁₁] − log(exp(S₁₁)) = [1] − log(exp(1)) = [1] − 1 = [0]",
        "[P₂₁] = log_softmax([S₂₁]) = [S₂₁] − log(exp(S₂₁)) = [−2] − log(exp(−2)) = [−2] − (−2) = [0]",
        "A = softmax(S, 1) = [[1], [1]]",
    ] {
        assert!(page.contains(line), "{line}\n{page}");
    }
    assert!(!page.contains("no fraction equals"), "{page}");
}

/// A row's gradient is the whole gradient at its inputs only when nothing else uses them: with
/// another use of `S`, the rows of the forward pass stay and the backward pass has none.
#[test]
fn rows_gradients_need_inputs_used_once() {
    let path = source(
        "shared",
        "param S[2, 2] = [[1, 0], [0, 1]]\nP = log_softmax(S, 1)\n\
         loss L = -sum(P) + sum(S * S)\n",
    );
    let page = explain(&["explain", &path]);
    assert!(
        page.contains("[P₁₁, P₁₂] = log_softmax([S₁₁, S₁₂])"),
        "{page}"
    );
    assert!(!page.contains("[∂L/∂S₁₁, ∂L/∂S₁₂]"), "{page}");
}

/// More than 36 elements: the value a layer at a time, without rows.
#[test]
fn large_log_softmax_has_no_rows() {
    let path = source(
        "large",
        "param S[4, 10] ~ normal(0, 1)\nP = log_softmax(S, 1)\nloss L = -sum(P)\n",
    );
    let page = explain(&["explain", &path]);
    assert!(page.contains("P = log_softmax(S, 1)"), "{page}");
    assert!(!page.contains("[P₁₁, P₁₂"), "{page}");
}

/// Along axis 0 the lines are columns, and each is worked as a row is.
#[test]
fn columns_are_lines_along_axis_0() {
    let path = source(
        "columns",
        "input X[2, 2] = [[1, 0], [0, 2]]\nparam W[2, 2] = [[1, 0], [0, 1]]\nS = X @ W\n\
         P = log_softmax(S, 0)\nloss L = -sum(P) / 4\n",
    );
    let page = explain(&["explain", &path]);
    for line in [
        "[P₁₁, P₂₁] = log_softmax([S₁₁, S₂₁])",
        "= [1, 0] − log(exp(1) + exp(0))",
        "[∂L/∂S₁₂, ∂L/∂S₂₂] = [∂L/∂P₁₂, ∂L/∂P₂₂]",
    ] {
        assert!(page.contains(line), "{line}\n{page}");
    }
}

/// A vector's log-softmax (no axis) in the vector form: its layer's line by the definition. In
/// the scalar form each element is worked as `z₁ − log(exp(z₁) + …)` already.
#[test]
fn a_vectors_log_softmax_is_worked_by_its_definition() {
    let path = source(
        "vector",
        "input x[2] = [1, 2]\ntarget t[3] = [-1, -1, -2]\n\
         param W[3, 2] = [[0.5, 0], [0, 0.5], [1, -1]]\nl = log_softmax(W @ x)\n\
         loss L = mse(l, t)\n",
    );
    let vector = explain(&["explain", &path, "--form", "vector"]);
    for line in [
        "l = log_softmax(net_l)",
        "= net_l − log(exp(net_l₁) + exp(net_l₂) + exp(net_l₃))",
        "= [0.5, 1, −1] − log(exp(0.5) + exp(1) + exp(−1))",
        "≈ [0.5, 1, −1] − 1.55495692",
        "≈ [−1.05495692, −0.55495692, −2.55495692]",
        // The rule says what δᵢⱼ is, and the product the δ line computes.
        "δᵢⱼ is 1 when i = j and 0 otherwise.",
        "∂L/∂z = ∂L/∂ℓ − p·sum(∂L/∂ℓ)",
    ] {
        assert!(vector.contains(line), "{line}\n{vector}");
    }
    // Not along an axis: no word of axes.
    assert!(!vector.contains("Along an axis"), "{vector}");
    let scalar = explain(&["explain", &path, "--form", "scalar"]);
    assert!(
        scalar.contains("l₁ = net_l₁ − log(exp(net_l₁) + exp(net_l₂) + exp(net_l₃))"),
        "{scalar}"
    );
}

/// `derive` states the rule with its product and says what it means, in both languages and
/// every format, along an axis and for a vector (where δᵢⱼ was used without a word before).
#[test]
fn derive_says_what_the_log_softmax_rule_means() {
    let vector = source(
        "derive-vector",
        "input x[2] = [1, 2]\ntarget t[3] = [-1, -1, -2]\nparam W[3, 2] ~ xavier\n\
         l = log_softmax(W @ x)\nloss L = mse(l, t)\n",
    );
    for (language, words) in [
        (
            "en",
            [
                "is 1 when",
                "The last equation is the first summed over",
                "changes neither",
            ],
        ),
        (
            "vi",
            [
                "bằng 1 khi",
                "Phương trình cuối là phương trình đầu lấy tổng theo",
                "không làm",
            ],
        ),
    ] {
        for path in [ROWS, vector.as_str()] {
            for format in ["text", "markdown", "latex"] {
                let page = explain(&["derive", path, "--lang", language, "--format", format]);
                for phrase in words {
                    assert!(
                        page.contains(phrase),
                        "{language} {format}: {phrase}\n{page}"
                    );
                }
                assert!(page.contains("log_softmax") || page.contains("log\\_softmax"));
            }
        }
    }
}

/// ∂L/∂P = (−1/3)·T is exact: its value is written with the fractions its decimals would round
/// (`−1/3`, not `−0.333333333`) and joined by "=", in every format and both languages; and the
/// graph's box of the sum says its gradient is −1/3, as exactly.
#[test]
fn an_exact_matrix_is_written_exactly_after_equals() {
    let html_value = "<mi>T</mi></mrow></math><math displaystyle=\"true\"><mo>=</mo><mrow><mo>[</mo>\
        <mspace width=\"0.25em\"/><mtable><mtr><mtd><mrow><mo>−</mo><mfrac><mn>1</mn><mn>3</mn>\
        </mfrac></mrow></mtd>";
    for language in ["en", "vi"] {
        for (format, value) in [
            (
                "text",
                "∂L/∂P = (−1/3)·T = [[−1/3, 0, 0], [0, −1/3, 0], [0, 0, −1/3]]\n",
            ),
            (
                "markdown",
                r"\left(-\tfrac{1}{3}\right) \cdot T = \begin{bmatrix}-\tfrac{1}{3} & 0 & 0 \cr 0 & -\tfrac{1}{3} & 0 \cr 0 & 0 & -\tfrac{1}{3}\end{bmatrix}",
            ),
            (
                "latex",
                r"\left(-\tfrac{1}{3}\right) \cdot T = \begin{bmatrix}-\tfrac{1}{3} & 0 & 0 \\ 0 & -\tfrac{1}{3} & 0 \\ 0 & 0 & -\tfrac{1}{3}\end{bmatrix}",
            ),
            ("html", html_value),
            (
                "json",
                "\"relation\": \"=\",\n            \"formula\": \"[[−1/3, 0, 0], [0, −1/3, 0], [0, 0, −1/3]]\"",
            ),
        ] {
            let page = explain(&["explain", ROWS, "--format", format, "--lang", language]);
            assert!(page.contains(value), "{format} {language}:\n{page}");
            assert!(
                !page.contains("0.333333333"),
                "{format} {language}:\n{page}"
            );
            assert!(!page.contains("0.3333<"), "{format} {language}:\n{page}");
        }
        let graph = explain(&["--lang", language, "graph", ROWS, "--format", "svg"]);
        assert!(graph.contains(">∂L/∂(·) = −1/3</text>"), "{graph}");
    }
}

/// A page writes what it has named by that name: once the forward pass shows `net_l = W x`, no
/// line below spells `W x` again (the δ of the fused softmax step said `softmax(W x)`), in every
/// format and both languages.
#[test]
fn lines_write_the_net_input_by_the_name_the_page_gave_it() {
    let path = "tests/fixtures/tensors/log-softmax-of-a-product.nabla";
    let tex_delta = r"\operatorname{softmax}\left(\mathrm{net}_{l}\right) \cdot \operatorname{sum}\left(y\right) - y";
    // Each format's definition of net_l, its `W x`, and the δ line's product.
    let formats = [
        (
            "text",
            "net_l = W x",
            "W x",
            "δl = softmax(net_l)·sum(y) − y = softmax(net_l) − y ≈",
        ),
        (
            "markdown",
            r"\mathrm{net}_{l} = W \thinspace x",
            r"W \thinspace x",
            tex_delta,
        ),
        ("latex", r"\mathrm{net}_{l} &= W \, x", r"W \, x", tex_delta),
        (
            "html",
            "<msub><mi>net</mi><mi>l</mi></msub></math><span class=\"rhs\"><math displaystyle=\"true\"><mo>=</mo><mrow><mi>W</mi><mo>⁢</mo><mi>x</mi>",
            "<mi>W</mi><mo>⁢</mo><mi>x</mi>",
            "<mi>softmax</mi><mo>⁡</mo><mrow><mo>(</mo><msub><mi>net</mi><mi>l</mi></msub><mo>)</mo></mrow></mrow><mo>·</mo>",
        ),
        (
            "json",
            "\"formula\": \"W x\"",
            "W x",
            "\"formula\": \"softmax(net_l)·sum(y) − y\"",
        ),
    ];
    for (format, definition, product, delta) in formats {
        for language in ["en", "vi"] {
            let args = [
                "explain", path, "--form", "vector", "--format", format, "--lang", language,
            ];
            let page = explain(&args);
            let at = page
                .find(definition)
                .unwrap_or_else(|| panic!("{format} {language}: no {definition}\n{page}"));
            let after = &page[at + definition.len()..];
            assert!(
                !after.contains(product),
                "{format} {language}: {product} after net_l is defined\n{after}"
            );
            assert!(
                after.contains(delta),
                "{format} {language}: no {delta}\n{page}"
            );
            if format == "json" && language == "vi" {
                continue;
            }
            insta::assert_snapshot!(
                format!("log-softmax-of-a-product__{format}__{language}"),
                format!("$ nabla {}\n{}", args.join(" "), page)
            );
        }
    }
}
