//! Laying out generated statements the way rustfmt does, for the few forms the generator writes:
//! calls, array literals and struct literals. Each goes on one line when rustfmt would keep it
//! there (its default "small heuristics": call arguments and arrays up to 60 columns, struct
//! literal bodies up to 18, lines up to 100) and is broken the way rustfmt breaks it otherwise.
//! Number tables that rustfmt would pack in its "mixed" layout are marked `#[rustfmt::skip]` and
//! laid out a row per line instead, which is how a person writes a matrix.

use unicode_width::UnicodeWidthStr;

pub const MAX_WIDTH: usize = 100;
const CALL_WIDTH: usize = 60;
const ARRAY_WIDTH: usize = 60;
const CHAIN_WIDTH: usize = 60;
const STRUCT_LITERAL_WIDTH: usize = 18;
/// rustfmt packs an array several items per line when every item is at most this wide.
const SHORT_ITEM: usize = 10;

pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

fn spaces(n: usize) -> String {
    " ".repeat(n)
}

/// `{head}{callee}({args}){tail}` at `indent`: one line, or one argument per line.
pub fn call(indent: usize, head: &str, callee: &str, args: &[String], tail: &str) -> String {
    let joined = args.join(", ");
    let line = format!("{}{head}{callee}({joined}){tail}", spaces(indent));
    if width(&joined) <= CALL_WIDTH && width(&line) <= MAX_WIDTH {
        return line;
    }
    let mut out = format!("{}{head}{callee}(\n", spaces(indent));
    for arg in args {
        out.push_str(&chain(indent + 4, arg, ",\n"));
    }
    out.push_str(&format!("{}){tail}", spaces(indent)));
    out
}

/// A chain of method calls `root.a().b(x)` followed by `tail` at `indent`, as rustfmt lays it
/// out: on one line when the chain is at most 60 characters wide (or has one call) and the line
/// fits; else the root (a path, perhaps indexed) on its line and each call on its own, a step
/// further in.
pub fn chain(indent: usize, chain: &str, tail: &str) -> String {
    let line = format!("{}{chain}{tail}", spaces(indent));
    let (root, calls) = split_chain(chain);
    if calls.len() < 2 || (width(chain) <= CHAIN_WIDTH && width(line.trim_end()) <= MAX_WIDTH) {
        return line;
    }
    // A root no wider than a tab keeps the first call on its line.
    let (head, calls) = if width(root) <= 4 {
        (format!("{root}{}", calls[0]), &calls[1..])
    } else {
        (root.to_string(), &calls[..])
    };
    let mut out = format!("{}{head}\n", spaces(indent));
    for (k, call) in calls.iter().enumerate() {
        let end = if k + 1 == calls.len() { tail } else { "\n" };
        out.push_str(&format!("{}{call}{end}", spaces(indent + 4)));
    }
    out
}

/// A chain's root and its calls (`.a()`, `.b(x)`): the calls start at each `.` outside brackets
/// that is followed by a name and `(`.
fn split_chain(chain: &str) -> (&str, Vec<&str>) {
    let mut starts = Vec::new();
    let mut depth = 0usize;
    for (at, c) in chain.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => {
                let rest = &chain[at + 1..];
                let name = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                if name > 0 && rest[name..].starts_with('(') {
                    starts.push(at);
                }
            }
            _ => {}
        }
    }
    let Some(&first) = starts.first() else {
        return (chain, Vec::new());
    };
    let mut calls = Vec::new();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(chain.len());
        calls.push(&chain[start..end]);
    }
    (&chain[..first], calls)
}

/// An array literal as an argument of a call whose arguments stand at `indent`: `[a, b]` on one
/// line when it fits rustfmt's width for arrays, else one item a line.
pub fn array_argument(indent: usize, items: &[String]) -> String {
    let joined = items.join(", ");
    if width(&joined) + 2 <= CALL_WIDTH && indent + width(&joined) + 3 <= MAX_WIDTH {
        return format!("[{joined}]");
    }
    let mut out = "[\n".to_string();
    for item in items {
        out.push_str(&format!("{}{item},\n", spaces(indent + 4)));
    }
    out.push_str(&format!("{}]", spaces(indent)));
    out
}

/// A function's signature `{head}{name}({params}){tail}`: one line when it fits in 100 columns,
/// else one parameter per line.
pub fn signature(head: &str, name: &str, params: &[String], tail: &str) -> String {
    let line = format!("{head}{name}({}){tail}", params.join(", "));
    if width(&line) <= MAX_WIDTH {
        return line;
    }
    let mut out = format!("{head}{name}(\n");
    for param in params {
        out.push_str(&format!("    {param},\n"));
    }
    out.push_str(&format!("){tail}"));
    out
}

