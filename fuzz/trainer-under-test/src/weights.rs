//! Weights files: JSON objects keyed by parameter name, each value nested arrays in the
//! parameter's shape, `{"W1": [[…], …], "b1": […]}`. Numbers are written with the fewest digits
//! that read back as exactly the same `Real`, so saving and loading loses nothing.
//! Weights trained on text labels keep them, in class order, under `"class labels"` (a key no
//! parameter can have), so that other files' labels mean the same classes.
//!
//! Reading checks every name, shape and number, and every problem names the line and the column.
//! (Training writes them as `checkpoint.rs` says: whole, whenever it is killed.)

use std::fmt::Write as _;

use crate::Real;
use crate::model::{PARAMS, Params};
use crate::words;

/// `params` as a JSON object, a parameter per line and a matrix row per line.
pub fn to_json(params: &Params) -> Result<String, String> {
    let mut out = String::from("{\n");
    write_entries(&mut out, params, PARAMS.len())?;
    out.push_str("}\n");
    Ok(out)
}

/// The key of the class labels: a parameter's name is never two words.
pub const LABELS: &str = "class labels";

/// Appends `params` as JSON to `out`, each in the file's layout, after the class `labels` if
/// there are any.
pub fn write_json(out: &mut String, params: &Params, labels: &[String]) -> Result<(), String> {
    out.push_str("{\n");
    if !labels.is_empty() {
        let texts: Vec<String> = labels.iter().map(|label| quoted(label)).collect();
        out.push_str(&format!("  {}: [{}],\n", quoted(LABELS), texts.join(", ")));
    }
    write_entries(out, params, PARAMS.len())?;
    out.push_str("}\n");
    Ok(())
}

/// The first `count` entries of `params`, in the order of `PARAMS`, a line each.
fn write_entries(out: &mut String, params: &Params, count: usize) -> Result<(), String> {
    let entries = PARAMS.iter().zip(params.values()).take(count);
    for (index, ((name, shape), values)) in entries.enumerate() {
        if let Some(at) = values.iter().position(|x| !x.is_finite()) {
            let value = values[at];
            // Where it is in the file's layout.
            let at = (0..values.len())
                .find(|&p| crate::model::stored_at(index, p) == at)
                .unwrap_or(at);
            let element = element_name(name, shape, at);
            return Err(words::cannot_hold(element, value));
        }
        // A matrix stored transposed (`STORED_TRANSPOSED`) is written down its columns.
        let transposed = crate::model::STORED_TRANSPOSED[index];
        // A number takes at most 16 characters with its separator (32 in f64): one allocation
        // instead of a copy at every doubling (mnist-size's save: 38 -> 30 ms).
        out.reserve(values.len() * (std::mem::size_of::<Real>() * 4));
        out.push_str("  ");
        out.push_str(&quoted(name));
        out.push_str(": ");
        match shape {
            [] => push_number(out, values[0]),
            [n] => push_row(out, values[..*n].iter().copied()),
            [rows, columns, ..] => {
                out.push_str("[\n");
                for row in 0..*rows {
                    if row > 0 {
                        out.push_str(",\n");
                    }
                    out.push_str("    ");
                    if transposed {
                        push_row(out, (0..*columns).map(|column| values[column * rows + row]));
                        continue;
                    }
                    let start = row * columns;
                    push_row(out, values[start..start + columns].iter().copied());
                }
                out.push_str("\n  ]");
            }
        }
        out.push_str(if index + 1 < count { ",\n" } else { "\n" });
    }
    Ok(())
}

/// The name of one element of a parameter: `W1[0, 2]`, `b1[3]`, `s`.
pub fn element_name(name: &str, shape: &[usize], position: usize) -> String {
    match shape {
        [] => name.to_string(),
        [_] => format!("{name}[{position}]"),
        [_, columns, ..] => format!("{name}[{}, {}]", position / columns, position % columns),
    }
}

/// A number that reads back exactly: Rust's shortest round-trip form, valid JSON.
pub fn number(x: Real) -> String {
    format!("{x:?}")
}

fn push_number(out: &mut String, x: Real) {
    // Writing to a String cannot fail.
    let _ = write!(out, "{x:?}");
}

fn push_row(out: &mut String, values: impl Iterator<Item = Real>) {
    out.push('[');
    for (i, x) in values.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_number(out, x);
    }
    out.push(']');
}

/// A JSON string.
pub fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
/// The parameters of a weights file, and the class labels it keeps (none for weights trained on
/// numbered classes).
pub type Weights = (Params, Vec<String>);

