//! Values of up to four dimensions, and the operations on them (convolution, pooling, axes).

use num_rational::BigRational;

use nabla::autodiff::{default_wrt, differentiate};
use nabla::eval::exact::{self, Value};
use nabla::ir::{Init, Model};
use nabla::shape::Shape;

use crate::support::declared_exact;
use crate::support::nabla;

fn model(source: &str) -> Model {
    let (model, diagnostics) = nabla::compile(source);
    model.unwrap_or_else(|| panic!("{diagnostics:?}"))
}

fn q(text: &str) -> BigRational {
    text.parse().expect("a fraction")
}

/// The exact gradient of the loss with respect to the declaration `name`.
fn exact_gradient(model: &Model, name: &str) -> (Shape, Vec<BigRational>) {
    let gradient = differentiate(model, &default_wrt(model)).expect("differentiable");
    let values = exact::evaluate(&gradient.graph, &declared_exact(model)).expect("evaluates");
    let (_, node) = gradient
        .wrt
        .iter()
        .find(|(decl, _)| model.declaration(*decl).name == name)
        .expect("a gradient");
    match values[node.index()].clone() {
        Some(Value::Exact(t)) => (t.shape(), t.data().to_vec()),
        other => panic!("not exact: {other:?}"),
    }
}

#[test]
fn values_of_four_dimensions_are_declared_and_given_in_nested_brackets() {
    let model = model(
        "param K[2, 1, 2, 2] = [[[[1, 2], [3, 4]]], [[[5, 6], [7, 8]]]]\n\
         input X[1, 2, 2] = [[[1/2, 0], [0, 1]]]\n\
         loss L = sum(K) * sum(X)\n",
    );
    let k = &model.declarations[0];
    assert_eq!(k.shape, Shape::Tensor4(2, 1, 2, 2));
    let Some(Init::Value(value)) = &k.init else {
        panic!("a value")
    };
    let expected: Vec<BigRational> = (1..=8).map(|n| q(&n.to_string())).collect();
    assert_eq!(value.data(), expected.as_slice());
    assert_eq!(model.declarations[1].shape, Shape::Tensor3(1, 2, 2));
}

#[test]
fn gradients_through_three_dimensions_are_exact() {
    let source = std::fs::read_to_string(
        crate::support::root().join("tests/fixtures/tensors/elementwise.nabla"),
    )
    .expect("fixture");
    let model = model(&source);
    // ∂L/∂W = h ⊙ relu′(W ⊙ X − 1) ⊙ X, with h = relu(W ⊙ X − 1) + 2.
    let (shape, w) = exact_gradient(&model, "W");
    assert_eq!(shape, Shape::Tensor3(2, 2, 3));
    let expected: Vec<BigRational> = [
        "0", "0", "0", "52/5", "35/2", "138/5", "0", "0", "6", "3", "0", "0",
    ]
    .iter()
    .map(|t| q(t))
    .collect();
    assert_eq!(w, expected);
    // ∂L/∂k = sum(h) = 2·7 + 2.6 + 3.5 + 4.6 + 3 + 3 = 30.7
    assert_eq!(exact_gradient(&model, "k").1, vec![q("307/10")]);
}

#[test]
fn the_classic_3x3_input_with_a_2x2_kernel_is_exact() {
    let source = std::fs::read_to_string(
        crate::support::root().join("tests/fixtures/tensors/classic-3x3.nabla"),
    )
    .expect("fixture");
    let model = model(&source);
    let all: Vec<nabla::ir::DeclId> = (0..model.declarations.len() as u32)
        .map(nabla::ir::DeclId)
        .collect();
    let gradient = nabla::autodiff::differentiate(&model, &all).expect("differentiable");
    let values = exact::evaluate(&gradient.graph, &declared_exact(&model)).expect("evaluates");
    let exact_of = |node: nabla::ir::NodeId| match values[node.index()].clone() {
        Some(Value::Exact(t)) => t.data().to_vec(),
        other => panic!("not exact: {other:?}"),
    };
    let fractions = |texts: &[&str]| texts.iter().map(|t| q(t)).collect::<Vec<_>>();
    let z = model
        .graph
        .ids()
        .find(|&id| model.graph[id].name.as_deref() == Some("Z"))
        .expect("Z");
    // Each output is X[i][j]·1 + X[i+1][j+1]·(−1) + 1/2 = −4 + 1/2.
    assert_eq!(exact_of(z), fractions(&["-7/2", "-7/2", "-7/2", "-7/2"]));
    let gradient_of = |name: &str| {
        let (_, node) = gradient
            .wrt
            .iter()
            .find(|(d, _)| model.declaration(*d).name == name)
            .expect("a gradient");
        exact_of(*node)
    };
    // ∂L/∂Z = (Z − Y)/2: [[−7/4, −9/4], [−9/4, −7/4]]; ∂L/∂K = X ⋆ ∂L/∂Z.
    assert_eq!(gradient_of("K"), fractions(&["-24", "-32", "-48", "-56"]));
    assert_eq!(gradient_of("b"), fractions(&["-8"]));
    // ∂L/∂X: the full convolution of ∂L/∂Z with the flipped kernel.
    assert_eq!(
        gradient_of("X"),
        fractions(&["-7/4", "-9/4", "0", "-9/4", "0", "9/4", "0", "9/4", "7/4"])
    );
}

