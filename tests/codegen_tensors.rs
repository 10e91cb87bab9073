//! Generated trainers of networks on tensors (convolutions, pooling, sums and softmax along an
//! axis, flatten): on random batches their f64 loss and gradients are nabla's evaluator's to the
//! last bit, for random networks of tensors of the generator of `random_networks` and for the
//! fixtures' CNNs, and for random networks over the whole language; every trainer builds with
//! `-D warnings`, and the trainers of the CNNs of the examples, benchmarks and fixtures (in both
//! number types) and of the random networks are clippy-clean (`codegen.rs` checks that every
//! trainer is laid out as rustfmt lays it out).

use crate::codegen::{clippy_faults, has_clippy, trainer};
use crate::codegen_batches::{Reference, compare, compare_as};
use crate::random_networks::{Mode, generate, generate_tensors, seeded};

/// The random networks the trainers are compared on: each from the fixed tape of its seed, kept
/// when it has a parameter to train.
fn random_networks(count: usize) -> Vec<String> {
    (1..)
        .map(|seed| generate_tensors(&mut seeded(seed), Mode::Any, false).source)
        .filter(|source| source.contains("param "))
        .take(count)
        .collect()
}

/// Where a generated network's file is written for `nabla gen`.
fn scratch_file(name: &str, source: &str) -> String {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tensor-networks");
    std::fs::create_dir_all(&dir).expect("the scratch directory");
    let path = dir.join(name);
    std::fs::write(&path, source).expect("writable");
    path.to_string_lossy().into_owned()
}

#[test]
fn f64_trainers_of_random_tensor_networks_agree_with_the_evaluator() {
    for (k, source) in random_networks(10).iter().enumerate() {
        let file = scratch_file(&format!("random-{k}.nabla"), source);
        for (rows, seed) in [(1, 1), (7, 2)] {
            compare(&file, rows, seed, false, Reference::Examples);
        }
    }
}

/// Networks over the whole language of the generator of `random_networks` (a fifth of them
/// taking an image through layers of tensors first): each from the fixed tape of its seed, kept
/// when it has an input to read and a trainer (a parameter its loss depends on).
fn random_networks_of_the_whole_language(count: usize) -> Vec<String> {
    let options = nabla::codegen::Options {
        dtype: nabla::codegen::Dtype::F64,
        package: "whole".to_string(),
        source: "whole.nabla".to_string(),
        language: nabla::words::Language::English,
    };
    (1..)
        .map(|seed| generate(&mut seeded(seed), Mode::Any).source)
        .filter(|source| {
            source.contains("input ")
                && nabla::codegen::generate(&crate::random_networks::compile(source), &options)
                    .is_ok()
        })
        .take(count)
        .collect()
}

#[test]
fn f64_trainers_of_random_networks_of_the_whole_language_agree_with_the_evaluator() {
    for (k, source) in random_networks_of_the_whole_language(8).iter().enumerate() {
        let file = scratch_file(&format!("whole-{k}.nabla"), source);
        for (rows, seed) in [(1, 1), (6, 2)] {
            compare(&file, rows, seed, false, Reference::Examples);
        }
    }
}

#[test]
fn f64_trainers_of_cnns_agree_with_the_evaluator() {
    for file in ["tests/fixtures/tensors/small-cnn.nabla"] {
        for (rows, seed) in [(1, 3), (5, 4), (33, 5)] {
            compare(file, rows, seed, false, Reference::Examples);
        }
    }
}

