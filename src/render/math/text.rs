//! Formulas as Unicode text: `δo = (o − y) ⊙ o ⊙ (1 − o)`, `∂E/∂W2 = δo hᵀ`.

use super::needs_parens;
use crate::notation::{Formula, Function, NumberForm, Operator, Symbol, SymbolKind, number_form};

pub fn render(formula: &Formula) -> String {
    let mut out = String::new();
    write(formula, &mut out);
    out
}

fn write(f: &Formula, out: &mut String) {
    match f {
        Formula::Symbol(symbol) => out.push_str(&symbol_text(symbol)),
        Formula::Number(n) => {
            let (negative, form) = number_form(n);
            if negative {
                out.push('−');
            }
            match form {
                NumberForm::Decimal(d) => out.push_str(&d),
                NumberForm::Fraction(p, q) => {
                    out.push_str(&p);
                    out.push('/');
                    out.push_str(&q);
                }
            }
        }
        Formula::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(item, out);
            }
            out.push(']');
        }
        Formula::Neg(a) => {
            out.push('−');
            STYLE.operand(a, 3, false, out);
        }
        Formula::Binary(op, a, b) => {
            let p = f.precedence();
            match op {
                Operator::Scale
                    if (is_coefficient(a) && !starts_with_digit(b))
                        || (needs_parens(b, p, true)
                            && !is_number(b)
                            && super::may_juxtapose(a)) =>
                {
                    STYLE.operand(a, p, false, out);
                    STYLE.operand(b, p, true, out);
                }
                Operator::MatMul => {
                    STYLE.operand_in(f, a, p, (false, false), out);
                    out.push(' ');
                    STYLE.operand_in(f, b, p, (true, true), out);
                }
                _ => {
                    STYLE.operand_in(f, a, p, (false, false), out);
                    out.push_str(match op {
                        Operator::Add => " + ",
                        Operator::Sub => " − ",
                        Operator::Scale => "·",
                        Operator::Hadamard => " ⊙ ",
                        Operator::Div => "/",
                        Operator::Equals => " = ",
                        Operator::MatMul => " ",
                    });
                    let strict = matches!(op, Operator::Sub | Operator::Div);
                    STYLE.operand_in(f, b, p, (strict, true), out);
                }
            }
        }
        Formula::Pow(base, exponent) => {
            STYLE.operand(base, 6, false, out);
            match superscript(exponent) {
                Some(sup) => out.push_str(&sup),
                None => {
                    out.push('^');
                    STYLE.operand(exponent, 6, false, out);
                }
            }
        }
        Formula::Transpose(a) => {
            STYLE.operand(a, 6, false, out);
            out.push('ᵀ');
        }
        Formula::Call(function, a) => match function {
            Function::Abs => {
                out.push('|');
                write(a, out);
                out.push('|');
            }
            _ => {
                out.push_str(function_name(*function));
                out.push('(');
                write(a, out);
                out.push(')');
            }
        },
        Formula::Partial(of, wrt) => {
            out.push('∂');
            STYLE.operand(of, 6, false, out);
            out.push_str("/∂");
            STYLE.operand(wrt, 6, false, out);
        }
        Formula::Derivative(var, of) => {
            out.push_str("d/d");
            out.push_str(&symbol_text(var));
            out.push(' ');
            STYLE.operand(of, 3, false, out);
        }
        Formula::Kronecker(i, j) => {
            out.push('δ');
            out.push_str(&subscript(i));
            out.push_str(&subscript(j));
        }
        Formula::Product(factors) => STYLE.join(factors, " · ", f.precedence(), out),
        Formula::Decimal(d) => {
            if d.negative {
                out.push('−');
            }
            out.push_str(&d.digits);
            if let Some(e) = d.exponent {
                out.push_str("×10");
                out.push_str(
                    &superscript(&Formula::number(e as i64)).unwrap_or_else(|| format!("^{e}")),
                );
            }
        }
        Formula::Matrix(rows) => {
            out.push('[');
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push('[');
                for (j, item) in row.iter().enumerate() {
                    if j > 0 {
                        out.push_str(", ");
                    }
                    write(item, out);
                }
                out.push(']');
            }
            out.push(']');
        }
        Formula::Sum(terms) => STYLE.join(terms, " + ", f.precedence(), out),
        Formula::BatchMean(index, a) => {
            out.push_str("(1/m) Σ");
            out.push_str(&subscript(index));
            out.push(' ');
            STYLE.operand(a, 2, false, out);
        }
        Formula::Pick(a, i) => {
            STYLE.operand(a, 6, false, out);
            out.push('[');
            write(i, out);
            out.push(']');
        }
        Formula::Concat(items) | Formula::Apply(_, items) => {
            out.push_str(match f {
                Formula::Apply(name, _) => name,
                _ => "concat",
            });
            out.push('(');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                write(item, out);
            }
            out.push(')');
        }
        // A page lays a grid's maps out; on one line it is nested lists.
        Formula::Grid(grid) => write(&grid.nested, out),
        Formula::Slice(a, first, last) => {
            STYLE.operand(a, 6, false, out);
            out.push_str(&format!("[{first}…{last}]"));
        }
        Formula::Of(quantity, owner) => {
            write(quantity, out);
            out.push('(');
            write(owner, out);
            out.push(')');
        }
    }
}

