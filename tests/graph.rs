//! `nabla graph`: the computational graph as DOT and as SVG.

use crate::support::{examples, nabla, relative};

#[test]
fn every_example_draws_as_dot() {
    for example in examples() {
        let path = relative(&example);
        let name = path.trim_end_matches(".nabla").replace('/', "__");
        let args = ["graph", path.as_str()];
        let run = nabla(&args, None);
        assert_eq!(run.code, 0, "{path}: {}", run.stderr);
        insta::assert_snapshot!(format!("{name}__dot"), run.transcript(&args));
    }
}

#[test]
fn svg_has_a_box_per_node_and_an_arrow_per_edge() {
    let dot = nabla(&["graph", "examples/classics/circuit-xyz.nabla"], None).stdout;
    let boxes = dot.lines().filter(|l| l.contains("[label=")).count();
    let arrows = dot.lines().filter(|l| l.contains("->")).count();
    let run = nabla(
        &[
            "graph",
            "examples/classics/circuit-xyz.nabla",
            "--format",
            "svg",
        ],
        None,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("<?xml"),
        "{}",
        &run.stdout[..100.min(run.stdout.len())]
    );
    assert!(run.stdout.trim_end().ends_with("</svg>"));
    assert_eq!(run.stdout.matches("<g class=").count(), boxes);
    assert_eq!(run.stdout.matches("marker-end=").count(), arrows);
    assert!(run.stdout.contains("∂f/∂q = −4"));
}

/// The numbers of an attribute on the SVG root: `width="667"`.
fn attribute(svg: &str, name: &str) -> f64 {
    let start = svg.find("<svg").expect("an svg element");
    let root = &svg[start..start + svg[start..].find('>').expect("a tag")];
    let at = root.find(&format!(" {name}=\"")).expect("the attribute") + name.len() + 3;
    root[at..at + root[at..].find('"').expect("a value")]
        .parse()
        .expect("a number")
}

#[test]
fn the_graph_reads_top_to_bottom_on_a_page_with_every_operand() {
    for path in [
        "examples/classics/step-by-step-2-2-2.nabla",
        "examples/iris.nabla",
    ] {
        let run = nabla(&["graph", path, "--format", "svg"], None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let svg = &run.stdout;
        let (width, height) = (attribute(svg, "width"), attribute(svg, "height"));
        // A page's width, taller than wide: boxes in rows, not one long row.
        assert!(width <= 900.0, "{path}: {width} wide");
        assert!(height > width, "{path}: {width} × {height}");
        // Every arrow goes down the page, from an operand to its operation.
        let arrows = svg
            .split("<path d=\"")
            .skip(1)
            .filter(|p| p[..p.find('>').expect("a tag")].contains("marker-end"));
        for path_data in arrows {
            let d = &path_data[..path_data.find('"').expect("the end of d")];
            let numbers: Vec<f64> = d
                .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().expect("a coordinate"))
                .collect();
            let (first_y, last_y) = (numbers[1], numbers[numbers.len() - 1]);
            assert!(last_y > first_y, "{path}: an arrow goes up: {d}");
        }
    }
    // The constants of ½·(y − o)² are drawn: the ½ and the exponent 2.
    let run = nabla(
        &[
            "graph",
            "examples/classics/step-by-step-2-2-2.nabla",
            "--format",
            "svg",
        ],
        None,
    );
    assert!(run.stdout.contains(">1/2</text>"), "{}", run.stdout);
    assert!(run.stdout.contains(">2</text>"), "{}", run.stdout);
}

#[test]
fn a_value_too_large_for_its_box_is_named_by_its_space_in_every_dimension() {
    let source = b"input X[1, 3, 3] = [[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]\nparam K[1, 1, 2, 2] = [[[[1, 0], [0, -1]]]]\ntarget Y[1, 2, 2] = [[[0, 1], [1, 0]]]\nloss L = mse(conv2d(X, K), Y)\n";
    let run = nabla(&["graph", "-"], Some(source));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("∈ ℝ¹ˣ³ˣ³"), "{}", run.stdout);
    let run = nabla(&["graph", "examples/iris.nabla"], None);
    assert!(run.stdout.contains("∈ ℝ¹⁶ˣ⁴"), "{}", run.stdout);
}

/// A bias per channel is spread over its maps in two steps (`[2]` to `[2, 4]` to `[2, 4, 4]`):
/// the graph draws one broadcast box from the bias to the sum, of the maps' shape.
#[test]
fn a_bias_spread_over_maps_is_one_broadcast_box() {
    let run = crate::support::nabla(&["graph", "tests/fixtures/tensors/small-cnn.nabla"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let boxes: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("[label=\"broadcast"))
        .collect();
    assert_eq!(boxes.len(), 1, "{}", run.stdout);
    assert!(boxes[0].contains("ℝ²ˣ⁴ˣ⁴"), "{}", boxes[0]);
    let id = boxes[0].trim().split(' ').next().expect("an id");
    // From the bias c (n3), into the sum with the convolution.
    assert!(
        run.stdout.contains(&format!("n3 -> {id};")),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches(&format!("{id} -> ")).count(),
        1,
        "{}",
        run.stdout
    );
}

/// A product of two tensors element by element is drawn ⊙, as the language's documentation and
/// the explanation write it; a product by a scalar keeps ×, and the matrix product @, in every
/// format and language of the graph.
#[test]
fn an_elementwise_product_is_drawn_as_the_explanation_writes_it() {
    let source = b"input x[2] = [1, 2]\ntarget y[2] = [0, 1]\nparam w[2] = [1, -1]\nparam V[2, 2] = [[1, 0], [0, 1]]\nh = w * x\nloss L = sum(1/2 * (V @ h - y)^2)\n";
    for lang in ["en", "vi"] {
        for format in ["dot", "svg"] {
            let run = nabla(
                &["--lang", lang, "graph", "-", "--format", format],
                Some(source),
            );
            assert_eq!(run.code, 0, "{}", run.stderr);
            let out = &run.stdout;
            let (hadamard, scale, matmul) = match format {
                "dot" => ("[label=\"h = ⊙\\n", "[label=\"×\\n", "[label=\"@\\n"),
                _ => (">h = ⊙</text>", ">×</text>", ">@</text>"),
            };
            for (what, label) in [("w ⊙ x", hadamard), ("1/2·(…)", scale), ("V h", matmul)] {
                assert_eq!(
                    out.matches(label).count(),
                    1,
                    "{lang} {format} {what}: {out}"
                );
            }
            assert_eq!(out.matches('×').count(), 1, "{lang} {format}: {out}");
        }
    }
}

/// The tagger's loss sums T ⊙ P: its graph, in both languages.
#[test]
fn the_graph_of_a_tagger_in_both_languages() {
    for lang in ["en", "vi"] {
        let args = [
            "--lang",
            lang,
            "graph",
            "tests/fixtures/tensors/log-softmax-rows.nabla",
        ];
        let run = nabla(&args, None);
        assert_eq!(run.code, 0, "{}", run.stderr);
        insta::assert_snapshot!(
            format!("log-softmax-rows__dot__{lang}"),
            run.transcript(&args)
        );
    }
}
