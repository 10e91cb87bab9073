//! Random networks of tensors: convolutions (with and without channels, stride, padding, a
//! bias), max and average pooling, sums, means and softmax along an axis, flatten. The laws of
//! `random_networks` hold for them: every derived gradient agrees with central finite
//! differences (on one example and on batches of `each` images), the exact evaluator agrees with
//! the float evaluator on every node, and a network of operations that keep rationals rational
//! is exact throughout. The networks mix the tensor operations with matrix layers (`W @ X`,
//! `transpose`), activations, dense layers and softmax along an axis; on batches, nabla's check,
//! derive, explain and gradients agree with PyTorch's autograd of the same file read
//! independently (`tests/support/torch_batch.py`).
//!
//! A case where a relu's argument lies near its kink, or a max-pooling window holds two
//! elements near a tie, is discarded: there the loss has a kink a finite difference straddles.

use proptest::prelude::*;

use nabla::autodiff::default_wrt;
use nabla::eval::float;
use nabla::ir::{Along, DeclId, Model, Op, Pool, TensorOp};
use nabla::shape::Shape;
use nabla::tensor::Tensor;

use crate::random_networks::{
    Mode, Tape, check_against_finite_differences, check_exact_agrees_with_float,
    chosen_declarations, compile, config, declared_float, exact_values, gradient_of,
    keeps_rationals_rational, near_a_kink,
};

/// A generated network's source text.
#[derive(Clone)]
pub(crate) struct Network {
    pub(crate) source: String,
}

impl std::fmt::Debug for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\n{}", self.source)
    }
}

struct Gen<'t> {
    tape: &'t mut Tape,
    mode: Mode,
    /// The number of examples of a batch (`each` inputs and targets), or `None` for one.
    batch: Option<usize>,
    declarations: Vec<String>,
    definitions: Vec<String>,
    names: usize,
}

/// `[2, 3]` for a declaration; nothing for a scalar.
fn shape_text(shape: Shape) -> String {
    if shape.is_scalar() {
        String::new()
    } else {
        shape.to_string()
    }
}

