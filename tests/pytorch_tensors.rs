//! Gradients of networks of tensors against PyTorch in float64 (1e-10): channels, stride,
//! padding, a bias per channel, max and average pooling, sums, means and softmax along an axis.
//! Skipped, visibly, where the Python environment with torch is missing
//! (`scripts/python-env.sh` makes it).

use std::collections::HashMap;
use std::process::Command;

use nabla::autodiff::{default_wrt, differentiate};
use nabla::eval::float;
use nabla::ir::Init;
use nabla::shape::Shape;
use nabla::tensor::Tensor;

use crate::support::skipped;

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
