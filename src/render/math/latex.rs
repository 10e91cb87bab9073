//! Formulas as LaTeX math (the inside of `$…$` or `\[…\]`): `\delta_{o} = (o - y) \odot o \odot (1 - o)`.

use super::needs_parens;
use crate::notation::{Formula, Function, NumberForm, Operator, Symbol, SymbolKind, number_form};

pub fn render(formula: &Formula) -> String {
    let mut out = String::new();
    write(formula, &mut out);
    out
}

fn write(f: &Formula, out: &mut String) {
    match f {
        Formula::Symbol(symbol) => out.push_str(&symbol_latex(symbol)),
        Formula::Number(n) => {
            let (negative, form) = number_form(n);
            if negative {
                out.push('-');
            }
            match form {
                NumberForm::Decimal(d) => out.push_str(&d),
                NumberForm::Fraction(p, q) => out.push_str(&format!("\\tfrac{{{p}}}{{{q}}}")),
            }
        }
        // A tensor's matrices (channels, filters) one under the other, so that a page holds
        // the width of one.
        Formula::Array(items) if items.iter().any(holds_matrices) => {
            out.push_str("\\left[\\begin{array}{c}");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", \\\\ ");
                }
                match item {
                    Formula::Symbol(s) if s.name == "⋯" => out.push_str("\\vdots"),
                    _ => write(item, out),
                }
            }
            out.push_str("\\end{array}\\right]");
        }
        Formula::Array(items) => {
            out.push_str("\\left[");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\\ ");
                }
                write(item, out);
            }
            out.push_str("\\right]");
        }
        Formula::Neg(a) => {
            out.push('-');
            STYLE.operand(a, 3, false, out);
        }
        Formula::Binary(Operator::Div, a, b) => {
            out.push_str("\\frac{");
            write(a, out);
            out.push_str("}{");
            write(b, out);
            out.push('}');
        }
        Formula::Binary(op, a, b) => {
            let p = f.precedence();
            STYLE.operand_in(f, a, p, (false, false), out);
            out.push_str(match op {
                Operator::Add => " + ",
                Operator::Sub => " - ",
                Operator::Scale
                    if is_coefficient(a)
                        || (needs_parens(b, p, true)
                            && !matches!(**b, Formula::Number(_) | Formula::Decimal(_))
                            && super::may_juxtapose(a)) =>
                {
                    " "
                }
                Operator::Scale => " \\cdot ",
                Operator::Hadamard => " \\odot ",
                Operator::MatMul => " \\, ",
                Operator::Equals => " = ",
                Operator::Div => "/",
            });
            STYLE.operand_in(f, b, p, (matches!(op, Operator::Sub), true), out);
        }
        Formula::Pow(base, exponent) => {
            out.push('{');
            STYLE.operand(base, 6, false, out);
            out.push_str("}^{");
            write(exponent, out);
            out.push('}');
        }
        Formula::Transpose(a) => {
            out.push('{');
            STYLE.operand(a, 6, false, out);
            out.push_str("}^{\\top}");
        }
        Formula::Call(Function::Abs, a) => {
            out.push_str("\\left\\lvert ");
            write(a, out);
            out.push_str(" \\right\\rvert");
        }
        Formula::Call(Function::Sqrt, a) => {
            out.push_str("\\sqrt{");
            write(a, out);
            out.push('}');
        }
        Formula::Call(function, a) => {
            out.push_str(function_latex(*function));
            out.push_str("\\left(");
            write(a, out);
            out.push_str("\\right)");
        }
        Formula::Partial(of, wrt) => {
            out.push_str("\\frac{\\partial ");
            STYLE.operand(of, 6, false, out);
            out.push_str("}{\\partial ");
            STYLE.operand(wrt, 6, false, out);
            out.push('}');
        }
        Formula::Derivative(var, of) => {
            out.push_str("\\frac{d}{d");
            out.push_str(&symbol_latex(var));
            out.push_str("} ");
            STYLE.operand(of, 3, false, out);
        }
        Formula::Kronecker(i, j) => out.push_str(&format!("\\delta_{{{i}{j}}}")),
        Formula::Product(factors) => STYLE.join(factors, " \\cdot ", f.precedence(), out),
        Formula::Decimal(d) => {
            if d.negative {
                out.push('-');
            }
            out.push_str(&d.digits);
            if let Some(e) = d.exponent {
                out.push_str(&format!(" \\times 10^{{{e}}}"));
            }
        }
        Formula::Matrix(rows) => {
            out.push_str("\\begin{bmatrix}");
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    out.push_str(" \\\\ ");
                }
                for (j, item) in row.iter().enumerate() {
                    if j > 0 {
                        out.push_str(" & ");
                    }
                    write(item, out);
                }
            }
            out.push_str("\\end{bmatrix}");
        }
        Formula::Sum(terms) => STYLE.join(terms, " + ", f.precedence(), out),
        Formula::BatchMean(index, a) => {
            out.push_str(&format!("\\frac{{1}}{{m}} \\sum_{{{index}}} "));
            STYLE.operand(a, 2, false, out);
        }
        Formula::Pick(a, i) => {
            STYLE.operand(a, 6, false, out);
            out.push('[');
            write(i, out);
            out.push(']');
        }
        Formula::Concat(items) | Formula::Apply(_, items) => {
            let name = match f {
                Formula::Apply(name, _) => name.replace('_', "\\_"),
                _ => "concat".to_string(),
            };
            out.push_str(&format!("\\operatorname{{{name}}}\\left("));
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push_str(",\\ ");
                }
                write(item, out);
            }
            out.push_str("\\right)");
        }
        // A page lays a grid's maps out; on one line it is nested lists.
        Formula::Grid(grid) => write(&grid.nested, out),
        Formula::Slice(a, first, last) => {
            STYLE.operand(a, 6, false, out);
            out.push_str(&format!("[{first} \\ldots {last}]"));
        }
        Formula::Of(quantity, owner) => {
            write(quantity, out);
            out.push_str("\\left(");
            write(owner, out);
            out.push_str("\\right)");
        }
    }
}