/// `{name} { fields }` as an expression at `indent`, ending the line with `tail`.
pub fn struct_literal(
    indent: usize,
    head: &str,
    name: &str,
    fields: &[String],
    tail: &str,
) -> String {
    if fields.is_empty() {
        return format!("{}{head}{name} {{}}{tail}", spaces(indent));
    }
    let body = fields.join(", ");
    let line = format!("{}{head}{name} {{ {body} }}{tail}", spaces(indent));
    if width(&body) <= STRUCT_LITERAL_WIDTH && width(&line) <= MAX_WIDTH {
        return line;
    }
    let mut out = format!("{}{head}{name} {{\n", spaces(indent));
    for field in fields {
        out.push_str(&format!("{}{field},\n", spaces(indent + 4)));
    }
    out.push_str(&format!("{}}}{tail}", spaces(indent)));
    out
}

/// An item `{head}[items]{tail}` (such as `const X: [T; 3] = [1, 2, 3];`) at `indent`: one line
/// when rustfmt keeps it on one; one item per line when rustfmt puts it so; otherwise (short
/// items that rustfmt would pack) marked `#[rustfmt::skip]` and wrapped by `rows`, each inner
/// `Vec` on lines of its own.
pub fn array_item(indent: usize, head: &str, rows: &[Vec<String>], tail: &str) -> String {
    let items: Vec<&String> = rows.iter().flatten().collect();
    let joined = items
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let line = format!("{}{head}[{joined}]{tail}", spaces(indent));
    if width(&joined) <= ARRAY_WIDTH {
        if width(&line) <= MAX_WIDTH {
            return line;
        }
        // rustfmt moves an array that fits on a line of its own after the `=`.
        let next = format!("{}[{joined}]{tail}", spaces(indent + 4));
        if head.ends_with("= ") && width(&next) <= MAX_WIDTH {
            return format!("{}{}\n{next}", spaces(indent), head.trim_end());
        }
    }
    let long_items = items.iter().any(|item| width(item) > SHORT_ITEM);
    let fits = |item: &String| width(item) + indent + 5 <= MAX_WIDTH;
    if long_items && items.iter().all(|i| fits(i)) {
        let mut out = format!("{}{head}[\n", spaces(indent));
        for item in items {
            out.push_str(&format!("{}{item},\n", spaces(indent + 4)));
        }
        out.push_str(&format!("{}]{tail}", spaces(indent)));
        return out;
    }
    let mut out = format!("{0}#[rustfmt::skip]\n{0}{head}[\n", spaces(indent));
    for row in rows {
        let mut line = spaces(indent + 4);
        let mut empty = true;
        for item in row {
            if !empty && width(&line) + width(item) + 2 > MAX_WIDTH {
                out.push_str(line.trim_end());
                out.push('\n');
                line = spaces(indent + 4);
                empty = true;
            }
            if !empty {
                line.push(' ');
            }
            line.push_str(item);
            line.push(',');
            empty = false;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!("{}]{tail}", spaces(indent)));
    out
}

/// `for` loops around `body` (one line, already complete), one loop per `(variable, count)`.
pub fn loops(indent: usize, ranges: &[(&str, usize)], body: &str) -> String {
    let mut out = String::new();
    for (depth, (variable, count)) in ranges.iter().enumerate() {
        out.push_str(&format!(
            "{}for {variable} in 0..{count} {{\n",
            spaces(indent + 4 * depth)
        ));
    }
    let inner = indent + 4 * ranges.len();
    let line = format!("{}{body}", spaces(inner));
    match body.split_once(" = ") {
        // An assignment too long for its line continues after the `=`, as rustfmt breaks it.
        Some((place, value)) if width(&line) > MAX_WIDTH && !body.contains('\n') => {
            out.push_str(&format!(
                "{}{place} =\n{}{value}\n",
                spaces(inner),
                spaces(inner + 4)
            ));
        }
        _ => out.push_str(&format!("{line}\n")),
    }
    for depth in (0..ranges.len()).rev() {
        out.push_str(&format!("{}}}\n", spaces(indent + 4 * depth)));
    }
    out
}

/// A `//` comment line holding `text` (a formula): characters that could end the comment or
/// change how the line displays are replaced by spaces.
pub fn comment(indent: usize, text: &str) -> String {
    format!("{}// {}\n", spaces(indent), comment_text(text))
}

/// `text` made safe for one line of a `//` or `///` comment.
pub fn comment_text(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if is_unsafe_in_comment(c) { ' ' } else { c })
        .collect();
    clean.trim_end().to_string()
}

/// Line breaks, other control characters, and the bidirectional overrides rustc refuses in
/// comments.
fn is_unsafe_in_comment(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
                | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_break_past_sixty_columns_of_arguments() {
        let short = call(4, "", "k", &["&a".into(), "&b".into()], ";");
        assert_eq!(short, "    k(&a, &b);");
        let long: Vec<String> = (0..6).map(|i| format!("&argument_{i}")).collect();
        assert_eq!(
            call(4, "", "k", &long, ";").lines().count(),
            8,
            "one argument per line"
        );
    }

    #[test]
    fn comments_cannot_be_ended_early() {
        assert_eq!(comment(0, "a\nb\u{202e}c"), "// a b c\n");
    }
}
