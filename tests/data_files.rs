//! Examples from data files (`explain --data`): the generated trainers' columns, read exactly,
//! and every problem at its line and column.

use nabla::data::{self, DataError, Table};
use num_rational::BigRational;

use crate::support::root;

fn model(source: &str) -> nabla::ir::Model {
    nabla::compile(source).0.expect("a valid network")
}

fn iris() -> nabla::ir::Model {
    let source = std::fs::read_to_string(root().join("examples/iris.nabla")).expect("iris");
    model(&source)
}

fn bundled(file: &str) -> String {
    std::fs::read_to_string(root().join("examples/data").join(file)).expect("a bundled data set")
}

fn exact(text: &str) -> BigRational {
    data::number(text).expect("a number")
}

/// The values of a row, declaration by declaration, as exact decimals.
fn row(table: &Table, k: usize) -> Vec<Vec<String>> {
    table.rows[k]
        .iter()
        .map(|t| t.data().iter().map(ToString::to_string).collect())
        .collect()
}

fn error(source: &str, text: &str) -> DataError {
    data::read(text, &model(source)).expect_err("a problem in the file")
}

#[test]
fn iris_rows_are_its_measurements_and_a_one_hot_class() {
    let table = data::read(&bundled("iris.csv"), &iris()).expect("iris.csv reads");
    assert_eq!(table.rows.len(), 150);
    assert_eq!(table.lines[0], 2, "the header is line 1");
    assert_eq!(
        row(&table, 0),
        [vec!["51/10", "7/2", "7/5", "1/5"], vec!["1", "0", "0"]]
    );
    assert_eq!(row(&table, 149)[1], ["0", "0", "1"]);
    assert!(table.labels.is_empty());
}

#[test]
fn text_labels_are_numbered_as_they_first_appear() {
    let table = data::read(&bundled("iris-species.csv"), &iris()).expect("iris-species.csv reads");
    assert_eq!(table.labels, ["setosa", "versicolor", "virginica"]);
    assert_eq!(row(&table, 50)[1], ["0", "1", "0"]);
}

#[test]
fn an_index_is_one_whole_number_column_and_a_class_may_be_a_label() {
    let source = "input c : index(4)\ninput x[2]\ntarget y : index(3)\nparam C[4, 2] ~ zeros\n\
                  param W[3, 2] ~ zeros\nloss L = cross_entropy(softmax(W @ (C[c] + x)), y)\n";
    let table = data::read(
        "c,x0,x1,y\n3, 0.5,-1,cat\n0,\"2\",1e-1,dog\n1,0,0,cat\n",
        &model(source),
    )
    .expect("reads");
    assert_eq!(row(&table, 0), [vec!["3"], vec!["1/2", "-1"], vec!["0"]]);
    assert_eq!(row(&table, 1), [vec!["0"], vec!["2", "1/10"], vec!["1"]]);
    assert_eq!(table.labels, ["cat", "dog"]);
    let problem = error(source, "3,0,0,0\n4,0,0,1\n");
    assert_eq!((problem.line, problem.column), (2, 1));
    assert_eq!(
        problem.message.english(),
        "`4` is not an index: c takes whole numbers 0 to 3 (c)"
    );
    let problem = error(source, "c,x0,x1,y\n1.5,0,0,0\n");
    assert_eq!((problem.line, problem.column), (2, 1));
    assert!(
        problem
            .message
            .english()
            .starts_with("`1.5` is not an index"),
        "{}",
        problem.message.english()
    );
}

#[test]
fn quotes_marks_and_line_endings_as_spreadsheets_write_them() {
    let source = "input x[2]\ntarget t\nparam w[2] ~ zeros\nloss L = (sum(w * x) - t)^2\n";
    let text = "\u{feff}\"a, b\",\"x \"\"1\"\"\",t\r\"0.5\", 2 ,3\r\r-.5,+4,1e2\r";
    let table = data::read(text, &model(source)).expect("reads");
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[0][0].data()[0], exact("0.5"));
    assert_eq!(table.rows[0][0].data()[1], exact("2"));
    assert_eq!(table.rows[0][1].data()[0], exact("3"));
    assert_eq!(table.rows[1][0].data()[0], exact("-0.5"));
    assert_eq!(table.rows[1][1].data()[0], exact("100"));
    assert_eq!(table.lines, [2, 4]);
    // A decimal comma is one cell, and not a number.
    let problem = data::read("\"0,5\",1,2\n", &model(source)).expect_err("not a number");
    assert_eq!((problem.line, problem.column), (1, 1));
    assert_eq!(problem.message.english(), "`0,5` is not a number (x[0])");
}

