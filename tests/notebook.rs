//! `nabla explain --format ipynb`: a Jupyter notebook of the worked step whose code cells check
//! it with PyTorch.
//!
//! Every notebook must be valid nbformat, hold no outputs, carry the Markdown page's prose, and
//! speak one language. Run, every difference its code cells print from the worked values must be
//! below 10⁻¹². A representative set (a scalar network, a vector one on rows of a data file, a
//! batch, batch statistics, embeddings, several steps, momentum and Adam, a convolution with
//! max pooling, a batch of images reduced along axes, in both languages) runs
//! as Jupyter runs it: top to bottom on a fresh kernel (nbclient). Every example and fixture, in
//! both languages, runs its code cells in one Python process, which takes no kernel's start-up.
//! The Python side is `tests/notebook.py`; without a Python that has torch, nbformat, nbclient
//! and ipykernel (scripts/python-env.sh makes one) those checks say they are skipped.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value as Json;

use crate::languages::{catalogue_words, file_words, foreign_text, language_words};
use crate::support::{nabla, root, skipped};

/// The notebooks run on a fresh kernel each: the arguments after `explain`, and the language.
const ON_A_KERNEL: &[(&[&str], &str)] = &[
    // A scalar network, element by element, and three steps.
    (&["examples/xor.nabla", "--steps", "3"], "en"),
    // A vector network on rows of a data file.
    (
        &[
            "examples/iris.nabla",
            "--data",
            "examples/data/iris.csv",
            "--rows",
            "48..55",
        ],
        "vi",
    ),
    // A batch of examples (`each`).
    (&["examples/classics/planar-2-4-1.nabla"], "en"),
    // Batch statistics.
    (&["examples/batch-normalization.nabla"], "vi"),
    // Indices and embeddings, three steps.
    (&["examples/embedding.nabla", "--steps", "3"], "en"),
    // Adam, three steps.
    (
        &["tests/fixtures/explain/mse-adam.nabla", "--steps", "3"],
        "vi",
    ),
    // Momentum, a relu on its kink.
    (
        &[
            "tests/fixtures/explain/relu-kink-momentum.nabla",
            "--steps",
            "3",
        ],
        "en",
    ),
    // A convolution with padding and a bias per channel, max pooling, three steps.
    (
        &["tests/fixtures/tensors/small-cnn.nabla", "--steps", "3"],
        "vi",
    ),
    // A batch of images: stride, a mean and a sum along axes.
    (&["tests/fixtures/tensors/cnn-batch.nabla"], "en"),
];

/// The Python of the notebook tests, if it has what they need.
fn python() -> Option<PathBuf> {
    let venv = std::env::var_os("NABLA_TORCH_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/nabla-torch-venv"));
    let python = venv.join("bin").join("python");
    let ok = Command::new(&python)
        .args(["-c", "import torch, numpy, nbformat, nbclient, ipykernel"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(python)
}

/// Every example, every explain fixture and every network of tensors that gives the values of a
/// worked step (a network for trainers only, such as examples/cnn-digits.nabla, has none to
/// explain), with three steps where the file has parameters.
fn every_file() -> Vec<Vec<String>> {
    let mut files: Vec<PathBuf> = crate::support::examples();
    let mut fixtures: Vec<PathBuf> = ["tests/fixtures/explain", "tests/fixtures/tensors"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root().join(dir)).expect("the fixtures"))
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "nabla"))
        .map(|p| PathBuf::from(crate::support::relative(&p)))
        .collect();
    fixtures.sort();
    files.extend(fixtures);
    files
        .iter()
        .filter_map(|file| {
            let path = crate::support::relative(file);
            let text = std::fs::read_to_string(root().join(&path)).expect("a .nabla file");
            let model = nabla::compile(&text).0.expect("a valid network");
            if model.declarations.iter().any(|d| d.init.is_none()) {
                return None;
            }
            let mut args = vec![path];
            if text
                .lines()
                .any(|line| line.trim_start().starts_with("param "))
            {
                args.extend(["--steps".to_string(), "3".to_string()]);
            }
            Some(args)
        })
        .collect()
}

