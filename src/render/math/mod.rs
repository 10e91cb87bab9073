//! Formulas typeset three ways: Unicode text (terminals, JSON), LaTeX (documents, Markdown math)
//! and MathML (HTML). Each renderer decides parentheses from [`Formula::precedence`] alone.

pub mod breaking;
pub mod latex;
pub mod mathml;
pub mod text;

use crate::notation::Formula;

/// A matrix product written by juxtaposition beside an elementwise product reads ambiguously
/// without parentheses, both ways: `(W2ᵀ δo) ⊙ h` and `(a ⊙ b) tᵀ`.
pub(crate) fn clarify(parent: &Formula, operand: &Formula) -> bool {
    use crate::notation::Operator;
    let products =
        |f: &Formula| matches!(f, Formula::Binary(Operator::Hadamard | Operator::Scale, ..));
    let matrix_product = |f: &Formula| matches!(f, Formula::Binary(Operator::MatMul, ..));
    (products(parent) && matrix_product(operand)) || (matrix_product(parent) && products(operand))
}

/// Whether a product may be written by juxtaposition, `2(o − y)` or `o₁(1 − o₁)`: only after
/// a number or a one-letter name (or σ(z)), where it cannot be read as a function call.
pub(crate) fn may_juxtapose(left: &Formula) -> bool {
    use crate::notation::Function;
    match left {
        Formula::Number(n) => matches!(
            crate::notation::number_form(n),
            (false, crate::notation::NumberForm::Decimal(_))
        ),
        Formula::Decimal(d) => !d.negative,
        Formula::Symbol(symbol) => symbol.name.chars().count() == 1,
        Formula::Call(Function::Sigmoid | Function::Tanh, _) => true,
        _ => false,
    }
}

/// Whether `operand` needs parentheses as the operand of something binding at `precedence`.
/// `strict` for the right side of a non-associative operator (`a − (b − c)`).
pub(crate) fn needs_parens(operand: &Formula, precedence: u8, strict: bool) -> bool {
    let own = effective_precedence(operand);
    own < precedence || (strict && own == precedence)
}

/// Numbers bind like what they look like: `−2` like a negation, `1/2` like a quotient.
pub(crate) fn effective_precedence(f: &Formula) -> u8 {
    match f {
        Formula::Number(n) => {
            let (negative, form) = crate::notation::number_form(n);
            if negative {
                2
            } else if matches!(form, crate::notation::NumberForm::Fraction(..)) {
                3
            } else {
                6
            }
        }
        other => other.precedence(),
    }
}

/// Whether the formula is written starting with a minus sign.
pub(crate) fn starts_negative(f: &Formula) -> bool {
    match f {
        Formula::Neg(_) => true,
        Formula::Number(n) => num_traits::Signed::is_negative(n),
        Formula::Decimal(d) => d.negative,
        _ => false,
    }
}

/// What the three formats share when writing operands: the format's writer of a formula and
/// its parentheses. Each renderer has one constant `STYLE` and calls these methods on it.
pub(crate) struct Style {
    pub write: fn(&Formula, &mut String),
    pub open: &'static str,
    pub close: &'static str,
}

impl Style {
    fn parenthesized(&self, f: &Formula, out: &mut String) {
        out.push_str(self.open);
        (self.write)(f, out);
        out.push_str(self.close);
    }

    /// `f` as an operand of something binding at `precedence`, in parentheses when it needs
    /// them.
    pub(crate) fn operand(&self, f: &Formula, precedence: u8, strict: bool, out: &mut String) {
        if needs_parens(f, precedence, strict) {
            self.parenthesized(f, out);
        } else {
            (self.write)(f, out);
        }
    }

    /// An operand of the binary formula `parent`; `right` marks the operand after the operator.
    pub(crate) fn operand_in(
        &self,
        parent: &Formula,
        f: &Formula,
        precedence: u8,
        (strict, right): (bool, bool),
        out: &mut String,
    ) {
        // `a + (−3)`, `a − (−3)`: a sign right after `+` or `−` gets parentheses.
        let sign_after_sign = right
            && matches!(
                parent,
                Formula::Binary(
                    crate::notation::Operator::Add | crate::notation::Operator::Sub,
                    ..
                )
            )
            && starts_negative(f);
        if clarify(parent, f) || sign_after_sign {
            self.parenthesized(f, out);
        } else {
            self.operand(f, precedence, strict, out);
        }
    }

    /// Factors of a product or terms of a sum, with `separator` between. Both are associative:
    /// only an item binding more loosely needs parentheses.
    pub(crate) fn join(
        &self,
        items: &[Formula],
        separator: &str,
        precedence: u8,
        out: &mut String,
    ) {
        // `a + (−3)`: a term after `+` that starts with a sign gets parentheses.
        let plus = separator.contains('+');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(separator);
            }
            if plus && i > 0 && starts_negative(item) {
                self.parenthesized(item, out);
            } else {
                self.operand(item, precedence, false, out);
            }
        }
    }
}