impl Gen<'_> {
    fn rational(&self) -> bool {
        self.mode == Mode::Rational
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.names += 1;
        format!("{prefix}{}", self.names)
    }

    /// Values filling `shape`, as nested brackets: hundredths in [−1, 1].
    fn values(&mut self, shape: Shape) -> String {
        let data: Vec<String> = (0..shape.size())
            .map(|_| {
                let k = self.tape.pick(201) as i64 - 100;
                let sign = if k < 0 { "-" } else { "" };
                format!("{sign}{}.{:02}", k.abs() / 100, k.abs() % 100)
            })
            .collect();
        Tensor::new(shape, data)
            .nest(|x| x.clone(), |items| format!("[{}]", items.join(", ")))
            .expect("a value")
    }

    fn declare(&mut self, keyword: &str, prefix: &str, shape: Shape) -> String {
        let name = self.fresh(prefix);
        let value = match self.batch {
            // Each example's own value: inputs and targets.
            Some(m) if keyword == "input" || keyword == "target" => {
                let values: Vec<String> = (0..m).map(|_| self.values(shape)).collect();
                format!("each [{}]", values.join(", "))
            }
            _ => self.values(shape),
        };
        self.declarations
            .push(format!("{keyword} {name}{} = {value}", shape_text(shape)));
        name
    }

    /// A class number (`target c : index(m)`), one per example of a batch.
    fn class(&mut self, m: usize) -> String {
        let y = self.fresh("c");
        let value = match self.batch {
            Some(examples) => {
                let classes: Vec<String> = (0..examples)
                    .map(|_| self.tape.pick(m).to_string())
                    .collect();
                format!("each [{}]", classes.join(", "))
            }
            None => self.tape.pick(m).to_string(),
        };
        self.declarations
            .push(format!("target {y} : index({m}) = {value}"));
        y
    }

    fn define(&mut self, text: String) -> String {
        let name = self.fresh("h");
        self.definitions.push(format!("{name} = {text}"));
        name
    }

    /// An activation of a layer, or none; relu only where values must stay rational.
    fn activation(&mut self, text: String) -> String {
        let choices: &[&str] = if self.rational() {
            &["", "relu"]
        } else {
            &["", "relu", "tanh", "sigmoid"]
        };
        match choices[self.tape.pick(choices.len())] {
            "" => text,
            f => format!("{f}({text})"),
        }
    }

    /// A convolution of `x` (a map [H, W] or channels [C, H, W]), in one of its written forms.
    fn conv(&mut self, x: &str, shape: Shape) -> (String, Shape) {
        let dims = shape.dims();
        let (h, w) = (dims[dims.len() - 2], dims[dims.len() - 1]);
        let padding = self.tape.pick(2);
        let kh = 1 + self.tape.pick(3.min(h + 2 * padding));
        let kw = 1 + self.tape.pick(3.min(w + 2 * padding));
        let sweep = (h + 2 * padding - kh, w + 2 * padding - kw);
        let strides: Vec<usize> = (1..=3)
            .filter(|s| sweep.0.is_multiple_of(*s) && sweep.1.is_multiple_of(*s))
            .collect();
        let stride = strides[self.tape.pick(strides.len())];
        let (oh, ow) = (sweep.0 / stride + 1, sweep.1 / stride + 1);
        let plain = stride == 1 && padding == 0;
        let (kernel, bias, out) = match shape {
            Shape::Tensor3(c, ..) => {
                let f = 1 + self.tape.pick(2);
                let k = self.declare("param", "K", Shape::Tensor4(f, c, kh, kw));
                let b = self
                    .tape
                    .chance(50)
                    .then(|| self.declare("param", "b", Shape::Vector(f)));
                (k, b, Shape::Tensor3(f, oh, ow))
            }
            _ => {
                let k = self.declare("param", "K", Shape::Matrix(kh, kw));
                let b = self
                    .tape
                    .chance(30)
                    .then(|| self.declare("param", "b", Shape::Scalar));
                (k, b, Shape::Matrix(oh, ow))
            }
        };
        let text = match bias {
            Some(b) => format!("conv2d({x}, {kernel}, {b}, {stride}, {padding})"),
            None if plain && self.tape.chance(50) => format!("conv2d({x}, {kernel})"),
            None => format!("conv2d({x}, {kernel}, {stride}, {padding})"),
        };
        (self.activation(text), out)
    }

    /// Max or average pooling of `x` by a window that tiles it, if there is one.
    fn pool(&mut self, x: &str, shape: Shape) -> Option<(String, Shape)> {
        let dims = shape.dims();
        let (h, w) = (dims[dims.len() - 2], dims[dims.len() - 1]);
        let windows: Vec<usize> = (2..=h.min(w))
            .filter(|k| h.is_multiple_of(*k) && w.is_multiple_of(*k))
            .collect();
        if windows.is_empty() {
            return None;
        }
        let k = windows[self.tape.pick(windows.len())];
        let f = if self.tape.chance(50) {
            "max_pool"
        } else {
            "avg_pool"
        };
        let mut out = dims.clone();
        let n = out.len();
        out[n - 2] /= k;
        out[n - 1] /= k;
        Some((
            format!("{f}({x}, {k})"),
            Shape::from_dims(&out).expect("a shape"),
        ))
    }

    /// The loss from the last value `x`: through `flatten` and a dense layer, through a
    /// reduction along an axis, or through softmax along an axis.
    fn loss(&mut self, x: &str, shape: Shape) -> String {
        let n = shape.size();
        let forms = if self.rational() { 3 } else { 5 };
        match self.tape.pick(forms) {
            0 => {
                let y = self.declare("target", "Y", Shape::Vector(n));
                format!("mse(flatten({x}), {y})")
            }
            1 => {
                let m = 2 + self.tape.pick(2);
                let w = self.declare("param", "W", Shape::Matrix(m, n));
                let z = self.define(format!("{w} @ flatten({x})"));
                if self.rational() {
                    let y = self.declare("target", "Y", Shape::Vector(m));
                    format!("mse({z}, {y})")
                } else {
                    let y = self.class(m);
                    format!("cross_entropy(softmax({z}), {y})")
                }
            }
            2 => {
                let axis = self.tape.pick(shape.rank());
                let f = if self.tape.chance(50) { "sum" } else { "mean" };
                let reduced = shape.without_axis(axis).expect("an axis");
                let s = self.define(format!("{f}({x}, {axis})"));
                let t = self.declare("const", "T", reduced);
                format!("sum({t} * {s}^2) / 2")
            }
            3 => {
                let axis = self.tape.pick(shape.rank());
                let t = self.declare("const", "T", shape);
                format!("-sum({t} * log_softmax({x}, {axis}))")
            }
            _ => {
                let axis = self.tape.pick(shape.rank());
                let p = self.define(format!("softmax({x}, {axis})"));
                let t = self.declare("const", "T", shape);
                format!("sum({t} * {p})")
            }
        }
    }
}

