//! `--data DATA.csv [--rows A..B]`: the examples of a step taken from rows of a data file.

use nabla::data::{self, Table};
use nabla::ir::Model;
use nabla::words::{Message, phrase};

/// Why the rows could not be read: the exit status to end with, and the message.
pub struct Refusal {
    pub usage: bool,
    pub message: Message,
}

/// The rows `rows` (`A..B` or `A`, counted from 1, both ends included; all when `None`) of the
/// CSV file at `path`, as examples of `model`.
pub fn read(model: &Model, path: &str, rows: Option<&str>) -> Result<Table, Refusal> {
    let usage = |message: Message| Refusal {
        usage: true,
        message,
    };
    let range = rows.map(parse_range).transpose().map_err(usage)?;
    let bytes = std::fs::read(path)
        .map_err(|e| usage(phrase::cannot_read(path, super::input::describe(&e))))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        Refusal {
            usage: false,
            message: phrase::data_not_text(format!("{path}:{line}"), e.valid_up_to() + 1),
        }
    })?;
    let mut table = data::read(text, model).map_err(|e| Refusal {
        usage: false,
        message: phrase::at_place(format!("{path}:{}:{}", e.line, e.column), e.message),
    })?;
    if let Some((first, last)) = range {
        let count = table.rows.len();
        if last > count {
            return Err(usage(phrase::rows_beyond_the_file(
                rows.unwrap_or_default(),
                path,
                count,
            )));
        }
        table.rows = table.rows[first - 1..last].to_vec();
        table.lines = table.lines[first - 1..last].to_vec();
        table.first_row = first;
    }
    Ok(table)
}

/// `A..B` or `A`, counted from 1, as the first and last row.
fn parse_range(text: &str) -> Result<(usize, usize), Message> {
    let row = |s: &str| -> Result<usize, Message> {
        match s.trim().parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(phrase::rows_not_a_range(text)),
        }
    };
    let (first, last) = match text.split_once("..") {
        Some((a, b)) => (row(a)?, row(b.strip_prefix('=').unwrap_or(b))?),
        None => (row(text)?, row(text)?),
    };
    if first > last {
        return Err(phrase::rows_reversed(text, format!("{last}..{first}")));
    }
    Ok((first, last))
}