#[test]
fn convolutions_explain_in_every_format_and_language_and_every_command_works() {
    for path in [
        "tests/fixtures/tensors/small-cnn.nabla",
        "tests/fixtures/tensors/convolution-3x3.nabla",
    ] {
        for format in ["text", "markdown", "latex", "html", "json"] {
            for language in ["en", "vi"] {
                let args = ["explain", path, "--format", format, "--lang", language];
                let run = nabla(&args, None);
                assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
                assert!(run.stderr.is_empty(), "{args:?}: {}", run.stderr);
                // JSON carries the lines' formulas; the element form's are sums of products.
                assert!(
                    run.stdout.contains("conv2d") || format == "json",
                    "{args:?}"
                );
            }
        }
        let checked = nabla(&["explain", path, "--gradcheck"], None);
        assert_eq!(checked.code, 0, "{}", checked.stderr);
        assert!(
            checked
                .stdout
                .contains("Every derived gradient agrees with its finite difference"),
            "{}",
            checked.stdout
        );
        for args in [
            vec!["derive", path],
            vec!["derive", path, "--format", "latex"],
            vec!["graph", path],
            vec!["graph", path, "--format", "svg"],
            vec!["explain", path, "--steps", "3"],
        ] {
            let run = nabla(&args, None);
            assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
            assert!(!run.stdout.is_empty(), "{args:?}");
        }
    }
}

/// The classic convolution in every other format, in both languages: its maps as grids (an
/// image's rows and columns, a kernel's), its words the language's.
#[test]
fn the_classic_convolution_reads_well_in_every_format() {
    let path = "tests/fixtures/tensors/convolution-3x3.nabla";
    for format in ["markdown", "latex", "html", "json"] {
        for language in ["en", "vi"] {
            let args = ["explain", path, "--format", format, "--lang", language];
            let run = nabla(&args, None);
            assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
            if format == "json" && language == "vi" {
                // The JSON model has no words: the same in every language.
                let en = nabla(&["explain", path, "--format", "json"], None);
                assert_eq!(run.stdout, en.stdout);
                continue;
            }
            insta::assert_snapshot!(
                format!("convolution-3x3__{format}__{language}"),
                format!("$ nabla {}\n{}", args.join(" "), run.stdout)
            );
        }
    }
}

