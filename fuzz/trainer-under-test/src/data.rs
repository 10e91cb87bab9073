//! Reading examples from a CSV file: one example per line, the inputs' columns then the
//! targets' (`model::COLUMNS`). A first line that is not numbers is a header. Blank lines are
//! skipped. A cell may be surrounded by spaces or double quotes.
//! The target may also be one last column holding a class, a number from 0 or a text label
//! (numbered in order of first appearance); it becomes a one-hot vector.
//!
//! Every problem is reported with the file, line and column, and what was found there.

use crate::Real;
use crate::model::{self, COLUMNS, Example, INPUT_COLUMNS};

/// The examples of a data file.
pub struct Data {
    pub examples: Vec<Example>,
    /// The text labels of the class column, in class order (empty for numbered classes).
    pub labels: Vec<String>,
}

/// What a row must hold.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// The inputs and the targets.
    Targets,
    /// The inputs; targets may follow.
    Inputs,
}

/// How the rows of a file lay out the values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Every element of every input and target.
    Full,
    /// The inputs only.
    Inputs,
    /// The inputs, then a class.
    Class,
}

impl Layout {
    fn columns(self) -> usize {
        match self {
            Layout::Full => COLUMNS.len(),
            Layout::Inputs => INPUT_COLUMNS,
            Layout::Class => INPUT_COLUMNS + 1,
        }
    }
}

/// Reads the examples of the CSV file at `path`.
pub fn load(path: &str, need: Need) -> Result<Data, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    from_bytes(path, &bytes, need)
}

/// The examples in `bytes`, the contents of the file `path` (named in messages).
pub fn from_bytes(path: &str, bytes: &[u8], need: Need) -> Result<Data, String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(path, text, need),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let column = valid[line_start..].iter().filter(|&&b| b == b',').count() + 1;
            Err(format!(
                "{path}:{line}:{column}: not a text file (byte {} is not UTF-8)",
                e.valid_up_to() + 1
            ))
        }
    }
}

/// The examples of `text`, the contents of the file `path` (named in messages).
pub fn parse(path: &str, text: &str, need: Need) -> Result<Data, String> {
    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix('\r').unwrap_or(line)))
        .filter(|(_, line)| !line.trim().is_empty())
        .peekable();
    let Some(&(first_number, first)) = lines.peek() else {
        return Err(format!(
            "{path}:1:1: the file is empty: it has no rows of data"
        ));
    };
    let layout = layout(path, first_number, first.split(',').count(), need)?;
    let first_cells: Vec<&str> = first.split(',').map(clean).collect();
    let header = match layout {
        Layout::Class => is_header(&first_cells[..INPUT_COLUMNS]),
        _ => is_header(&first_cells),
    };
    let names: Vec<String> = if header {
        first_cells.iter().map(|s| s.to_string()).collect()
    } else {
        Vec::new()
    };
    if header {
        lines.next();
    }
    let mut examples = Vec::new();
    let mut classes = Classes::default();
    // One row's values, on the heap: a row may be wider than the stack.
    let mut row: Vec<Real> = vec![0.0; COLUMNS.len()];
    for (number, line) in lines {
        // Counted before any cell is read, so a row of a million cells costs no memory.
        let found = line.split(',').count();
        if found != layout.columns() {
            let first = if header { "the header" } else { "row 1" };
            let (column, what) = if found < layout.columns() {
                (found + 1, "a short row")
            } else {
                (layout.columns() + 1, "a long row")
            };
            let columns = if found == 1 { "column" } else { "columns" };
            return Err(format!(
                "{path}:{number}:{column}: {what}: {found} {columns}, where {first} has {}",
                layout.columns()
            ));
        }
        row.fill(0.0);
        for (index, cell) in line.split(',').map(clean).enumerate() {
            let at = Cell {
                path,
                line: number,
                column: index + 1,
                name: names.get(index).map(String::as_str),
                holds: COLUMNS[index],
            };
            if layout == Layout::Class && index == INPUT_COLUMNS {
                let at = Cell {
                    holds: "the class of y",
                    ..at
                };
                let class = classes.read(cell, &at)?;
                row[INPUT_COLUMNS + class] = 1.0;
                continue;
            }
            row[index] = number_in(cell, &at)?;
        }
        examples.push(Example::from_row(&row));
    }
    if examples.is_empty() {
        let line = text.split('\n').count().max(first_number + 1);
        return Err(format!(
            "{path}:{line}:1: the file has a header but no rows of data"
        ));
    }
    Ok(Data {
        examples,
        labels: classes.labels,
    })
}

