//! Trainers generated in Vietnamese (`nabla gen --lang vi`): their README, `--help`, progress,
//! results and every error are in Vietnamese, and they do exactly what the English trainer of
//! the same network does (exit codes, weights, results, the place of every error). The English
//! trainer says no Vietnamese word, the Vietnamese one no English word, by the words of the
//! catalogues as `languages.rs` counts them.

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use nabla::codegen::{self, Dtype};
use nabla::words::Language;

use crate::codegen::{Trainer, trainer_in};
use crate::languages::{
    catalogue_words, found_in, is_vietnamese_letter, language_words, own_text, tokens,
};
use crate::support::{root, skipped};

/// A network, the data it trains on (a file of the repository, or rows), and files a user gets
/// wrong.
struct Network {
    file: &'static str,
    data: &'static str,
    /// A row whose cell is no number, and rows of the wrong width.
    bad_cell: &'static str,
    wrong_width: &'static str,
    short_row: &'static str,
    /// Rows with a class label the weights do not know, for a network with a class column.
    unknown_label: Option<&'static str>,
    /// Options of a run that diverges, for a network that can.
    diverging: Option<&'static [&'static str]>,
}

const NETWORKS: [Network; 4] = [
    Network {
        file: "examples/xor.nabla",
        data: "examples/data/xor.csv",
        bad_cell: "x1,x2,y\n0,1,1\n1,abc,0\n",
        wrong_width: "0,1\n",
        short_row: "0,1,1\n1,1\n",
        unknown_label: None,
        diverging: None,
    },
    Network {
        file: "examples/iris.nabla",
        data: "examples/data/iris-species.csv",
        bad_cell: "a,b,c,d,species\n5.1,3.5,1.4,0.2,setosa\n4.9,,1.4,0.2,setosa\n",
        wrong_width: "5.1,3.5,1.4,0.2,setosa,1\n",
        short_row: "5.1,3.5,1.4,0.2,setosa\n4.9,3.0,1.4\n",
        unknown_label: Some("5.1,3.5,1.4,0.2,setosa\n5,3,1,0.2,setossa\n"),
        diverging: None,
    },
    Network {
        file: "examples/batch-normalization.nabla",
        data: "examples/data/iris.csv",
        bad_cell: "5.1,3.5,1.4,0.2,0\n4.9,3.0,1e999,0.2,0\n",
        wrong_width: "5.1,3.5,1.4\n",
        short_row: "5.1,3.5,1.4,0.2,0\n4.9,3.0,1.4,0.2\n",
        unknown_label: None,
        diverging: None,
    },
    Network {
        file: "tests/fixtures/codegen/linear.nabla",
        data: "1,2,0.5\n3,-1,2\n2,2,-1\n",
        bad_cell: "1,2,0.5\n3,-,2\n",
        wrong_width: "1,2,0.5,4\n",
        short_row: "1,2,0.5\n3\n",
        unknown_label: None,
        diverging: Some(&["--lr", "1e10", "--epochs", "100"]),
    },
];

