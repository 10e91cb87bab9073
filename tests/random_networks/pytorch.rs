//! PyTorch's autograd of the same files: its batch loss and gradients of each network, read by
//! `tests/support/torch_batch.py` independently of nabla, against `nabla explain`'s: networks of
//! tensors and batches of images, and networks over the whole language.

use std::path::Path;

use nabla::ir::DeclKind;

use super::{Mode, compile, generate, generate_tensors, seeded, usable};

/// PyTorch's batch loss and gradients of each file (`tests/support/torch_batch.py`), in one
/// Python process.
fn torch_batch(python: &Path, sources: &[String]) -> Vec<serde_json::Value> {
    let mut torch = std::process::Command::new(python)
        .arg(crate::support::root().join("tests/support/torch_batch.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python runs");
    let input = serde_json::to_string(sources).expect("JSON");
    std::io::Write::write_all(&mut torch.stdin.take().expect("stdin"), input.as_bytes())
        .expect("python reads the files");
    let output = torch.wait_with_output().expect("python finishes");
    assert!(
        output.status.success(),
        "torch_batch.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("torch_batch.py prints JSON")
}

/// Every number of a JSON value, in order.
fn numbers(value: &serde_json::Value, out: &mut Vec<f64>) {
    match value {
        serde_json::Value::Number(n) => out.push(n.as_f64().expect("a float")),
        serde_json::Value::Array(items) => items.iter().for_each(|item| numbers(item, out)),
        other => panic!("not a number: {other}"),
    }
}

/// Each file's loss and every parameter's gradient by `nabla explain --format json` equal
/// PyTorch's to 1e-10 (and `nabla check` and `derive` accept the file without a word).
pub(crate) fn agree_with_pytorch(python: &Path, sources: &[String]) {
    let expected = torch_batch(python, sources);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-10 * b.abs().max(1.0);
    for (source, torch) in sources.iter().zip(&expected) {
        for command in [&["check", "-"][..], &["derive", "-"]] {
            let run = crate::support::nabla(command, Some(source.as_bytes()));
            assert_eq!(run.code, 0, "nabla {command:?}\n{source}{}", run.stderr);
            assert!(
                run.stderr.is_empty(),
                "nabla {command:?}\n{source}{}",
                run.stderr
            );
        }
        let run = crate::support::nabla(
            &["explain", "-", "--format", "json"],
            Some(source.as_bytes()),
        );
        assert_eq!(run.code, 0, "{source}{}", run.stderr);
        let ours: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        let (loss, torch_loss) = (
            ours["loss"].as_f64().expect("the loss"),
            torch["loss"].as_f64().expect("PyTorch's loss"),
        );
        assert!(
            close(loss, torch_loss),
            "{source}loss {loss} against {torch_loss}"
        );
        let torch_gradients = torch["gradients"].as_object().expect("gradients");
        assert!(!torch_gradients.is_empty(), "{source}");
        for (name, gradient) in torch_gradients {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            numbers(&ours["gradients"][name], &mut a);
            numbers(gradient, &mut b);
            assert_eq!(a.len(), b.len(), "{source}{name}");
            for (x, y) in a.iter().zip(&b) {
                assert!(
                    close(*x, *y),
                    "{source}∂L/∂{name}: {a:?}\nagainst PyTorch {b:?}"
                );
            }
        }
    }
}

#[test]
fn tensor_networks_and_batches_of_images_agree_with_pytorch() {
    let test = "tensor_networks_and_batches_of_images_agree_with_pytorch";
    let python = match crate::support::torch_python() {
        Ok(python) => python,
        Err(why) => return crate::support::skipped(test, &why),
    };
    let wanted = [
        "conv2d of channels",
        "conv2d of a map",
        "conv2d with a bias",
        "max_pool",
        "avg_pool",
        "flatten",
        "the transpose of a map",
        "a matrix layer on a map",
        "softmax along an axis",
        "log_softmax along an axis",
        "sum along an axis",
        "mean along an axis",
        "a target class (index)",
    ];
    let mut sources = Vec::new();
    let mut features = std::collections::BTreeSet::new();
    let mut seed = 0;
    // Forty networks or more, until they use every operation of `wanted`: each with a
    // parameter, its examples clear of kinks and ties, half of them batches.
    while sources.len() < 40 || (sources.len() < 80 && !wanted.iter().all(|f| features.contains(f)))
    {
        seed += 1;
        let network = generate_tensors(&mut seeded(seed), Mode::Any, true);
        let model = compile(&network.source);
        if model.declarations_of(DeclKind::Param).next().is_some() && usable(&model) {
            sources.push(network.source);
            features.extend(network.features);
        }
    }
    let batches = sources.iter().filter(|s| s.contains("= each")).count();
    assert!(
        batches * 4 >= sources.len(),
        "{batches} batches of {}",
        sources.len()
    );
    for feature in wanted {
        assert!(features.contains(feature), "no network has {feature}");
    }
    agree_with_pytorch(&python, &sources);
}

#[test]
fn networks_of_the_whole_language_agree_with_pytorch() {
    let test = "networks_of_the_whole_language_agree_with_pytorch";
    let python = match crate::support::torch_python() {
        Ok(python) => python,
        Err(why) => return crate::support::skipped(test, &why),
    };
    let wanted = [
        "sigmoid",
        "log",
        "sqrt",
        "abs",
        "^ non-integer",
        "postfix '",
        "array in an expression",
        "loss cross_entropy of softmax",
        "loss cross_entropy of sigmoid",
        "loss -sum(y * log_softmax)",
        "lines in reverse",
        "image then vectors",
    ];
    let mut sources = Vec::new();
    let mut features = std::collections::BTreeSet::new();
    let mut seed = 0;
    // Forty networks or more, until they use every feature of `wanted`: each with a parameter,
    // clear of kinks and ties.
    while sources.len() < 40
        || (sources.len() < 120 && !wanted.iter().all(|f| features.contains(f)))
    {
        seed += 1;
        let network = generate(&mut seeded(seed), Mode::Any);
        let model = compile(&network.source);
        if model.declarations_of(DeclKind::Param).next().is_some() && usable(&model) {
            sources.push(network.source);
            features.extend(network.features);
        }
    }
    for feature in wanted {
        assert!(features.contains(feature), "no network has {feature}");
    }
    agree_with_pytorch(&python, &sources);
}