/// `nabla --lang LANG explain ARGS --format ipynb`, which must succeed.
fn notebook(args: &[&str], language: &str) -> String {
    let mut full = vec!["--lang", language, "explain"];
    full.extend(args);
    full.extend(["--format", "ipynb"]);
    let run = nabla(&full, None);
    assert_eq!(run.code, 0, "nabla {}:\n{}", full.join(" "), run.stderr);
    run.stdout
}

fn parse(text: &str) -> Json {
    serde_json::from_str(text).expect("a notebook is JSON")
}

/// A cell's source as one string (nbformat stores a list of lines).
fn source(cell: &Json) -> String {
    match &cell["source"] {
        Json::Array(lines) => lines.iter().filter_map(Json::as_str).collect(),
        Json::String(text) => text.clone(),
        _ => String::new(),
    }
}

fn cells<'a>(notebook: &'a Json, kind: &'a str) -> impl Iterator<Item = &'a Json> {
    notebook["cells"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(move |cell| cell["cell_type"] == kind)
}

/// The sentence the last cell prints when every value agrees, up to the largest difference.
fn agreement(language: nabla::words::Language) -> String {
    let said = language.say(&nabla::words::phrase::explain_notebook_agrees(
        "LARGEST", "1e-12",
    ));
    said.split("LARGEST").next().unwrap_or_default().to_string()
}

fn language_of(tag: &str) -> nabla::words::Language {
    match tag {
        "vi" => nabla::words::Language::Vietnamese,
        _ => nabla::words::Language::English,
    }
}

#[test]
fn notebooks_validate_run_and_agree_with_the_worked_step() {
    let Some(python) = python() else {
        skipped(
            "notebook::notebooks_validate_run_and_agree_with_the_worked_step",
            "no Python with torch, numpy, nbformat, nbclient and ipykernel \
             (scripts/python-env.sh makes one; NABLA_TORCH_VENV names it)",
        );
        return;
    };
    let directory =
        std::env::temp_dir().join(format!("nabla-notebook-test-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("a scratch directory");
    let mut jobs = Vec::new();
    let mut write = |args: &[&str], language: &str, kernel: bool| {
        let text = notebook(args, language);
        let path = directory.join(format!("{}.ipynb", jobs.len()));
        std::fs::write(&path, text).expect("the notebook is written");
        jobs.push((
            format!("{} ({language})", args.join(" ")),
            language.to_string(),
            serde_json::json!({
                "path": path.to_string_lossy(),
                "kernel": kernel,
                "directory": directory.to_string_lossy(),
            }),
        ));
    };
    for (args, language) in ON_A_KERNEL {
        write(args, language, true);
    }
    for args in every_file() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        for language in ["en", "vi"] {
            write(&args, language, false);
        }
    }
    let input = serde_json::to_string(&jobs.iter().map(|(.., job)| job).collect::<Vec<_>>())
        .expect("the jobs as JSON");
    let mut child = Command::new(&python)
        .arg(root().join("tests/notebook.py"))
        .current_dir(&directory)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        stdin
            .write_all(input.as_bytes())
            .expect("the jobs are written");
    }
    let output = child.wait_with_output().expect("python finishes");
    let _ = std::fs::remove_dir_all(&directory);
    assert!(
        output.status.success(),
        "tests/notebook.py failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<Json> =
        serde_json::from_slice(&output.stdout).expect("tests/notebook.py writes JSON");
    assert_eq!(results.len(), jobs.len());

    let mut problems = Vec::new();
    for ((command, language, _), result) in jobs.iter().zip(&results) {
        let printed = result["printed"].as_str().unwrap_or_default();
        if let Some(invalid) = result["invalid"].as_str() {
            problems.push(format!("{command}: not valid nbformat: {invalid}"));
            continue;
        }
        if let Some(error) = result["error"].as_str() {
            problems.push(format!("{command}: stopped: {error}\n{printed}"));
            continue;
        }
        let differences = result["differences"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let gradients = differences
            .iter()
            .filter(|d| d[0].as_str().is_some_and(|label| label.starts_with('∂')))
            .count();
        if gradients == 0 {
            problems.push(format!("{command}: no gradient compared\n{printed}"));
        }
        for difference in &differences {
            match difference[1].as_f64() {
                Some(d) if d < 1e-12 => {}
                _ => problems.push(format!("{command}: {difference} is not below 1e-12")),
            }
        }
        if !printed.contains(&agreement(language_of(language))) {
            problems.push(format!("{command}: no agreement printed\n{printed}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn a_notebook_holds_no_outputs_and_the_markdown_page() {
    for (args, language) in ON_A_KERNEL {
        let text = notebook(args, language);
        let notebook = parse(&text);
        assert_eq!(notebook["nbformat"], 4);
        assert!(notebook["nbformat_minor"].as_u64() >= Some(4));
        assert_eq!(notebook["metadata"]["kernelspec"]["language"], "python");
        let mut ids = BTreeSet::new();
        for cell in notebook["cells"].as_array().expect("cells") {
            let id = cell["id"].as_str().expect("every cell has an id");
            assert!(ids.insert(id.to_string()), "{args:?}: the id {id} twice");
        }
        for cell in cells(&notebook, "code") {
            assert_eq!(cell["outputs"], Json::Array(Vec::new()), "{args:?}");
            assert_eq!(cell["execution_count"], Json::Null, "{args:?}");
        }
        // The prose is the Markdown page, cut into cells: the notebook adds only what its code
        // does and the HTML page's pictures.
        let own = ["how", "graph", "plot"];
        let prose: Vec<String> = cells(&notebook, "markdown")
            .filter(|cell| !own.contains(&cell["id"].as_str().unwrap_or_default()))
            .map(source)
            .collect();
        let mut markdown_args = vec!["--lang", language, "explain"];
        markdown_args.extend(*args);
        markdown_args.extend(["--format", "markdown"]);
        let markdown = nabla(&markdown_args, None).stdout;
        let squeeze = |text: &str| {
            text.lines()
                .filter(|line| !line.trim().is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            squeeze(&prose.join("\n")),
            squeeze(&markdown),
            "{args:?}: the notebook's prose is not the Markdown page"
        );
        let ids: Vec<&str> = notebook["cells"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["id"].as_str())
            .collect();
        assert!(ids.contains(&"graph"), "{args:?}: no computational graph");
        let steps = args.contains(&"--steps");
        assert_eq!(ids.contains(&"plot"), steps, "{args:?}: the loss curve");
        assert_eq!(
            ids.contains(&"steps-code"),
            steps,
            "{args:?}: the steps' check"
        );
    }
}

/// What a reader reads of a notebook: the prose of its Markdown cells without the images' data,
/// and the comments and strings of its code cells (Python's own words are code).
fn read_text(notebook: &Json) -> String {
    let mut text = String::new();
    for cell in cells(notebook, "markdown") {
        let mut prose = source(cell);
        while let Some(start) = prose.find("(data:") {
            let end = prose[start..]
                .find(')')
                .map_or(prose.len(), |e| start + e + 1);
            prose.replace_range(start..end, " ");
        }
        text.push_str(&prose);
        text.push('\n');
    }
    for cell in cells(notebook, "code") {
        for line in source(cell).lines() {
            let mut quoted = false;
            let mut literal = String::new();
            for (i, c) in line.char_indices() {
                match c {
                    '"' => {
                        if quoted {
                            // An f-string's fields are code.
                            text.push_str(&strip_fields(&literal));
                            text.push('\n');
                            literal.clear();
                        }
                        quoted = !quoted;
                    }
                    '#' if !quoted => {
                        text.push_str(&line[i + 1..]);
                        text.push('\n');
                        break;
                    }
                    c if quoted => literal.push(c),
                    _ => {}
                }
            }
        }
    }
    text
}

/// `text` without its `{…}` fields.
fn strip_fields(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn each_notebook_speaks_only_its_language() {
    let english = catalogue_words("en");
    let vietnamese = catalogue_words("vi");
    let only_english: BTreeSet<String> = english.difference(&vietnamese).cloned().collect();
    let only_vietnamese: BTreeSet<String> = vietnamese.difference(&english).cloned().collect();
    let mut problems = Vec::new();
    for args in every_file() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut allowed = language_words();
        allowed.extend(file_words(&root().join(args[0])));
        let given: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        for (language, foreign) in [("vi", &only_english), ("en", &only_vietnamese)] {
            let text = read_text(&parse(&notebook(&args, language)));
            // The code cells' comments and messages are read too.
            let comment =
                language_of(language).say(&nabla::words::phrase::explain_notebook_backward());
            let message =
                language_of(language).say(&nabla::words::phrase::explain_notebook_differences());
            assert!(text.contains(&comment) && text.contains(&message), "{text}");
            let found = foreign_text(language, foreign, &allowed, &text, &given);
            if !found.is_empty() {
                problems.push(format!("{} ({language}): {found:?}", args.join(" ")));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "words of the other language:\n{}",
        problems.join("\n")
    );
}

/// A notebook as a reader reviews it: each cell after a line naming its kind and id, the
/// images' data elided (their size kept).
fn review(notebook: &Json) -> String {
    let mut out = String::new();
    for cell in notebook["cells"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "──── {} {}\n",
            cell["cell_type"].as_str().unwrap_or_default(),
            cell["id"].as_str().unwrap_or_default()
        ));
        let mut text = source(cell);
        let marker = "data:image/svg+xml;base64,";
        let mut from = 0;
        while let Some(start) = text[from..].find(marker).map(|s| from + s + marker.len()) {
            let end = text[start..].find(')').map_or(text.len(), |e| start + e);
            let elided = format!("…{} bytes", end - start);
            text.replace_range(start..end, &elided);
            from = start + elided.len();
        }
        out.push_str(&text);
        out.push_str("\n\n");
    }
    out
}

#[test]
fn a_small_notebook_reads_well() {
    let args = ["examples/classics/sigmoid-neuron.nabla", "--steps", "3"];
    insta::assert_snapshot!(review(&parse(&notebook(&args, "en"))));
}

/// The images are SVG documents, whole.
#[test]
fn the_pictures_are_svg_documents() {
    let text = notebook(&["examples/xor.nabla", "--steps", "5"], "en");
    let notebook = parse(&text);
    let mut pictures = 0;
    for cell in cells(&notebook, "markdown") {
        let source = source(cell);
        let marker = "data:image/svg+xml;base64,";
        if let Some(start) = source.find(marker).map(|s| s + marker.len()) {
            let end = source[start..]
                .find(')')
                .map_or(source.len(), |e| start + e);
            let svg = decode_base64(&source[start..end]);
            let svg = String::from_utf8(svg).expect("UTF-8");
            let document = roxmltree::Document::parse(&svg).expect("an XML document");
            assert_eq!(document.root_element().tag_name().name(), "svg");
            assert_eq!(
                document.root_element().tag_name().namespace(),
                Some("http://www.w3.org/2000/svg"),
                "an image of its own declares its namespace"
            );
            pictures += 1;
        }
    }
    assert_eq!(pictures, 2, "the graph and the loss curve");
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {}", c as char),
    };
    let mut out = Vec::new();
    for chunk in text.trim_end_matches('=').as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(value(c)) << (18 - 6 * i);
        }
        for i in 0..chunk.len().saturating_sub(1) {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}
