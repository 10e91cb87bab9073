//! How deriving scales with depth: time, gradient graph size and output size should all grow
//! linearly. Run with `cargo bench --bench derive`; it first prints the sizes, then the times.

use nabla::autodiff::{default_wrt, differentiate};
use nabla::render::derive::{Format, render};

fn main() {
    println!("depth  forward nodes  gradient nodes  output bytes");
    for depth in [10, 100, 300, 1000] {
        let (forward, total, bytes) = derive_once(&network(depth));
        println!("{depth:>5}  {forward:>13}  {total:>14}  {bytes:>12}");
    }
    divan::main();
}

/// `depth` tanh layers of width 4, each with its own weights, then a squared-error loss.
fn network(depth: usize) -> String {
    let mut source =
        String::from("input x[4] = [0.1, 0.2, 0.3, 0.4]\ntarget y[4] = [0, 1, 0, 1]\nh0 = x\n");
    for i in 1..=depth {
        source.push_str(&format!(
            "param W{i}[4, 4] ~ xavier\nparam b{i}[4] ~ zeros\nh{i} = tanh(W{i} @ h{} + b{i})\n",
            i - 1
        ));
    }
    source.push_str(&format!("loss E = sum((h{depth} - y)^2)\n"));
    source
}

fn derive_once(source: &str) -> (usize, usize, usize) {
    let (model, _) = nabla::compile(source);
    let model = model.expect("the generated network is valid");
    let gradient = differentiate(&model, &default_wrt(&model)).expect("differentiable");
    let derivation = nabla::explain::gradients::derive(&model, &gradient);
    let text = render(
        &derivation,
        None,
        Format::Text,
        nabla::words::Language::English,
    );
    (gradient.forward_len, gradient.graph.len(), text.len())
}

#[divan::bench(args = [10, 100, 300, 1000])]
fn check_differentiate_and_render(bencher: divan::Bencher, depth: usize) {
    let source = network(depth);
    bencher.bench(|| derive_once(divan::black_box(&source)));
}
