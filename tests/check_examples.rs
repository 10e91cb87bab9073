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
