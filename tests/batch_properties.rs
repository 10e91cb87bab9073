//! Laws of a step on a batch of examples, on random networks and batches:
//!
//! - without batch statistics, the gradient of the batch loss is the mean of the examples' own
//!   gradients (exactly, where the arithmetic is rational);
//! - batch normalization written out with `batch_mean` and `batch_var`, and embeddings picked by
//!   random indices with class-number targets: every derived gradient agrees with central finite
//!   differences of the float64 batch loss, and equals PyTorch's float64 autograd of the same
//!   network (`tests/support/torch_batch.py`, a reading of the files independent of nabla).

use num_rational::BigRational;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use nabla::autodiff::{Objective, default_wrt, differentiate, differentiate_for};
use nabla::eval::batch::{self, Batched, Exact, Float};
use nabla::eval::exact::{self, Value};
use nabla::ir::{DeclKind, Init, Model};
use nabla::tensor::Tensor;

use crate::random_networks::{Mode, compile, config, near_a_kink, networks, xorshift_choices};
use crate::support::{agrees_with_difference, central_difference};

/// Example `k`'s value of an input or a target: the file's, moved a little (exactly).
fn moved(value: &Tensor<BigRational>, k: usize) -> Tensor<BigRational> {
    let scale = BigRational::new((20 + k as i64).into(), 20.into());
    let shift = BigRational::new((k as i64).into(), 50.into());
    value.map(|x| x * &scale + &shift)
}

/// The declarations' values in `m` examples: the parameters and constants shared, the inputs
/// and targets moved a little in each example.
fn batch_of(model: &Model, m: usize) -> Vec<Option<Batched<Value>>> {
    model
        .declarations
        .iter()
        .map(|d| match (&d.init, d.is_per_example()) {
            (Some(Init::Value(v)), true) => Some(Batched::Each(
                (0..m).map(|k| Value::Exact(moved(v, k))).collect(),
            )),
            (Some(Init::Value(v)), false) => Some(Batched::Shared(Value::Exact(v.clone()))),
            _ => None,
        })
        .collect()
}

fn example(declared: &[Option<Batched<Value>>], k: usize) -> Vec<Option<Value>> {
    declared
        .iter()
        .map(|d| d.as_ref().and_then(|b| b.example(k)).cloned())
        .collect()
}

fn floats(values: &[Option<Value>]) -> Vec<Option<Tensor<f64>>> {
    values
        .iter()
        .map(|v| v.as_ref().map(Value::to_f64))
        .collect()
}

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

pub(crate) fn check_mean_of_examples(model: &Model, m: usize) -> Result<(), TestCaseError> {
    let wrt = default_wrt(model);
    let declared = batch_of(model, m);
    for k in 0..m {
        prop_assume!(!near_a_kink(model, &floats(&example(&declared, k))));
    }
    let batch_gradient =
        differentiate_for(model, &wrt, Objective::Batch).map_err(|e| fail(format!("{e:?}")))?;
    let needed = vec![true; batch_gradient.graph.len()];
    let batch_values = batch::evaluate::<Exact>(&batch_gradient.graph, &declared, m, &needed);
    // A domain error in some example (a log of a moved value ≤ 0): not this law's concern.
    prop_assume!(batch_values.is_ok());
    let batch_values = batch_values.map_err(|e| fail(format!("{e:?}")))?;

    let single = differentiate(model, &wrt).map_err(|e| fail(format!("{e:?}")))?;
    let mut examples = Vec::with_capacity(m);
    for k in 0..m {
        let values = exact::evaluate(&single.graph, &example(&declared, k))
            .map_err(|e| fail(format!("example {k}: {e:?}")))?;
        examples.push(values);
    }
    for ((decl, batch_node), (_, single_node)) in batch_gradient.wrt.iter().zip(&single.wrt) {
        let name = &model.declaration(*decl).name;
        let parts: Vec<Value> = examples
            .iter()
            .map(|values| {
                values[single_node.index()]
                    .clone()
                    .expect("a gradient value")
            })
            .collect();
        let batch = batch_values[batch_node.index()]
            .as_ref()
            .ok_or_else(|| fail(format!("∂L/∂{name} has no value")))?;
        match batch {
            // A shared value's gradient is the mean of the examples' parts.
            Batched::Shared(batch) => {
                let mean = <Exact as batch::Arithmetic>::mean(&parts);
                same(batch, &mean, name)?;
            }
            // An input's is each example's own, scaled by m back from the mean.
            Batched::Each(batch) => {
                prop_assert!(model.declaration(*decl).is_per_example());
                prop_assert_eq!(batch.len(), m);
                for (b, part) in batch.iter().zip(&parts) {
                    same(b, part, name)?;
                }
            }
        }
    }
    Ok(())
}