/// Reads the weights file at `path`.
pub fn load(path: &str) -> Result<Weights, String> {
    let bytes = std::fs::read(path).map_err(|e| words::cannot_read(e, path))?;
    from_bytes(path, &bytes)
}

/// The weights in `bytes`, the contents of the file `path` (named in messages).
pub fn from_bytes(path: &str, bytes: &[u8]) -> Result<Weights, String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(path, text),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let text = std::str::from_utf8(valid).unwrap_or_default();
            let (line, column) = line_and_column(text, text.len());
            let place = format!("{path}:{line}:{column}");
            Err(words::not_text(e.valid_up_to() + 1, place))
        }
    }
}

/// The weights in `text`, the contents of the file `path` (named in messages).
pub fn parse(path: &str, text: &str) -> Result<Weights, String> {
    // A byte-order mark, as some editors write at the start, is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let at = |offset: usize, what: &str| {
        let (line, column) = line_and_column(text, offset);
        format!("{path}:{line}:{column}: {what}")
    };
    let document = Parser { text, at: 0, path }.document()?;
    let Json::Object { entries, end } = document.json else {
        return Err(at(document.at, &words::not_an_object()));
    };
    let mut params = Params::zeros();
    let mut seen = [false; PARAMS.len()];
    let mut values = Vec::new();
    let mut labels = None;
    for entry in &entries {
        let key = &entry.key;
        if key == LABELS {
            if labels.is_some() {
                return Err(at(entry.at, &words::appears_twice(key)));
            }
            labels = Some(class_labels(&entry.value).map_err(|(offset, what)| at(offset, &what))?);
            continue;
        }
        let Some(index) = PARAMS.iter().position(|(name, _)| name == key) else {
            let names: Vec<String> = PARAMS.iter().map(|(name, _)| format!("`{name}`")).collect();
            let what = words::not_a_parameter(key, names.join(", "));
            return Err(at(entry.at, &what));
        };
        if seen[index] {
            return Err(at(entry.at, &words::appears_twice(key)));
        }
        seen[index] = true;
        let (name, shape) = PARAMS[index];
        values.clear();
        flatten(&entry.value, shape, &mut values).map_err(|(offset, found)| {
            at(offset, &words::should_be(found, name, describe(shape)))
        })?;
        let tensors = params.values_mut();
        for (position, x) in values.iter().enumerate() {
            tensors[index][crate::model::stored_at(index, position)] = *x;
        }
    }
    if let Some(missing) = seen.iter().position(|s| !s) {
        return Err(at(end, &words::missing(PARAMS[missing].0)));
    }
    Ok((params, labels.unwrap_or_default()))
}

/// The class labels of a `"class labels"` entry: different texts, at most one per class; else
/// where it goes wrong, and how.
fn class_labels(value: &Value) -> Result<Vec<String>, (usize, String)> {
    let Json::Array(items) = &value.json else {
        return Err((value.at, words::labels_not_texts(LABELS)));
    };
    if items.len() > crate::model::CLASSES {
        let what = words::too_many_labels(crate::model::CLASSES, LABELS, items.len());
        return Err((value.at, what));
    }
    let mut labels: Vec<String> = Vec::new();
    for item in items {
        let Json::Text(label) = &item.json else {
            return Err((item.at, words::label_not_text()));
        };
        if label.is_empty() || labels.contains(label) {
            let what = words::label_empty_or_twice(quoted(label));
            return Err((item.at, what));
        }
        labels.push(label.clone());
    }
    Ok(labels)
}

/// The line and column (both from 1, the column in characters) of byte `offset` of `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.chars().rev().take_while(|&c| c != '\n').count() + 1;
    (line, column)
}

/// "a number", "an array of 3 numbers", "an array of 2 arrays of 3 numbers".
fn describe(shape: &[usize]) -> String {
    match shape {
        [] => words::shape_number(),
        [n] => words::shape_vector(*n),
        [m, n, ..] => words::shape_matrix(*n, *m),
    }
}

/// Appends the numbers of `value`, which must have `shape`; else says what it found, and where.
fn flatten(value: &Value, shape: &[usize], out: &mut Vec<Real>) -> Result<(), (usize, String)> {
    match (shape, &value.json) {
        ([], Json::Number(x)) => {
            out.push(*x);
            Ok(())
        }
        ([n, rest @ ..], Json::Array(items)) if items.len() == *n => {
            for item in items {
                flatten(item, rest, out)?;
            }
            Ok(())
        }
        (_, Json::Array(items)) => Err((value.at, words::has_array(items.len()))),
        (_, Json::Number(_)) => Err((value.at, words::has_number())),
        (_, Json::Object { .. }) => Err((value.at, words::has_object())),
        (_, Json::Text(_)) => Err((value.at, words::has_text())),
    }
}

