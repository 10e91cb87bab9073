//! Gradients of networks of tensors against PyTorch in float64 (1e-10): channels, stride,
//! padding, a bias per channel, max and average pooling, sums, means and softmax along an axis;
//! and the weights train.py trains (random networks of tensors and over the whole language, CNNs
//! on digits) against nabla's float evaluator's. Skipped, visibly, where the Python environment with torch is missing
//! (`scripts/python-env.sh` makes it).

use std::collections::HashMap;
use std::process::Command;

use nabla::autodiff::{default_wrt, differentiate};
use nabla::eval::float;
use nabla::ir::{DeclKind, Init, Model, Optimizer};
use nabla::shape::Shape;
use nabla::tensor::Tensor;

use crate::support::{root, skipped};

/// The Python of the environment with torch, if it imports.
fn torch_python() -> Option<String> {
    let venv =
        std::env::var("NABLA_TORCH_VENV").unwrap_or_else(|_| "/tmp/nabla-torch-venv".to_string());
    let python = format!("{venv}/bin/python");
    let works = Command::new(&python)
        .args(["-c", "import torch"])
        .output()
        .is_ok_and(|out| out.status.success());
    works.then_some(python)
}

/// Deterministic values in [−1, 1], in hundredths, as nested brackets (the same text is a
/// nabla value and a Python list).
struct Values {
    state: u64,
}

impl Values {
    fn of(&mut self, shape: Shape) -> String {
        let data: Vec<String> = (0..shape.size())
            .map(|_| {
                self.state = self
                    .state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let k = (self.state >> 33) as i64 % 201 - 100;
                format!("{}", k as f64 / 100.0)
            })
            .collect();
        Tensor::new(shape, data)
            .nest(|x| x.clone(), |items| format!("[{}]", items.join(", ")))
            .expect("a value")
    }
}

/// nabla's float64 gradient of every parameter, by name.
fn nabla_gradients(source: &str) -> HashMap<String, Vec<f64>> {
    let (model, diagnostics) = nabla::compile(source);
    let model = model.unwrap_or_else(|| panic!("{diagnostics:?}\n{source}"));
    let gradient = differentiate(&model, &default_wrt(&model)).expect("differentiable");
    let declared: Vec<Option<Tensor<f64>>> = model
        .declarations
        .iter()
        .map(|d| match &d.init {
            Some(Init::Value(v)) => Some(v.map(nabla::exact::to_f64)),
            _ => None,
        })
        .collect();
    let values = float::evaluate(&gradient.graph, &declared);
    gradient
        .wrt
        .iter()
        .map(|(decl, node)| {
            let value = values[node.index()].clone().expect("a gradient");
            (model.declaration(*decl).name.clone(), value.data().to_vec())
        })
        .collect()
}

/// PyTorch's gradients of each script, in one run of Python (importing torch takes seconds):
/// a line `CASE` before each script's results, then `NAME v1 v2 …` for each gradient.
fn torch_gradients(python: &str, scripts: &[&str]) -> Vec<HashMap<String, Vec<f64>>> {
    let mut program = String::from(
        "import torch\nimport torch.nn.functional as F\ntorch.set_default_dtype(torch.float64)\n\
         def p(v):\n    return torch.tensor(v, requires_grad=True)\n\
         def run(script):\n    names = {'torch': torch, 'F': F, 'p': p}\n    exec(script, names)\n    \
         print('CASE')\n    for name, t in names.items():\n        \
         if isinstance(t, torch.Tensor) and t.requires_grad and t.grad is not None:\n            \
         print(name, ' '.join(repr(x) for x in t.grad.flatten().tolist()))\n",
    );
    for script in scripts {
        program.push_str(&format!("run({script:?})\n"));
    }
    let out = Command::new(python)
        .args(["-c", &program])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}\n{program}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut all: Vec<HashMap<String, Vec<f64>>> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut words = line.split_whitespace();
        match (words.next(), all.last_mut()) {
            (Some("CASE"), _) => all.push(HashMap::new()),
            (Some(name), Some(case)) => {
                let values = words.map(|w| w.parse().expect("a number")).collect();
                case.insert(name.to_string(), values);
            }
            _ => {}
        }
    }
    all
}

