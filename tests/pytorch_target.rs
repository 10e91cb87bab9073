//! `nabla gen --target pytorch`: the generated Python project, trained with PyTorch beside the
//! Rust trainer of the same network, in f64, from the same seed, on the same data.
//!
//! PyTorch comes from the environment `scripts/python-env.sh` makes ($NABLA_TORCH_VENV, default
//! /tmp/nabla-torch-venv). Without it the tests that run Python say so and pass. Every run of
//! `train.py` goes through one Python process (`driver.py` below), which loads each project's
//! `model.py` and `train.py` afresh and runs their command lines in turn: importing torch takes
//! a second or two, once.

use std::path::{Path, PathBuf};
use std::process::Command;

use nabla::ir::{DeclKind, Model};

use crate::codegen::{numbers_under, trainer};
use crate::support::{self, root};

/// Where the generated projects and their data live.
pub(crate) fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pytorch-projects")
}

/// The Python with torch, or `None` (said on standard error) when there is none.
pub(crate) fn python() -> Option<PathBuf> {
    let venv = std::env::var("NABLA_TORCH_VENV").unwrap_or_else(|_| "/tmp/nabla-torch-venv".into());
    let python = Path::new(&venv).join("bin/python");
    let works = Command::new(&python)
        .args(["-c", "import torch"])
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        Some(python)
    } else {
        eprintln!(
            "skipped: PyTorch is not importable with {} (scripts/python-env.sh makes it)",
            python.display()
        );
        None
    }
}

