//! Examples from a data file, read exactly: the rows of a CSV file as the values of a network's
//! inputs and targets, for `nabla explain --data`.
//!
//! The rules are the generated trainers' (docs/trainer.md, "Data"): a row holds each input's
//! elements, then each target's, in declaration order (a matrix row by row); an index is one
//! whole-number column. When the file has a single target that is a class — a vector of k ≥ 2
//! elements or an index — its column may hold the class as a number from 0 or as a text label,
//! labels numbered in order of first appearance in the file; a vector target is then the
//! class's one-hot vector. A first line none of whose number cells holds a number is a header;
//! blank lines are skipped; cells are separated by commas, may be quoted as RFC 4180 says
//! (`"0,5"`, `"a ""b"""`) and have spaces around them; a byte-order mark at the start and any of
//! the three line endings are fine. Numbers are read exactly: `0.1` is 1/10.
//!
//! Architecture invariant: this reads text and never touches files; every problem is a
//! [`DataError`] with its line and column.

use crate::words::{Message, phrase};
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use crate::ir::{DeclId, DeclKind, Model};
use crate::shape::Shape;
use crate::tensor::Tensor;

/// A problem at a place in the file: line and column counted from 1 (the column counts cells,
/// as a spreadsheet does).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataError {
    pub line: usize,
    pub column: usize,
    pub message: Message,
}

/// The examples of a file: for each row, the value of every input and target.
#[derive(Clone, Debug)]
pub struct Table {
    /// The inputs and targets, in the order of the columns.
    pub declarations: Vec<DeclId>,
    /// Row after row, each a value per declaration.
    pub rows: Vec<Vec<Tensor<BigRational>>>,
    /// The line each row is on.
    pub lines: Vec<usize>,
    /// The text labels of a class column, in class order (empty when classes are numbers).
    pub labels: Vec<String>,
    /// Which row of the file's data the first row here is (from 1): rows may be picked.
    pub first_row: usize,
}

/// What one column holds.
#[derive(Clone, Debug)]
struct Column {
    /// Index into [`Table::declarations`].
    declaration: usize,
    /// The element of that declaration's value.
    element: usize,
    /// `x[0]`, `W[1, 2]`, `y`: for messages.
    name: String,
    /// For an index, how many values it takes.
    index: Option<usize>,
}

/// The single target that may be given as one class column, and its number of classes.
struct ClassTarget {
    declaration: usize,
    classes: usize,
    /// A vector target (one-hot), rather than an index.
    one_hot: bool,
}

/// The longest cell quoted in a message, in characters.
const QUOTED: usize = 40;

/// Reads the rows of `text` as examples of `model`.
pub fn read(text: &str, model: &Model) -> Result<Table, DataError> {
    let (declarations, columns) = layout(model);
    let class = class_target(model, &declarations);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = split_lines(text)
        .into_iter()
        .filter(|(_, line)| !line.trim().is_empty());
    let Some((first_line, first)) = lines.next() else {
        return Err(DataError {
            line: 1,
            column: 1,
            message: phrase::data_empty(),
        });
    };
    let first_cells = cells(first).map_err(|column| quote_error(first_line, column))?;
    // The cells that hold numbers whatever the layout: the inputs' (or all, without inputs).
    let inputs = columns
        .iter()
        .filter(|c| model.declaration(declarations[c.declaration]).kind == DeclKind::Input)
        .count();
    let numeric = match inputs {
        0 => first_cells.len(),
        n => n.min(first_cells.len()),
    };
    let header = numeric > 0
        && first_cells[..numeric]
            .iter()
            .all(|cell| number(cell).is_none());
    let names: Vec<String> = if header {
        first_cells.clone()
    } else {
        Vec::new()
    };
    let mut reader = Reader {
        columns: &columns,
        class: class.as_ref(),
        names: &names,
        labels: Vec::new(),
        numbered: None,
        declarations: &declarations,
        model,
    };
    let mut rows = Vec::new();
    let mut row_lines = Vec::new();
    let data = (!header)
        .then_some((first_line, first))
        .into_iter()
        .chain(lines);
    for (line, text) in data {
        let cells = cells(text).map_err(|column| quote_error(line, column))?;
        rows.push(reader.row(line, &cells)?);
        row_lines.push(line);
    }
    if rows.is_empty() {
        return Err(DataError {
            line: first_line + 1,
            column: 1,
            message: phrase::data_header_only(),
        });
    }
    let labels = reader.labels;
    Ok(Table {
        declarations,
        rows,
        lines: row_lines,
        labels,
        first_row: 1,
    })
}

/// The inputs and targets in column order, and the columns.
fn layout(model: &Model) -> (Vec<DeclId>, Vec<Column>) {
    let mut declarations = Vec::new();
    let mut columns = Vec::new();
    for kind in [DeclKind::Input, DeclKind::Target] {
        for (index, d) in model.declarations.iter().enumerate() {
            if d.kind != kind {
                continue;
            }
            let position = declarations.len();
            declarations.push(DeclId(index as u32));
            for (element, name) in element_names(&d.name, d.shape).into_iter().enumerate() {
                columns.push(Column {
                    declaration: position,
                    element,
                    name,
                    index: d.index,
                });
            }
        }
    }
    (declarations, columns)
}