/// A positive number in front of a product is written by juxtaposition: `2(o − y)`.
fn is_coefficient(f: &Formula) -> bool {
    matches!(f, Formula::Number(n) if matches!(number_form(n), (false, NumberForm::Decimal(_))))
}

fn is_number(f: &Formula) -> bool {
    matches!(f, Formula::Number(_) | Formula::Decimal(_))
}

fn starts_with_digit(f: &Formula) -> bool {
    render(f).starts_with(|c: char| c.is_ascii_digit())
}

pub fn function_name(function: Function) -> &'static str {
    match function {
        Function::Sigmoid => "σ",
        Function::Tanh => "tanh",
        Function::Relu => "relu",
        Function::ReluPrime => "relu′",
        Function::Exp => "exp",
        Function::Log => "log",
        Function::Sqrt => "√",
        Function::Abs => "abs",
        Function::Sign => "sign",
        Function::Sum => "sum",
        Function::Mean => "mean",
        Function::Softmax => "softmax",
        Function::LogSoftmax => "log_softmax",
        Function::OneHot => "onehot",
    }
}

pub fn symbol_text(symbol: &Symbol) -> String {
    let mut text = String::new();
    match symbol.kind {
        SymbolKind::Delta => text.push('δ'),
        SymbolKind::NetInput => text.push_str("net_"),
        _ => {}
    }
    text.push_str(&symbol.name);
    if symbol.kind == SymbolKind::Corrected {
        text.push('\u{302}');
    }
    let indices: Vec<String> = symbol.indices.iter().map(|i| subscript(i)).collect();
    text.push_str(&indices.join(if symbol.separated { "," } else { "" }));
    if let Some(example) = &symbol.example {
        text.push_str(&example_superscript(example));
    }
    if symbol.kind == SymbolKind::Updated {
        text.push('⁺');
    }
    text
}

/// `⁽ⁱ⁾`, `⁽¹²⁾`: which example of a batch, as textbooks write it.
fn example_superscript(example: &str) -> String {
    let mapped: Option<String> = example
        .chars()
        .map(|c| match c {
            '0' => Some('⁰'),
            '1' => Some('¹'),
            '2' => Some('²'),
            '3' => Some('³'),
            '4'..='9' => char::from_u32('⁴' as u32 + (c as u32 - '4' as u32)),
            'i' => Some('ⁱ'),
            'j' => Some('ʲ'),
            'k' => Some('ᵏ'),
            'l' => Some('ˡ'),
            'n' => Some('ⁿ'),
            _ => None,
        })
        .collect();
    match mapped {
        Some(sup) => format!("⁽{sup}⁾"),
        None => format!("^({example})"),
    }
}

/// Unicode subscripts where every character has one, else `_index`.
fn subscript(index: &str) -> String {
    let mapped: Option<String> = index
        .chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32('₀' as u32 + (c as u32 - '0' as u32)),
            'i' => Some('ᵢ'),
            'j' => Some('ⱼ'),
            'k' => Some('ₖ'),
            'l' => Some('ₗ'),
            'n' => Some('ₙ'),
            _ => None,
        })
        .collect();
    mapped.unwrap_or_else(|| format!("_{index}"))
}

/// Small integer exponents as superscripts: `x²`, `b⁻¹`.
fn superscript(exponent: &Formula) -> Option<String> {
    let Formula::Number(n) = exponent else {
        return None;
    };
    if !n.is_integer() {
        return None;
    }
    let digits = n.numer().to_string();
    digits
        .chars()
        .map(|c| match c {
            '-' => Some('⁻'),
            '0' => Some('⁰'),
            '1' => Some('¹'),
            '2' => Some('²'),
            '3' => Some('³'),
            '4'..='9' => char::from_u32('⁴' as u32 + (c as u32 - '4' as u32)),
            _ => None,
        })
        .collect()
}

const STYLE: super::Style = super::Style {
    write,
    open: "(",
    close: ")",
};

/// `f` as an operand of something binding at `precedence`: in parentheses when it needs them.
pub fn render_operand(f: &Formula, precedence: u8, strict: bool) -> String {
    let mut out = String::new();
    STYLE.operand(f, precedence, strict, &mut out);
    out
}
