//! `nabla check` on every bundled example: each is valid, and its summary is reviewed.

use crate::support::{examples, nabla, relative};

#[test]
fn every_example_checks_and_its_summary_reads_well() {
    let examples = examples();
    assert!(
        examples.len() >= 5,
        "the examples are missing: {examples:?}"
    );
    for example in examples {
        let path = relative(&example);
        let args = ["check", path.as_str()];
        let run = nabla(&args, None);
        assert_eq!(run.code, 0, "{path} should be valid:\n{}", run.stderr);
        let name = path.trim_end_matches(".nabla").replace('/', "__");
        insta::assert_snapshot!(name, run.transcript(&args));
    }
}

#[test]
fn a_file_without_parameters_has_no_optimizer_to_report() {
    // With no optimizer written, none is mentioned; with one written, it is said to be unused.
    let run = nabla(&["check", "examples/classics/circuit-xyz.nabla"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("optimizer"), "{}", run.stdout);
    let source = "input x = 1\nloss L = x^2\noptimizer adam(lr = 0.1)\n";
    let run = nabla(&["check", "-"], Some(source.as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("optimizer: adam(lr = 0.1, beta1 = 0.9, beta2 = 0.999, eps = 0.00000001), unused: the file has no parameters to train"),
        "{}",
        run.stdout
    );
}