fn assert_agree(case: &str, ours: &HashMap<String, Vec<f64>>, theirs: &HashMap<String, Vec<f64>>) {
    assert_eq!(
        ours.keys().collect::<std::collections::BTreeSet<_>>(),
        theirs.keys().collect(),
        "{case}: the parameters"
    );
    for (name, values) in ours {
        let expected = &theirs[name];
        assert_eq!(values.len(), expected.len(), "{case}: {name}");
        for (i, (x, y)) in values.iter().zip(expected).enumerate() {
            let scale = 1.0_f64.max(x.abs()).max(y.abs());
            assert!(
                (x - y).abs() <= 1e-10 * scale,
                "{case}: ∂L/∂{name}[{i}] is {x} in nabla, {y} in PyTorch"
            );
        }
    }
}

/// (name, nabla source, PyTorch script) for each network.
fn cases() -> Vec<(&'static str, String, String)> {
    let mut v = Values { state: 15 };
    let mut cases = Vec::new();

    // Channels, padding, a bias per channel, relu, max pooling, flatten, a dense layer and
    // softmax cross-entropy; and a second convolution with stride 2.
    let (x, k, b, w, k2) = (
        v.of(Shape::Tensor3(2, 6, 6)),
        v.of(Shape::Tensor4(3, 2, 3, 3)),
        v.of(Shape::Vector(3)),
        v.of(Shape::Matrix(4, 27)),
        v.of(Shape::Tensor4(2, 2, 2, 2)),
    );
    cases.push((
        "channels, stride, padding, max pooling",
        format!(
            "input X[2, 6, 6] = {x}\nparam K[3, 2, 3, 3] = {k}\nparam b[3] = {b}\n\
             param W[4, 27] = {w}\nparam K2[2, 2, 2, 2] = {k2}\ntarget c : index(4) = 2\n\
             h = relu(conv2d(X, K, b, 1, 1))\nq = max_pool(h, 2)\nz = W @ flatten(q)\n\
             s = conv2d(X, K2, 2, 1)\n\
             loss L = cross_entropy(softmax(z), c) + sum(s^2) / 10\n"
        ),
        format!(
            "X = torch.tensor({x})\nK = p({k})\nb = p({b})\nW = p({w})\nK2 = p({k2})\n\
             h = torch.relu(F.conv2d(X[None], K, b, stride=1, padding=1))[0]\n\
             q = F.max_pool2d(h[None], 2)[0]\nz = W @ q.flatten()\n\
             s = F.conv2d(X[None], K2, stride=2, padding=1)[0]\n\
             L = F.cross_entropy(z[None], torch.tensor([2])) + (s**2).sum() / 10\nL.backward()"
        ),
    ));

    // No channels; average pooling; sums and means along axes.
    let (x, k, t, u) = (
        v.of(Shape::Matrix(5, 6)),
        v.of(Shape::Matrix(2, 3)),
        v.of(Shape::Vector(2)),
        v.of(Shape::Vector(4)),
    );
    cases.push((
        "no channels, average pooling, along axes",
        format!(
            "param X[5, 6] = {x}\nparam K[2, 3] = {k}\nconst T[2] = {t}\nconst U[4] = {u}\n\
             y = tanh(conv2d(X, K))\na = avg_pool(y, 2)\n\
             loss L = sum(T * mean(a, 1)) + sum(U * sum(y, 0))\n"
        ),
        format!(
            "X = p({x})\nK = p({k})\nT = torch.tensor({t})\nU = torch.tensor({u})\n\
             y = torch.tanh(F.conv2d(X[None, None], K[None, None]))[0, 0]\n\
             a = F.avg_pool2d(y[None], 2)[0]\n\
             L = (T * a.mean(1)).sum() + (U * y.sum(0)).sum()\nL.backward()"
        ),
    ));

    // Attention: softmax along the rows of the scores; log-softmax along the columns.
    let (q, kk, vv, t, u) = (
        v.of(Shape::Matrix(3, 4)),
        v.of(Shape::Matrix(3, 4)),
        v.of(Shape::Matrix(3, 2)),
        v.of(Shape::Matrix(3, 2)),
        v.of(Shape::Matrix(3, 4)),
    );
    cases.push((
        "attention: softmax along an axis",
        format!(
            "param Q[3, 4] = {q}\nparam Kt[3, 4] = {kk}\nparam V[3, 2] = {vv}\n\
             const T[3, 2] = {t}\nconst U[3, 4] = {u}\n\
             A = softmax(Q @ transpose(Kt) / 2, 1)\nO = A @ V\n\
             loss L = sum(O * T) - sum(U * log_softmax(Q, 0))\n"
        ),
        format!(
            "Q = p({q})\nKt = p({kk})\nV = p({vv})\nT = torch.tensor({t})\nU = torch.tensor({u})\n\
             A = torch.softmax(Q @ Kt.T / 2, dim=1)\nO = A @ V\n\
             L = (O * T).sum() - (U * torch.log_softmax(Q, dim=0)).sum()\nL.backward()"
        ),
    ));

    // Four dimensions summed along an axis; a kernel of several channels without padding at
    // stride 3.
    let (x, k) = (
        v.of(Shape::Tensor3(3, 7, 7)),
        v.of(Shape::Tensor4(2, 3, 1, 1)),
    );
    cases.push((
        "stride 3, 1×1 kernels, along the channels",
        format!(
            "input X[3, 7, 7] = {x}\nparam K[2, 3, 1, 1] = {k}\n\
             y = sigmoid(conv2d(X, K, 3, 0))\n\
             loss L = sum(sum(y, 0)^2) + sum(sum(K, 1))\n"
        ),
        format!(
            "X = torch.tensor({x})\nK = p({k})\n\
             y = torch.sigmoid(F.conv2d(X[None], K, stride=3, padding=0))[0]\n\
             L = (y.sum(0)**2).sum() + K.sum(1).sum()\nL.backward()"
        ),
    ));
    cases
}

