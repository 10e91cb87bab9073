//! Reading examples from a CSV file: one example per line, the inputs' columns then the
//! targets' (`model::COLUMNS`). A first line that is not numbers is a header. Blank lines are
//! skipped. A cell may be surrounded by spaces, or by double quotes as RFC 4180 writes them (a
//! comma inside, `""` for a quote). Lines may end with LF, CR LF or CR alone; a byte-order mark
//! at the start is skipped.
//! The target may also be one last column holding a class, a number from 0 or a text label; it
//! becomes a one-hot vector. Text labels are numbered in order of first appearance, unless the
//! labels are known (the weights keep those they were trained with): then a label they do not
//! know is an error.
//!
//! Every problem is reported with the file, line and column, and what was found there.

use crate::Real;
use crate::model::{self, COLUMNS, INPUT_COLUMNS};
use crate::words;

/// The examples of a data file: row after row, each the `COLUMNS.len()` values of the inputs
/// and then the targets (a class column already made one-hot).
pub struct Data {
    pub values: Vec<Real>,
    /// How many rows (examples).
    pub rows: usize,
    /// The text labels of the classes, in class order (empty for numbered classes).
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
/// Reads the examples of the CSV file at `path`, in up to `threads` pieces at once. A class
/// column's text labels are the `known` ones (those of the weights: none, if they were trained
/// on numbered classes), or without them numbered in order of first appearance.
pub fn load(
    path: &str,
    need: Need,
    threads: usize,
    known: Option<&[String]>,
) -> Result<Data, String> {
    let bytes = std::fs::read(path).map_err(|e| words::cannot_read(e, path))?;
    from_bytes(path, &bytes, (need, threads), known)
}

/// The examples in `bytes`, the contents of the file `path` (named in messages).
pub fn from_bytes(
    path: &str,
    bytes: &[u8],
    (need, threads): (Need, usize),
    known: Option<&[String]>,
) -> Result<Data, String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(path, text, (need, threads), known),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let column = valid[line_start..].iter().filter(|&&b| b == b',').count() + 1;
            let place = format!("{path}:{line}:{column}");
            Err(words::not_text(e.valid_up_to() + 1, place))
        }
    }
}

/// A file smaller than this is read by one thread.
const PARALLEL_BYTES: usize = 1 << 20;

