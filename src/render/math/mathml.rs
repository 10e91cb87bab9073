//! Formulas as presentation MathML (the inside of a `<math>` element), which every current
//! browser renders without scripts or fonts from elsewhere.

use crate::notation::{Formula, Function, NumberForm, Operator, Symbol, SymbolKind, number_form};

pub fn render(formula: &Formula) -> String {
    let mut out = String::new();
    write(formula, &mut out);
    out
}

fn write(f: &Formula, out: &mut String) {
    match f {
        Formula::Symbol(symbol) => out.push_str(&symbol_mathml(symbol)),
        Formula::Number(n) => {
            let (negative, form) = number_form(n);
            let body = match form {
                NumberForm::Decimal(d) => format!("<mn>{d}</mn>"),
                NumberForm::Fraction(p, q) => format!("<mfrac><mn>{p}</mn><mn>{q}</mn></mfrac>"),
            };
            if negative {
                out.push_str(&format!("<mrow><mo>−</mo>{body}</mrow>"));
            } else {
                out.push_str(&body);
            }
        }
        Formula::Array(items) => {
            out.push_str("<mrow><mo>[</mo>");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str("<mo separator=\"true\">,</mo>");
                }
                write(item, out);
            }
            out.push_str("<mo>]</mo></mrow>");
        }
        Formula::Neg(a) => {
            out.push_str("<mrow><mo>−</mo>");
            STYLE.operand(a, 3, false, out);
            out.push_str("</mrow>");
        }
        Formula::Binary(Operator::Div, a, b) => {
            out.push_str("<mfrac>");
            wrap(a, out);
            wrap(b, out);
            out.push_str("</mfrac>");
        }
        Formula::Binary(op, a, b) => {
            let p = f.precedence();
            out.push_str("<mrow>");
            STYLE.operand_in(f, a, p, (false, false), out);
            out.push_str(match op {
                Operator::Add => "<mo>+</mo>",
                Operator::Sub => "<mo>−</mo>",
                Operator::Scale => "<mo>·</mo>",
                Operator::Hadamard => "<mo>⊙</mo>",
                Operator::MatMul => "<mo>\u{2062}</mo>",
                Operator::Equals => "<mo>=</mo>",
                Operator::Div => "<mo>/</mo>",
            });
            STYLE.operand_in(f, b, p, (matches!(op, Operator::Sub), true), out);
            out.push_str("</mrow>");
        }
        Formula::Pow(base, exponent) => {
            out.push_str("<msup>");
            operand_wrapped(base, 6, out);
            wrap(exponent, out);
            out.push_str("</msup>");
        }
        Formula::Transpose(a) => {
            out.push_str("<msup>");
            operand_wrapped(a, 6, out);
            out.push_str("<mi mathvariant=\"normal\">T</mi></msup>");
        }
        Formula::Call(Function::Abs, a) => {
            out.push_str("<mrow><mo>|</mo>");
            write(a, out);
            out.push_str("<mo>|</mo></mrow>");
        }
        Formula::Call(Function::Sqrt, a) => {
            out.push_str("<msqrt>");
            write(a, out);
            out.push_str("</msqrt>");
        }
        Formula::Call(function, a) => {
            out.push_str("<mrow>");
            out.push_str(&format!("<mi>{}</mi>", function_name(*function)));
            out.push_str("<mo>\u{2061}</mo><mrow><mo>(</mo>");
            write(a, out);
            out.push_str("<mo>)</mo></mrow></mrow>");
        }
        Formula::Partial(of, wrt) => {
            out.push_str("<mfrac><mrow><mo>∂</mo>");
            STYLE.operand(of, 6, false, out);
            out.push_str("</mrow><mrow><mo>∂</mo>");
            STYLE.operand(wrt, 6, false, out);
            out.push_str("</mrow></mfrac>");
        }
        Formula::Derivative(var, of) => {
            out.push_str("<mrow><mfrac><mi mathvariant=\"normal\">d</mi><mrow><mi mathvariant=\"normal\">d</mi>");
            out.push_str(&symbol_mathml(var));
            out.push_str("</mrow></mfrac>");
            STYLE.operand(of, 3, false, out);
            out.push_str("</mrow>");
        }
        Formula::Kronecker(i, j) => {
            out.push_str(&format!(
                "<msub><mi>δ</mi><mrow><mi>{i}</mi><mi>{j}</mi></mrow></msub>"
            ));
        }
        Formula::Product(factors) => join(factors, "<mo>·</mo>", f.precedence(), out),
        Formula::Decimal(d) => {
            out.push_str("<mrow>");
            if d.negative {
                out.push_str("<mo>−</mo>");
            }
            out.push_str(&format!("<mn>{}</mn>", d.digits));
            if let Some(e) = d.exponent {
                let exponent = if e < 0 {
                    format!("<mo>−</mo><mn>{}</mn>", -e)
                } else {
                    format!("<mn>{e}</mn>")
                };
                out.push_str(&format!(
                    "<mo>×</mo><msup><mn>10</mn><mrow>{exponent}</mrow></msup>"
                ));
            }
            out.push_str("</mrow>");
        }
        Formula::Matrix(rows) => {
            out.push_str("<mrow><mo>[</mo>");
            // From three rows on, a bracket is assembled from pieces, and the left one then
            // sits a quarter of an em closer to its first column than the right one to its
            // last (Chromium, Latin Modern Math: 8 px against 13 px at the page's size); the
            // space evens them out, as far apart as a two-row matrix's single glyphs sit.
            if rows.len() >= 3 {
                out.push_str("<mspace width=\"0.25em\"/>");
            }
            out.push_str("<mtable>");
            for row in rows {
                out.push_str("<mtr>");
                for item in row {
                    out.push_str("<mtd>");
                    write(item, out);
                    out.push_str("</mtd>");
                }
                out.push_str("</mtr>");
            }
            out.push_str("</mtable><mo>]</mo></mrow>");
        }
        Formula::Sum(terms) => join(terms, "<mo>+</mo>", f.precedence(), out),
        Formula::BatchMean(index, a) => {
            out.push_str(&format!(
                "<mrow><mfrac><mn>1</mn><mi>m</mi></mfrac><munder><mo>∑</mo><mi>{}</mi></munder>",
                escape(index)
            ));
            STYLE.operand(a, 2, false, out);
            out.push_str("</mrow>");
        }
        Formula::Pick(a, i) => {
            out.push_str("<mrow>");
            STYLE.operand(a, 6, false, out);
            out.push_str("<mo>[</mo>");
            write(i, out);
            out.push_str("<mo>]</mo></mrow>");
        }
        Formula::Concat(items) | Formula::Apply(_, items) => {
            let name = match f {
                Formula::Apply(name, _) => name,
                _ => "concat",
            };
            out.push_str("<mrow><mi>");
            out.push_str(name);
            out.push_str("</mi><mo>\u{2061}</mo><mrow><mo>(</mo>");
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push_str("<mo separator=\"true\">,</mo>");
                }
                write(item, out);
            }
            out.push_str("<mo>)</mo></mrow></mrow>");
        }
        // A page lays a grid's maps out; on one line it is nested lists.
        Formula::Grid(grid) => write(&grid.nested, out),
        Formula::Slice(a, first, last) => {
            out.push_str("<mrow>");
            STYLE.operand(a, 6, false, out);
            out.push_str(&format!(
                "<mo>[</mo><mn>{first}</mn><mo>…</mo><mn>{last}</mn><mo>]</mo></mrow>"
            ));
        }
        Formula::Of(quantity, owner) => {
            out.push_str("<mrow>");
            write(quantity, out);
            out.push_str("<mo stretchy=\"false\">(</mo>");
            write(owner, out);
            out.push_str("<mo stretchy=\"false\">)</mo></mrow>");
        }
    }
}

