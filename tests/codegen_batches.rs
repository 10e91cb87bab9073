//! Generated trainers of networks with indices, joined vectors and binary cross-entropy: on
//! random batches, their f64 loss and gradients are nabla's evaluator's (its batch mean of the
//! examples' gradients), and they train, evaluate and predict with class labels.

use nabla::autodiff::{Objective, default_wrt, differentiate_for};
use nabla::eval::batch::{self, Batched, Float};
use nabla::ir::{DeclKind, Init, Model};
use nabla::tensor::Tensor;

use crate::codegen::{Numbers, json_of, numbers_under, trainer};
use crate::support::root;

fn compile(file: &str) -> Model {
    // `root().join` keeps an absolute path as it is: a file written under the scratch directory.
    let source = std::fs::read_to_string(root().join(file)).expect("readable");
    nabla::compile(&source).0.expect("a valid network")
}

/// A random value of a declaration: an index's whole number, a target 0 or 1 (`binary`), or a
/// number.
fn value(numbers: &mut Numbers, d: &nabla::ir::Declaration, binary: bool) -> Tensor<f64> {
    let data = (0..d.shape.size())
        .map(|_| match (d.index, d.kind) {
            (Some(count), _) => (numbers.next(0.0, count as f64).floor()).min(count as f64 - 1.0),
            (None, DeclKind::Target) if binary => numbers.next(0.0, 2.0).floor(),
            (None, DeclKind::Target) => numbers.next(0.0, 1.0),
            _ => numbers.next(-1.0, 1.5),
        })
        .collect();
    Tensor::new(d.shape, data)
}

/// The running averages a trainer keeps beside its parameters (`"running mu"` …), as weights
/// file entries: the `gradient` command reads them, though a training step does not use them.
fn running_entries(trainer: &crate::codegen::Trainer) -> Vec<String> {
    let model = std::fs::read_to_string(trainer.dir.join("src/model.rs")).expect("model.rs");
    model
        .lines()
        .filter_map(|line| {
            let entry = line.trim().strip_prefix("(\"running ")?;
            let (name, dims) = entry.split_once("\", &[")?;
            let size: usize = dims
                .trim_end_matches("]),")
                .split(", ")
                .map(|d| d.parse::<usize>().expect("a dimension"))
                .product();
            let ones = vec!["1.0"; size].join(", ");
            Some(format!("\"running {name}\": [{ones}]"))
        })
        .collect()
}

/// What a trainer's gradient is compared with.
#[derive(Clone, Copy)]
pub(crate) enum Reference {
    /// The evaluator's gradient of the batch's mean loss (`Objective::Batch`): a trainer of a
    /// network whose rows meet (batch statistics, indices) sums in its order.
    Batch,
    /// Each example's gradient (`Objective::Example`) by the evaluator, summed in the order of
    /// the rows and divided by their number, as a trainer sums them. A network of tensors whose
    /// shared parameter is spread over a map (a bias per channel) sums along the map's axes in
    /// each example's gradient, where the batch's gradient averages over the rows first.
    Examples,
}

/// The evaluator's loss and gradients of the batch's mean loss.
fn batch_reference(
    model: &Model,
    declared: &[Option<Batched<Tensor<f64>>>],
    rows: usize,
) -> (f64, Vec<(nabla::ir::DeclId, Tensor<f64>)>) {
    let gradient =
        differentiate_for(model, &default_wrt(model), Objective::Batch).expect("differentiable");
    let values = batch::evaluate::<Float>(
        &gradient.graph,
        declared,
        rows,
        &vec![true; gradient.graph.len()],
    )
    .expect("evaluates");
    let shared = |node: nabla::ir::NodeId| {
        values[node.index()]
            .as_ref()
            .and_then(Batched::shared)
            .cloned()
            .expect("a shared value")
    };
    let gradients = gradient
        .wrt
        .iter()
        .map(|(d, node)| (*d, shared(*node)))
        .collect();
    (shared(gradient.output).data()[0], gradients)
}

