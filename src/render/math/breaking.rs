//! A formula too long for a line, broken before its top-level `+`, `−` or `·` — and inside a
//! parenthesized sum that is itself too long: the pieces a page sets one under the other
//! (`L = −(y₁·log(p₁) + …` then `+ y₃·log(p₃))`).

use unicode_width::UnicodeWidthStr;

use super::{latex, mathml, text};
use crate::notation::{Formula, Operator};

/// The format a piece is typeset in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Text,
    Latex,
    MathMl,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Separator {
    Plus,
    Minus,
    Dot,
    /// The elementwise product, `⊙`.
    Odot,
}

/// One term or factor, with the operator before it (none for the first).
#[derive(Clone, Debug)]
struct Item {
    before: Option<Separator>,
    formula: Formula,
    /// The precedence its operator binds with, and whether the operand is on the strict side.
    precedence: u8,
    strict: bool,
}

/// The smallest unit a line is broken between: an operator and its operand, as the target
/// writes it, with its width in characters of text.
struct Atom {
    target: String,
    width: usize,
}

/// `formula` as pieces no wider than `limit` characters of text (a piece holding one long
/// unbreakable term can be wider), or `None` when it fits or has nothing to break at.
pub fn pieces(formula: &Formula, limit: usize, target: Target) -> Option<Vec<String>> {
    if text::render(formula).width() <= limit {
        return None;
    }
    let top = Item {
        before: None,
        formula: formula.clone(),
        precedence: 0,
        strict: false,
    };
    let atoms = atoms(&top, target, limit)?;
    if atoms.len() < 2 {
        return None;
    }
    // Pack the atoms greedily, each piece as wide as the limit allows.
    let mut pieces: Vec<(String, usize)> = Vec::new();
    for atom in atoms {
        match pieces.last_mut() {
            Some((piece, width)) if *width + atom.width <= limit => {
                piece.push_str(&atom.target);
                *width += atom.width;
            }
            _ => pieces.push((atom.target.trim_start().to_string(), atom.width)),
        }
    }
    Some(pieces.into_iter().map(|(piece, _)| piece).collect())
}

/// The atoms of `item`: itself, or, when it is too long and a sum or product, its terms (in
/// parentheses where it needs them).
fn atoms(item: &Item, target: Target, limit: usize) -> Option<Vec<Atom>> {
    let whole = typeset(item, Target::Text);
    if whole.width() <= limit {
        return Some(vec![Atom {
            target: typeset(item, target),
            width: whole.width(),
        }]);
    }
    let (negated, inner) = match &item.formula {
        Formula::Neg(inner) if breakable(inner) => (true, &**inner),
        other => (false, other),
    };
    let mut parts = Vec::new();
    match inner {
        // A product of two: broken between them.
        Formula::Binary(op @ (Operator::Scale | Operator::Hadamard), a, b) => {
            let times = if *op == Operator::Hadamard {
                Separator::Odot
            } else {
                Separator::Dot
            };
            for (before, factor) in [(None, a), (Some(times), b)] {
                parts.push(Item {
                    before,
                    formula: (**factor).clone(),
                    precedence: 3,
                    strict: before.is_some(),
                });
            }
        }
        _ => flatten(inner, &mut parts),
    }
    if parts.len() < 2 {
        return Some(vec![Atom {
            target: typeset(item, target),
            width: whole.width(),
        }]);
    }
    let parenthesized = negated || super::needs_parens(inner, item.precedence, item.strict);
    let mut out = Vec::new();
    for part in &parts {
        out.extend(atoms(part, target, limit)?);
    }
    // The operator before the whole, then `−(` or `(`, go in front of its first atom; `)` after
    // its last.
    let mut prefix = separator(item.before, target).to_string();
    if negated {
        prefix.push_str(minus(target));
    }
    if parenthesized {
        prefix.push_str(open(target));
    }
    let extra = prefix.chars().count();
    if let Some(first) = out.first_mut() {
        first.target = format!("{prefix}{}", first.target);
        first.width += extra;
    }
    if parenthesized && let Some(last) = out.last_mut() {
        last.target.push_str(close(target));
        last.width += 1;
    }
    Some(out)
}

fn breakable(f: &Formula) -> bool {
    matches!(
        f,
        Formula::Sum(_)
            | Formula::Product(_)
            | Formula::Binary(
                Operator::Add | Operator::Sub | Operator::Scale | Operator::Hadamard,
                ..
            )
    )
}

