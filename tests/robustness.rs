//! Whatever the bytes, the front end answers with a model or diagnostics: it never panics,
//! overflows its stack or hangs. Hostile inputs by hand, then random and mutated sources.

use proptest::prelude::*;

use crate::support::nabla;

fn rejects(source: &[u8]) -> String {
    let run = nabla(&["check", "-"], Some(source));
    assert_eq!(
        run.code, 1,
        "expected a rejection, got:\n{}{}",
        run.stdout, run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run.stderr
}

#[test]
fn hostile_inputs_get_an_error_not_a_crash() {
    rejects(b"");
    rejects(b"\x00\x01\x02");
    rejects(&[0xff, 0xfe, 0x00, 0x41]);
    rejects(format!("loss E = {}x{}", "(".repeat(20_000), ")".repeat(20_000)).as_bytes());
    rejects(format!("loss E = {}x", "[".repeat(20_000)).as_bytes());
    rejects(format!("input x = 1\nloss E = {}", vec!["x"; 100_000].join(" + ")).as_bytes());
    rejects(format!("input x = 1\nloss E = {}x", "-".repeat(200_000)).as_bytes());
    rejects(format!("input x = 2\nloss E = {}", vec!["x"; 100_000].join("^")).as_bytes());
    rejects(format!("input x = 1\nloss E = x{}", "'".repeat(200_000)).as_bytes());
    rejects(format!("loss E = {}", "y".repeat(200_000)).as_bytes());
    rejects(b"input x = 1e999999999999\nloss E = x\n");
    rejects(b"const c = 10^10^10\ninput x = 1\nloss E = x * c\n");
    rejects(b"param W[99999999999999999999, 2] ~ xavier\ninput x = 1\nloss E = x\n");
}

#[test]
fn a_long_line_is_not_printed_whole() {
    let stderr = rejects(format!("loss E = {}", "y".repeat(200_000)).as_bytes());
    assert!(
        stderr.len() < 2_000,
        "{} bytes of diagnostics",
        stderr.len()
    );
    assert!(stderr.contains("too long to show"), "{stderr}");
}

#[test]
fn a_large_valid_file_checks() {
    // 10,000 lines, each value using the one before: deep dependencies, no recursion trouble.
    let mut source = String::from("input x[4]\nparam W[4, 4] ~ xavier\nh0 = tanh(W @ x)\n");
    for i in 1..10_000 {
        source.push_str(&format!("h{i} = tanh(W @ h{} + x)\n", i - 1));
    }
    source.push_str("loss E = sum(h9999)\n");
    let (model, diagnostics) = nabla::compile(&source);
    assert!(model.is_some(), "{:?}", diagnostics.first());
}

/// Pieces of the language, so random text often gets past the first token.
const TOKENS: &[&str] = &[
    "input ",
    "target ",
    "param ",
    "const ",
    "dim ",
    "loss ",
    "optimizer ",
    "train",
    "x",
    "W",
    "h",
    "E",
    "sigmoid",
    "softmax",
    "mse",
    "cross_entropy",
    "sum",
    "(",
    ")",
    "[",
    "]",
    ",",
    "=",
    "~",
    "+",
    "-",
    "*",
    "/",
    "@",
    "^",
    "'",
    "0",
    "1",
    "0.5",
    "1e3",
    "1/0",
    "\n",
    " ",
    "#",
    "xavier",
    "uniform(0, 1)",
    "sgd(lr = 0.1)",
    "adam",
    "true",
    "[2]",
    "[2, 2]",
    "−",
    "\u{0}",
];

fn example_sources() -> Vec<String> {
    crate::support::examples()
        .into_iter()
        .map(|p| std::fs::read_to_string(crate::support::root().join(p)).expect("readable"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_token_soup_never_panics(tokens in proptest::collection::vec(proptest::sample::select(TOKENS), 0..60)) {
        let source: String = tokens.concat();
        let _ = nabla::compile(&source);
    }

    #[test]
    fn mutated_examples_never_panic(
        example in 0usize..64,
        edits in proptest::collection::vec((any::<u16>(), any::<u16>(), proptest::sample::select(TOKENS)), 1..6),
    ) {
        let source = mutated_example(example, &edits);
        let _ = nabla::compile(&source);
    }

    #[test]
    fn arbitrary_text_never_panics(source in "\\PC{0,200}") {
        let _ = nabla::compile(&source);
    }
}

proptest! {
    // The whole commands on mutated examples: fewer cases, each runs every format.
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_examples_derive_explain_and_draw_without_panicking(
        example in 0usize..64,
        edits in proptest::collection::vec((any::<u16>(), any::<u16>(), proptest::sample::select(TOKENS)), 0..3),
    ) {
        let source = mutated_example(example, &edits);
        if let (Some(model), _) = nabla::compile(&source) {
            run_every_command(&model);
        }
    }
}

/// Every command in every format; JSON must parse; only a bug may fail as `Internal`.
fn run_every_command(model: &nabla::ir::Model) {
    use nabla::pipeline::{self, DeriveOptions, ExplainOptions, Failure, Form};
    use nabla::render::{derive, explain};
    let ok = |result: Result<String, Failure>, json: bool| match result {
        Ok(output) if json => {
            serde_json::from_str::<serde_json::Value>(&output).expect("the JSON parses");
        }
        Err(Failure::Internal(message)) => panic!("{}", message.english()),
        _ => {}
    };
    for form in [Form::Vector, Form::Scalar] {
        for format in [
            derive::Format::Text,
            derive::Format::Latex,
            derive::Format::Json,
        ] {
            let options = DeriveOptions {
                wrt: Vec::new(),
                form,
                format,
                language: nabla::words::Language::English,
            };
            ok(
                pipeline::derive(model, &options),
                format == derive::Format::Json,
            );
        }
    }
    for format in [
        explain::Format::Text,
        explain::Format::Html,
        explain::Format::Json,
        explain::Format::Notebook,
    ] {
        let options = ExplainOptions {
            wrt: Vec::new(),
            form: None,
            digits: 9,
            steps: 2,
            gradcheck: true,
            format,
            language: explain::Language::English,
            weights: Vec::new(),
            examples: None,
            data_file: None,
            weights_file: None,
        };
        ok(
            pipeline::explain(model, &options, &mut |_| {}),
            matches!(format, explain::Format::Json | explain::Format::Notebook),
        );
    }
    ok(
        pipeline::graph(model, true, nabla::words::Language::English),
        false,
    );
}

/// Example number `example` (modulo their count) with each edit (position, length, insertion)
/// applied: a few characters replaced by a piece of the language.
fn mutated_example(example: usize, edits: &[(u16, u16, &str)]) -> String {
    let sources = example_sources();
    let mut source = sources[example % sources.len()].clone();
    for &(at, len, insert) in edits {
        let at = floor_char_boundary(&source, at as usize % (source.len() + 1));
        let end = floor_char_boundary(&source, (at + len as usize % 8).min(source.len()));
        source.replace_range(at..end.max(at), insert);
    }
    source
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Inputs fuzzing found a crash or a hang with, kept so they stay fixed: each must be answered
/// (quickly) by every command.
#[test]
fn inputs_found_by_fuzzing_stay_fixed() {
    let dir = crate::support::root().join("tests/fixtures/fuzz-regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("the regressions folder") {
        let path = entry.expect("an entry").path();
        let bytes = std::fs::read(&path).expect("readable");
        let source = String::from_utf8_lossy(&bytes);
        if let (Some(model), _) = nabla::compile(&source) {
            run_every_command(&model);
        }
        let run = nabla(&["check", "-"], Some(&bytes));
        assert!(
            !run.stderr.contains("overflowed its stack") && !run.stderr.contains("panicked"),
            "{}",
            path.display()
        );
        count += 1;
    }
    assert!(count >= 1);
    // A 400,000-bit exact constant: hashing it once overflowed the stack and took seconds.
    let (model, diagnostics) =
        nabla::compile("const c = 20000.02^20000\nparam w = 1\nloss E = w * c\n");
    assert!(model.is_some(), "{diagnostics:?}");
}