/// The source of a random network of tensors, of one example or (when `batches`) sometimes of a
/// batch of two or three (`each` inputs and targets).
pub(crate) fn generate(tape: &mut Tape, mode: Mode, batches: bool) -> Network {
    let batch = (batches && tape.chance(50)).then(|| 2 + tape.pick(2));
    let mut g = Gen {
        tape,
        mode,
        batch,
        declarations: Vec::new(),
        definitions: Vec::new(),
        names: 0,
    };
    let (h, w) = (2 + g.tape.pick(4), 2 + g.tape.pick(4));
    let mut shape = if g.tape.chance(30) {
        Shape::Matrix(h, w)
    } else {
        Shape::Tensor3(1 + g.tape.pick(2), h, w)
    };
    let mut x = g.declare("input", "X", shape);
    let layers = 1 + g.tape.pick(3);
    for _ in 0..layers {
        let (text, out) = match g.tape.pick(6) {
            0 => match g.pool(&x, shape) {
                Some(pooled) => pooled,
                None => g.conv(&x, shape),
            },
            // A matrix layer on a map without channels (`W @ X`, rows of features), or its
            // transpose; softmax along an axis, as attention takes it.
            4 => match shape {
                Shape::Matrix(h, w) if g.tape.chance(70) => {
                    let m = 2 + g.tape.pick(3);
                    let weights = g.declare("param", "W", Shape::Matrix(m, h));
                    (
                        g.activation(format!("{weights} @ {x}")),
                        Shape::Matrix(m, w),
                    )
                }
                Shape::Matrix(h, w) => (format!("transpose({x})"), Shape::Matrix(w, h)),
                _ => g.conv(&x, shape),
            },
            5 if !g.rational() => {
                let axis = g.tape.pick(shape.rank());
                (format!("softmax({x}, {axis})"), shape)
            }
            1 => {
                // An elementwise layer: a parameter of the same shape, or a scalar.
                let p = if g.tape.chance(50) {
                    g.declare("param", "w", shape)
                } else {
                    g.declare("param", "s", Shape::Scalar)
                };
                let text = g.activation(format!("{p} * {x}"));
                (text, shape)
            }
            _ => g.conv(&x, shape),
        };
        x = g.define(text);
        shape = out;
    }
    let loss = g.loss(&x, shape);
    let mut source = g.declarations.join("\n");
    source.push('\n');
    for line in &g.definitions {
        source.push_str(line);
        source.push('\n');
    }
    source.push_str(&format!("loss L = {loss}\n"));
    Network { source }
}

fn networks(mode: Mode, batches: bool) -> impl Strategy<Value = Network> {
    proptest::collection::vec(any::<u32>(), 0..120)
        .prop_map(move |choices| generate(&mut Tape::new(choices), mode, batches))
}