#[test]
fn f64_trainers_of_the_tensor_fixtures_agree_with_the_evaluator() {
    for file in [
        "tests/fixtures/tensors/convolution-3x3.nabla",
        "tests/fixtures/tensors/elementwise.nabla",
    ] {
        for (rows, seed) in [(1, 6), (4, 7)] {
            compare(file, rows, seed, false, Reference::Examples);
        }
    }
    // Two convolutions (the second's input gradient is a full convolution), average pooling,
    // a pooling window of one, he-drawn kernels.
    let file = scratch_file(
        "two-convolutions.nabla",
        "input X[2, 6, 6]\ntarget y : index(3)\nparam K1[3, 2, 3, 3] ~ he\nparam b1[3] ~ zeros\n\
         param K2[2, 3, 3, 3] ~ he\nparam W[3, 2] ~ xavier\n\
         h1 = tanh(conv2d(X, K1, b1, 1, 1))\nh2 = avg_pool(h1, 2)\n\
         h3 = max_pool(relu(conv2d(h2, K2, 2, 1)), 1)\nh4 = avg_pool(h3, 2)\n\
         loss L = cross_entropy(softmax(W @ flatten(h4)), y)\n",
    );
    for (rows, seed) in [(1, 8), (9, 9)] {
        compare(&file, rows, seed, false, Reference::Examples);
    }
}

/// A convolution of stride 1 keeps rows of outputs of several maps in registers: 8 (f64) or 6
/// (f32) maps a tile by the width of a row, then tiles of 4, 2 and 1 for the maps left over. A
/// kernel's gradient has its taps, its filters or (f32 only) its output columns in the lanes of
/// vectors, chosen by the sizes, and tiles of taps too. These networks' two convolutions (the
/// second's input gradient a full convolution) go through each tile and each layout, with
/// narrow and wide maps (up to ten vectors of f64 a row), with filter, channel and tap counts
/// that leave every smaller tile (a kernel of 2 × 3 taps), and paddings of 0 to 2; in f64 to
/// the last bit, in f32 to its precision.
#[test]
fn trainers_of_convolutions_of_every_tile_agree_with_the_evaluator() {
    let mut layouts = std::collections::BTreeSet::new();
    for (k, (channels, first, second, size, (kh, kw), padding)) in [
        (1, 7, 3, 5, (3, 3), (1, 0)),
        (3, 15, 2, 20, (3, 3), (1, 2)),
        (2, 3, 5, 40, (5, 5), (2, 1)),
        (1, 2, 3, 75, (3, 3), (0, 1)),
        (2, 7, 3, 9, (2, 3), (1, 1)),
    ]
    .into_iter()
    .enumerate()
    {
        let inner = (size + 2 * padding.0 - kh + 1, size + 2 * padding.0 - kw + 1);
        let outer = (inner.0 + 2 * padding.1 - 2, inner.1 + 2 * padding.1 - 2);
        let source = format!(
            "input X[{channels}, {size}, {size}]\ntarget y : index(3)\n\
             param K1[{first}, {channels}, {kh}, {kw}] ~ he\n\
             param K2[{second}, {first}, 3, 3] ~ he\nparam W[3, {}] ~ xavier\n\
             h = relu(conv2d(X, K1, 1, {}))\nz = conv2d(h, K2, 1, {})\n\
             loss L = cross_entropy(softmax(W @ flatten(z)), y)\n",
            second * outer.0 * outer.1,
            padding.0,
            padding.1,
        );
        let file = scratch_file(&format!("tiles-{k}.nabla"), &source);
        for (rows, seed) in [(1, 10 + k as u64), (3, 20 + k as u64)] {
            compare(&file, rows, seed, false, Reference::Examples);
        }
        // The f32 trainer's kernels are the same, with fused multiply–adds and f32's rounding.
        compare_as("f32", &file, 3, 30 + k as u64, false, Reference::Examples);
        for dtype in ["f64", "f32"] {
            let model = std::fs::read_to_string(trainer(&file, dtype).dir.join("src/model.rs"))
                .expect("the generated project has a model");
            for layout in ["", "_filters", "_columns"] {
                if model.contains(&format!("kernels::conv2d_kernel_add{layout}(")) {
                    layouts.insert(format!("{dtype}{layout}"));
                }
            }
        }
    }
    // Each layout of a kernel's gradient was computed (output columns in f32 only).
    assert_eq!(
        layouts.into_iter().collect::<Vec<_>>(),
        ["f32", "f32_columns", "f32_filters", "f64", "f64_filters"]
    );
}