/// Asks the system to back the room of `values` (its capacity, not yet written) with pages of
/// 2 MB where it can (Linux's transparent huge pages, when they are left to a program's choice).
/// A step gathers its batch from rows all over the data: with 4 KB pages nearly every row is a
/// miss of the address cache, and a large file's room is 8,000 page faults as it is first
/// written. (mnist-size's 32 MB, side by side: the loop 175.1 → 180.9 and 179.4 → 187.3 GFLOP/s,
/// five and six runs each; the process 405.8 → 380.8 and 400.7 → 377.7 ms, medians of eight.)
/// Nothing changes elsewhere or if the system declines.
fn large_pages(values: &mut Vec<Real>) {
    #[cfg(target_os = "linux")]
    {
        unsafe extern "C" {
            fn madvise(address: *mut u8, length: usize, advice: i32) -> i32;
        }
        const MADV_HUGEPAGE: i32 = 14;
        const PAGE: usize = 2 << 20;
        let start = values.as_mut_ptr() as usize;
        let end = start + values.capacity() * size_of::<Real>();
        // The whole large pages inside the room.
        let (first, last) = (start.next_multiple_of(PAGE), end / PAGE * PAGE);
        if first < last {
            // SAFETY: the range lies inside the vector's allocation, and the advice changes how
            // its pages are backed, never their contents.
            unsafe { madvise(first as *mut u8, last - first, MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = values;
}

/// The examples of `text`, the contents of the file `path` (named in messages). Past the first
/// rows, a large file is cut into `threads` pieces at line breaks, read at once; the first error
/// in the file's order is the one reported, as if one thread had read it all.
pub fn parse(
    path: &str,
    text: &str,
    (need, threads): (Need, usize),
    known: Option<&[String]>,
) -> Result<Data, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Lines that end with CR alone (old Macintosh files): read as if they ended with LF.
    let lf;
    let text = if !text.contains('\n') && text.contains('\r') {
        lf = text.replace('\r', "\n");
        &lf
    } else {
        text
    };
    let mut lines = text
        .split('\n')
        .enumerate()
        .map(|(i, line)| (i + 1, line.strip_suffix('\r').unwrap_or(line)))
        .filter(|(_, line)| !line.trim().is_empty());
    let Some((first_number, first)) = lines.next() else {
        return Err(words::empty_file(format!("{path}:1:1")));
    };
    let first_cells = match cells(first) {
        Ok(cells) => cells,
        Err(column) => return Err(unclosed(path, first_number, column)),
    };
    let layout = layout(path, first_number, first_cells.len(), need)?;
    let header = match layout {
        Layout::Class => is_header(&first_cells[..INPUT_COLUMNS]),
        _ => is_header(&first_cells),
    };
    let mut reader = Reader {
        path,
        layout,
        names: if header {
            first_cells.iter().map(|s| shorten(s)).collect()
        } else {
            Vec::new()
        },
        header,
        classes: Classes {
            numbered: None,
            labels: known.unwrap_or_default().to_vec(),
            known: known.is_some(),
        },
    };
    // The first row of data is read first, alone: it tells whether classes are labels.
    let mut values: Vec<Real> = Vec::new();
    let mut rest_line = first_number + 1;
    let first_row = if header {
        lines.next()
    } else {
        Some((first_number, first))
    };
    if let Some((number, line)) = first_row {
        values.resize(COLUMNS.len(), 0.0);
        reader.row(number, line, &mut values)?;
        rest_line = number + 1;
    }
    // The rest of the file, from the line after that row.
    let offset = line_offset(text, rest_line);
    let rest = &text[offset..];
    // Labels not known yet are numbered in order of first appearance, so one thread reads them.
    let numbering = reader.classes.numbered == Some(false) && !reader.classes.known;
    let pieces = if rest.len() >= PARALLEL_BYTES && !numbering {
        threads.max(1)
    } else {
        1
    };
    let mut bounds = vec![0];
    for k in 1..pieces {
        let at = (rest.len() * k / pieces).max(bounds[k - 1]);
        let newline = rest.as_bytes()[at..].iter().position(|&b| b == b'\n');
        bounds.push(newline.map_or(rest.len(), |i| at + i + 1));
    }
    bounds.push(rest.len());
    // Each piece writes its rows into a stretch of `values` with room for every line it has;
    // blank lines leave room unused, closed up afterwards.
    let mut line = rest_line;
    let mut room = vec![values.len()];
    let mut firsts = Vec::new();
    for k in 0..pieces {
        firsts.push(line);
        // A piece ends with a line break, so the next piece starts that many lines later.
        let lines = count_lines(&rest[bounds[k]..bounds[k + 1]]);
        line += lines - 1;
        room.push(room[k] + lines * COLUMNS.len());
    }
    values.reserve_exact(room[pieces] - values.len());
    large_pages(&mut values);
    values.resize(room[pieces], 0.0);
    let read = |k: usize, reader: &mut Reader, out: &mut [Real]| {
        let mut rows = 0;
        for (i, line) in rest[bounds[k]..bounds[k + 1]].split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if !line.trim().is_empty() {
                let row = &mut out[rows * COLUMNS.len()..(rows + 1) * COLUMNS.len()];
                reader.row(firsts[k] + i, line, row)?;
                rows += 1;
            }
        }
        Ok::<usize, String>(rows)
    };
    let mut stretches = Vec::new();
    let mut free = &mut values[room[0]..];
    for k in 0..pieces {
        let (stretch, others) = free.split_at_mut(room[k + 1] - room[k]);
        stretches.push(stretch);
        free = others;
    }
    let rows: Vec<Result<usize, String>> = std::thread::scope(|scope| {
        let mut stretches = stretches.into_iter().enumerate();
        let (_, first) = stretches.next().unwrap_or_default();
        let handles: Vec<_> = stretches
            .map(|(k, stretch)| {
                let mut reader = reader.clone();
                scope.spawn(move || read(k, &mut reader, stretch))
            })
            .collect();
        let mut rows = vec![read(0, &mut reader, first)];
        for handle in handles {
            let failed = || Err(words::reading_thread_failed(path));
            rows.push(handle.join().unwrap_or_else(|_| failed()));
        }
        rows
    });
    let mut end = room[0];
    for (k, rows) in rows.into_iter().enumerate() {
        let length = rows? * COLUMNS.len();
        values.copy_within(room[k]..room[k] + length, end);
        end += length;
    }
    values.truncate(end);
    if values.is_empty() {
        let line = text.split('\n').count().max(first_number + 1);
        return Err(words::header_only(format!("{path}:{line}:1")));
    }
    Ok(Data {
        rows: values.len() / COLUMNS.len(),
        values,
        labels: reader.classes.labels,
    })
}

/// How many lines `text` starts (its line breaks, and one more). Counted in blocks of 255
/// bytes, each block's count a byte, so that the compiler counts many bytes per instruction
/// (mnist-size's 25 MB took 15 ms counted one byte at a time into a `usize`).
fn count_lines(text: &str) -> usize {
    let blocks = text.as_bytes().chunks(255);
    let breaks = blocks.map(|block| block.iter().map(|&b| u8::from(b == b'\n')).sum::<u8>());
    breaks.map(usize::from).sum::<usize>() + 1
}

/// The byte offset where line `line` (from 1) of `text` starts; the end if it has fewer lines.
fn line_offset(text: &str, line: usize) -> usize {
    let mut offset = 0;
    for _ in 1..line {
        match text.as_bytes()[offset..].iter().position(|&b| b == b'\n') {
            Some(i) => offset += i + 1,
            None => return text.len(),
        }
    }
    offset
}

/// What reading a row needs to know: the file's layout and header, and the classes seen.
#[derive(Clone)]
struct Reader<'a> {
    path: &'a str,
    layout: Layout,
    /// The header's names of the columns, if the file has a header.
    names: Vec<String>,
    header: bool,
    classes: Classes,
}

impl Reader<'_> {
    /// Reads the row of data on line `number`, `line`, into `row` (zeros, `COLUMNS.len()` of them).
    fn row(&mut self, number: usize, line: &str, row: &mut [Real]) -> Result<(), String> {
        if line.as_bytes().contains(&b'"') {
            return self.quoted_row(number, line, row);
        }
        let columns = self.layout.columns();
        let bytes = line.as_bytes();
        // The cell from `start` to the next comma; past the end when the line has no more.
        let mut start = 0;
        let mut class = None;
        for (index, value) in row.iter_mut().enumerate().take(columns) {
            if start > bytes.len() {
                return Err(self.wrong_length(number, count_cells(line)));
            }
            // A cell of one digit, as most of an image's pixels are (`0`): its value at once.
            if let Some(&digit) = bytes.get(start)
                && digit.is_ascii_digit()
                && bytes.get(start + 1).is_none_or(|&b| b == b',')
                && !(self.layout == Layout::Class && index == INPUT_COLUMNS)
            {
                *value = Real::from(digit - b'0');
                start += 2;
                continue;
            }
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b',')
                .map_or(bytes.len(), |i| start + i);
            let cell = line[start..end].trim();
            start = end + 1;
            let read = self.cell(number, index, cell, value, &mut class);
            if let Err(message) = read {
                let found = count_cells(line);
                return Err(if found == columns {
                    message
                } else {
                    self.wrong_length(number, found)
                });
            }
        }
        if start <= bytes.len() {
            return Err(self.wrong_length(number, count_cells(line)));
        }
        if let Some(class) = class {
            row[INPUT_COLUMNS + class] = 1.0;
        }
        Ok(())
    }

    /// `row` for a line with double quotes, its cells read as RFC 4180 reads them.
    fn quoted_row(&mut self, number: usize, line: &str, row: &mut [Real]) -> Result<(), String> {
        let cells = cells(line).map_err(|column| unclosed(self.path, number, column))?;
        if cells.len() != self.layout.columns() {
            return Err(self.wrong_length(number, cells.len()));
        }
        let mut class = None;
        for (index, (cell, value)) in cells.iter().zip(row.iter_mut()).enumerate() {
            self.cell(number, index, cell, value, &mut class)?;
        }
        if let Some(class) = class {
            row[INPUT_COLUMNS + class] = 1.0;
        }
        Ok(())
    }

    /// Reads cell `index` of line `number`, its text `cell`: a number into `value`, or the
    /// class of a class column into `class`.
    #[inline]
    fn cell(
        &mut self,
        number: usize,
        index: usize,
        cell: &str,
        value: &mut Real,
        class: &mut Option<usize>,
    ) -> Result<(), String> {
        if self.layout == Layout::Class && index == INPUT_COLUMNS {
            let at = Cell {
                holds: "the class of y",
                ..place(self.path, &self.names, number, index)
            };
            *class = Some(self.classes.read(cell, &at)?);
            return Ok(());
        }
        *value = match plain_decimal(cell) {
            Some(x) => x,
            None => number_in(cell, &place(self.path, &self.names, number, index))?,
        };
        Ok(())
    }

    /// The message for a row of `found` cells where its layout has another number.
    fn wrong_length(&self, number: usize, found: usize) -> String {
        let columns = self.layout.columns();
        let first = if self.header {
            words::the_header()
        } else {
            words::row_one()
        };
        if found < columns {
            let place = format!("{}:{number}:{}", self.path, found + 1);
            words::short_row(columns, first, found, place)
        } else {
            let place = format!("{}:{number}:{}", self.path, columns + 1);
            words::long_row(columns, first, found, place)
        }
    }
}

