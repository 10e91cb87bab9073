//! The two simplifications a worked example makes in writing: drop what an exact zero or one
//! makes vanish (`0·log(p₁) + 1·log(p₃)` is `log(p₃)`), after putting known exact values in
//! for some symbols (a one-hot target's elements).

use num_rational::BigRational;
use num_traits::{One, Zero};

use super::{Formula, Operator, Symbol};

/// `formula` with each symbol that `known` has an exact value for replaced by it, then with
/// zero terms, zero products and unit factors dropped.
pub fn with_known(formula: &Formula, known: &dyn Fn(&Symbol) -> Option<BigRational>) -> Formula {
    units(&replace(formula, &|f| match f {
        Formula::Symbol(symbol) => known(symbol).map(Formula::Number),
        _ => None,
    }))
}

/// `formula` with every part that `by` gives a replacement for replaced (outermost first): the
/// values of a line put in for their names.
pub fn replace(formula: &Formula, by: &dyn Fn(&Formula) -> Option<Formula>) -> Formula {
    if let Some(replacement) = by(formula) {
        return replacement;
    }
    let sub = |a: &Formula| Box::new(replace(a, by));
    match formula {
        Formula::Neg(a) => Formula::Neg(sub(a)),
        Formula::Binary(op, a, b) => Formula::Binary(*op, sub(a), sub(b)),
        Formula::Pow(a, b) => Formula::Pow(sub(a), b.clone()),
        Formula::Call(function, a) => Formula::Call(*function, sub(a)),
        Formula::Product(items) => Formula::Product(items.iter().map(|a| *sub(a)).collect()),
        Formula::Sum(items) => Formula::Sum(items.iter().map(|a| *sub(a)).collect()),
        Formula::Of(a, b) => Formula::Of(sub(a), sub(b)),
        other => other.clone(),
    }
}

fn number(f: &Formula) -> Option<&BigRational> {
    match f {
        Formula::Number(n) => Some(n),
        _ => None,
    }
}

fn is_zero(f: &Formula) -> bool {
    number(f).is_some_and(Zero::is_zero)
}

fn is_one(f: &Formula) -> bool {
    number(f).is_some_and(One::is_one)
}

/// Zero terms, products with a zero factor, and factors of one dropped, bottom up.
pub fn units(f: &Formula) -> Formula {
    let zero = || Formula::Number(BigRational::zero());
    match f {
        Formula::Neg(a) => match units(a) {
            a if is_zero(&a) => zero(),
            Formula::Neg(inner) => *inner,
            a => Formula::Neg(Box::new(a)),
        },
        Formula::Binary(op, a, b) => {
            let (a, b) = (units(a), units(b));
            match op {
                Operator::Add if is_zero(&a) => b,
                Operator::Add | Operator::Sub if is_zero(&b) => a,
                Operator::Sub if is_zero(&a) => Formula::Neg(Box::new(b)),
                Operator::Scale | Operator::Hadamard if is_zero(&a) || is_zero(&b) => zero(),
                Operator::Scale | Operator::Hadamard if is_one(&a) => b,
                Operator::Scale | Operator::Hadamard | Operator::Div if is_one(&b) => a,
                Operator::Div if is_zero(&a) => zero(),
                _ => Formula::Binary(*op, Box::new(a), Box::new(b)),
            }
        }
        Formula::Pow(a, b) => Formula::Pow(Box::new(units(a)), b.clone()),
        Formula::Call(function, a) => Formula::Call(*function, Box::new(units(a))),
        Formula::Product(items) => {
            let items: Vec<Formula> = items.iter().map(units).collect();
            if items.iter().any(is_zero) {
                return zero();
            }
            let kept: Vec<Formula> = items.into_iter().filter(|a| !is_one(a)).collect();
            match kept.len() {
                0 => Formula::number(1),
                1 => kept.into_iter().next().unwrap_or_else(zero),
                _ => Formula::Product(kept),
            }
        }
        Formula::Sum(items) => {
            let kept: Vec<Formula> = items.iter().map(units).filter(|a| !is_zero(a)).collect();
            match kept.len() {
                0 => zero(),
                1 => kept.into_iter().next().unwrap_or_else(zero),
                _ => Formula::Sum(kept),
            }
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notation::Function;

    #[test]
    fn a_one_hot_target_leaves_one_term() {
        // −(y₁·log(p₁) + y₂·log(p₂)) with y = (0, 1) is −log(p₂).
        let term = |k: usize| {
            Formula::binary(
                Operator::Scale,
                Formula::Symbol(Symbol::plain("y").indexed(&[k])),
                Formula::call(
                    Function::Log,
                    Formula::Symbol(Symbol::plain("p").indexed(&[k])),
                ),
            )
        };
        let loss = Formula::Neg(Box::new(Formula::binary(Operator::Add, term(0), term(1))));
        let known = |s: &Symbol| {
            (s.name == "y").then(|| BigRational::from_integer((s.indices[0] == "2").into()))
        };
        let expected = Formula::Neg(Box::new(Formula::call(
            Function::Log,
            Formula::Symbol(Symbol::plain("p").indexed(&[1])),
        )));
        assert_eq!(with_known(&loss, &known), expected);
    }
}
