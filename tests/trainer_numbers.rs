//! The numbers a generated trainer reads from a data file are the standard parser's, to the bit,
//! whether its own quick reading of plain decimals takes a cell or the standard parser does. The
//! reader is the one `fuzz/trainer-under-test` holds (the generator's current output for
//! `examples/iris.nabla`, as `tests/codegen.rs` checks), compiled in here.
#![allow(dead_code)]

/// The trainer's number type, as its `main.rs` defines it.
pub type Real = f64;

#[path = "../fuzz/trainer-under-test/src/data.rs"]
mod data;
#[path = "../fuzz/trainer-under-test/src/kernels.rs"]
mod kernels;
#[path = "../fuzz/trainer-under-test/src/model.rs"]
mod model;
#[path = "../fuzz/trainer-under-test/src/rng.rs"]
mod rng;
#[path = "../fuzz/trainer-under-test/src/words.rs"]
mod words;

/// Each row of `cells` (as many as the trainer's columns), read by the trainer and by
/// `str::parse`: the same bits, cell by cell.
fn assert_read_exactly(rows: &[Vec<String>]) {
    let text: String = rows.iter().map(|row| row.join(",") + "\n").collect();
    let need = (data::Need::Targets, 1);
    let read = match data::from_bytes("numbers.csv", text.as_bytes(), need, None) {
        Ok(read) => read,
        Err(message) => panic!("{message}\nin\n{text}"),
    };
    assert_eq!(read.rows, rows.len());
    for (row, cells) in read.values.chunks(model::COLUMNS.len()).zip(rows) {
        for (&value, cell) in row.iter().zip(cells) {
            let expected: f64 = cell.trim().trim_matches('"').parse().expect("a number");
            assert_eq!(
                value.to_bits(),
                expected.to_bits(),
                "cell `{cell}` read as {value}"
            );
        }
    }
}

/// Rows with `cell` in every column: the first cells have a comma and more after them, the
/// last ends its line; a cell with a few bytes after it comes before a short one.
fn rows_of(cell: &str) -> Vec<Vec<String>> {
    let width = model::COLUMNS.len();
    let mut rows = vec![vec![cell.to_string(); width]];
    for short in ["1", "22"] {
        let mut row = vec![cell.to_string(); width];
        row[width - 1] = short.to_string();
        rows.push(row);
        let mut row = vec![short.to_string(); width];
        row[0] = cell.to_string();
        rows.push(row);
    }
    rows
}

#[test]
fn every_kind_of_number_is_read_as_the_standard_parser_reads_it() {
    let cells = [
        "0",
        "7",
        "12",
        "-3",
        "-0",
        "0.5",
        "5.",
        "-0.25",
        "0.4353",
        "3.14159",
        "1234567",
        "-1234567",
        "1234.567",
        "123456.7",
        "12345678",
        "0.0000001",
        "1.000001",
        "99999.99",
        "16777216",
        "16777217",
        "123456789012",
        "1234567890123",
        "9007199254740993",
        "000012",
        "0.10",
        ".5",
        "-.5",
        "1e3",
        "-1.5e-3",
        "2E+2",
        " 4.5",
        "6.25 ",
        "\"7.5\"",
        "1.2345678",
        "12.345678",
        "0.00000001",
    ];
    for cell in cells {
        assert_read_exactly(&rows_of(cell));
    }
}

/// A small generator of test cases (xorshift), so that the cases are the same on every run.
struct Cases(u64);

impl Cases {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn digits(&mut self, count: u64) -> String {
        (0..count)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    /// A plain decimal: a sign or not, up to nine digits before a point or none, up to eight
    /// after it; now and then an exponent instead.
    fn cell(&mut self) -> String {
        let sign = if self.below(4) == 0 { "-" } else { "" };
        let count = self.below(10);
        let whole = self.digits(count);
        let fraction = match self.below(3) {
            0 => String::new(),
            _ => {
                let count = self.below(9);
                format!(".{}", self.digits(count))
            }
        };
        let exponent = match self.below(20) {
            0 => format!("e{}", self.below(30) as i64 - 15),
            _ => String::new(),
        };
        let cell = format!("{sign}{whole}{fraction}{exponent}");
        if cell.contains(|c: char| c.is_ascii_digit()) {
            cell
        } else {
            "0".to_string()
        }
    }
}

#[test]
fn random_plain_decimals_are_read_as_the_standard_parser_reads_them() {
    let mut cases = Cases(0x9e37_79b9_7f4a_7c15);
    let width = model::COLUMNS.len();
    let rows: Vec<Vec<String>> = (0..20_000)
        .map(|_| (0..width).map(|_| cases.cell()).collect())
        .collect();
    let readable: Vec<Vec<String>> = rows
        .into_iter()
        .filter(|row| row.iter().all(|cell| cell.parse::<f64>().is_ok()))
        .collect();
    assert!(readable.len() > 15_000, "{} rows", readable.len());
    assert_read_exactly(&readable);
}