fn separator(before: Option<Separator>, target: Target) -> &'static str {
    match (before, target) {
        (None, _) => "",
        (Some(Separator::Plus), Target::Text | Target::Latex) => " + ",
        (Some(Separator::Minus), Target::Text) => " − ",
        (Some(Separator::Minus), Target::Latex) => " - ",
        (Some(Separator::Dot), Target::Text) => " · ",
        (Some(Separator::Dot), Target::Latex) => " \\cdot ",
        (Some(Separator::Plus), Target::MathMl) => "<mo>+</mo>",
        (Some(Separator::Minus), Target::MathMl) => "<mo>−</mo>",
        (Some(Separator::Dot), Target::MathMl) => "<mo>·</mo>",
        (Some(Separator::Odot), Target::Text) => " ⊙ ",
        (Some(Separator::Odot), Target::Latex) => " \\odot ",
        (Some(Separator::Odot), Target::MathMl) => "<mo>⊙</mo>",
    }
}

fn minus(target: Target) -> &'static str {
    match target {
        Target::Text => "−",
        Target::Latex => "-",
        Target::MathMl => "<mo>−</mo>",
    }
}

fn open(target: Target) -> &'static str {
    match target {
        Target::Text => "(",
        Target::Latex => "\\bigl(",
        Target::MathMl => "<mo stretchy=\"false\">(</mo>",
    }
}

fn close(target: Target) -> &'static str {
    match target {
        Target::Text => ")",
        Target::Latex => "\\bigr)",
        Target::MathMl => "<mo stretchy=\"false\">)</mo>",
    }
}

/// The terms of a sum, or the factors of a product, each with its operator.
fn flatten(f: &Formula, items: &mut Vec<Item>) {
    let push = |items: &mut Vec<Item>, before, formula: &Formula, precedence, strict| {
        items.push(Item {
            before: if items.is_empty() { None } else { before },
            formula: formula.clone(),
            precedence,
            strict,
        })
    };
    match f {
        Formula::Sum(terms) => {
            for term in terms {
                push(items, Some(Separator::Plus), term, 1, false);
            }
        }
        Formula::Product(factors) => {
            for factor in factors {
                push(items, Some(Separator::Dot), factor, 3, false);
            }
        }
        Formula::Binary(Operator::Add, a, b) => {
            flatten(a, items);
            push(items, Some(Separator::Plus), b, 1, false);
        }
        Formula::Binary(Operator::Sub, a, b) => {
            flatten(a, items);
            push(items, Some(Separator::Minus), b, 1, true);
        }
        other => push(items, None, other, 0, false),
    }
}

/// An item as the format writes it, its operator first.
fn typeset(item: &Item, target: Target) -> String {
    // A negative term after `+` or `−` gets parentheses: `a + (−3)`.
    let parenthesize = item.before.is_some() && super::starts_negative(&item.formula);
    let f = &item.formula;
    let operand = match target {
        Target::Text if parenthesize => format!("({})", text::render(f)),
        Target::Latex if parenthesize => format!("\\left({}\\right)", latex::render(f)),
        Target::MathMl if parenthesize => {
            format!("<mrow><mo>(</mo>{}<mo>)</mo></mrow>", mathml::render(f))
        }
        Target::Text => text::render_operand(f, item.precedence, item.strict),
        Target::Latex => latex::render_operand(f, item.precedence, item.strict),
        Target::MathMl => mathml::render_operand(f, item.precedence, item.strict),
    };
    format!("{}{operand}", separator(item.before, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(k: i64) -> Formula {
        Formula::binary(
            Operator::Scale,
            Formula::symbol("weight"),
            Formula::number(k),
        )
    }

    #[test]
    fn a_long_sum_breaks_before_its_terms() {
        let sum = Formula::Sum((1..=8).map(term).collect());
        let pieces = pieces(&sum, 40, Target::Text).expect("too long for 40");
        assert!(pieces.len() > 1, "{pieces:?}");
        assert!(pieces[1].starts_with("+ "), "{pieces:?}");
        assert_eq!(
            pieces.join(" "),
            text::render(&sum),
            "the pieces are the formula"
        );
        assert!(super::pieces(&sum, 400, Target::Text).is_none());
    }

    #[test]
    fn a_long_sum_in_parentheses_breaks_inside_them() {
        let sum = Formula::Sum((1..=8).map(term).collect());
        let product = Formula::binary(Operator::Scale, sum.clone(), Formula::symbol("x"));
        let pieces = pieces(&product, 40, Target::Text).expect("too long for 40");
        assert!(pieces[0].starts_with("(weight"), "{pieces:?}");
        assert!(pieces.iter().all(|p| p.chars().count() <= 40), "{pieces:?}");
        let bare = |s: &str| s.replace(' ', "");
        assert_eq!(bare(&pieces.join(" ")), bare(&text::render(&product)));
    }
}