#[test]
fn gradients_agree_with_pytorch_in_float64() {
    let Some(python) = torch_python() else {
        skipped(
            "gradients_agree_with_pytorch_in_float64",
            "no Python with torch (scripts/python-env.sh makes one)",
        );
        return;
    };
    let cases = cases();
    let scripts: Vec<&str> = cases.iter().map(|(_, _, script)| script.as_str()).collect();
    let theirs = torch_gradients(&python, &scripts);
    assert_eq!(theirs.len(), cases.len(), "a result for every script");
    for ((case, source, _), theirs) in cases.iter().zip(&theirs) {
        assert_agree(case, &nabla_gradients(source), theirs);
    }
}

/// Rows of data for `model`'s inputs and targets, as the trainers read them: an image is its
/// row-major pixels. Inputs are hundredths in [−1, 1], a class number is in range, other
/// targets in [0, 1]. Each row's values by declaration, and the CSV text.
fn rows_for(model: &Model, rows: usize, seed: u64) -> (Vec<Vec<Option<Tensor<f64>>>>, String) {
    let mut state = seed;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let mut values = Vec::new();
    let mut text = String::new();
    for _ in 0..rows {
        let mut row: Vec<Option<Tensor<f64>>> = vec![None; model.declarations.len()];
        let mut cells = Vec::new();
        for kind in [DeclKind::Input, DeclKind::Target] {
            for (index, d) in model.declarations.iter().enumerate() {
                if d.kind != kind {
                    continue;
                }
                let data: Vec<f64> = match d.index {
                    Some(count) => vec![next(count as u64) as f64],
                    None if kind == DeclKind::Input => (0..d.shape.size())
                        .map(|_| (next(201) as f64 - 100.0) / 100.0)
                        .collect(),
                    None => (0..d.shape.size())
                        .map(|_| next(101) as f64 / 100.0)
                        .collect(),
                };
                cells.extend(data.iter().map(|x| format!("{x:?}")));
                row[index] = Some(Tensor::new(d.shape, data));
            }
        }
        text.push_str(&cells.join(","));
        text.push('\n');
        values.push(row);
    }
    (values, text)
}