/// Equal when both are exact, within rounding when either is a float.
fn same(a: &Value, b: &Value, name: &str) -> Result<(), TestCaseError> {
    match (a, b) {
        (Value::Exact(a), Value::Exact(b)) => {
            prop_assert_eq!(a, b, "∂L/∂{}: batch vs the examples'", name)
        }
        (a, b) => {
            let (a, b) = (a.to_f64(), b.to_f64());
            for (x, y) in a.data().iter().zip(b.data()) {
                let scale = 1.0_f64.max(x.abs()).max(y.abs());
                prop_assert!(
                    (x - y).abs() <= 1e-9 * scale || (x.is_nan() && y.is_nan()),
                    "∂L/∂{}: batch {} vs the examples' {}",
                    name,
                    x,
                    y
                );
            }
        }
    }
    Ok(())
}

/// Every parameter's derived gradient against central finite differences of the float64 batch
/// loss, element by element.
pub(crate) fn check_finite_differences(source: &str) -> Result<(), TestCaseError> {
    let model = compile(source);
    let m = model.examples().expect("the file gives its examples");
    let wrt = default_wrt(&model);
    let gradient = differentiate(&model, &wrt).map_err(|e| fail(format!("{e:?}")))?;
    prop_assert!(
        gradient.batch,
        "a file with `each` takes its step on the batch"
    );
    let declared: Vec<Option<Batched<Tensor<f64>>>> =
        nabla::explain::values::declared_batch(&model)
            .into_iter()
            .map(|d| d.map(|b| b.map(Value::to_f64)))
            .collect();
    let needed = vec![true; gradient.graph.len()];
    let values = batch::evaluate::<Float>(&gradient.graph, &declared, m, &needed)
        .map_err(|e| fail(format!("{e:?}")))?;
    let output = gradient.output.index();
    let loss_of = |values: &[Option<Batched<Tensor<f64>>>]| -> f64 {
        values[output]
            .as_ref()
            .and_then(Batched::shared)
            .map_or(f64::NAN, |t| t.data()[0])
    };
    let loss = loss_of(&values);
    prop_assert!(loss.is_finite(), "the batch loss is {}", loss);
    let forward = vec![true; model.graph.len()];
    for (decl, node) in &gradient.wrt {
        let name = &model.declaration(*decl).name;
        let derived = values[node.index()]
            .as_ref()
            .and_then(Batched::shared)
            .cloned()
            .ok_or_else(|| fail(format!("∂L/∂{name} is not one shared value")))?;
        let base = declared[decl.index()]
            .as_ref()
            .and_then(Batched::shared)
            .cloned()
            .expect("a parameter's value");
        for i in 0..base.data().len() {
            let loss_at = |delta: f64| {
                let mut shifted = declared.clone();
                let mut data = base.data().to_vec();
                data[i] += delta;
                shifted[decl.index()] = Some(Batched::Shared(Tensor::new(base.shape(), data)));
                batch::evaluate::<Float>(&gradient.graph, &shifted, m, &extend(&forward, output))
                    .map(|v| loss_of(&v))
                    .unwrap_or(f64::NAN)
            };
            let numeric = central_difference(base.data()[i], loss_at);
            let analytic = derived.data()[i];
            prop_assert!(
                agrees_with_difference(analytic, numeric, loss),
                "∂L/∂{}[{}]: derived {}, finite difference {}\n{}",
                name,
                i,
                analytic,
                numeric,
                source
            );
        }
    }
    Ok(())
}

/// Batch normalization's compact gradient is found (for the variance that divides by m, which
/// it is the form of) and has the step-by-step gradient's values.
fn check_compact_form(source: &str) -> Result<(), TestCaseError> {
    let model = compile(source);
    let m = model.examples().expect("the file gives its examples");
    let gradient =
        differentiate(&model, &default_wrt(&model)).map_err(|e| fail(format!("{e:?}")))?;
    let population = !source.contains("batch_var(z, 1)");
    prop_assert_eq!(
        gradient.compact.len(),
        usize::from(population),
        "{}",
        source
    );
    let declared = nabla::explain::values::declared_batch(&model);
    let values = batch::evaluate::<Exact>(
        &gradient.graph,
        &declared,
        m,
        &vec![true; gradient.graph.len()],
    )
    .map_err(|e| fail(format!("{e:?}")))?;
    for compact in &gradient.compact {
        let step_by_step = gradient
            .adjoint(compact.normalized)
            .expect("z has a gradient");
        let (Some(Batched::Each(a)), Some(Batched::Each(b))) = (
            &values[step_by_step.index()],
            &values[compact.gradient.index()],
        ) else {
            return Err(fail(
                "a gradient at z that is not one per example".to_string(),
            ));
        };
        for (a, b) in a.iter().zip(b) {
            same(a, b, "z (compact)")?;
        }
    }
    Ok(())
}