fn is_coefficient(f: &Formula) -> bool {
    matches!(f, Formula::Number(n) if matches!(number_form(n), (false, NumberForm::Decimal(_))))
}

fn function_latex(function: Function) -> &'static str {
    match function {
        Function::Sigmoid => "\\sigma",
        Function::Tanh => "\\tanh",
        Function::Relu => "\\operatorname{relu}",
        Function::ReluPrime => "\\operatorname{relu}'",
        Function::Exp => "\\exp",
        Function::Log => "\\log",
        Function::Sqrt => "\\sqrt",
        Function::Abs => "\\operatorname{abs}",
        Function::Sign => "\\operatorname{sign}",
        Function::Sum => "\\operatorname{sum}",
        Function::Mean => "\\operatorname{mean}",
        Function::Softmax => "\\operatorname{softmax}",
        Function::LogSoftmax => "\\operatorname{log\\_softmax}",
        Function::OneHot => "\\operatorname{onehot}",
    }
}

/// A name in math mode: one Latin letter stays italic as is; longer names are set upright as a
/// unit (`\mathit{W2}`); anything outside ASCII goes through `\text{}` so that any name a file
/// can hold compiles. Indices are one subscript, with commas when the symbol separates them.
pub fn symbol_latex(symbol: &Symbol) -> String {
    let indices = symbol.indices.join(if symbol.separated { "," } else { "" });
    let name = name_latex(&symbol.name);
    let indexed = |base: String| {
        if indices.is_empty() {
            base
        } else {
            format!("{base}_{{{indices}}}")
        }
    };
    let text = match symbol.kind {
        SymbolKind::Plain | SymbolKind::Updated => indexed(name),
        SymbolKind::Delta => indexed(format!("{{\\delta_{{{name}}}}}")),
        SymbolKind::Corrected => indexed(format!("\\hat{{{name}}}")),
        // The net input of the element h₁₄ is net with h₁₄ as its subscript: the layer's name
        // stays one unit, whatever its length (`net_{h1_{4}}` is not `net_{h_{14}}`).
        SymbolKind::NetInput => format!(
            "\\mathrm{{net}}_{{{}}}",
            symbol_latex(&Symbol {
                kind: SymbolKind::Plain,
                example: None,
                ..symbol.clone()
            })
        ),
    };
    match (&symbol.example, symbol.kind == SymbolKind::Updated) {
        (Some(example), true) => format!("{{{text}}}^{{({example})+}}"),
        (Some(example), false) => format!("{{{text}}}^{{({example})}}"),
        (None, true) => format!("{{{text}}}^{{+}}"),
        (None, false) => text,
    }
}