/// Whether a max-pooling window holds two elements within 10⁻³ of each other at its top: the
/// gradient jumps from one to the other there.
fn near_a_tie(model: &Model, declared: &[Option<Tensor<f64>>]) -> bool {
    let values = float::evaluate(&model.graph, declared);
    model.graph.nodes().iter().any(|node| match node.op {
        Op::Tensor(TensorOp::Pool(Pool::Max, a, k)) => {
            values[a.index()].as_ref().is_some_and(|v| {
                let dims = v.shape().dims();
                let (h, w) = (dims[dims.len() - 2], dims[dims.len() - 1]);
                let maps = v.data().len() / (h * w);
                (0..maps).any(|m| {
                    (0..h / k).any(|i| {
                        (0..w / k).any(|j| {
                            let mut window: Vec<f64> = (0..k * k)
                                .map(|e| v.data()[(m * h + i * k + e / k) * w + j * k + e % k])
                                .collect();
                            window.sort_by(|a, b| b.total_cmp(a));
                            window[0] - window[1] < 1e-3
                        })
                    })
                })
            })
        }
        _ => false,
    })
}

/// The gradient of every declaration and its exact values, checked to agree with the float ones.
fn exact_agrees_with_float(
    model: &Model,
) -> Result<
    (
        nabla::autodiff::Gradient,
        Vec<Option<nabla::eval::exact::Value>>,
    ),
    TestCaseError,
> {
    let all: Vec<DeclId> = (0..model.declarations.len() as u32).map(DeclId).collect();
    let gradient = gradient_of(model, &all)?;
    let exact = exact_values(model, &gradient)?;
    check_exact_agrees_with_float(model, &gradient, &exact)?;
    Ok((gradient, exact))
}

/// Each example's declared values (a file of one example has one).
fn examples_declared(model: &Model) -> Vec<Vec<Option<Tensor<f64>>>> {
    let Some(m) = model.examples().filter(|&m| m > 1) else {
        return vec![declared_float(model)];
    };
    let batch = nabla::explain::values::declared_batch(model);
    (0..m)
        .map(|k| {
            batch
                .iter()
                .map(|d| d.as_ref().and_then(|b| b.example(k)).map(|v| v.to_f64()))
                .collect()
        })
        .collect()
}

/// Whether no example lies near a kink or a tie of a max-pooling window.
fn usable(model: &Model) -> bool {
    examples_declared(model)
        .iter()
        .all(|declared| !near_a_kink(model, declared) && !near_a_tie(model, declared))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn gradients_of_tensor_networks_agree_with_finite_differences(
        network in networks(Mode::Any, true),
        choices in proptest::collection::vec(any::<u32>(), 0..40),
    ) {
        let model = compile(&network.source);
        prop_assume!(usable(&model));
        if model.is_batch() {
            // The gradient of the batch's mean loss, each parameter's (if it has any).
            prop_assume!(model.declarations_of(nabla::ir::DeclKind::Param).next().is_some());
            return crate::batch_properties::check_finite_differences(&network.source);
        }
        check_against_finite_differences(&model, &default_wrt(&model))?;
        // An index (a class number) is a whole number: it has no gradient.
        let wrt: Vec<DeclId> = chosen_declarations(&model, choices)
            .into_iter()
            .filter(|&d| model.declaration(d).index.is_none())
            .collect();
        check_against_finite_differences(&model, &wrt)?;
    }

    #[test]
    fn the_batch_gradient_of_a_tensor_network_is_the_mean_of_its_examples(
        network in networks(Mode::Rational, false),
        m in 2usize..4,
    ) {
        // Exactly: each example's image moved a little, the batch's step against each one's.
        let model = compile(&network.source);
        crate::batch_properties::check_mean_of_examples(&model, m)?;
    }

    #[test]
    fn exact_and_float_evaluation_of_tensor_networks_agree(network in networks(Mode::Any, false)) {
        let model = compile(&network.source);
        prop_assume!(usable(&model));
        exact_agrees_with_float(&model)?;
    }

    #[test]
    fn rational_tensor_networks_are_exact_throughout(network in networks(Mode::Rational, false)) {
        let model = compile(&network.source);
        prop_assume!(usable(&model));
        let (gradient, exact) = exact_agrees_with_float(&model)?;
        for (id, node) in gradient.graph.nodes().iter().enumerate() {
            prop_assert!(
                keeps_rationals_rational(&node.op),
                "{:?} in a rational network", node.op
            );
            prop_assert!(
                exact[id].as_ref().is_some_and(|v| v.is_exact()),
                "node {} ({:?}) is not exact", id, node.op
            );
        }
    }
}