/// A JSON value and the byte offset where it starts.
struct Value {
    at: usize,
    json: Json,
}

/// The JSON a weights file may hold: objects, arrays, numbers and texts (the class labels).
enum Json {
    Number(Real),
    Text(String),
    Array(Vec<Value>),
    /// The entries, and the offset of the closing `}`.
    Object {
        entries: Vec<Entry>,
        end: usize,
    },
}

/// `"key": value` in an object, and the offset of the key.
struct Entry {
    key: String,
    at: usize,
    value: Value,
}

/// Arrays nest at most this deep: a weights file needs three levels.
const MAX_DEPTH: usize = 16;

/// A recursive-descent reader of the JSON subset above, with line and column in its errors.
struct Parser<'a> {
    text: &'a str,
    at: usize,
    path: &'a str,
}

impl Parser<'_> {
    fn document(&mut self) -> Result<Value, String> {
        let value = self.value(0)?;
        self.skip_space();
        if self.at < self.text.len() {
            return Err(self.error(&words::text_after_object()));
        }
        Ok(value)
    }

    fn error(&self, what: &str) -> String {
        let (line, column) = line_and_column(self.text, self.at);
        format!("{}:{line}:{column}: {what}", self.path)
    }

    fn peek(&self) -> Option<char> {
        self.text[self.at..].chars().next()
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek().filter(|c| c.is_ascii_whitespace()) {
            self.at += c.len_utf8();
        }
    }

    fn expect(&mut self, wanted: char) -> Result<(), String> {
        self.skip_space();
        if self.peek() == Some(wanted) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.error(&words::expected(wanted)))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err(self.error(&words::nested_too_deeply()));
        }
        self.skip_space();
        let at = self.at;
        let json = match self.peek() {
            Some('{') => self.object(depth)?,
            Some('[') => self.array(depth)?,
            Some(c) if c == '-' || c.is_ascii_digit() => self.number()?,
            Some('"') => Json::Text(self.string()?),
            Some(c) if c.is_control() => {
                let found = format!("{c:?}");
                return Err(self.error(&words::expected_value_control(found)));
            }
            Some(c) => {
                return Err(self.error(&words::expected_value(c)));
            }
            None => return Err(self.error(&words::ends_before_value())),
        };
        Ok(Value { at, json })
    }

    fn object(&mut self, depth: usize) -> Result<Json, String> {
        self.expect('{')?;
        let mut entries = Vec::new();
        self.skip_space();
        if self.peek() == Some('}') {
            let end = self.at;
            self.at += 1;
            return Ok(Json::Object { entries, end });
        }
        loop {
            self.skip_space();
            let at = self.at;
            let key = self.string()?;
            self.expect(':')?;
            let value = self.value(depth + 1)?;
            entries.push(Entry { key, at, value });
            self.skip_space();
            match self.peek() {
                Some(',') => self.at += 1,
                Some('}') => {
                    let end = self.at;
                    self.at += 1;
                    return Ok(Json::Object { entries, end });
                }
                _ => return Err(self.error(&words::expected_comma_or_brace())),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, String> {
        self.expect('[')?;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(']') {
            self.at += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.peek() {
                Some(',') => self.at += 1,
                Some(']') => {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error(&words::expected_comma_or_bracket())),
            }
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.at;
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
        {
            self.at += c.len_utf8();
        }
        let text = &self.text[start..self.at];
        match text.parse::<Real>() {
            Ok(x) if x.is_finite() => Ok(Json::Number(x)),
            _ => {
                self.at = start;
                Err(self.error(&words::not_finite(text)))
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        if self.peek() != Some('"') {
            return Err(self.error(&words::expected_name()));
        }
        self.at += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error(&words::ends_in_string()));
            };
            self.at += c.len_utf8();
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let Some(escaped) = self.peek() else {
                        return Err(self.error(&words::ends_in_string()));
                    };
                    self.at += escaped.len_utf8();
                    match escaped {
                        '"' | '\\' | '/' => out.push(escaped),
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        'r' => out.push('\r'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'u' => {
                            let hex = self.text.get(self.at..self.at + 4).unwrap_or("");
                            let code = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                            let Some(code) = code else {
                                return Err(self.error(&words::escape_needs_hex()));
                            };
                            self.at += 4;
                            out.push(code);
                        }
                        _ => return Err(self.error(&words::unknown_escape())),
                    }
                }
                c => out.push(c),
            }
        }
    }
}
