//! How long parsing and checking take as files grow. Run with `cargo bench --bench front_end`.
//! The goal: a 10,000-line file well under a second.

fn main() {
    divan::main();
}

/// A file of `lines` definitions, each using the one before, over 16-wide layers.
fn generated(lines: usize) -> String {
    let mut source =
        String::from("input x[16]\ntarget y[16]\nparam W[16, 16] ~ xavier\nparam b[16] ~ zeros\n");
    source.push_str("h0 = tanh(W @ x + b)\n");
    for i in 1..lines {
        source.push_str(&format!("h{i} = tanh(W @ h{} + b) * 1/2 + x\n", i - 1));
    }
    source.push_str(&format!("loss E = mse(h{}, y)\n", lines - 1));
    source
}

#[divan::bench(args = [100, 1_000, 10_000])]
fn parse_and_check(bencher: divan::Bencher, lines: usize) {
    let source = generated(lines);
    bencher.bench(|| {
        let (model, _) = nabla::compile(divan::black_box(&source));
        assert!(model.is_some());
    });
}