/// The forward nodes and the batch loss: what a finite difference evaluates.
fn extend(forward: &[bool], output: usize) -> Vec<bool> {
    let mut needed = forward.to_vec();
    needed.resize(output + 1, false);
    needed[output] = true;
    needed
}

/// A choice from the tape of random numbers.
struct Tape {
    choices: Vec<u32>,
    next: usize,
}

impl Tape {
    fn pick(&mut self, n: usize) -> usize {
        let choice = self.choices.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        choice as usize % n.max(1)
    }

    /// A number in −max … max with two decimals.
    fn number(&mut self, max_hundredths: usize) -> String {
        let n = self.pick(2 * max_hundredths + 1) as i64 - max_hundredths as i64;
        let sign = if n < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", n.abs() / 100, n.abs() % 100)
    }

    fn vector(&mut self, n: usize, max_hundredths: usize) -> String {
        let items: Vec<String> = (0..n).map(|_| self.number(max_hundredths)).collect();
        format!("[{}]", items.join(", "))
    }

    fn matrix(&mut self, rows: usize, columns: usize, max_hundredths: usize) -> String {
        let items: Vec<String> = (0..rows)
            .map(|_| self.vector(columns, max_hundredths))
            .collect();
        format!("[{}]", items.join(", "))
    }

    fn each(&mut self, m: usize, item: impl Fn(&mut Tape) -> String) -> String {
        let items: Vec<String> = (0..m).map(|_| item(self)).collect();
        format!("each [{}]", items.join(", "))
    }
}

/// A layer normalized over the batch, written out as a textbook does, with a random loss.
fn normalization(choices: Vec<u32>) -> String {
    let mut t = Tape { choices, next: 0 };
    let m = 2 + t.pick(4);
    let n = 1 + t.pick(3);
    let h = 1 + t.pick(4);
    let kind = t.pick(4);
    let k = if kind == 1 {
        2 + t.pick(2)
    } else {
        1 + t.pick(3)
    };
    let mut lines = vec![format!(
        "input x[{n}] = {}",
        t.each(m, |t| t.vector(n, 300))
    )];
    let loss = match kind {
        0 => {
            lines.push(format!(
                "target y[{k}] = {}",
                t.each(m, |t| t.vector(k, 100))
            ));
            "mse(o, y)"
        }
        1 => {
            lines.push(format!(
                "target y : index({k}) = {}",
                t.each(m, |t| t.pick(k).to_string())
            ));
            "cross_entropy(softmax(o), y)"
        }
        2 => {
            lines.push(format!(
                "target y[{k}] = {}",
                t.each(m, |t| {
                    let bits: Vec<String> = (0..k).map(|_| t.pick(2).to_string()).collect();
                    format!("[{}]", bits.join(", "))
                })
            ));
            "binary_cross_entropy(sigmoid(o), y)"
        }
        _ => {
            lines.push(format!(
                "target y[{k}] = {}",
                t.each(m, |t| t.vector(k, 100))
            ));
            "sum((o - y)^2) / 2"
        }
    };
    lines.push(format!("param W[{h}, {n}] = {}", t.matrix(h, n, 150)));
    lines.push(format!("param gamma[{h}] = {}", t.vector(h, 150)));
    lines.push(format!("param beta[{h}] = {}", t.vector(h, 100)));
    lines.push(format!("param V[{k}, {h}] = {}", t.matrix(k, h, 100)));
    lines.push("z = W @ x".to_string());
    lines.push("mu = batch_mean(z)".to_string());
    lines.push(
        if t.pick(2) == 0 {
            "var = batch_var(z)"
        } else {
            "var = batch_var(z, 1)"
        }
        .to_string(),
    );
    lines.push("zn = (z - mu) / sqrt(var + 1/10)".to_string());
    let activation = ["tanh", "sigmoid", "exp"][t.pick(3)];
    lines.push(format!("a = {activation}(gamma * zn + beta)"));
    lines.push("o = V @ a".to_string());
    lines.push(format!("loss L = {loss}"));
    lines.join("\n") + "\n"
}

