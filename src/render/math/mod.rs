//! Formulas typeset three ways: Unicode text (terminals, JSON), LaTeX (documents, Markdown math)
//! and MathML (HTML). Each renderer decides parentheses from [`Formula::precedence`] alone.

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