#[test]
fn every_problem_names_its_line_and_column() {
    let source = "input x[2]\ntarget y[3]\nparam W[3, 2] ~ zeros\nloss L = cross_entropy(softmax(W @ x), y)\n";
    let cases: [(&str, (usize, usize), &str); 8] = [
        ("", (1, 1), "the file is empty: it has no rows of data"),
        (
            "a,b,c\n",
            (2, 1),
            "the file has a header but no rows of data",
        ),
        (
            "f0,f1,class\n1,abc,2\n",
            (2, 2),
            "`abc` is not a number (column `f1`: x[1])",
        ),
        (
            "1,2\n",
            (1, 3),
            "a row of 2 columns, but the network's rows have 5, or 3 with the target as one class column (x[0], x[1], y[0], y[1], y[2])",
        ),
        (
            "1,2,0\n1,NaN,1\n",
            (2, 2),
            "`NaN` is not a finite number (x[1])",
        ),
        (
            "1,2,3\n",
            (1, 3),
            "`3` is not a class: classes are numbered 0 to 2 (the class of y)",
        ),
        (
            "1,2,a\n1,2,b\n1,2,c\n1,2,d\n",
            (4, 3),
            "`d` would be a class too many: the target has 3 classes, a, b, c (the class of y)",
        ),
        ("1,\"2,0\n", (1, 2), "a quoted cell has no closing `\"`"),
    ];
    for (text, (line, column), message) in cases {
        let problem = error(source, text);
        assert_eq!(
            (
                problem.line,
                problem.column,
                problem.message.english().as_str()
            ),
            (line, column, message),
            "in {text:?}"
        );
    }
    let long = format!("1,{}\u{0},0\n", "9x".repeat(1000));
    let problem = error(source, &long);
    assert_eq!(
        problem.message.english(),
        "`9x9x9x9x9x9x9x9x9x9x9x9x9x9x9x9x9x9x9x9x…` is not a number (x[1])"
    );
}

#[test]
fn the_columns_are_the_generated_trainers() {
    for path in crate::support::examples() {
        let source = std::fs::read_to_string(root().join(&path)).expect("an example");
        let model = model(&source);
        let from_data: Vec<String> = model
            .declarations_of(nabla::ir::DeclKind::Input)
            .chain(model.declarations_of(nabla::ir::DeclKind::Target))
            .flat_map(|d| data::element_names(&d.name, d.shape))
            .collect();
        assert_eq!(
            from_data,
            nabla::codegen::task::task(&model).columns,
            "{}",
            path.display()
        );
    }
}

#[test]
fn explain_names_the_data_file_line_and_column_of_a_bad_cell() {
    let dir = std::env::temp_dir().join(format!("nabla-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "f0,f1,f2,f3,label\n5.1,3.5,1.4,0.2,0\n4.9,abc,1.4,0.2,0\n",
    )
    .unwrap();
    let bad = bad.to_string_lossy().into_owned();
    let run = crate::support::nabla(&["explain", "examples/iris.nabla", "--data", &bad], None);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        format!("nabla: {bad}:3:2: `abc` is not a number (column `f1`: x[1])\n")
    );
    let run = crate::support::nabla(
        &[
            "explain",
            "examples/iris.nabla",
            "--data",
            "examples/data/iris.csv",
            "--rows",
            "149..151",
        ],
        None,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "nabla: --rows 149..151: examples/data/iris.csv has 150 rows of data (1 to 150)\n"
    );
    for (rows, message) in [
        (
            "0..2",
            "--rows 0..2: expected rows counted from 1, as `3` or `1..4` (both ends included)",
        ),
        (
            "5..2",
            "--rows 5..2: the first row comes after the last; write `2..5`",
        ),
    ] {
        let run = crate::support::nabla(
            &[
                "explain",
                "examples/iris.nabla",
                "--data",
                "examples/data/iris.csv",
                "--rows",
                rows,
            ],
            None,
        );
        assert_eq!(
            (run.code, run.stderr.trim_end()),
            (2, format!("nabla: {message}").as_str())
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