fn name_latex(name: &str) -> String {
    if let Some(greek) = greek_latex(name) {
        return greek;
    }
    match name {
        "⋯" => return "\\cdots".to_string(),
        "⋮" => return "\\vdots".to_string(),
        "𝟙" => return "\\mathbf{1}".to_string(),
        _ => {}
    }
    if name.len() == 1 && name.chars().all(|c| c.is_ascii_alphabetic()) {
        return name.to_string();
    }
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return format!("\\mathit{{{}}}", name.replace('_', "\\_"));
    }
    format!("\\text{{{}}}", escape_text(name))
}

/// Greek letters (with Unicode subscript digits) as LaTeX commands: `β₁` is `\beta_{1}`.
fn greek_latex(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let letter = chars.next()?;
    let command = match letter {
        'α' => "\\alpha",
        'β' => "\\beta",
        'γ' => "\\gamma",
        'δ' => "\\delta",
        'ε' => "\\varepsilon",
        'ϵ' => "\\epsilon",
        'ζ' => "\\zeta",
        'η' => "\\eta",
        'θ' => "\\theta",
        'ϑ' => "\\vartheta",
        'κ' => "\\kappa",
        'λ' => "\\lambda",
        'μ' => "\\mu",
        'ν' => "\\nu",
        'ξ' => "\\xi",
        'π' => "\\pi",
        'ϖ' => "\\varpi",
        'ρ' => "\\rho",
        'σ' => "\\sigma",
        'τ' => "\\tau",
        'φ' => "\\varphi",
        'χ' => "\\chi",
        'ψ' => "\\psi",
        'ω' => "\\omega",
        'Γ' => "\\Gamma",
        'Δ' => "\\Delta",
        'Θ' => "\\Theta",
        'ℓ' => "\\ell",
        _ => return None,
    };
    let rest: Option<String> = chars
        .map(|c| match c {
            '₀'..='₉' => char::from_digit(c as u32 - '₀' as u32, 10),
            _ => None,
        })
        .collect();
    let rest = rest?;
    Some(if rest.is_empty() {
        command.to_string()
    } else {
        format!("{command}_{{{rest}}}")
    })
}

/// Text for LaTeX's text mode: the characters with a meaning of their own escaped.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '$' | '&' | '#' | '_' | '%' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\textasciicircum{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: super::Style = super::Style {
    write,
    open: "\\left(",
    close: "\\right)",
};

/// `f` as an operand of something binding at `precedence`: in parentheses when it needs them.
pub fn render_operand(f: &Formula, precedence: u8, strict: bool) -> String {
    let mut out = String::new();
    STYLE.operand(f, precedence, strict, &mut out);
    out
}

/// A formula as LaTeX for Markdown's `$…$` and `$$…$$`. Markdown viewers that apply their
/// backslash escapes inside math turn `\\` into `\` and `\,` into `,`; so rows end with `\cr`
/// (which KaTeX and MathJax read as `\\`) and thin spaces are `\thinspace`.
pub fn render_markdown(formula: &Formula) -> String {
    for_markdown(&render(formula))
}

/// LaTeX rewritten for Markdown viewers, as [`render_markdown`] says.
pub fn for_markdown(latex: &str) -> String {
    latex.replace("\\\\", "\\cr").replace("\\,", "\\thinspace")
}

/// A matrix, or a list holding matrices: part of a tensor of three or four dimensions.
fn holds_matrices(formula: &Formula) -> bool {
    match formula {
        Formula::Matrix(_) => true,
        Formula::Array(items) => items.iter().any(holds_matrices),
        _ => false,
    }
}