/// Runs many `python train.py ARGS` in one Python process, each in its project's directory.
const DRIVER: &str = r#"
import contextlib, importlib.util, io, os, sys
driver = os.path.abspath(sys.argv[0])
cases = [line.split("\t") for line in open(sys.argv[1], encoding="utf-8").read().splitlines()]
for number, (directory, *arguments) in enumerate(cases):
    os.chdir(directory)
    for name in ("model", "train"):
        spec = importlib.util.spec_from_file_location(name, os.path.join(directory, name + ".py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    out, err, code = io.StringIO(), io.StringIO(), 0
    sys.argv = ["train.py", *arguments]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            sys.modules["train"].main()
        except SystemExit as e:
            code = e.code or 0
        except Exception:
            import traceback
            traceback.print_exc()
            code = 99
    for suffix, text in (("out", out.getvalue()), ("err", err.getvalue()), ("code", str(code))):
        with open(f"{driver}.{number}.{suffix}", "w", encoding="utf-8") as file:
            file.write(text)
"#;

/// Runs `runs` (a project directory and the arguments of train.py) in one Python process;
/// `test` names the driver's files.
pub(crate) fn run_python(
    python: &Path,
    test: &str,
    runs: &[(PathBuf, Vec<String>)],
) -> Vec<support::Run> {
    let dir = scratch();
    std::fs::create_dir_all(&dir).expect("the scratch directory");
    let driver = dir.join(format!("driver-{test}.py"));
    let cases = driver.with_extension("cases");
    std::fs::write(&driver, DRIVER).expect("the driver is written");
    let lines: Vec<String> = runs
        .iter()
        .map(|(dir, args)| {
            let mut cells = vec![dir.to_string_lossy().into_owned()];
            cells.extend(args.iter().cloned());
            cells.join("\t")
        })
        .collect();
    std::fs::write(&cases, lines.join("\n")).expect("the cases are written");
    let output = Command::new(python)
        .arg(&driver)
        .arg(&cases)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "the driver failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (0..runs.len())
        .map(|number| {
            let read = |suffix: &str| {
                std::fs::read_to_string(format!("{}.{number}.{suffix}", driver.display()))
                    .expect("the driver wrote each run's output")
            };
            support::Run {
                code: read("code").trim().parse().expect("an exit code"),
                stdout: read("out"),
                stderr: read("err"),
            }
        })
        .collect()
}

/// Generates the PyTorch project of `file` into the scratch directory, under `test` (each test
/// has projects of its own, as tests run at once).
pub(crate) fn project(test: &str, file: &str, extra: &[&str]) -> PathBuf {
    let name = file.trim_end_matches(".nabla").replace(['/', '\\'], "_");
    let dir = scratch().join(test).join(name);
    let mut args = vec!["gen", file, "-o"];
    let dir_text = dir.to_string_lossy().into_owned();
    args.push(&dir_text);
    args.extend(["--target", "pytorch", "--force"]);
    args.extend(extra);
    let run = support::nabla(&args, None);
    assert_eq!(
        run.code, 0,
        "nabla gen {file} --target pytorch: {}",
        run.stderr
    );
    dir
}

fn compile(file: &str) -> Model {
    let source = std::fs::read_to_string(root().join(file)).expect("the file is readable");
    nabla::compile(&source)
        .0
        .expect("the file is a valid network")
}

/// A deterministic generator of data values (not the trainers' generator).
struct Numbers(u64);

impl Numbers {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `rows` rows of data for `model`: inputs in [−1, 1.5), indices in range, targets by kind (a
/// class for a classifier's one-hot target, 0 or 1 for a single probability, else in [0, 1)).
fn data_for(model: &Model, rows: usize, seed: u64) -> String {
    let task = nabla::codegen::task::task(model);
    let mut numbers = Numbers(seed);
    let mut text = String::new();
    for _ in 0..rows {
        let mut cells = Vec::new();
        for kind in [DeclKind::Input, DeclKind::Target] {
            for d in model.declarations_of(kind) {
                let size = d.shape.size();
                if let Some(count) = d.index {
                    cells.push(((numbers.next() * count as f64) as usize).to_string());
                } else if kind == DeclKind::Target && task.classifier.is_some() && size >= 2 {
                    let class = (numbers.next() * size as f64) as usize;
                    cells.extend((0..size).map(|k| if k == class { "1" } else { "0" }.into()));
                } else if kind == DeclKind::Target && task.classifier.is_some() {
                    cells.push(if numbers.next() < 0.5 { "0" } else { "1" }.into());
                } else {
                    let (low, high) = if kind == DeclKind::Input {
                        (-1.0, 1.5)
                    } else {
                        (0.0, 1.0)
                    };
                    cells.extend(
                        (0..size).map(|_| format!("{:?}", low + (high - low) * numbers.next())),
                    );
                }
            }
        }
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text
}

/// The networks compared: the codegen fixtures, the examples that have parameters, and networks
/// of tensors.
fn networks() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("tests/fixtures/codegen"))
        .expect("the fixtures")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "nabla"))
        .map(|path| support::relative(&path))
        .collect();
    files.sort();
    for example in support::examples() {
        let file = support::relative(&example);
        if compile(&file)
            .declarations_of(DeclKind::Param)
            .next()
            .is_some()
        {
            files.push(file);
        }
    }
    // Networks of tensors: a CNN drawn by he and xavier on 8×8 images, a convolution with
    // padding and a bias with max pooling, a batch file's network (stride, a mean and a sum
    // along axes), and attention (softmax along the rows of the scores).
    files.extend(
        [
            "tests/fixtures/pytorch/digits-cnn.nabla",
            "tests/fixtures/tensors/small-cnn.nabla",
            "tests/fixtures/tensors/cnn-batch.nabla",
            "tests/fixtures/tensors/attention.nabla",
        ]
        .map(String::from),
    );
    files
}

/// Every parameter's and running average's numbers in a weights file, by name.
fn weights(model: &Model, json: &str, running: &[String]) -> Vec<(String, Vec<f64>)> {
    model
        .declarations_of(DeclKind::Param)
        .map(|d| d.name.clone())
        .chain(running.iter().cloned())
        .map(|name| {
            let numbers = numbers_under(json, &name);
            (name, numbers)
        })
        .collect()
}

/// The names of the running averages a weights file holds (after the parameters).
fn running_names(json: &str) -> Vec<String> {
    json.lines()
        .filter_map(|line| line.trim_start().strip_prefix("\"running "))
        .filter_map(|rest| {
            rest.split_once("\":")
                .map(|(name, _)| format!("running {name}"))
        })
        .collect()
}

/// The largest difference between two lists of numbers, relative to the larger of 1 and the
/// number's size.
fn largest_difference(what: &str, ours: &[f64], theirs: &[f64]) -> f64 {
    assert_eq!(ours.len(), theirs.len(), "{what}: as many numbers");
    ours.iter()
        .zip(theirs)
        .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
        .fold(0.0, f64::max)
}

const ROWS: usize = 24;
const EPOCHS: &str = "3";
const BATCH: &str = "5";

#[test]
fn pytorch_trains_to_the_rust_trainers_weights_and_each_reads_the_others() {
    let Some(python) = python() else {
        return;
    };
    let mut runs = Vec::new();
    let mut cases = Vec::new();
    // Every network on data made for it, and iris on rows of text labels too (which the
    // weights files keep).
    let mut all: Vec<(String, &str, Option<String>)> = networks()
        .into_iter()
        .map(|file| (file, "generated", None))
        .collect();
    let species = std::fs::read_to_string(root().join("examples/data/iris-species.csv"))
        .expect("the iris data");
    all.push(("examples/iris.nabla".to_string(), "labels", Some(species)));
    for (file, variant, rows) in all {
        let model = compile(&file);
        let rust = trainer(&file, "f64");
        let dir = project(&format!("against-rust-{variant}"), &file, &[]);
        let data = dir.join("data.csv");
        let rows = rows.unwrap_or_else(|| data_for(&model, ROWS, 11));
        std::fs::write(&data, rows).expect("the data is written");
        let (csv, rust_json, torch_json) = (
            format!("pytorch-{variant}.csv"),
            format!("pytorch-{variant}-rust.json"),
            format!("pytorch-{variant}-torch.json"),
        );
        std::fs::copy(&data, rust.dir.join(&csv)).expect("the data is copied");
        let trained = rust.run(&[
            "train", &csv, "--epochs", EPOCHS, "--batch", BATCH, "--save", &rust_json, "--quiet",
        ]);
        assert_eq!(
            trained.code, 0,
            "{file}: the Rust trainer: {}",
            trained.stderr
        );
        let rust_weights = rust.dir.join(&rust_json);
        std::fs::copy(&rust_weights, dir.join("rust.json")).expect("the weights are copied");
        let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        runs.push((
            dir.clone(),
            args(&[
                "train",
                "data.csv",
                "--epochs",
                EPOCHS,
                "--batch",
                BATCH,
                "--save",
                "torch.json",
                "--quiet",
                "--dtype",
                "f64",
                "--device",
                "cpu",
            ]),
        ));
        runs.push((
            dir.clone(),
            args(&[
                "eval",
                "data.csv",
                "--weights",
                "rust.json",
                "--device",
                "cpu",
            ]),
        ));
        runs.push((
            dir.clone(),
            args(&[
                "predict",
                "data.csv",
                "--weights",
                "rust.json",
                "--device",
                "cpu",
            ]),
        ));
        // Resumed from the Rust trainer's weights without a step: the same weights back; and
        // the same training in f32.
        runs.push((
            dir.clone(),
            args(&[
                "train",
                "data.csv",
                "--init",
                "rust.json",
                "--epochs",
                "0",
                "--save",
                "resumed.json",
                "--quiet",
                "--device",
                "cpu",
            ]),
        ));
        runs.push((
            dir.clone(),
            args(&[
                "train", "data.csv", "--epochs", EPOCHS, "--batch", BATCH, "--save", "f32.json",
                "--quiet", "--dtype", "f32", "--device", "cpu",
            ]),
        ));
        cases.push((file, model, rust, dir, (csv, rust_json, torch_json)));
    }
    let results = run_python(&python, "against-rust", &runs);
    let mut report = Vec::new();
    for (k, (file, model, rust, dir, (csv, rust_json, torch_json))) in cases.iter().enumerate() {
        let [trained, eval, predict, resumed, single] = &results[5 * k..5 * k + 5] else {
            unreachable!("five runs a network");
        };
        assert_eq!(
            trained.code, 0,
            "{file}: train.py train: {}",
            trained.stderr
        );
        let ours = std::fs::read_to_string(dir.join("torch.json")).expect("train.py saved");
        let theirs = std::fs::read_to_string(dir.join("rust.json")).expect("the Rust weights");
        let running = running_names(&theirs);
        assert_eq!(
            running,
            running_names(&ours),
            "{file}: the running averages"
        );
        let mut worst = 0.0f64;
        for ((name, a), (_, b)) in weights(model, &ours, &running)
            .iter()
            .zip(weights(model, &theirs, &running))
        {
            let difference = largest_difference(&format!("{file}: {name}"), a, &b);
            assert!(
                difference <= 1e-9,
                "{file}: {name} differs by {difference:e} from the Rust trainer's"
            );
            worst = worst.max(difference);
        }
        report.push(format!("{file}: {worst:.1e}"));
        assert_eq!(resumed.code, 0, "{file}: --init: {}", resumed.stderr);
        let back = std::fs::read_to_string(dir.join("resumed.json")).expect("saved");
        for ((name, a), (_, b)) in weights(model, &back, &running)
            .iter()
            .zip(weights(model, &theirs, &running))
        {
            assert_eq!(a, &b, "{file}: {name} read and written back");
        }
        // f32 rounds differently at every step: close, not equal.
        assert_eq!(single.code, 0, "{file}: --dtype f32: {}", single.stderr);
        let f32_weights = std::fs::read_to_string(dir.join("f32.json")).expect("saved");
        for ((name, a), (_, b)) in weights(model, &f32_weights, &running)
            .iter()
            .zip(weights(model, &ours, &running))
        {
            let difference = largest_difference(&format!("{file}: {name}"), a, &b);
            assert!(
                difference <= 1e-3,
                "{file}: {name} in f32 differs by {difference:e}"
            );
        }

        // The Rust trainer's weights in PyTorch: the same loss, accuracy and predictions.
        assert_eq!(eval.code, 0, "{file}: train.py eval: {}", eval.stderr);
        let rust_eval = rust.run(&["eval", csv, "--weights", rust_json]);
        assert_eq!(rust_eval.code, 0, "{file}: {}", rust_eval.stderr);
        assert_same_report(file, &eval.stdout, &rust_eval.stdout);
        assert_eq!(
            predict.code, 0,
            "{file}: train.py predict: {}",
            predict.stderr
        );
        let rust_predict = rust.run(&["predict", csv, "--weights", rust_json]);
        assert_eq!(rust_predict.code, 0, "{file}: {}", rust_predict.stderr);
        assert_same_predictions(file, &predict.stdout, &rust_predict.stdout);

        // PyTorch's weights in the Rust trainer.
        std::fs::copy(dir.join("torch.json"), rust.dir.join(torch_json))
            .expect("the weights are copied");
        let read = rust.run(&["eval", csv, "--weights", torch_json]);
        assert_eq!(
            read.code, 0,
            "{file}: the Rust trainer reads train.py's weights: {}",
            read.stderr
        );
        assert_same_report(file, &read.stdout, &rust_eval.stdout);
    }
    eprintln!(
        "largest relative difference from the Rust trainer's weights:\n{}",
        report.join("\n")
    );
}

/// Two `eval` reports: the same loss (to its four digits, or within 1e-9) and accuracy.
fn assert_same_report(file: &str, ours: &str, theirs: &str) {
    let number = |text: &str, label: &str| -> Option<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(label))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.trim_end_matches('%').parse().ok())
    };
    let (a, b) = (number(ours, "loss "), number(theirs, "loss "));
    assert!(
        matches!((a, b), (Some(a), Some(b)) if (a - b).abs() <= 1e-9 * b.abs().max(1.0) || ours.lines().next() == theirs.lines().next()),
        "{file}: the loss: train.py says\n{ours}the Rust trainer\n{theirs}"
    );
    assert_eq!(
        ours.lines().nth(1),
        theirs.lines().nth(1),
        "{file}: the accuracy"
    );
}