/// The layout a row of `found` cells has, or what was expected.
fn layout(path: &str, line: usize, found: usize, need: Need) -> Result<Layout, String> {
    if found == COLUMNS.len() {
        return Ok(Layout::Full);
    }
    if found == INPUT_COLUMNS + 1 {
        return Ok(Layout::Class);
    }
    if found == INPUT_COLUMNS && need == Need::Inputs {
        return Ok(Layout::Inputs);
    }
    let mut expected = format!("{} ({})", COLUMNS.len(), listed(&COLUMNS));
    expected.push_str(&format!(
        ", or {} with the target as one class column",
        INPUT_COLUMNS + 1
    ));
    if need == Need::Inputs && INPUT_COLUMNS < COLUMNS.len() {
        expected.push_str(&format!(", or {INPUT_COLUMNS} without targets"));
    }
    let columns = if found == 1 { "column" } else { "columns" };
    // Where the row goes wrong: its first cell too many, or where a missing one would start.
    let column = if found > COLUMNS.len() {
        COLUMNS.len() + 1
    } else {
        found + 1
    };
    Err(format!(
        "{path}:{line}:{column}: a row of {found} {columns}, but the network needs {expected}"
    ))
}

/// Column names for a message: all of them, or the first and last few of a long list.
fn listed(columns: &[&str]) -> String {
    if columns.len() <= 12 {
        columns.join(", ")
    } else {
        let (head, tail) = (&columns[..4], &columns[columns.len() - 4..]);
        format!("{} … {}", head.join(", "), tail.join(", "))
    }
}

/// A first line is a header when none of the cells that must hold numbers holds one.
fn is_header(numeric: &[&str]) -> bool {
    !numeric.is_empty() && numeric.iter().all(|c| c.parse::<Real>().is_err())
}

/// A cell without surrounding spaces and double quotes.
fn clean(cell: &str) -> &str {
    let cell = cell.trim();
    cell.strip_prefix('"')
        .and_then(|c| c.strip_suffix('"'))
        .unwrap_or(cell)
        .trim()
}

/// Where a cell is, for messages.
struct Cell<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    /// The column's name in the header.
    name: Option<&'a str>,
    /// What the column holds: `x[2]`, `the class of y`.
    holds: &'a str,
}

impl Cell<'_> {
    fn error(&self, what: &str) -> String {
        let (path, line, column, holds) = (self.path, self.line, self.column, self.holds);
        match self.name {
            Some(name) => format!("{path}:{line}:{column}: {what} (column `{name}`: {holds})"),
            None => format!("{path}:{line}:{column}: {what} ({holds})"),
        }
    }
}

/// The finite number in a cell.
fn number_in(cell: &str, at: &Cell) -> Result<Real, String> {
    if cell.is_empty() {
        return Err(at.error("the cell is empty"));
    }
    match cell.parse::<Real>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) if cell.chars().any(|c| c.is_ascii_digit()) => Err(at.error(&format!(
            "`{cell}` is too large for {}",
            std::any::type_name::<Real>()
        ))),
        Ok(_) => Err(at.error(&format!("`{cell}` is not a finite number"))),
        Err(_) => Err(at.error(&format!("`{}` is not a number", shorten(cell)))),
    }
}

/// A cell's text for a message: its first 40 characters.
fn shorten(cell: &str) -> String {
    if cell.chars().count() > 40 {
        format!("{}…", cell.chars().take(40).collect::<String>())
    } else {
        cell.to_string()
    }
}

/// The classes of a file's class column: numbers, or labels numbered as they first appear.
#[derive(Default)]
struct Classes {
    /// Whether the first row's class was a number (then every row's must be).
    numbered: Option<bool>,
    labels: Vec<String>,
}

impl Classes {
    /// The class in a cell.
    fn read(&mut self, cell: &str, at: &Cell) -> Result<usize, String> {
        if cell.is_empty() {
            return Err(at.error("the class is missing"));
        }
        let number = cell.parse::<f64>().ok();
        let numbered = *self.numbered.get_or_insert(number.is_some());
        if numbered {
            return match number {
                Some(x) if x.fract() == 0.0 && x >= 0.0 && x < model::CLASSES as f64 => {
                    Ok(x as usize)
                }
                Some(_) => Err(at.error(&format!(
                    "`{cell}` is not a class: classes are numbered 0 to {}",
                    model::CLASSES - 1
                ))),
                None => Err(at.error(&format!(
                    "`{}` is not a class number, and the first row's class is a number",
                    shorten(cell)
                ))),
            };
        }
        if let Some(class) = self.labels.iter().position(|l| l == cell) {
            return Ok(class);
        }
        if self.labels.len() == model::CLASSES {
            return Err(at.error(&format!(
                "`{}` would be a class too many: the target has {} classes, {}",
                shorten(cell),
                model::CLASSES,
                self.labels.join(", ")
            )));
        }
        self.labels.push(cell.to_string());
        Ok(self.labels.len() - 1)
    }
}