/// The parameters after `epochs` epochs of SGD (with the file's momentum) in batches of
/// `batch` rows in order, each step on the mean of the batch's gradients, as nabla's float
/// evaluator computes them one example at a time.
fn nabla_training(
    model: &Model,
    rows: &[Vec<Option<Tensor<f64>>>],
    epochs: usize,
    batch: usize,
) -> Vec<(String, Vec<f64>)> {
    let Optimizer::Sgd { lr, momentum } = &model.optimizer else {
        panic!("the networks here train with SGD");
    };
    let (lr, momentum) = (nabla::exact::to_f64(lr), nabla::exact::to_f64(momentum));
    let gradient = differentiate(model, &default_wrt(model)).expect("differentiable");
    let mut declared: Vec<Option<Tensor<f64>>> = model
        .declarations
        .iter()
        .map(|d| match &d.init {
            Some(Init::Value(v)) if !d.is_per_example() => Some(v.map(nabla::exact::to_f64)),
            _ => None,
        })
        .collect();
    let mut velocity: Vec<Option<Vec<f64>>> = vec![None; gradient.wrt.len()];
    for _ in 0..epochs {
        for chunk in rows.chunks(batch) {
            let mut total: Vec<Vec<f64>> = gradient
                .wrt
                .iter()
                .map(|(decl, _)| vec![0.0; model.declaration(*decl).shape.size()])
                .collect();
            for row in chunk {
                let mut example = declared.clone();
                for (slot, value) in example.iter_mut().zip(row) {
                    if value.is_some() {
                        slot.clone_from(value);
                    }
                }
                let values = float::evaluate(&gradient.graph, &example);
                for ((_, node), sum) in gradient.wrt.iter().zip(&mut total) {
                    let g = values[node.index()].as_ref().expect("a gradient");
                    for (s, x) in sum.iter_mut().zip(g.data()) {
                        *s += x;
                    }
                }
            }
            for (k, (decl, _)) in gradient.wrt.iter().enumerate() {
                let g: Vec<f64> = total[k].iter().map(|s| s / chunk.len() as f64).collect();
                // PyTorch's SGD: v ← μ·v + g (v = g at the first step), w ← w − lr·v.
                let v = match velocity[k].take() {
                    Some(v) if momentum != 0.0 => {
                        v.iter().zip(&g).map(|(v, g)| momentum * v + g).collect()
                    }
                    _ => g,
                };
                let slot = declared[decl.index()]
                    .as_mut()
                    .expect("a parameter's value");
                let shape = slot.shape();
                let moved = slot
                    .data()
                    .iter()
                    .zip(&v)
                    .map(|(w, v)| w - lr * v)
                    .collect();
                *slot = Tensor::new(shape, moved);
                velocity[k] = Some(v);
            }
        }
    }
    model
        .declarations_of(DeclKind::Param)
        .map(|d| {
            let index = model
                .declarations
                .iter()
                .position(|e| e.name == d.name)
                .expect("declared");
            let value = declared[index].as_ref().expect("a value");
            (d.name.clone(), value.data().to_vec())
        })
        .collect()
}