/// `x` for a scalar, `x[0]` … for a vector, `W[0, 0]` … for a matrix (row-major): the names
/// trainers give their columns.
pub fn element_names(name: &str, shape: Shape) -> Vec<String> {
    match shape {
        Shape::Scalar => vec![name.to_string()],
        Shape::Vector(n) => (0..n).map(|i| format!("{name}[{i}]")).collect(),
        Shape::Matrix(m, n) => (0..m)
            .flat_map(|i| (0..n).map(move |j| format!("{name}[{i}, {j}]")))
            .collect(),
        Shape::Tensor3(..) | Shape::Tensor4(..) => {
            let dims = shape.dims();
            (0..shape.size())
                .map(|flat| {
                    let mut rest = flat;
                    let mut index: Vec<String> = dims
                        .iter()
                        .rev()
                        .map(|&n| {
                            let i = rest % n.max(1);
                            rest /= n.max(1);
                            i.to_string()
                        })
                        .collect();
                    index.reverse();
                    format!("{name}[{}]", index.join(", "))
                })
                .collect()
        }
    }
}

fn class_target(model: &Model, declarations: &[DeclId]) -> Option<ClassTarget> {
    let targets: Vec<usize> = declarations
        .iter()
        .enumerate()
        .filter(|(_, d)| model.declaration(**d).kind == DeclKind::Target)
        .map(|(position, _)| position)
        .collect();
    let [position] = targets.as_slice() else {
        return None;
    };
    let target = model.declaration(declarations[*position]);
    match (target.index, target.shape) {
        (Some(classes), _) => Some(ClassTarget {
            declaration: *position,
            classes,
            one_hot: false,
        }),
        (None, Shape::Vector(k)) if k >= 2 => Some(ClassTarget {
            declaration: *position,
            classes: k,
            one_hot: true,
        }),
        _ => None,
    }
}

/// The lines of `text` with their numbers, whichever line endings it uses.
fn split_lines(text: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::new();
    let mut rest = text;
    loop {
        let number = lines.len() + 1;
        match rest.find(['\n', '\r']) {
            Some(end) => {
                lines.push((number, &rest[..end]));
                let skip = if rest[end..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = &rest[end + skip..];
            }
            None => {
                lines.push((number, rest));
                return lines;
            }
        }
    }
}

/// The cells of a line, unquoted and trimmed; `Err(column)` for a quote left open.
fn cells(line: &str) -> Result<Vec<String>, usize> {
    let mut cells = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            chars.next();
        }
        let mut cell = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        cell.push('"');
                    }
                    Some('"') => break,
                    Some(c) => cell.push(c),
                    None => return Err(cells.len() + 1),
                }
            }
            while chars.peek().is_some_and(|c| *c != ',') {
                chars.next();
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                cell.push(c);
                chars.next();
            }
        }
        cells.push(cell.trim().to_string());
        if chars.next().is_none() {
            return Ok(cells);
        }
    }
}

fn quote_error(line: usize, column: usize) -> DataError {
    DataError {
        line,
        column,
        message: phrase::data_unclosed_quote(),
    }
}

/// The exact value of a number cell: `-0.5`, `+3`, `.25`, `1e-3`; `None` for anything else.
pub fn number(cell: &str) -> Option<BigRational> {
    let (negative, unsigned) = match cell.as_bytes().first() {
        Some(b'-') => (true, &cell[1..]),
        Some(b'+') => (false, &cell[1..]),
        _ => (false, cell),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let well_formed = (!whole.is_empty() || !fraction.is_empty())
        && digits(whole)
        && digits(fraction)
        && exponent.is_none_or(|e| {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty() && digits(e)
        });
    if !well_formed {
        return None;
    }
    let value = crate::syntax::number::parse_decimal(unsigned.trim_start_matches('+')).ok()?;
    Some(if negative { -value } else { value })
}

/// Reads rows, remembering the class labels met so far.
struct Reader<'a> {
    columns: &'a [Column],
    class: Option<&'a ClassTarget>,
    /// The header's names of the columns (empty without a header).
    names: &'a [String],
    labels: Vec<String>,
    /// Whether classes are numbers (decided by the first row).
    numbered: Option<bool>,
    declarations: &'a [DeclId],
    model: &'a Model,
}