/// How many cells `line` has: counted, not collected, so that a row of a million cells costs
/// no memory (a line with double quotes, where a comma may be inside a cell, is read).
fn count_cells(line: &str) -> usize {
    if line.as_bytes().contains(&b'"') {
        cells(line).map_or_else(|_| line.split(',').count(), |cells| cells.len())
    } else {
        line.split(',').count()
    }
}

/// The cells of `line` as RFC 4180 reads them, without the spaces around them: a cell in double
/// quotes may hold commas, and `""` stands for a quote inside it. `Err` with the column of a
/// quoted cell that does not close on its line (a cell that goes on to the next line is not
/// read).
fn cells(line: &str) -> Result<Vec<String>, usize> {
    let mut cells = Vec::new();
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start();
        let Some(quoted) = trimmed.strip_prefix('"') else {
            let end = rest.find(',').unwrap_or(rest.len());
            cells.push(rest[..end].trim().to_string());
            if end == rest.len() {
                return Ok(cells);
            }
            rest = &rest[end + 1..];
            continue;
        };
        let mut cell = String::new();
        let mut chars = quoted.char_indices();
        let after = loop {
            match chars.next() {
                Some((i, '"')) if quoted[i + 1..].starts_with('"') => {
                    cell.push('"');
                    chars.next();
                }
                Some((i, '"')) => break &quoted[i + 1..],
                Some((_, c)) => cell.push(c),
                None => return Err(cells.len() + 1),
            }
        };
        // Only spaces may follow the closing quote, up to the next comma; text there is kept
        // with the cell, which is then no number.
        let end = after.find(',').unwrap_or(after.len());
        cell.push_str(after[..end].trim_end());
        cells.push(cell);
        if end == after.len() {
            return Ok(cells);
        }
        rest = &after[end + 1..];
    }
}

