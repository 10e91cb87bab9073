//! Every kind of error a learner can make, with the message they see (one fixture file each under
//! tests/fixtures/diagnostics, one snapshot each).

use nabla::diagnostic::Kind;

use crate::support::{nabla, relative};

#[test]
fn each_error_reads_well() {
    insta::glob!("fixtures/diagnostics/*.nabla", |path| {
        let path = relative(path);
        let args = ["check", path.as_str()];
        let run = nabla(&args, None);
        insta::assert_snapshot!(run.transcript(&args));
    });
}

/// The kinds of the diagnostics for `source`, errors and warnings, in source order.
fn kinds(source: &str) -> Vec<Kind> {
    nabla::compile(source).1.iter().map(|d| d.kind).collect()
}

/// The text each diagnostic underlines.
fn spans(source: &str) -> Vec<&str> {
    nabla::compile(source)
        .1
        .iter()
        .map(|d| d.span.text(source))
        .collect()
}

#[test]
fn one_run_reports_every_independent_error() {
    let source = "input x[2] = [1, 2]\nh = sigmod(x)\no = x @ x\nq = 1/0\nloss E = sum(x)\n";
    assert_eq!(
        kinds(source),
        [
            Kind::UnknownFunction,
            Kind::ShapeMismatch,
            Kind::DivisionByZero
        ]
    );
}

#[test]
fn errors_point_at_exactly_the_culprit() {
    assert_eq!(spans("input x = 1\nloss E = x + yy\n"), ["yy"]);
    assert_eq!(
        spans("input x[2]\nparam V[2, 3] ~ xavier\nloss E = sum(V @ x)\n"),
        ["@"]
    );
    assert_eq!(spans("input x = 1\nloss E = x\nloss F = x\n"), ["loss F"]);
}

#[test]
fn a_broken_line_does_not_cascade_into_unknown_names_or_a_missing_loss() {
    // `h` and the loss are on lines that fail to parse; nothing else should be reported.
    assert_eq!(
        kinds("input x = 1\nh = 2x\nloss E = h +\n"),
        [Kind::Syntax, Kind::Syntax]
    );
    assert_eq!(kinds("input x = 1e5000\nloss E = x\n"), [Kind::BadNumber]);
}

#[test]
fn precedence_follows_the_language_definition() {
    // 2^3^2 = 2^9 = 512; -2^2 = -(2^2); 2^-1 = 1/2; 2^-1^2 = 2^(-(1^2)) = 1/2; 2 * -3 = -6.
    for (expression, value) in [
        ("2^3^2", "512"),
        ("-2^2", "-4"),
        ("2^-1", "0.5"),
        ("2^-1^2", "0.5"),
        ("2 * -3", "-6"),
        ("1 - 2 - 3", "-4"),
        ("12 / 2 / 3", "2"),
        ("1 + 2 * 3", "7"),
        ("(1 + 2) * 3", "9"),
    ] {
        let source = format!("const c = {expression}\ninput x = 1\nloss E = x * c\n");
        let (model, diagnostics) = nabla::compile(&source);
        let model = model.unwrap_or_else(|| panic!("{expression}: {diagnostics:?}"));
        let c = &model
            .declarations
            .iter()
            .find(|d| d.name == "c")
            .expect("c")
            .init;
        let Some(nabla::ir::Init::Value(value_found)) = c else {
            panic!("c has no value")
        };
        assert_eq!(
            nabla::exact::display(&value_found.data()[0]),
            value,
            "{expression}"
        );
    }
}

#[test]
fn names_may_be_used_before_their_definition() {
    let source = "loss E = sum(o)\no = sigmoid(W @ x)\nparam W[2, 2] ~ xavier\ninput x[2]\n";
    let (model, diagnostics) = nabla::compile(source);
    assert!(model.is_some(), "{diagnostics:?}");
}