/// Each example's loss and gradients by the evaluator, summed over the rows in order, divided by
/// their number.
fn examples_reference(
    model: &Model,
    declared: &[Option<Batched<Tensor<f64>>>],
    rows: usize,
) -> (f64, Vec<(nabla::ir::DeclId, Tensor<f64>)>) {
    let gradient =
        differentiate_for(model, &default_wrt(model), Objective::Example).expect("differentiable");
    let mut loss = 0.0;
    let mut sums: Vec<Vec<f64>> = gradient
        .wrt
        .iter()
        .map(|(_, node)| vec![0.0; gradient.graph[*node].shape.size()])
        .collect();
    for row in 0..rows {
        let values: Vec<Option<Tensor<f64>>> = declared
            .iter()
            .map(|d| {
                d.as_ref().map(|d| match d {
                    Batched::Shared(v) => v.clone(),
                    Batched::Each(rows) => rows[row].clone(),
                })
            })
            .collect();
        let evaluated = nabla::eval::float::evaluate(&gradient.graph, &values);
        let value = |node: nabla::ir::NodeId| evaluated[node.index()].clone().expect("a value");
        loss += value(gradient.output).data()[0];
        for (sum, (_, node)) in sums.iter_mut().zip(&gradient.wrt) {
            for (total, x) in sum.iter_mut().zip(value(*node).data()) {
                *total += x;
            }
        }
    }
    let gradients = gradient
        .wrt
        .iter()
        .zip(sums)
        .map(|((d, node), sum)| {
            let mean = sum.into_iter().map(|x| x / rows as f64).collect();
            (*d, Tensor::new(gradient.graph[*node].shape, mean))
        })
        .collect();
    (loss / rows as f64, gradients)
}

/// The trainer's `gradient` of `rows` random rows against the evaluator's (see [`Reference`]).
pub(crate) fn compare(file: &str, rows: usize, seed: u64, binary: bool, reference: Reference) {
    compare_as("f64", file, rows, seed, binary, reference);
}

/// The same for the trainer of `dtype`: an f64 trainer's numbers are the evaluator's to the last
/// bit; an f32 trainer's within 1e-4 of the largest of the same gradient (or of the loss).
pub(crate) fn compare_as(
    dtype: &str,
    file: &str,
    rows: usize,
    seed: u64,
    binary: bool,
    reference: Reference,
) {
    let model = compile(file);
    let trainer = trainer(file, dtype);
    let mut numbers = Numbers(seed);
    let mut declared: Vec<Option<Batched<Tensor<f64>>>> = vec![None; model.declarations.len()];
    let mut weights = Vec::new();
    for (i, d) in model.declarations.iter().enumerate() {
        match (d.kind, &d.init) {
            (DeclKind::Param, _) => {
                let w = Tensor::new(
                    d.shape,
                    (0..d.shape.size())
                        .map(|_| numbers.next(-0.8, 0.8))
                        .collect(),
                );
                weights.push(format!("{:?}: {}", d.name, json_of(&w)));
                declared[i] = Some(Batched::Shared(w));
            }
            (DeclKind::Const, Some(Init::Value(v))) => {
                declared[i] = Some(Batched::Shared(v.map(nabla::exact::to_f64)))
            }
            _ => {}
        }
    }
    let mut examples: Vec<Vec<(usize, Tensor<f64>)>> = Vec::new();
    for _ in 0..rows {
        let mut row = Vec::new();
        for kind in [DeclKind::Input, DeclKind::Target] {
            for (i, d) in model.declarations.iter().enumerate() {
                if d.kind == kind {
                    row.push((i, value(&mut numbers, d, binary)));
                }
            }
        }
        examples.push(row);
    }
    for (position, (i, _)) in examples[0].iter().enumerate() {
        declared[*i] = Some(Batched::Each(
            examples.iter().map(|row| row[position].1.clone()).collect(),
        ));
    }
    let csv: String = examples
        .iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .flat_map(|(_, t)| {
                    t.data()
                        .iter()
                        .map(|x| format!("{x:?}"))
                        .collect::<Vec<_>>()
                })
                .collect();
            cells.join(",") + "\n"
        })
        .collect();
    let stem = std::path::Path::new(file)
        .file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let data = trainer.write(&format!("{stem}-{rows}-{seed}.csv"), &csv);
    weights.extend(running_entries(&trainer));
    let weights_file = trainer.write(
        &format!("{stem}-{rows}-{seed}.json"),
        &format!("{{{}}}", weights.join(", ")),
    );
    let rows_arg = rows.to_string();
    let run = trainer.run(&[
        "gradient",
        &data,
        "--weights",
        &weights_file,
        "--rows",
        &rows_arg,
    ]);
    assert_eq!(run.code, 0, "{file}: {}", run.stderr);

    let (loss, gradients) = match reference {
        Reference::Batch => batch_reference(&model, &declared, rows),
        Reference::Examples => examples_reference(&model, &declared, rows),
    };
    // On one thread, an f64 trainer's sums are the evaluator's, to the last bit.
    let close = |what: &str, ours: f64, theirs: f64, scale: f64| {
        assert!(
            if dtype == "f64" {
                ours == theirs
            } else {
                (ours - theirs).abs() <= 1e-4 * scale.max(1e-3)
            },
            "{file}, {rows} rows, {dtype}: {what}: the trainer gives {ours:?}, the evaluator \
             {theirs:?}"
        );
    };
    close(
        "the loss",
        numbers_under(&run.stdout, "loss")[0],
        loss,
        loss.abs(),
    );
    let printed = &run.stdout[run.stdout.find("\"gradients\"").expect("gradients")..];
    for (decl, theirs) in &gradients {
        let name = &model.declaration(*decl).name;
        let ours = numbers_under(printed, name);
        assert_eq!(ours.len(), theirs.data().len(), "{file}: ∂/∂{name}");
        let scale = theirs.data().iter().fold(0.0_f64, |m, x| m.max(x.abs()));
        for (k, (a, b)) in ours.iter().zip(theirs.data()).enumerate() {
            close(&format!("∂/∂{name} element {k}"), *a, *b, scale);
        }
    }
}