/// The message for a quoted cell that does not close on its line.
fn unclosed(path: &str, number: usize, column: usize) -> String {
    words::unclosed_quote(format!("{path}:{number}:{column}"))
}

/// Where cell `index` of line `number` is, for messages.
fn place<'a>(path: &'a str, names: &'a [String], number: usize, index: usize) -> Cell<'a> {
    Cell {
        path,
        line: number,
        column: index + 1,
        name: names.get(index).map(String::as_str),
        holds: COLUMNS[index],
    }
}

/// The value of a plain decimal such as `0.4353` or `-12`, or `None` for any other text (which
/// the standard parser then reads). Digits that fit the significand of `Real` exactly, divided by
/// a power of ten that is exact too, give the correctly rounded value in one division: the same
/// value the standard parser gives, much sooner.
fn plain_decimal(cell: &str) -> Option<Real> {
    const POWERS: [Real; 11] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
    let bytes = cell.as_bytes();
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > 12 {
        return None;
    }
    let (mut mantissa, mut decimals, mut seen, mut point) = (0u64, 0, false, false);
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                decimals += usize::from(point);
                seen = true;
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    if !seen || mantissa >= 1 << Real::MANTISSA_DIGITS || decimals >= POWERS.len() {
        return None;
    }
    let x = mantissa as Real / POWERS[decimals];
    Some(if negative { -x } else { x })
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
    expected = words::or_class_column(INPUT_COLUMNS + 1, expected);
    if need == Need::Inputs && INPUT_COLUMNS < COLUMNS.len() {
        expected = words::or_without_targets(INPUT_COLUMNS, expected);
    }
    // Where the row goes wrong: its first cell too many, or where a missing one would start.
    let column = if found > COLUMNS.len() {
        COLUMNS.len() + 1
    } else {
        found + 1
    };
    let place = format!("{path}:{line}:{column}");
    Err(words::wrong_row(expected, found, place))
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
fn is_header(numeric: &[String]) -> bool {
    !numeric.is_empty() && numeric.iter().all(|c| c.parse::<Real>().is_err())
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
        let place = format!("{}:{}:{}", self.path, self.line, self.column);
        match self.name {
            Some(name) => words::in_named_column(self.holds, name, place, what),
            None => words::in_column(self.holds, place, what),
        }
    }
}

