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
    assert_eq!(run.stdout.matches("<rect").count(), boxes);
    assert_eq!(run.stdout.matches("<path").count(), arrows);
    assert!(run.stdout.contains("∂f/∂q = −4"));
}