#[test]
fn softmax_along_an_axis_is_softmax_of_each_line() {
    let model = compile(
        "input Z[2, 3] = [[1, 2, 3], [0, 0, 1]]\n\
         p = softmax(Z, 1)\n\
         q = softmax(Z, 0)\n\
         loss L = sum(p) + sum(q)\n",
    );
    let values = float::evaluate(&model.graph, &declared_float(&model));
    let value = |op: Along, axis: usize| {
        let id = model
            .graph
            .ids()
            .find(|&id| {
                matches!(model.graph[id].op,
                    Op::Tensor(TensorOp::Along(a, _, x)) if a == op && x == axis)
            })
            .expect("the node");
        values[id.index()].clone().expect("a value")
    };
    let rows = value(Along::Softmax, 1);
    let row = |z: [f64; 3]| {
        let total: f64 = z.iter().map(|x| x.exp()).sum();
        z.map(|x| x.exp() / total)
    };
    let (first, second) = (row([1.0, 2.0, 3.0]), row([0.0, 0.0, 1.0]));
    for (got, want) in rows.data().iter().zip(first.iter().chain(&second)) {
        assert!((got - want).abs() < 1e-15, "{got} {want}");
    }
    let columns = value(Along::Softmax, 0);
    let column = |a: f64, b: f64| a.exp() / (a.exp() + b.exp());
    let expected = [
        column(1.0, 0.0),
        column(2.0, 0.0),
        column(3.0, 1.0),
        column(0.0, 1.0),
        column(0.0, 2.0),
        column(1.0, 3.0),
    ];
    for (got, want) in columns.data().iter().zip(&expected) {
        assert!((got - want).abs() < 1e-15, "{got} {want}");
    }
}

/// PyTorch's batch loss and gradients of each file (`tests/support/torch_batch.py`), in one
/// Python process.
fn torch_batch(python: &std::path::Path, sources: &[String]) -> Vec<serde_json::Value> {
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

#[test]
fn tensor_networks_and_batches_of_images_agree_with_pytorch() {
    let test = "tensor_networks_and_batches_of_images_agree_with_pytorch";
    let python = match crate::support::torch_python() {
        Ok(python) => python,
        Err(why) => return crate::support::skipped(test, &why),
    };
    let mut sources = Vec::new();
    let mut seed = 0;
    // Networks whose examples stay clear of kinks and ties, half of them batches.
    while sources.len() < 40 {
        seed += 1;
        let choices = crate::random_networks::xorshift_choices(seed, 120);
        let network = generate(&mut Tape::new(choices), Mode::Any, true);
        let model = compile(&network.source);
        let trained = model
            .declarations_of(nabla::ir::DeclKind::Param)
            .next()
            .is_some();
        if trained && usable(&model) {
            sources.push(network.source);
        }
    }
    let batches = sources.iter().filter(|s| s.contains("= each")).count();
    assert!(batches >= 10, "{batches} batches of 40");
    for feature in [
        "conv2d(",
        "max_pool(",
        "avg_pool(",
        "flatten(",
        "transpose(",
        " @ X",
        " @ h",
        "softmax(",
        "log_softmax(",
        "mean(",
        "sum(",
        "index(",
    ] {
        assert!(
            sources.iter().any(|s| s.contains(feature)),
            "no network has {feature}"
        );
    }
    let expected = torch_batch(&python, &sources);
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
            crate::batch_properties::numbers(&ours["gradients"][name], &mut a);
            crate::batch_properties::numbers(gradient, &mut b);
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