/// The finite number in a cell.
fn number_in(cell: &str, at: &Cell) -> Result<Real, String> {
    if cell.is_empty() {
        return Err(at.error(&words::empty_cell()));
    }
    match cell.parse::<Real>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) if cell.chars().any(|c| c.is_ascii_digit()) => {
            let real = std::any::type_name::<Real>();
            Err(at.error(&words::too_large_for(shorten(cell), real)))
        }
        Ok(_) => Err(at.error(&words::not_finite(shorten(cell)))),
        Err(_) => Err(at.error(&words::not_a_number(shorten(cell)))),
    }
}

/// A cell's text for a message: its first 40 characters, with control characters (a NUL, a
/// tab) written as escapes.
fn shorten(cell: &str) -> String {
    let mut shown = String::new();
    for (i, c) in cell.chars().enumerate() {
        if i == 40 {
            shown.push('…');
            break;
        }
        if c.is_control() {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown
}

/// The classes of a file's class column: numbers, or labels, known or numbered as they first
/// appear.
#[derive(Clone)]
struct Classes {
    /// Whether the first row's class was a number (then every row's must be).
    numbered: Option<bool>,
    labels: Vec<String>,
    /// Whether the labels are known (from the weights), so that no other may appear.
    known: bool,
}

impl Classes {
    /// The class in a cell.
    fn read(&mut self, cell: &str, at: &Cell) -> Result<usize, String> {
        if cell.is_empty() {
            return Err(at.error(&words::class_missing()));
        }
        let number = cell.parse::<f64>().ok();
        let numbered = *self.numbered.get_or_insert(number.is_some());
        if numbered {
            return match number {
                Some(x) if x.fract() == 0.0 && x >= 0.0 && x < model::CLASSES as f64 => {
                    Ok(x as usize)
                }
                Some(_) => {
                    let what = words::not_a_class(shorten(cell), model::CLASSES - 1);
                    Err(at.error(&what))
                }
                None => Err(at.error(&words::not_a_class_number(shorten(cell)))),
            };
        }
        if let Some(class) = self.labels.iter().position(|l| l == cell) {
            return Ok(class);
        }
        if self.known && self.labels.is_empty() {
            let what = words::unknown_to_numbered(shorten(cell), model::CLASSES - 1);
            return Err(at.error(&what));
        }
        if self.known {
            let what = words::unknown_label(shorten(cell), listed_labels(&self.labels));
            return Err(at.error(&what));
        }
        if self.labels.len() == model::CLASSES {
            let labels = listed_labels(&self.labels);
            let what = words::class_too_many(shorten(cell), model::CLASSES, labels);
            return Err(at.error(&what));
        }
        self.labels.push(cell.to_string());
        Ok(self.labels.len() - 1)
    }
}

/// Labels for a message, each cut short: `setosa, versicolor, virginica`.
fn listed_labels(labels: &[String]) -> String {
    let shown: Vec<String> = labels.iter().map(|label| shorten(label)).collect();
    shown.join(", ")
}