impl Reader<'_> {
    fn row(
        &mut self,
        line: usize,
        cells: &[String],
    ) -> Result<Vec<Tensor<BigRational>>, DataError> {
        let full = self.columns.len();
        let class_layout = self.class.map(|c| {
            let target_columns = self
                .columns
                .iter()
                .filter(|col| col.declaration == c.declaration)
                .count();
            full - target_columns + 1
        });
        let with_class = match cells.len() {
            n if n == full && self.class.is_none_or(|c| c.one_hot) => false,
            n if Some(n) == class_layout => true,
            n => {
                let message = match class_layout.filter(|&c| c != full) {
                    Some(class) => {
                        phrase::data_row_length_or_class(n, full, class, listed(self.columns))
                    }
                    None => phrase::data_row_length(n, full, listed(self.columns)),
                };
                return Err(DataError {
                    line,
                    column: n.min(full) + 1,
                    message,
                });
            }
        };
        let mut values: Vec<Vec<BigRational>> = self
            .declarations
            .iter()
            .map(|d| vec![BigRational::zero(); self.model.declaration(*d).shape.size()])
            .collect();
        let mut column = 0;
        for (k, spec) in self.columns.iter().enumerate() {
            let class = self
                .class
                .filter(|c| c.declaration == spec.declaration && with_class);
            if let Some(class) = class {
                if spec.element > 0 {
                    continue;
                }
                let at = self.place(line, column, k, true);
                let number = self.class(&cells[column], class, &at)?;
                if class.one_hot {
                    values[spec.declaration][number] = BigRational::one();
                } else {
                    values[spec.declaration][0] = BigRational::from_integer(number.into());
                }
                column += 1;
                continue;
            }
            let at = self.place(line, column, k, false);
            let cell = &cells[column];
            let value = match number(cell) {
                Some(x) => x,
                None if cell.is_empty() => return Err(at.error(phrase::data_empty_cell())),
                None if is_not_finite(cell) => {
                    return Err(at.error(phrase::data_not_finite(cell)));
                }
                None => return Err(at.error(phrase::data_not_a_number(shorten(cell)))),
            };
            if let Some(count) = spec.index
                && !(value.is_integer()
                    && !value.is_negative()
                    && value < BigRational::from_integer(count.into()))
            {
                return Err(at.error(phrase::data_not_an_index(
                    shorten(cell),
                    &spec.name,
                    count - 1,
                )));
            }
            values[spec.declaration][spec.element] = value;
            column += 1;
        }
        Ok(self
            .declarations
            .iter()
            .zip(values)
            .map(|(d, data)| Tensor::new(self.model.declaration(*d).shape, data))
            .collect())
    }

    fn place(&self, line: usize, column: usize, spec: usize, class: bool) -> Place {
        let holds = if class {
            phrase::data_the_class_of(
                &self
                    .model
                    .declaration(self.declarations[self.columns[spec].declaration])
                    .name,
            )
        } else {
            phrase::verbatim(&self.columns[spec].name)
        };
        Place {
            line,
            column: column + 1,
            name: self.names.get(column).cloned(),
            holds,
        }
    }

    /// The class in a cell: a number from 0, or a label numbered as it first appears.
    fn class(&mut self, cell: &str, target: &ClassTarget, at: &Place) -> Result<usize, DataError> {
        if cell.is_empty() {
            return Err(at.error(phrase::data_class_missing()));
        }
        let value = number(cell);
        let numbered = *self.numbered.get_or_insert(value.is_some());
        if numbered {
            return match value {
                Some(x)
                    if x.is_integer()
                        && !x.is_negative()
                        && x < BigRational::from_integer(target.classes.into()) =>
                {
                    Ok(crate::exact::to_u64(&x).unwrap_or(0) as usize)
                }
                Some(_) => {
                    Err(at.error(phrase::data_not_a_class(shorten(cell), target.classes - 1)))
                }
                None => Err(at.error(phrase::data_not_a_class_number(shorten(cell)))),
            };
        }
        if let Some(class) = self.labels.iter().position(|l| l == cell) {
            return Ok(class);
        }
        if self.labels.len() == target.classes {
            return Err(at.error(phrase::data_class_too_many(
                shorten(cell),
                target.classes,
                self.labels.join(", "),
            )));
        }
        self.labels.push(cell.to_string());
        Ok(self.labels.len() - 1)
    }
}

/// Where a cell is, for messages.
struct Place {
    line: usize,
    column: usize,
    /// The column's name in the header.
    name: Option<String>,
    /// What the column holds: `x[2]`, `the class of y`.
    holds: Message,
}

impl Place {
    fn error(&self, what: Message) -> DataError {
        let message = match &self.name {
            Some(name) => phrase::data_in_named_column(what, shorten(name), self.holds.clone()),
            None => phrase::data_in_column(what, self.holds.clone()),
        };
        DataError {
            line: self.line,
            column: self.column,
            message,
        }
    }
}

fn is_not_finite(cell: &str) -> bool {
    let lower = cell.trim_start_matches(['+', '-']).to_ascii_lowercase();
    matches!(lower.as_str(), "nan" | "inf" | "infinity")
}

/// A cell's text for a message: its first characters, control characters escaped.
fn shorten(cell: &str) -> String {
    let mut shown: String = cell
        .chars()
        .take(QUOTED)
        .flat_map(char::escape_debug)
        .collect();
    if cell.chars().count() > QUOTED {
        shown.push('…');
    }
    shown
}

/// Column names for a message: all of them, or the first and last few of a long list.
fn listed(columns: &[Column]) -> String {
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    if names.len() <= 12 {
        names.join(", ")
    } else {
        format!(
            "{} … {}",
            names[..4].join(", "),
            names[names.len() - 4..].join(", ")
        )
    }
}