fn wrap(f: &Formula, out: &mut String) {
    out.push_str("<mrow>");
    write(f, out);
    out.push_str("</mrow>");
}

/// An operand that must be one element (the base of a power).
fn operand_wrapped(f: &Formula, precedence: u8, out: &mut String) {
    out.push_str("<mrow>");
    STYLE.operand(f, precedence, false, out);
    out.push_str("</mrow>");
}

fn function_name(function: Function) -> &'static str {
    match function {
        Function::Sigmoid => "σ",
        Function::ReluPrime => "relu′",
        other => super::text::function_name(other),
    }
}

pub fn symbol_mathml(symbol: &Symbol) -> String {
    let plain = symbol_without_example(symbol);
    match &symbol.example {
        Some(example) => format!(
            "<msup>{plain}<mrow><mo>(</mo><mi>{}</mi><mo>)</mo></mrow></msup>",
            escape(example)
        ),
        None => plain,
    }
}

fn symbol_without_example(symbol: &Symbol) -> String {
    let name = format!("<mi>{}</mi>", escape(&symbol.name));
    // Indices: digits are numbers, letters (i, j in rules) identifiers.
    let indices: Vec<String> = symbol
        .indices
        .iter()
        .map(|i| {
            if i.chars().all(|c| c.is_ascii_digit()) {
                format!("<mn>{}</mn>", escape(i))
            } else {
                format!("<mi>{}</mi>", escape(i))
            }
        })
        .collect();
    let indices = indices.join(if symbol.separated { "<mo>,</mo>" } else { "" });
    let indexed = |base: String| {
        if indices.is_empty() {
            base
        } else {
            format!("<msub>{base}<mrow>{indices}</mrow></msub>")
        }
    };
    match symbol.kind {
        SymbolKind::Plain => indexed(name),
        SymbolKind::Delta => indexed(format!("<msub><mi>δ</mi>{name}</msub>")),
        SymbolKind::Updated if indices.is_empty() => format!("<msup>{name}<mo>+</mo></msup>"),
        SymbolKind::Updated => {
            format!("<msubsup>{name}<mrow>{indices}</mrow><mo>+</mo></msubsup>")
        }
        SymbolKind::Corrected => {
            indexed(format!("<mover accent=\"true\">{name}<mo>^</mo></mover>"))
        }
        // net with the element's symbol as its subscript: net_{h₁₄}, the layer's name one unit.
        SymbolKind::NetInput => format!(
            "<msub><mi>net</mi>{}</msub>",
            symbol_without_example(&Symbol {
                kind: SymbolKind::Plain,
                ..symbol.clone()
            })
        ),
    }
}

