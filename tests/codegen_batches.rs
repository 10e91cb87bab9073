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

/// The trainer's `gradient` of `rows` random rows against the evaluator's batch gradient.
fn compare(file: &str, rows: usize, seed: u64, binary: bool) {
    let model = compile(file);
    let trainer = trainer(file, "f64");
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

    let gradient =
        differentiate_for(&model, &default_wrt(&model), Objective::Batch).expect("differentiable");
    let values = batch::evaluate::<Float>(
        &gradient.graph,
        &declared,
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
    // On one thread, the trainer's sums are the evaluator's, to the last bit.
    let close = |what: &str, ours: f64, theirs: f64| {
        assert!(
            ours == theirs,
            "{file}, {rows} rows: {what}: the trainer gives {ours:?}, the evaluator {theirs:?}"
        );
    };
    close(
        "the loss",
        numbers_under(&run.stdout, "loss")[0],
        shared(gradient.output).data()[0],
    );
    let gradients = &run.stdout[run.stdout.find("\"gradients\"").expect("gradients")..];
    for (decl, node) in &gradient.wrt {
        let name = &model.declaration(*decl).name;
        let ours = numbers_under(gradients, name);
        let theirs = shared(*node);
        assert_eq!(ours.len(), theirs.data().len(), "{file}: ∂/∂{name}");
        for (k, (a, b)) in ours.iter().zip(theirs.data()).enumerate() {
            close(&format!("∂/∂{name} element {k}"), *a, *b);
        }
    }
}

#[test]
fn f64_trainers_with_indices_and_binary_targets_agree_with_the_evaluator() {
    for (file, binary) in [
        ("tests/fixtures/explain/batch-embedding.nabla", false),
        ("tests/fixtures/explain/batch-planar.nabla", true),
        ("tests/fixtures/codegen/picks.nabla", true),
    ] {
        for (rows, seed) in [(1, 1), (5, 2), (40, 3)] {
            compare(file, rows, seed, binary);
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