#[test]
fn f64_trainers_with_indices_and_binary_targets_agree_with_the_evaluator() {
    for (file, binary) in [
        ("tests/fixtures/explain/batch-embedding.nabla", false),
        ("examples/classics/planar-2-4-1.nabla", true),
        ("tests/fixtures/codegen/picks.nabla", true),
    ] {
        for (rows, seed) in [(1, 1), (5, 2), (40, 3)] {
            compare(file, rows, seed, binary, Reference::Batch);
        }
    }
}

#[test]
fn f64_trainers_with_batch_statistics_agree_with_the_evaluator() {
    // A batch of one row is a batch too where the variance divides by m: it is 0. (With m − 1
    // it is 0/0, in the evaluator as in the trainer.)
    for (file, smallest) in [
        ("tests/fixtures/explain/batch-normalization.nabla", 1),
        ("tests/fixtures/codegen/normalization.nabla", 2),
        ("tests/fixtures/codegen/embedding-normalization.nabla", 1),
    ] {
        for (rows, seed) in [(smallest, 4), (3, 5), (7, 6), (40, 7)] {
            compare(file, rows, seed, false, Reference::Batch);
        }
    }
}

#[test]
fn a_class_number_target_trains_on_labels_and_predicts_them() {
    let trainer = trainer("tests/fixtures/explain/batch-embedding.nabla", "f64");
    let mut numbers = Numbers(7);
    let labels = ["ant", "bee", "cat", "dog", "eel"];
    let mut csv = String::from("first,second,next\n");
    for _ in 0..60 {
        let a = numbers.next(0.0, 5.0).floor() as usize;
        let b = numbers.next(0.0, 5.0).floor() as usize;
        // The next token is the first one's successor: learnable from the first alone.
        csv.push_str(&format!("{a},{b},{}\n", labels[(a + 1) % 5]));
    }
    let data = trainer.write("tokens.csv", &csv);
    let run = trainer.run(&[
        "train",
        &data,
        "--epochs",
        "300",
        "--save",
        "tokens.json",
        "--quiet",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let eval = trainer.run(&["eval", &data, "--weights", "tokens.json"]);
    assert_eq!(eval.code, 0, "{}", eval.stderr);
    assert!(eval.stdout.contains("accuracy 100"), "{}", eval.stdout);
    let predict = trainer.run(&["predict", &data, "--weights", "tokens.json"]);
    assert_eq!(predict.code, 0, "{}", predict.stderr);
    assert!(predict.stdout.contains("bee"), "{}", predict.stdout);
    // An index out of range is refused at its place.
    let bad = trainer.write("bad-tokens.csv", "first,second,next\n1,2,ant\n5,0,bee\n");
    let run = trainer.run(&["train", &bad, "--epochs", "1", "--quiet"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("bad-tokens.csv:3:1: `5` is not an index: c1 takes whole numbers 0 to 4"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_trainer_with_batch_normalization_evaluates_with_its_running_averages() {
    let file = "tests/fixtures/explain/batch-normalization.nabla";
    let trainer = trainer(file, "f64");
    let mut numbers = Numbers(11);
    // 41 rows in batches of 8 leave one over.
    let mut csv = String::from("x0,x1,y\n");
    let mut inputs = Vec::new();
    for _ in 0..41 {
        let x = [numbers.next(-2.0, 2.0), numbers.next(-2.0, 2.0)];
        let y = if x[0] * x[1] > 0.0 { 1.0 } else { 0.0 };
        csv.push_str(&format!("{:?},{:?},{y}\n", x[0], x[1]));
        inputs.push(x);
    }
    let data = trainer.write("normalized.csv", &csv);
    let run = trainer.run(&[
        "train", &data, "--batch", "8", "--epochs", "30", "--save", "bn.json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "note: 41 rows in batches of 8 leave one over, and this network's batch statistics \
             need two rows a batch: each epoch trains on 40 rows"
        ),
        "{}",
        run.stderr
    );

    // The weights file keeps the running averages beside the parameters; training moved them
    // from where they start (mean 0, variance 1).
    let weights = std::fs::read_to_string(trainer.dir.join("bn.json")).expect("saved");
    let running_mu = numbers_under(&weights, "running mu");
    let running_var = numbers_under(&weights, "running var");
    assert_eq!((running_mu.len(), running_var.len()), (3, 3), "{weights}");
    assert!(running_mu.iter().all(|m| *m != 0.0), "{weights}");
    assert!(
        running_var.iter().all(|v| *v != 1.0 && *v > 0.0),
        "{weights}"
    );

    // `predict` (its output is the last value the file names, h) normalizes each row by the
    // running averages, not by the rows it is given.
    let (w, gamma, beta) = (
        numbers_under(&weights, "W"),
        numbers_under(&weights, "gamma"),
        numbers_under(&weights, "beta"),
    );
    let predicted = trainer.run(&["predict", &data, "--weights", "bn.json"]);
    assert_eq!(predicted.code, 0, "{}", predicted.stderr);
    let outputs: Vec<Vec<f64>> = predicted
        .stdout
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().expect("a number")).collect())
        .collect();
    assert_eq!(outputs.len(), 41);
    for (x, ours) in inputs.iter().zip(&outputs) {
        for i in 0..3 {
            let z = w[2 * i] * x[0] + w[2 * i + 1] * x[1];
            let normalized = (z - running_mu[i]) / (running_var[i] + 1e-5).sqrt();
            let h = (gamma[i] * normalized + beta[i]).max(0.0);
            assert!(
                (ours[i] - h).abs() <= 1e-12 * (1.0 + h.abs()),
                "{ours:?}: h{i} is {h}"
            );
        }
    }
    let eval = trainer.run(&["eval", &data, "--weights", "bn.json"]);
    assert_eq!(eval.code, 0, "{}", eval.stderr);

    // Training goes on from them, and `nabla explain` reads the parameters and passes over the
    // running averages, which a worked step does not use.
    let more = trainer.run(&[
        "train", &data, "--batch", "8", "--epochs", "1", "--init", "bn.json", "--quiet",
    ]);
    assert_eq!(more.code, 0, "{}", more.stderr);
    let saved = trainer.dir.join("bn.json").to_string_lossy().into_owned();
    let explained = crate::support::nabla(&["explain", file, "--weights", &saved], None);
    assert_eq!(explained.code, 0, "{}", explained.stderr);

    // A batch of one row has no variance to normalize by.
    let one = trainer.run(&["train", &data, "--batch", "1", "--epochs", "1"]);
    assert_eq!(one.code, 1, "{}", one.stderr);
    assert_eq!(
        one.stderr.trim(),
        "error: this network's batch statistics (`batch_mean`, `batch_var`) need at least two \
         rows a batch: the variance of one row is 0; train with --batch 2 or more"
    );
}

/// The model and the training loop of a network with batch normalization, as a reader sees them:
/// each statistic computed over the batch in training and read from its running average
/// otherwise, the running averages updated after each step, and batches of one row refused.
#[test]
fn generated_trainer_with_batch_normalization() {
    let project = crate::codegen::project_text(
        "tests/fixtures/codegen/normalization.nabla",
        nabla::codegen::Dtype::F64,
    );
    let shown: Vec<&str> = project
        .split("===== ")
        .filter(|f| f.starts_with("src/model.rs") || f.starts_with("src/train.rs"))
        .collect();
    insta::assert_snapshot!(shown.join("===== "));
}