/// Text for XML content.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: super::Style = super::Style {
    write,
    open: "<mrow><mo>(</mo>",
    close: "<mo>)</mo></mrow>",
};

/// Terms or factors, as one `<mrow>`.
fn join(items: &[Formula], separator: &str, precedence: u8, out: &mut String) {
    out.push_str("<mrow>");
    STYLE.join(items, separator, precedence, out);
    out.push_str("</mrow>");
}

/// `f` as an operand of something binding at `precedence`: in parentheses when it needs them.
pub fn render_operand(f: &Formula, precedence: u8, strict: bool) -> String {
    let mut out = String::new();
    STYLE.operand(f, precedence, strict, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(rows: usize) -> Formula {
        Formula::Matrix(vec![vec![Formula::number(1), Formula::number(2)]; rows])
    }

    /// A bracket of three rows or more is assembled from pieces, which sit closer to the first
    /// column than to the last: a space after the left one evens them out.
    #[test]
    fn tall_brackets_sit_as_far_from_both_sides() {
        let space = "<mo>[</mo><mspace width=\"0.25em\"/><mtable>";
        assert!(
            !render(&matrix(2)).contains(space),
            "{}",
            render(&matrix(2))
        );
        assert!(render(&matrix(3)).contains(space), "{}", render(&matrix(3)));
        assert!(render(&matrix(8)).contains(space));
    }
}