/// Tokens embedded by a table, joined, through a layer, with a class number for a target.
fn embedding(choices: Vec<u32>) -> String {
    let mut t = Tape { choices, next: 0 };
    let m = 1 + t.pick(4);
    let tokens = 2 + t.pick(5);
    let d = 1 + t.pick(3);
    let classes = 2 + t.pick(3);
    let width = 2 * d;
    let index = |t: &mut Tape, n: usize| t.pick(n).to_string();
    let mut lines = vec![
        format!(
            "input c1 : index({tokens}) = {}",
            t.each(m, |t| index(t, tokens))
        ),
        format!(
            "input c2 : index({tokens}) = {}",
            t.each(m, |t| index(t, tokens))
        ),
        format!(
            "target y : index({classes}) = {}",
            t.each(m, |t| index(t, classes))
        ),
        format!("param C[{tokens}, {d}] = {}", t.matrix(tokens, d, 150)),
        format!(
            "param W[{classes}, {width}] = {}",
            t.matrix(classes, width, 100)
        ),
        format!("param b[{classes}] = {}", t.vector(classes, 100)),
        "e = concat(C[c1], C[c2])".to_string(),
    ];
    if t.pick(2) == 0 {
        lines.push("p = softmax(W @ tanh(e) + b)".to_string());
        lines.push("loss L = cross_entropy(p, y)".to_string());
    } else {
        lines.push("p = softmax(W @ e + b)".to_string());
        lines.push("loss L = cross_entropy(p, y) + sum(C^2) / 100".to_string());
    }
    lines.join("\n") + "\n"
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_batch_gradient_is_the_mean_of_the_examples_gradients(
        network in networks(Mode::Any),
        m in 2usize..4,
    ) {
        let model = compile(&network.source);
        prop_assume!(model.declarations.iter().any(|d| d.kind == DeclKind::Input));
        check_mean_of_examples(&model, m)?;
    }

    #[test]
    fn rational_batches_are_exactly_the_mean_of_their_examples(
        network in networks(Mode::Rational),
        m in 2usize..4,
    ) {
        let model = compile(&network.source);
        check_mean_of_examples(&model, m)?;
    }

    #[test]
    fn batch_normalization_gradients_agree_with_finite_differences(
        choices in proptest::collection::vec(any::<u32>(), 200),
    ) {
        let source = normalization(choices);
        check_finite_differences(&source)?;
        check_compact_form(&source)?;
    }

    #[test]
    fn embedding_gradients_agree_with_finite_differences(
        choices in proptest::collection::vec(any::<u32>(), 200),
    ) {
        check_finite_differences(&embedding(choices))?;
    }
}

#[test]
fn a_file_of_one_example_is_a_batch_of_one() {
    // The declared values of a file without `each` are shared; its batch loss is its loss.
    let model = compile("input x = 2\nparam w = 3\nloss L = (w * x - 1)^2\n");
    let declared = batch_of(&model, 1);
    let gradient = differentiate_for(&model, &default_wrt(&model), Objective::Batch).unwrap();
    let values = batch::evaluate::<Exact>(
        &gradient.graph,
        &declared,
        1,
        &vec![true; gradient.graph.len()],
    )
    .unwrap();
    let value = |node: nabla::ir::NodeId| {
        values[node.index()]
            .as_ref()
            .and_then(|v| v.example(0))
            .cloned()
    };
    let exact = |n: i64| {
        Some(Value::Exact(Tensor::scalar(BigRational::from_integer(
            n.into(),
        ))))
    };
    assert_eq!(value(gradient.output), exact(25));
    assert_eq!(value(gradient.wrt[0].1), exact(20));
}

/// `count` networks of `make`, each from the fixed choices of its seed.
fn seeded(make: fn(Vec<u32>) -> String, seeds: std::ops::Range<u64>) -> Vec<String> {
    seeds
        .map(|seed| make(xorshift_choices(seed, 200)))
        .collect()
}

#[test]
fn batch_normalization_and_embeddings_agree_with_pytorch() {
    let test = "batch_normalization_and_embeddings_agree_with_pytorch";
    let python = match crate::support::torch_python() {
        Ok(python) => python,
        Err(why) => return crate::support::skipped(test, &why),
    };
    let mut sources = seeded(normalization, 0..24);
    sources.extend(seeded(embedding, 100..124));
    crate::random_networks::agree_with_pytorch(&python, &sources);
}