/// An image input is its pixels in row-major order, a column each: a bad cell is named by its
/// file, line and column, and the element it would be.
#[test]
fn a_bad_pixel_is_named_by_its_file_line_and_column() {
    let trainer = trainer("tests/fixtures/tensors/small-cnn.nabla", "f64");
    let mut pixels: Vec<String> = (0..16).map(|k| format!("{}", k % 4)).collect();
    let good = format!("{},1\n", pixels.join(","));
    pixels[5] = "abc".to_string();
    let bad = format!("{},1\n", pixels.join(","));
    let data = trainer.write("bad-pixel.csv", &format!("{good}{bad}"));
    let run = trainer.run(&["train", &data, "--epochs", "1", "--quiet"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr.trim(),
        "error: bad-pixel.csv:2:6: `abc` is not a number (X[0, 1, 1])"
    );
    let short = trainer.write("short-image.csv", &format!("{good}1,2,3\n"));
    let run = trainer.run(&["train", &short, "--epochs", "1", "--quiet"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr.trim(),
        "error: short-image.csv:2:4: a short row: 3 columns, where row 1 has 17"
    );
}

/// A kernel of four dimensions is saved as nested arrays and read back to the bit; a kernel of
/// another shape is refused saying the shape it should have.
#[test]
fn kernels_are_saved_nested_and_read_back() {
    let trainer = trainer("tests/fixtures/tensors/small-cnn.nabla", "f64");
    let rows: String = (0..20)
        .map(|r| {
            let pixels: Vec<String> = (0..16).map(|k| format!("{}", (k * 7 + r) % 5)).collect();
            format!("{},{}\n", pixels.join(","), r % 3)
        })
        .collect();
    let data = trainer.write("images.csv", &rows);
    let run = trainer.run(&[
        "train", &data, "--epochs", "2", "--save", "k.json", "--quiet",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let saved = std::fs::read_to_string(trainer.dir.join("k.json")).expect("saved");
    assert!(saved.contains("  \"K\": [\n    [[["), "{saved}");
    assert_eq!(
        crate::codegen::numbers_under(&saved, "K").len(),
        18,
        "{saved}"
    );
    // Read back: training zero epochs from them saves the same file.
    let again = trainer.run(&[
        "train", &data, "--epochs", "0", "--init", "k.json", "--save", "k2.json", "--quiet",
    ]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let resaved = std::fs::read_to_string(trainer.dir.join("k2.json")).expect("saved");
    assert_eq!(saved, resaved);
    let flat = format!(
        "{{\"K\": [{}], \"c\": [0, 0], \"W\": {}}}",
        vec!["0.5"; 18].join(", "),
        crate::codegen::json_of(&nabla::tensor::Tensor::filled(
            nabla::shape::Shape::Matrix(3, 8),
            0.0
        ))
    );
    let flat_file = trainer.write("flat-k.json", &flat);
    let run = trainer.run(&["eval", &data, "--weights", &flat_file]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "`K` should be nested arrays of 2 × 1 × 3 × 3 numbers, but has an array of 18"
        ),
        "{}",
        run.stderr
    );
}

/// The model of a small CNN's trainer as a reader sees it: the convolution, the max pooling
/// that keeps where each window's maximum is, the mask the backward pass builds from them, the
/// kernel's gradient added example by example.
#[test]
fn generated_model_of_a_small_cnn() {
    let project = crate::codegen::project_text(
        "tests/fixtures/tensors/small-cnn.nabla",
        nabla::codegen::Dtype::F64,
    );
    let shown: Vec<&str> = project
        .split("===== ")
        .filter(|f| f.starts_with("src/model.rs"))
        .collect();
    insta::assert_snapshot!(shown.join("===== "));
}

/// A CNN's f64 trainer and PyTorch in float64, trained two epochs from the same weights in the
/// same order (convolution with padding and bias, relu, max and average pooling, a dense
/// layer, SGD with momentum), end at the same weights to 1e-10 of their size.
#[test]
fn a_cnn_trainer_agrees_with_pytorch_after_two_epochs() {
    let python = match crate::support::torch_python() {
        Ok(python) => python,
        Err(why) => {
            crate::support::skipped("a_cnn_trainer_agrees_with_pytorch_after_two_epochs", &why);
            return;
        }
    };
    let file = "tests/fixtures/tensors/cnn-momentum.nabla";
    let trainer = trainer(file, "f64");
    let mut numbers = crate::codegen::Numbers(21);
    // 45 rows: batches of 8 and a last one of 5. The class is the brighter third of the image.
    let rows: String = (0..45)
        .map(|_| {
            let pixels: Vec<f64> = (0..64).map(|_| numbers.next(0.0, 1.0)).collect();
            let third = |k: usize| pixels[k * 21..(k + 1) * 21].iter().sum::<f64>();
            let class = (0..3)
                .max_by(|&a, &b| third(a).total_cmp(&third(b)))
                .unwrap_or(0);
            let cells: Vec<String> = pixels.iter().map(|p| format!("{p:?}")).collect();
            format!("{},{class}\n", cells.join(","))
        })
        .collect();
    let data = trainer.write("images.csv", &rows);
    for (args, save) in [
        (["--epochs", "0"], "start.json"),
        (["--epochs", "2"], "end.json"),
    ] {
        let run = trainer.run(&["train", &data, args[0], args[1], "--save", save, "--quiet"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let script = crate::support::root().join("tests/support/torch_cnn.py");
    let output = std::process::Command::new(python)
        .arg(script)
        .args([
            trainer.dir.join("images.csv").to_string_lossy().as_ref(),
            trainer.dir.join("start.json").to_string_lossy().as_ref(),
            "2",
            "8",
            "3",
            "0.05",
            "0.9",
        ])
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let theirs = String::from_utf8_lossy(&output.stdout).into_owned();
    let ours = std::fs::read_to_string(trainer.dir.join("end.json")).expect("saved");
    let start = std::fs::read_to_string(trainer.dir.join("start.json")).expect("saved");
    for name in ["K", "c", "W", "b"] {
        let (a, b) = (
            crate::codegen::numbers_under(&ours, name),
            crate::codegen::numbers_under(&theirs, name),
        );
        assert_eq!(a.len(), b.len(), "{name}");
        assert_ne!(
            a,
            crate::codegen::numbers_under(&start, name),
            "{name} trained"
        );
        for (x, y) in a.iter().zip(&b) {
            assert!(
                (x - y).abs() <= 1e-10 * y.abs().max(1e-3),
                "{name}: the trainer ends at {x:?}, PyTorch at {y:?}"
            );
        }
    }
}

/// The networks of tensors of the examples, the benchmarks and the fixtures, as paths relative to
/// the repository root.
fn tensor_networks() -> Vec<String> {
    let mut files = vec![
        "examples/cnn-digits.nabla".to_string(),
        "benches/workloads/lenet.nabla".to_string(),
    ];
    let dir = crate::support::root().join("tests/fixtures/tensors");
    let mut fixtures: Vec<String> = std::fs::read_dir(&dir)
        .expect("the fixtures are readable")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "nabla"))
        .map(|path| crate::support::relative(&path))
        .collect();
    fixtures.sort();
    files.extend(fixtures);
    files
}

/// Every CNN's trainer in both number types, and the f64 trainers of random networks (of tensors:
/// maps without channels, strides, padding, operations along each axis; and over the whole
/// language) the tests above build, pass `cargo clippy` with warnings as errors. Each is checked
/// where it was built.
#[test]
fn trainers_of_tensor_networks_are_clippy_clean() {
    if !has_clippy() {
        return;
    }
    let mut checked = Vec::new();
    for file in tensor_networks() {
        for dtype in ["f64", "f32"] {
            checked.push((file.clone(), dtype));
        }
    }
    for (k, source) in random_networks(10).iter().enumerate() {
        checked.push((scratch_file(&format!("random-{k}.nabla"), source), "f64"));
    }
    for (k, source) in random_networks_of_the_whole_language(8).iter().enumerate() {
        checked.push((scratch_file(&format!("whole-{k}.nabla"), source), "f64"));
    }
    let faults: Vec<String> = checked
        .iter()
        .filter_map(|(file, dtype)| clippy_faults(file, dtype))
        .collect();
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

/// A step with enough work (here 100 rows of 21,088 multiply–adds each) is cut into parts of its
/// rows, one a thread: two epochs on two threads end at the weights of one thread, but for the
/// order in which the parts' gradient sums are added (1e-12 of each weight's size), and `--bench`
/// says how many threads the steps took. The score of 300 rows is cut likewise, and says the same.
#[test]
fn a_cnn_step_shared_by_two_threads_trains_as_one_thread() {
    let file = scratch_file(
        "cnn-parts.nabla",
        "input X[1, 12, 12]\ntarget y : index(3)\nparam K[8, 1, 3, 3] ~ he\nparam b[8] ~ zeros\n\
         param W[3, 288] ~ xavier\nh = max_pool(relu(conv2d(X, K, b, 1, 1)), 2)\n\
         loss L = cross_entropy(softmax(W @ flatten(h)), y)\n\
         optimizer sgd(lr = 0.05, momentum = 0.9)\ntrain(epochs = 2, batch = 100, seed = 3)\n",
    );
    let trainer = trainer(&file, "f64");
    let mut numbers = crate::codegen::Numbers(31);
    let rows: String = (0..300)
        .map(|_| {
            let pixels: Vec<String> = (0..144)
                .map(|_| format!("{:?}", numbers.next(0.0, 1.0)))
                .collect();
            let class = (numbers.next(0.0, 3.0) as usize).min(2);
            format!("{},{class}\n", pixels.join(","))
        })
        .collect();
    let data = trainer.write("images.csv", &rows);
    // A trainer takes no more threads than the processor has cores.
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut weights = Vec::new();
    for threads in ["1", "2"] {
        let save = format!("w{threads}.json");
        let run = trainer.run(&[
            "train",
            &data,
            "--threads",
            threads,
            "--save",
            &save,
            "--quiet",
            "--bench",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let took = if threads == "1" || cores < 2 {
            "1 thread)"
        } else {
            "2 threads)"
        };
        assert!(
            run.stdout.contains(took),
            "--threads {threads}: {}",
            run.stdout
        );
        weights.push(std::fs::read_to_string(trainer.dir.join(&save)).expect("saved"));
    }
    let scores: Vec<String> = ["1", "2"]
        .iter()
        .map(|threads| {
            let run = trainer.run(&["eval", &data, "--weights", "w1.json", "--threads", threads]);
            assert_eq!(run.code, 0, "{}", run.stderr);
            assert!(run.stdout.contains("accuracy"), "{}", run.stdout);
            run.stdout
        })
        .collect();
    assert_eq!(scores[0], scores[1], "the score on one thread and on two");
    for name in ["K", "b", "W"] {
        let one = crate::codegen::numbers_under(&weights[0], name);
        let two = crate::codegen::numbers_under(&weights[1], name);
        assert_eq!(one.len(), two.len(), "{name}");
        let size = one.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
        for (k, (a, b)) in one.iter().zip(&two).enumerate() {
            assert!(
                (a - b).abs() <= 1e-12 * size,
                "{name}[{k}]: one thread {a:?}, two threads {b:?}"
            );
        }
        if cores >= 2 && name != "b" {
            assert!(
                one != two,
                "{name}: the parts' sums were added in no other order"
            );
        }
    }
}