/// Two `predict` outputs: the same classes, or the same numbers within 1e-9.
fn assert_same_predictions(file: &str, ours: &str, theirs: &str) {
    assert_eq!(
        ours.lines().count(),
        theirs.lines().count(),
        "{file}: a line per row"
    );
    for (a, b) in ours.lines().zip(theirs.lines()) {
        let parse =
            |line: &str| -> Vec<f64> { line.split(',').filter_map(|x| x.parse().ok()).collect() };
        let (x, y) = (parse(a), parse(b));
        if x.len() == y.len() && !x.is_empty() {
            let difference = largest_difference(file, &x, &y);
            assert!(
                difference <= 1e-9,
                "{file}: predicts {a}, the Rust trainer {b}"
            );
        } else {
            assert_eq!(a, b, "{file}: the predicted class");
        }
    }
}

/// `python ARGS` in `dir`.
fn python_in(python: &Path, dir: &Path, args: &[&str]) -> support::Run {
    let output = Command::new(python)
        .args(args)
        .current_dir(dir)
        .env("OMP_NUM_THREADS", "1")
        .output()
        .expect("python runs");
    support::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn two_processes_under_torchrun_train_as_one_process() {
    let Some(python) = python() else {
        return;
    };
    // Shuffled batches of 5 rows (shares of 2 and 3 rows) of a classifier of class numbers
    // that picks rows of a table (each process adds into the rows its examples picked) and
    // normalizes by batch statistics (which the processes compute over the whole batch).
    for file in ["tests/fixtures/codegen/embedding-normalization.nabla"] {
        let model = compile(file);
        let dir = project("torchrun", file, &[]);
        std::fs::write(dir.join("data.csv"), data_for(&model, ROWS, 5)).expect("the data");
        let common = [
            "train.py", "train", "data.csv", "--epochs", EPOCHS, "--batch", BATCH, "--quiet",
            "--dtype", "f64", "--device", "cpu", "--save",
        ];
        let one = python_in(&python, &dir, &[&common[..], &["one.json"]].concat());
        assert_eq!(one.code, 0, "{file}: one process: {}", one.stderr);
        let two = python_in(
            &python,
            &dir,
            &[
                &[
                    "-m",
                    "torch.distributed.run",
                    "--standalone",
                    "--nproc_per_node",
                    "2",
                ][..],
                &common[..],
                &["two.json"],
            ]
            .concat(),
        );
        assert_eq!(two.code, 0, "{file}: torchrun: {}", two.stderr);
        // Process 0 alone prints and saves.
        assert_eq!(
            two.stdout
                .lines()
                .filter(|l| l.starts_with("loss "))
                .count(),
            1,
            "{file}: {}",
            two.stdout
        );
        let ours = std::fs::read_to_string(dir.join("two.json")).expect("saved by process 0");
        let theirs = std::fs::read_to_string(dir.join("one.json")).expect("saved");
        let running = running_names(&theirs);
        for ((name, a), (_, b)) in weights(&model, &ours, &running)
            .iter()
            .zip(weights(&model, &theirs, &running))
        {
            let difference = largest_difference(&format!("{file}: {name}"), a, &b);
            assert!(
                difference <= 1e-12,
                "{file}: {name}: two processes differ from one by {difference:e}"
            );
        }
    }
}

/// The generated files `names` of `file`'s PyTorch project, each under a line with its name.
fn files_of(file: &str, language: nabla::words::Language, names: &[&str]) -> String {
    let model = compile(file);
    let stem = Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let options = nabla::codegen::Options {
        dtype: nabla::codegen::Dtype::F64,
        package: nabla::codegen::names::package_name(&stem),
        source: format!("{stem}.nabla"),
        language,
    };
    let files = nabla::codegen::pytorch::generate(&model, &options).expect("the file generates");
    names
        .iter()
        .map(|name| {
            let file = files
                .iter()
                .find(|f| f.path == *name)
                .unwrap_or_else(|| panic!("the project has {name}"));
            format!("=== {name}\n{}", file.contents)
        })
        .collect()
}

#[test]
fn generated_pytorch_model_xor() {
    insta::assert_snapshot!(files_of(
        "examples/xor.nabla",
        nabla::words::Language::English,
        &["model.py", "README.md", "requirements.txt"]
    ));
}

#[test]
fn generated_pytorch_model_iris() {
    insta::assert_snapshot!(files_of(
        "examples/iris.nabla",
        nabla::words::Language::English,
        &["model.py", "README.md"]
    ));
}

#[test]
fn generated_pytorch_model_digits_cnn() {
    insta::assert_snapshot!(files_of(
        "tests/fixtures/pytorch/digits-cnn.nabla",
        nabla::words::Language::English,
        &["model.py", "README.md"]
    ));
}

#[test]
fn generated_pytorch_train_xor() {
    insta::assert_snapshot!(files_of(
        "examples/xor.nabla",
        nabla::words::Language::English,
        &["train.py"]
    ));
}

#[test]
fn generated_pytorch_train_iris_vietnamese() {
    insta::assert_snapshot!(files_of(
        "examples/iris.nabla",
        nabla::words::Language::Vietnamese,
        &["train.py", "README.md"]
    ));
}

/// What train.py says about bad command lines, data and weights, in both languages: each run
/// with its exit status and its standard error.
#[test]
fn train_py_names_the_place_of_every_problem_in_either_language() {
    let Some(python) = python() else {
        return;
    };
    let files: [(&str, &str); 10] = [
        (
            "not-a-number.csv",
            "5.1,3.5,1.4,0.2,setosa\n4.9,abc,1.4,0.2,setosa\n",
        ),
        (
            "short-row.csv",
            "f1,f2,f3,f4,species\n5.1,3.5,1.4,0.2,setosa\n4.9,3.0,1.4\n",
        ),
        (
            "unknown.csv",
            "5.1,3.5,1.4,0.2,setosa\n4.9,3.0,1.4,0.2,setossa\n",
        ),
        ("unclosed.csv", "5.1,3.5,\"1.4,0.2,setosa\n"),
        ("empty.csv", "\n\n"),
        ("class.csv", "5.1,3.5,1.4,0.2,3\n"),
        (
            "good.csv",
            "5.1,3.5,1.4,0.2,setosa\n7.0,3.2,4.7,1.4,versicolor\n",
        ),
        ("wrong-shape.json", "{\"W1\": [], \"b1\": []}\n"),
        ("empty.json", "{\n}\n"),
        ("syntax.json", "{\n  \"W1\": [1, 2,]\n}\n"),
    ];
    let runs: &[&[&str]] = &[
        &[],
        &["fit", "good.csv"],
        &["train"],
        &["train", "good.csv", "--epochs", "x"],
        &["train", "good.csv", "--device", "tpu"],
        &["eval", "good.csv"],
        &["eval", "good.csv", "--epochs", "3"],
        &["train", "absent.csv"],
        &["train", "not-a-number.csv"],
        &["train", "short-row.csv"],
        &["train", "unclosed.csv"],
        &["train", "empty.csv"],
        &["train", "class.csv"],
        &["eval", "good.csv", "--weights", "wrong-shape.json"],
        &["eval", "good.csv", "--weights", "empty.json"],
        &["eval", "good.csv", "--weights", "syntax.json"],
        &[
            "train", "good.csv", "--epochs", "1", "--save", "w.json", "--quiet",
        ],
        &["eval", "unknown.csv", "--weights", "w.json"],
    ];
    let mut all = Vec::new();
    let mut dirs = Vec::new();
    for (lang, extra) in [("en", &[][..]), ("vi", &["--lang", "vi"][..])] {
        let dir = project(&format!("messages-{lang}"), "examples/iris.nabla", extra);
        for (name, text) in files {
            std::fs::write(dir.join(name), text).expect("the file is written");
        }
        for args in runs {
            all.push((dir.clone(), args.iter().map(|s| s.to_string()).collect()));
        }
        dirs.push(lang);
    }
    let results = run_python(&python, "messages", &all);
    for (k, lang) in dirs.iter().enumerate() {
        let mut transcript = String::new();
        for (args, run) in runs.iter().zip(&results[k * runs.len()..]) {
            transcript.push_str(&format!(
                "$ python train.py {}\nexit: {}\n{}\n",
                args.join(" "),
                run.code,
                run.stderr.trim_end()
            ));
        }
        insta::assert_snapshot!(format!("train_py_messages_{lang}"), transcript);
    }
}