/// Each network trained by its generated PyTorch project (`train.py`, f64, in order) and by
/// nabla's evaluator: the same parameters to 1e-10. `networks` are (name, source, rows of data
/// or `None` for rows made here).
fn trains_as_nabla_computes(test: &str, networks: &[(String, String, Option<String>)]) {
    let Some(python) = crate::pytorch_target::python() else {
        return;
    };
    const ROWS: usize = 6;
    const BATCH: usize = 4;
    const EPOCHS: usize = 2;
    let mut runs = Vec::new();
    let mut expected = Vec::new();
    let base = crate::pytorch_target::scratch().join(test);
    std::fs::create_dir_all(&base).expect("the scratch directory");
    for (k, (name, source, data)) in networks.iter().enumerate() {
        let file = base.join(format!("network-{k}.nabla"));
        std::fs::write(&file, source).expect("the network is written");
        let model = crate::random_networks::compile(source);
        let (rows, text) = match data {
            None => rows_for(&model, ROWS, k as u64 + 1),
            Some(csv) => (rows_of_csv(&model, csv), csv.clone()),
        };
        let dir = crate::pytorch_target::project(test, &file.to_string_lossy(), &[]);
        std::fs::write(dir.join("data.csv"), text).expect("the data is written");
        let args: Vec<String> = [
            "train",
            "data.csv",
            "--epochs",
            &EPOCHS.to_string(),
            "--batch",
            &BATCH.to_string(),
            "--no-shuffle",
            "--save",
            "torch.json",
            "--quiet",
            "--dtype",
            "f64",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        runs.push((dir.clone(), args));
        expected.push((
            name,
            source,
            dir,
            nabla_training(&model, &rows, EPOCHS, BATCH),
        ));
    }
    let results = crate::pytorch_target::run_python(&python, test, &runs);
    let mut largest: f64 = 0.0;
    for ((name, source, dir, ours), run) in expected.iter().zip(&results) {
        assert_eq!(run.code, 0, "{name}: train.py: {}\n{source}", run.stderr);
        let json = std::fs::read_to_string(dir.join("torch.json")).expect("the weights");
        for (parameter, values) in ours {
            let theirs = crate::codegen::numbers_under(&json, parameter);
            assert_eq!(values.len(), theirs.len(), "{name}: {parameter}");
            for (i, (x, y)) in values.iter().zip(&theirs).enumerate() {
                let difference = (x - y).abs() / 1.0_f64.max(x.abs());
                largest = largest.max(difference);
                assert!(
                    difference <= 1e-10,
                    "{name}: {parameter}[{i}] is {x} by nabla's evaluator, {y} by PyTorch\n{source}"
                );
            }
        }
    }
    eprintln!(
        "{test}: {} networks, largest difference {largest:.1e}",
        networks.len()
    );
}

/// The rows of a CSV file of `model`'s data (a header, numbers), by declaration.
fn rows_of_csv(model: &Model, csv: &str) -> Vec<Vec<Option<Tensor<f64>>>> {
    csv.lines()
        .filter(|line| line.starts_with(|c: char| c.is_ascii_digit() || c == '-'))
        .map(|line| {
            let mut cells = line.split(',').map(|c| c.parse::<f64>().expect("a number"));
            let mut row = vec![None; model.declarations.len()];
            for kind in [DeclKind::Input, DeclKind::Target] {
                for (index, d) in model.declarations.iter().enumerate() {
                    if d.kind == kind {
                        let data: Vec<f64> = cells.by_ref().take(d.shape.size()).collect();
                        row[index] = Some(Tensor::new(d.shape, data));
                    }
                }
            }
            row
        })
        .collect()
}

#[test]
fn pytorch_trains_random_tensor_networks_as_nablas_evaluator_does() {
    // The first 24 seeds' networks that have a parameter to train.
    let networks: Vec<(String, String, Option<String>)> = (1..)
        .map(|seed| {
            let network = crate::random_networks::generate_tensors(
                &mut crate::random_networks::seeded(seed),
                crate::random_networks::Mode::Any,
                false,
            );
            (format!("random network {seed}"), network.source, None)
        })
        .filter(|(_, source, _)| source.contains("param "))
        .take(24)
        .collect();
    trains_as_nabla_computes("random-tensor-networks", &networks);
}

#[test]
fn pytorch_trains_random_networks_of_the_whole_language_as_nablas_evaluator_does() {
    // The first eight seeds' networks that have an input to read and a trainer in both targets
    // (a parameter the loss depends on, every operation translated).
    let options = nabla::codegen::Options {
        dtype: nabla::codegen::Dtype::F64,
        package: "whole".to_string(),
        source: "whole.nabla".to_string(),
        language: nabla::words::Language::English,
    };
    let networks: Vec<(String, String, Option<String>)> = (1..)
        .map(|seed| {
            let network = crate::random_networks::generate(
                &mut crate::random_networks::seeded(seed),
                crate::random_networks::Mode::Any,
            );
            (format!("random network {seed}"), network.source, None)
        })
        .filter(|(_, source, _)| {
            let model = crate::random_networks::compile(source);
            source.contains("input ")
                && nabla::codegen::generate(&model, &options).is_ok()
                && nabla::codegen::pytorch::generate(&model, &options).is_ok()
        })
        .take(8)
        .collect();
    trains_as_nabla_computes("random-networks-of-the-whole-language", &networks);
}

#[test]
fn pytorch_trains_a_small_cnn_on_digits_as_nablas_evaluator_does() {
    // 8×8 images: 4 filters 3×3 with padding 1 and a bias each, relu, 2×2 max pooling, 2×2
    // average pooling, a dense layer to 10 classes, softmax cross-entropy, SGD with momentum.
    let mut v = Values { state: 8 };
    let source = format!(
        "input X[1, 8, 8]\ntarget y : index(10)\nparam K[4, 1, 3, 3] = {}\nparam c[4] = {}\n\
         param W[10, 16] = {}\nparam b[10] = {}\n\
         h = relu(conv2d(X, K, c, 1, 1))\nq = avg_pool(max_pool(h, 2), 2)\n\
         p = softmax(W @ flatten(q) + b)\nloss L = cross_entropy(p, y)\n\
         optimizer sgd(lr = 0.1, momentum = 0.9)\n",
        v.of(Shape::Tensor4(4, 1, 3, 3)),
        v.of(Shape::Vector(4)),
        v.of(Shape::Matrix(10, 16)),
        v.of(Shape::Vector(10)),
    );
    // The first six images of digits.csv (64 pixel columns, then the label).
    let data = std::fs::read_to_string(root().join("tests/fixtures/pytorch/digits-6.csv"))
        .expect("the digits");
    let fixture = std::fs::read_to_string(root().join("tests/fixtures/tensors/small-cnn.nabla"))
        .expect("the fixture");
    trains_as_nabla_computes(
        "small-cnn",
        &[
            ("a CNN on digits".to_string(), source, Some(data)),
            (
                "tests/fixtures/tensors/small-cnn.nabla".to_string(),
                fixture,
                None,
            ),
        ],
    );
}