#[test]
fn shared_subexpressions_are_one_node() {
    let source = "input x[2]\nparam W[2, 2] ~ xavier\na = sigmoid(W @ x)\nb = sigmoid(W @ x)\nloss E = sum(a * b)\n";
    let (model, _) = nabla::compile(source);
    let model = model.expect("valid");
    let a = model
        .intermediates
        .iter()
        .find(|i| i.name == "a")
        .expect("a")
        .node;
    let b = model
        .intermediates
        .iter()
        .find(|i| i.name == "b")
        .expect("b")
        .node;
    assert_eq!(a, b);
    assert_eq!(model.node_name(a), Some("a"));
}

#[test]
fn literals_are_exact_rationals() {
    let (model, _) = nabla::compile("param w = 0.15\ninput x = 1e-3\nloss E = w * x\n");
    let model = model.expect("valid");
    let values: Vec<String> = model
        .declarations
        .iter()
        .map(|d| match &d.init {
            Some(nabla::ir::Init::Value(v)) => v.data()[0].to_string(),
            _ => String::new(),
        })
        .collect();
    assert_eq!(values, ["3/20", "1/1000"]);
}

/// A value the file fixes and that has none is refused by every command, with one message:
/// `check` and `gen` once accepted the log of 0 that `derive` refused, and the trainer then
/// stopped at a loss of −∞.
#[test]
fn every_command_refuses_the_log_of_a_constant_zero() {
    let path = "tests/fixtures/diagnostics/log-of-zero.nabla";
    let out = std::env::temp_dir().join("nabla-log-of-zero");
    let out = out.to_string_lossy();
    let check = nabla(&["check", path], None);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(check.stderr.contains("log of a value that is not positive"));
    for args in [
        vec!["derive", path],
        vec!["explain", path],
        vec!["graph", path],
        vec!["gen", path, "-o", &out],
    ] {
        let run = nabla(&args, None);
        assert_eq!(run.code, 1, "{}: {}", args[0], run.stderr);
        assert_eq!(run.stderr, check.stderr, "{}", args[0]);
    }
}

/// The help of each diagnostic for `source`.
fn helps(source: &str) -> Vec<Option<String>> {
    nabla::compile(source)
        .1
        .into_iter()
        .map(|d| d.help.map(|h| h.english()))
        .collect()
}

#[test]
fn two_names_written_together_get_the_product_that_checks() {
    let did_you_mean = |s: &str| vec![Some(format!("did you mean `{s}`?"))];
    let network = |shapes: &str, loss: &str| format!("{shapes}\nloss E = {loss}\n");
    // A matrix and a vector: the matrix product, before any near name (`W`, `x`).
    assert_eq!(
        helps(&network("input x[3]\nparam W[2, 3] ~ xavier", "sum(Wx)")),
        did_you_mean("W @ x")
    );
    // Scalars, or vectors of one length: the elementwise product.
    assert_eq!(
        helps(&network("input x = 2\nparam w = 3", "wx^2")),
        did_you_mean("w * x")
    );
    assert_eq!(
        helps(&network("input x[2]\nparam v[2] ~ zeros", "sum(vx)")),
        did_you_mean("v * x")
    );
    // The product must fit where it stands: `W @ x` has 2 elements and `b` 3; `x` fits.
    assert_eq!(
        helps(&network(
            "input x[3]\nparam W[2, 3] ~ xavier\nparam b[3] ~ zeros",
            "sum(Wx + b)",
        )),
        did_you_mean("x")
    );
    // Nothing checks in place: neither a product nor a near name is suggested.
    let neither = helps(&network(
        "input x[2]\nparam W[2, 3] ~ xavier\ninput v[5]",
        "sum(Wx @ v)",
    ));
    assert!(
        neither[0]
            .as_deref()
            .is_some_and(|h| h.starts_with("declare it")),
        "{neither:?}"
    );
    // A near name is offered only where it checks.
    assert_eq!(
        helps(&network(
            "input x1[2]\ninput x2[3]\nparam W[2, 3] ~ xavier",
            "sum(W @ x3) + sum(x1) + sum(x2)"
        )),
        did_you_mean("x2")
    );
}