/// Feature maps of three dimensions and kernels of four are grids of labelled maps in the JSON
/// model too: the shape, and each map's filter, channel and rows.
#[test]
fn the_json_model_says_each_grid_shape_and_maps() {
    let run = nabla(
        &[
            "explain",
            "tests/fixtures/tensors/small-cnn.nabla",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let given = &json["lines"]["given"];
    let kernel = given
        .as_array()
        .and_then(|lines| lines.iter().find(|l| l["lhs"] == "K"))
        .expect("the kernel's line");
    assert_eq!(kernel["grid"]["shape"], serde_json::json!([2, 1, 3, 3]));
    let maps = kernel["grid"]["maps"].as_array().expect("maps");
    assert_eq!(maps.len(), 2);
    assert_eq!(maps[1]["filter"], 2);
    assert_eq!(maps[1]["channel"], 1);
    assert_eq!(
        maps[1]["rows"],
        serde_json::json!([
            ["−0.1", "0.2", "0.1"],
            ["0.3", "−0.4", "0.2"],
            ["0", "0.1", "0.2"]
        ])
    );
    let pooled = json["lines"]["forward"]
        .as_array()
        .and_then(|lines| lines.iter().find(|l| l["lhs"] == "p"))
        .expect("the pooled line");
    assert_eq!(pooled["grid"]["shape"], serde_json::json!([2, 2, 2]));
    // A matrix that is no map (the dense layer's weights) stays a list.
    let w = given
        .as_array()
        .and_then(|lines| lines.iter().find(|l| l["lhs"] == "W"))
        .expect("W");
    assert!(w.get("grid").is_none());
}

/// Maps larger than a small image are written as lists with elisions, as large vectors are.
#[test]
fn large_maps_are_elided_lists() {
    let source = "param X[1, 12, 12] ~ normal(0, 1)\nparam K[1, 1, 3, 3] ~ he\n\
                  loss L = sum(conv2d(X, K))\n";
    let file = std::env::temp_dir().join("nabla-tensors-large-maps.nabla");
    std::fs::write(&file, source).expect("written");
    let run = nabla(&["explain", file.to_str().expect("a path")], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("⋯"), "{}", run.stdout);
    assert!(
        run.stdout.contains("X ≈ [[["),
        "a 12×12 map is no grid: {}",
        run.stdout
    );
    // The kernel, 3×3, is one.
    assert!(run.stdout.contains("filter 1, channel 1"), "{}", run.stdout);
}

/// `derive` says what the convolution's and pooling's rules mean, in the textbook's words.
#[test]
fn derive_says_the_rules_of_convolution_and_pooling_in_words() {
    let path = "tests/fixtures/tensors/small-cnn.nabla";
    for (language, words) in [
        (
            "en",
            [
                "is the correlation of the input",
                "full convolution of",
                "flipped kernel",
                "routes each window's gradient to the window's maximum",
            ],
        ),
        (
            "vi",
            [
                "là tương quan chéo (correlation) của đầu vào",
                "tích chập đầy đủ (full convolution)",
                "nhân lật",
                "chuyển gradient của mỗi cửa sổ về phần tử lớn nhất",
            ],
        ),
    ] {
        for format in ["text", "markdown", "latex"] {
            let run = nabla(
                &["derive", path, "--lang", language, "--format", format],
                None,
            );
            assert_eq!(run.code, 0, "{}", run.stderr);
            for phrase in words {
                assert!(
                    run.stdout.contains(phrase),
                    "{language} {format}: {phrase}\n{}",
                    run.stdout
                );
            }
        }
    }
    let pooled = "param X[1, 4, 4] ~ normal(0, 1)\nloss L = sum(avg_pool(X, 2))\n";
    let file = std::env::temp_dir().join("nabla-tensors-avg-pool.nabla");
    std::fs::write(&file, pooled).expect("written");
    let run = nabla(&["derive", file.to_str().expect("a path")], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("Average pooling spreads each window's gradient evenly"),
        "{}",
        run.stdout
    );
}

/// A layer written as the pooling of an activation, `h = max_pool(relu(conv2d(…) + c), 2)` (as
/// LeNet is usually written), has its δ on a line of its own: the kernel's and the bias's
/// gradients and the input's read δh, rather than its formula written out in each of them.
#[test]
fn a_pooled_layer_has_its_delta_on_a_line_of_its_own() {
    let source = "input X[1, 6, 6]\ntarget y : index(2)\nparam K1[2, 1, 3, 3] ~ he\n\
                  param c1[2] ~ zeros\nparam K2[2, 2, 2, 2] ~ he\nparam W[2, 2] ~ xavier\n\
                  h1 = max_pool(relu(conv2d(X, K1, c1, 1, 1)), 2)\n\
                  h2 = avg_pool(tanh(conv2d(h1, K2)), 2)\n\
                  loss L = cross_entropy(softmax(W @ flatten(h2)), y)\n";
    let file = std::env::temp_dir().join("nabla-tensors-pooled-layers.nabla");
    std::fs::write(&file, source).expect("written");
    for language in ["en", "vi"] {
        let run = nabla(
            &["derive", file.to_str().expect("a path"), "--lang", language],
            None,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        for line in [
            "δh2    = upsample(∂L/∂h2, 2)/4 ⊙ (1 − tanh(conv2d(h1, K2))²)",
            "∂L/∂h1 = full_conv(δh2, rot180(K2))",
            "∂L/∂K2 = correlate(h1, δh2)",
            "∂L/∂K1 = correlate(X, δh1, 1, 1)",
            "∂L/∂c1 = sum(sum(δh1, 2), 1)",
        ] {
            assert!(
                run.stdout.contains(line),
                "{language}: {line}\n{}",
                run.stdout
            );
        }
        // Among the gradients' lines (before the notes and the rules), the mask's formula is
        // written once, on δh1's.
        let lines = run.stdout.split("\n\n").nth(1).unwrap_or_default();
        assert_eq!(lines.matches("argmax_mask(").count(), 1, "{}", run.stdout);
    }
}

/// The worked networks of tensors a learner reads: the classic 3×3 element by element, a small
/// CNN a layer at a time, max pooling's windows with ties, attention's softmax row by row, a
/// tagger's log-softmax row by row.
#[test]
fn worked_convolutions_read_well_and_their_latex_compiles() {
    let tex = crate::explain_formats::tex_engine();
    let dir = crate::explain_formats::scratch_dir("tensors");
    for name in [
        "convolution-3x3",
        "small-cnn",
        "max-pool-tie",
        "attention",
        "log-softmax-rows",
    ] {
        let path = format!("tests/fixtures/tensors/{name}.nabla");
        for language in ["en", "vi"] {
            let args = ["explain", path.as_str(), "--lang", language];
            let run = nabla(&args, None);
            assert_eq!(run.code, 0, "{}", run.stderr);
            insta::assert_snapshot!(
                format!("{name}__text__{language}"),
                format!("$ nabla {}\n{}", args.join(" "), run.stdout)
            );
            let latex = nabla(&[&args[..], &["--format", "latex"]].concat(), None);
            assert_eq!(latex.code, 0, "{}", latex.stderr);
            match &tex {
                Ok(()) => {
                    let log = crate::explain_formats::compile(
                        &dir,
                        &format!("{name}-{language}"),
                        &latex.stdout,
                    );
                    assert!(
                        !log.contains("Overfull \\hbox"),
                        "{name} ({language}) runs into the margin"
                    );
                }
                Err(why) => crate::support::skipped("worked_convolutions … latex", why),
            }
        }
    }
}

/// Max pooling, element by element: each pooled value the largest of its named window, and in
/// the backward pass the element each window's gradient goes to — the first maximum in reading
/// order, saying so when several tie.
#[test]
fn max_pooling_names_each_window_and_where_its_gradient_goes() {
    let run = nabla(
        &["explain", "tests/fixtures/tensors/max-pool-tie.nabla"],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in [
        "p₁,₁,₁ = max(h₁,₁,₁, h₁,₁,₂, h₁,₂,₁, h₁,₂,₂) = max(1, 3, 0, 3) = 3",
        "p₁,₂,₁ = max(h₁,₃,₁, h₁,₃,₂, h₁,₄,₁, h₁,₄,₂) = max(5, 1, 2, 0) = 5",
        "(h₁,₁,₂, h₁,₂,₂ tie for the largest of this window: the first in reading order,",
        "∂L/∂h₁,₁,₂ = ∂L/∂p₁,₁,₁ = 3",
        "∂L/∂h₁,₃,₃ = ∂L/∂p₁,₂,₂ = 6",
        "h₁,₁,₂, receives the window's gradient, the others 0)",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
    }
    // A window without a tie has no note.
    assert_eq!(
        run.stdout.matches("tie for the largest").count(),
        6,
        "{}",
        run.stdout
    );
}

/// Exact values put into a line are written exactly, as fractions where their decimals would be
/// rounded, so the line keeps "=" while it is exact: a pooling window's elements, and the
/// examples' losses in a batch's mean.
#[test]
fn exact_values_put_into_a_line_are_written_exactly() {
    let pool = b"input X[1, 2, 2] = [[[1/3, 2/3], [0, 1/7]]]\nparam K[1, 1, 1, 1] = [[[[1]]]]\n\
        param W[1, 1] = [[3]]\ntarget y[1] = [1]\nh = conv2d(X, K)\np = max_pool(h, 2)\n\
        z = W @ flatten(p)\nloss L = mse(z, y)\n";
    let mean = b"input x = each [1, 2, 4]\ntarget y = each [0, 0, 0]\nparam w = 1/3\n\
        loss L = (w * x - y)^2\n";
    for (source, line) in [
        (
            &pool[..],
            "p₁,₁,₁ = max(h₁,₁,₁, h₁,₁,₂, h₁,₂,₁, h₁,₂,₂) = max(1/3, 2/3, 0, 1/7) ≈ 0.666666667",
        ),
        (
            &mean[..],
            "L = (1/m) Σᵢ L⁽ⁱ⁾ = 1/3·(L⁽¹⁾ + L⁽²⁾ + L⁽³⁾) = 1/3·(1/9 + 4/9 + 16/9) = 7/9 ≈ 0.777777778",
        ),
    ] {
        for lang in ["en", "vi"] {
            let run = nabla(
                &["--lang", lang, "explain", "-", "--form", "vector"],
                Some(source),
            );
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
        }
    }
}