/// The numbers a text holds, in order: what a result says in any language.
fn numbers(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .filter(|s| s.chars().any(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

/// Where each error of a run is: the `file:line:column` its lines start with, after the
/// language's word for "error".
fn places(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|line| line.split_once(": ").map(|(_, rest)| rest))
        .filter_map(|rest| rest.split_once(": ").map(|(place, _)| place))
        .filter(|place| place.matches(':').count() == 2)
        .map(str::to_string)
        .collect()
}

/// `output` without the trainer's options (`--save-every`) and fenced code blocks: interface, no
/// one's words.
fn without_interface(output: &str) -> String {
    let mut text = String::new();
    let mut fenced = false;
    for line in output.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // An option, `--save-every`: the program's interface.
        let mut rest = line;
        while let Some(at) = rest.find("--") {
            text.push_str(&rest[..at]);
            let option = &rest[at + 2..];
            let end = option
                .find(|c: char| !(c.is_ascii_lowercase() || c == '-'))
                .unwrap_or(option.len());
            text.push(' ');
            rest = &option[end..];
        }
        text.push_str(rest);
        text.push('\n');
    }
    text
}

/// The words a trainer's output may hold in any language: the .nabla language's, the file's
/// names, the program's and its commands' names, and the data's header and labels.
fn allowed(network: &Network) -> BTreeSet<String> {
    let mut words = language_words();
    let source = std::fs::read_to_string(root().join(network.file)).expect("the network");
    for line in source.lines() {
        words.extend(tokens(line.split('#').next().unwrap_or("")));
    }
    words.extend(tokens(network.file));
    let data = std::fs::read_to_string(root().join(network.data)).unwrap_or_default();
    words.extend(tokens(&data));
    words.extend(["train", "eval", "predict", "help"].map(String::from));
    words
}

/// What one language's trainer may not say: the words only the other language's catalogue has.
struct Foreign {
    english: BTreeSet<String>,
    vietnamese: BTreeSet<String>,
}

fn foreign() -> Foreign {
    let (en, vi) = (catalogue_words("en"), catalogue_words("vi"));
    Foreign {
        english: en.difference(&vi).cloned().collect(),
        vietnamese: vi.difference(&en).cloned().collect(),
    }
}

/// The problems of language in what the English and the Vietnamese trainer said.
fn purity(
    what: &str,
    (english, vietnamese): (&str, &str),
    given: &[String],
    allowed: &BTreeSet<String>,
    foreign: &Foreign,
) -> Vec<String> {
    let mut problems = Vec::new();
    let (english, vietnamese) = (without_interface(english), without_interface(vietnamese));
    let words = found_in(&foreign.english, allowed, &vietnamese, given);
    if !words.is_empty() {
        problems.push(format!(
            "{what} in Vietnamese: English {words:?}\n{vietnamese}"
        ));
    }
    let words = found_in(&foreign.vietnamese, allowed, &english, given);
    if !words.is_empty() {
        problems.push(format!(
            "{what} in English: Vietnamese {words:?}\n{english}"
        ));
    }
    if own_text(&english, given).chars().any(is_vietnamese_letter) {
        problems.push(format!("{what} in English: Vietnamese letters\n{english}"));
    }
    problems
}

/// Writes `contents` as `name` into both trainers' directories.
fn write_both(trainers: (&Trainer, &Trainer), name: &str, contents: &str) -> String {
    trainers.0.write(name, contents);
    trainers.1.write(name, contents)
}

#[test]
fn a_vietnamese_trainer_says_everything_in_vietnamese_and_does_what_the_english_one_does() {
    let foreign = foreign();
    let mut problems = Vec::new();
    for network in &NETWORKS {
        let (en, vi) = (
            trainer_in(network.file, "f64", "en"),
            trainer_in(network.file, "f64", "vi"),
        );
        let both = (&en, &vi);
        let allowed = allowed(network);
        let data = if network.data.ends_with(".csv") {
            root().join(network.data).to_string_lossy().into_owned()
        } else {
            write_both(both, "languages-data.csv", network.data)
        };
        let readme =
            |t: &Trainer| std::fs::read_to_string(t.dir.join("README.md")).expect("a README");
        problems.extend(purity(
            &format!("{} README.md", network.file),
            (&readme(&en), &readme(&vi)),
            &[],
            &allowed,
            &foreign,
        ));
        let bad_cell = write_both(both, "languages-bad-cell.csv", network.bad_cell);
        let wrong_width = write_both(both, "languages-wrong-width.csv", network.wrong_width);
        let short_row = write_both(both, "languages-short-row.csv", network.short_row);
        let not_a_parameter = write_both(both, "languages-not-a-parameter.json", "{\"nope\": 1}\n");
        let truncated = write_both(both, "languages-truncated.json", "{\"W1\": [[1, 2]");
        let not_json = write_both(both, "languages-not-json.json", "weights\n");
        let mut runs: Vec<Vec<&str>> = vec![
            vec!["--help"],
            vec!["frobnicate"],
            vec!["train"],
            vec!["train", &data, "--lr", "-1"],
            vec!["train", &data, "--epochs"],
            vec!["train", &data, "--epochs", "many"],
            vec!["eval", &data],
            vec!["eval", &data, "--epochs", "3"],
            vec![
                "train",
                &data,
                "--epochs",
                "3",
                "--save",
                "languages-w.json",
                "--log",
                "languages-log.csv",
            ],
            vec![
                "train",
                &data,
                "--epochs",
                "2",
                "--init",
                "languages-w.json",
                "--bench",
                "--quiet",
            ],
            vec!["eval", &data, "--weights", "languages-w.json"],
            vec!["predict", &data, "--weights", "languages-w.json"],
            vec!["train", &bad_cell, "--epochs", "1"],
            vec!["train", &wrong_width, "--epochs", "1"],
            vec!["eval", &short_row, "--weights", "languages-w.json"],
            vec!["eval", &data, "--weights", &not_a_parameter],
            vec!["eval", &data, "--weights", &truncated],
            vec!["predict", &data, "--weights", &not_json],
        ];
        let unknown;
        if let Some(rows) = network.unknown_label {
            unknown = write_both(both, "languages-unknown-label.csv", rows);
            runs.push(vec!["eval", &unknown, "--weights", "languages-w.json"]);
        }
        if let Some(options) = network.diverging {
            let mut run = vec!["train", data.as_str(), "--quiet"];
            run.extend(options);
            runs.push(run);
        }
        for args in runs {
            let what = format!("{} {}", network.file, args.join(" "));
            let (english, vietnamese) = (en.run(&args), vi.run(&args));
            assert_eq!(
                english.code, vietnamese.code,
                "{what}: exit codes\n{}\n{}",
                english.stderr, vietnamese.stderr
            );
            // What training printed first is how long it took; the weights say what it did.
            let results = |stdout: &str| match args[0] {
                "train" => numbers(stdout.split_once('\n').map_or("", |(_, rest)| rest)),
                _ => numbers(stdout),
            };
            let (ours, theirs) = (results(&vietnamese.stdout), results(&english.stdout));
            if args[0] == "--help" {
                assert_eq!(english.code, 0, "{what}");
            } else if !args.contains(&"--bench") {
                assert_eq!(
                    ours, theirs,
                    "{what}: results\n{}\n{}",
                    english.stdout, vietnamese.stdout
                );
            }
            assert_eq!(
                places(&english.stderr),
                places(&vietnamese.stderr),
                "{what}: places of the errors\n{}\n{}",
                english.stderr,
                vietnamese.stderr
            );
            let given: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            problems.extend(purity(
                &what,
                (
                    &format!("{}\n{}", english.stdout, english.stderr),
                    &format!("{}\n{}", vietnamese.stdout, vietnamese.stderr),
                ),
                &given,
                &allowed,
                &foreign,
            ));
            if args.contains(&"--save") {
                let saved =
                    |t: &Trainer| std::fs::read_to_string(t.dir.join("languages-w.json")).ok();
                assert_eq!(saved(&en), saved(&vi), "{what}: the weights");
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// The Vietnamese trainer of XOR as its reader sees it: the README, the command line and the
/// program's words.
#[test]
fn the_vietnamese_xor_trainer() {
    let source = std::fs::read_to_string(root().join("examples/xor.nabla")).expect("xor");
    let model = nabla::compile(&source).0.expect("xor is valid");
    let options = codegen::Options {
        dtype: Dtype::F64,
        package: "xor".to_string(),
        source: "xor.nabla".to_string(),
        language: Language::Vietnamese,
    };
    let files = codegen::generate(&model, &options).expect("xor generates");
    for name in ["README.md", "src/main.rs", "src/words.rs"] {
        let file = files.iter().find(|f| f.path == name).expect("the file");
        let snapshot = format!("vietnamese_xor_{}", name.replace(['/', '.'], "_"));
        insta::assert_snapshot!(snapshot, file.contents);
    }
}

/// Every phrase the trainer's templates call exists, and the words of every trainer phrase, in
/// every language, are laid out as rustfmt lays them out.
#[test]
fn every_trainer_phrase_becomes_rust_that_rustfmt_keeps() {
    let mut called = BTreeSet::new();
    let dir = root().join("templates/trainer/src");
    for entry in std::fs::read_dir(&dir).expect("the templates") {
        let text = std::fs::read_to_string(entry.expect("an entry").path()).expect("a template");
        called.extend(codegen::words::called(&text));
    }
    assert!(called.contains("cannot_read"), "{called:?}");
    let all: BTreeSet<String> = nabla::words::phrase::IDS
        .iter()
        .filter_map(|id| id.strip_prefix(codegen::words::PREFIX))
        .map(|id| id.replace('-', "_"))
        .collect();
    let missing: Vec<&String> = called.difference(&all).collect();
    assert!(
        missing.is_empty(),
        "the templates call words without a phrase: {missing:?}"
    );
    for language in Language::ALL {
        let module =
            codegen::words::module(language, &all).unwrap_or_else(|problem| panic!("{problem}"));
        if Command::new("rustfmt").arg("--version").output().is_err() {
            skipped(
                "every_trainer_phrase_becomes_rust_that_rustfmt_keeps",
                "no rustfmt",
            );
            return;
        }
        let mut child = Command::new("rustfmt")
            .args(["--edition", "2024", "--emit", "stdout"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("rustfmt runs");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().expect("piped");
            stdin.write_all(module.as_bytes()).expect("rustfmt reads");
        }
        let output = child.wait_with_output().expect("rustfmt finishes");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let formatted = String::from_utf8_lossy(&output.stdout);
        let differs: Vec<(&str, &str)> = module
            .lines()
            .zip(formatted.lines())
            .filter(|(a, b)| a != b)
            .take(3)
            .collect();
        assert!(
            differs.is_empty() && module.lines().count() == formatted.lines().count(),
            "rustfmt lays out {language:?} words otherwise: {differs:?}"
        );
    }
}

/// A run stopped by SIGTERM says where it stopped, where its weights are and how to go on, in
/// Vietnamese, with the same exit code as the English trainer's.
#[test]
fn a_vietnamese_run_stopped_by_sigterm_says_how_to_go_on() {
    let trainer = trainer_in("examples/xor.nabla", "f64", "vi");
    let data = root().join("examples/data/xor.csv");
    let data = data.to_string_lossy();
    let save = "languages-stopped.json";
    let child = crate::codegen::long_run(&trainer, &data, save, &[]);
    std::thread::sleep(std::time::Duration::from_millis(1000));
    let output = crate::codegen::terminated(child);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    assert!(
        stderr.starts_with("đã dừng vì SIGTERM sau epoch "),
        "{stderr}"
    );
    let saved = format!("; trọng số đã được lưu vào {save}.\nĐể chạy tiếp từ đó: xor train ");
    assert!(stderr.contains(&saved), "{stderr}");
    assert!(trainer.dir.join(save).exists());
    let foreign = foreign();
    let given = [data.to_string(), save.to_string()];
    let words = found_in(&foreign.english, &allowed(&NETWORKS[0]), &stderr, &given);
    assert!(words.is_empty(), "English {words:?} in {stderr}");
}

/// A phrase with a count says the form of its number, for one and for many, in both targets
/// and both languages: `trained 1 epoch on 1 row`, `trained 2 epochs on 4 rows`, `a short row:
/// 1 column`, `2 columns`.
#[test]
fn a_count_of_one_speaks_in_the_singular_and_more_in_the_plural() {
    let test = "a_count_of_one_speaks_in_the_singular_and_more_in_the_plural";
    let xor = std::fs::read_to_string(root().join("examples/data/xor.csv")).expect("the data");
    let one_row: String = xor.lines().take(2).map(|l| format!("{l}\n")).collect();
    // A short row of one cell, and one of two: `x1,x2,y` needs three.
    let short = "x1,x2,y\n1\n";
    let shorter = "x1,x2,y\n1,0\n";
    let expected = |lang: &str| match lang {
        "en" => [
            "trained 1 epoch on 1 row in ",
            "trained 2 epochs on 4 rows in ",
            "a short row: 1 column, where",
            "a short row: 2 columns, where",
        ],
        _ => [
            "đã huấn luyện 1 epoch trên 1 hàng trong ",
            "đã huấn luyện 2 epoch trên 4 hàng trong ",
            " 1 cột, trong khi",
            " 2 cột, trong khi",
        ],
    };
    let runs = |dir: &std::path::Path| -> Vec<Vec<String>> {
        for (name, text) in [
            ("one-row.csv", one_row.as_str()),
            ("four-rows.csv", xor.as_str()),
            ("short.csv", short),
            ("shorter.csv", shorter),
        ] {
            std::fs::write(dir.join(name), text).expect("the data is written");
        }
        [
            ["train", "one-row.csv", "--epochs", "1", "--quiet"],
            ["train", "four-rows.csv", "--epochs", "2", "--quiet"],
            ["train", "short.csv", "--epochs", "1", "--quiet"],
            ["train", "shorter.csv", "--epochs", "1", "--quiet"],
        ]
        .iter()
        .map(|args| args.iter().map(|a| a.to_string()).collect())
        .collect()
    };
    let check = |target: &str, lang: &str, results: Vec<crate::support::Run>| {
        for (run, wanted) in results.iter().zip(expected(lang)) {
            let said = format!("{}{}", run.stdout, run.stderr);
            assert!(
                said.contains(wanted),
                "{target} ({lang}) does not say `{wanted}`:\n{said}"
            );
        }
    };
    for lang in ["en", "vi"] {
        let trainer = trainer_in("examples/xor.nabla", "f64", lang);
        let results = runs(&trainer.dir)
            .iter()
            .map(|args| {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                trainer.run(&args)
            })
            .collect();
        check("the Rust trainer", lang, results);
    }
    let python = match crate::support::torch_python() {
        Ok(python) => python,
        Err(why) => return skipped(test, &why),
    };
    for lang in ["en", "vi"] {
        let dir = crate::pytorch_target::project(
            &format!("{test}-{lang}"),
            "examples/xor.nabla",
            &["--lang", lang],
        );
        let commands: Vec<(std::path::PathBuf, Vec<String>)> = runs(&dir)
            .into_iter()
            .map(|args| (dir.clone(), args))
            .collect();
        let results = crate::pytorch_target::run_python(&python, test, &commands);
        check("train.py", lang, results);
    }
}
