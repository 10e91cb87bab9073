//! One worked line: `lhs = stage = stage ≈ value`, each stage following from the one before by
//! a named step, and each relation decided here, never by a renderer.
//!
//! The promise printed under every explanation is that "=" joins exact values and "≈" marks a
//! rounded one. A [`Chain`] keeps it by construction: its stages are private, each is marked
//! exact or not when it is added (from the numbers written in it, not from the caller's word),
//! and the only way to read a chain is [`Chain::relations`], which puts "=" between two stages
//! exactly when both denote the lhs's value exactly. Once a rounded number enters a chain,
//! every relation after it is "≈" until an exact value is written again.

use num_rational::BigRational;
use num_traits::{Signed, Zero};

use super::number::{Number, elements};
use crate::eval::exact::Value;
use crate::notation::{Formula, Function, Operator};

/// How two neighbouring expressions of a chain relate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// Both denote the same number exactly.
    Equals,
    /// One of them is rounded or an approximation.
    Approx,
}

/// Why a stage follows from the expression before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Because {
    /// The lhs's definition: the network's formula, an optimizer's rule.
    Definition,
    /// A formula over whole tensors written out element by element.
    ElementByElement,
    /// The chain rule: the product of local derivatives along a path (a sum over paths).
    ChainRule,
    /// The chain rule inside one expression: the product of each operation's local derivative.
    LocalRules,
    /// The same expression simplified by algebra.
    Simplification,
    /// The values of lines above put in for their names.
    Substitution,
    /// Known exact values (a target's zeros and ones) put in, and the terms they cancel dropped.
    KnownValues,
    /// Each term or factor computed on its own.
    TermByTerm,
    /// Exact arithmetic: the fraction the numbers make.
    Arithmetic,
    /// The value, exactly or to the digits asked.
    Value,
}

#[derive(Clone, Debug)]
struct Stage {
    formula: Formula,
    because: Because,
    exact: bool,
}

/// `lhs` and what it equals, stage by stage.
#[derive(Clone, Debug)]
pub struct Chain {
    lhs: Formula,
    stages: Vec<Stage>,
}

/// The chain of a line whose exact value is `truth` (`None` when it has no exact value, or none
/// is known), built stage by stage.
#[derive(Clone, Debug)]
pub struct ChainBuilder {
    chain: Chain,
    truth: Option<BigRational>,
}

impl Chain {
    /// A chain for `lhs`, a number's line.
    pub fn of_number(lhs: Formula, truth: &Number) -> ChainBuilder {
        ChainBuilder {
            chain: Chain {
                lhs,
                stages: Vec::new(),
            },
            truth: match truth {
                Number::Exact(r) => Some(r.clone()),
                Number::Approx(_) => None,
            },
        }
    }

    /// A chain for `lhs` whose value is a tensor, or unknown (a formula only).
    pub fn of(lhs: Formula) -> ChainBuilder {
        ChainBuilder {
            chain: Chain {
                lhs,
                stages: Vec::new(),
            },
            truth: None,
        }
    }

    pub fn lhs(&self) -> &Formula {
        &self.lhs
    }

    /// Each stage with the relation that joins it to the expression before it (the lhs first).
    pub fn relations(&self) -> impl Iterator<Item = (Relation, &Formula, Because)> {
        let mut before_exact = true;
        self.stages.iter().map(move |stage| {
            let relation = if before_exact && stage.exact {
                Relation::Equals
            } else {
                Relation::Approx
            };
            before_exact = stage.exact;
            (relation, &stage.formula, stage.because)
        })
    }

    /// The last stage: the line's value (or its last formula).
    pub fn last(&self) -> Option<&Formula> {
        self.stages.last().map(|s| &s.formula)
    }

    /// Whether the line ends in an exactly written value.
    pub fn ends_exact(&self) -> bool {
        self.stages.last().is_some_and(|s| s.exact)
    }

    /// The expression that made the line approximate, when the line turns approximate only at
    /// its value although everything written before it is exact: `σ(0.3775)` in
    /// `h₁ = σ(net_h₁) = σ(0.3775) ≈ 0.593269992`. (A line that is approximate because it uses
    /// rounded numbers has none.)
    pub fn first_approximation(&self) -> Option<&Formula> {
        let (value, before) = self.stages.split_last()?;
        if value.exact || !before.iter().all(|s| s.exact) {
            return None;
        }
        Some(before.last().map_or(&self.lhs, |s| &s.formula))
    }

    /// Writes the line's value another way with the same numbers (a matrix as one map of a
    /// grid): the relations stay as they are.
    pub fn rewrite_value(&mut self, rewrite: impl Fn(&Formula) -> Option<Formula>) {
        if let Some(last) = self.stages.last_mut()
            && last.because == Because::Value
            && let Some(formula) = rewrite(&last.formula)
        {
            last.formula = formula;
        }
    }

    pub fn stages(&self) -> impl Iterator<Item = &Formula> {
        self.stages.iter().map(|s| &s.formula)
    }
}

impl ChainBuilder {
    /// Adds `formula`, which follows from the stage before it because of `because`. A formula
    /// that repeats the stage before it (or the lhs) says nothing new and is skipped.
    pub fn then(mut self, because: Because, formula: Formula) -> ChainBuilder {
        let previous = self
            .chain
            .stages
            .last()
            .map_or(&self.chain.lhs, |s| &s.formula);
        if *previous == formula {
            return self;
        }
        let exact = match rounded_number(&formula) {
            false => true,
            // Rounded numbers can still make the exact value: `0.593269992·0 = 0`.
            true => self
                .truth
                .as_ref()
                .is_some_and(|truth| written_value(&formula).as_ref() == Some(truth)),
        };
        self.chain.stages.push(Stage {
            formula,
            because,
            exact,
        });
        self
    }

    /// Ends the chain with the number `value` written to `digits` significant digits (exactly,
    /// when that is short enough).
    pub fn value(self, value: &Number, digits: usize) -> Chain {
        let decimal = value.decimal(digits);
        let exact = value.is_exact() && !decimal.rounded;
        self.push_value(Formula::Decimal(decimal), exact)
    }

    /// Ends the chain with the tensor `value` (abbreviated when large): its exact elements as
    /// [`Number::written`] writes them, so that an exact value whose decimals do not end reads
    /// as its fraction (`[[−1/3, 0], [0, −1/3]]`) and is joined by "=". A scalar is written as a
    /// number's line is: its fraction, then its rounded decimal.
    pub fn tensor(self, value: &Value, digits: usize) -> Chain {
        let numbers = elements(value);
        if let ([number], true) = (numbers.as_slice(), value.shape().is_scalar()) {
            let mut builder = self;
            builder.truth = match number {
                Number::Exact(r) => Some(r.clone()),
                Number::Approx(_) => None,
            };
            if number.decimal(digits).rounded
                && let Some(fraction) = number.fraction()
            {
                builder = builder.then(Because::Arithmetic, fraction);
            }
            return builder.value(number, digits);
        }
        let exact = numbers.iter().all(|n| {
            n.is_exact() && !matches!(n.written(digits), Formula::Decimal(d) if d.rounded)
        });
        self.push_value(super::explanation::tensor_formula(value, digits), exact)
    }

    /// Ends the chain where it is: formulas only.
    pub fn formulas(self) -> Chain {
        self.chain
    }

    fn push_value(mut self, formula: Formula, exact: bool) -> Chain {
        let previous = self
            .chain
            .stages
            .last()
            .map_or(&self.chain.lhs, |s| &s.formula);
        // A number written as itself, or negated (`−1` before the value −1), but not `−0`.
        let written_as_number = match previous {
            Formula::Number(_) | Formula::Decimal(_) => true,
            Formula::Neg(a) => {
                matches!(**a, Formula::Number(_) | Formula::Decimal(_))
                    && written_value(a).is_some_and(|v| !v.is_zero())
            }
            _ => false,
        };
        let same_number = written_as_number
            && exact
            && written_value(previous).is_some()
            && written_value(previous) == written_value(&formula);
        if *previous == formula || same_number {
            // `q = 3` rather than `q = 3 = 3`: the value is the last stage, marked as a value.
            if let Some(last) = self.chain.stages.last_mut() {
                last.because = Because::Value;
                last.exact = last.exact && exact;
                return self.chain;
            }
        }
        self.chain.stages.push(Stage {
            formula,
            because: Because::Value,
            exact,
        });
        self.chain
    }
}

/// Whether `formula` writes a rounded number (a value shown to fewer digits than it has, or an
/// approximation).
pub fn rounded_number(formula: &Formula) -> bool {
    let mut pending = vec![formula];
    while let Some(f) = pending.pop() {
        if matches!(f, Formula::Decimal(d) if d.rounded) {
            return true;
        }
        pending.extend(f.parts());
    }
    false
}

/// The exact value of a formula of written numbers (`0.5 − 0.1·0`), or `None` when it holds a
/// name, a function without a rational value, or is not a number.
pub fn written_value(formula: &Formula) -> Option<BigRational> {
    Some(match formula {
        Formula::Number(r) => r.clone(),
        Formula::Decimal(d) => d.value()?,
        Formula::Neg(a) => -written_value(a)?,
        Formula::Binary(op, a, b) => {
            let (a, b) = (written_value(a)?, written_value(b)?);
            match op {
                Operator::Add => a + b,
                Operator::Sub => a - b,
                Operator::Scale | Operator::Hadamard | Operator::MatMul => a * b,
                Operator::Div if !b.is_zero() => a / b,
                Operator::Div | Operator::Equals => return None,
            }
        }
        Formula::Pow(a, p) => crate::exact::pow(&written_value(a)?, &written_value(p)?).ok()?,
        Formula::Product(items) => items
            .iter()
            .map(written_value)
            .try_fold(BigRational::from_integer(1.into()), |acc, x| Some(acc * x?))?,
        Formula::Sum(items) => items
            .iter()
            .map(written_value)
            .try_fold(BigRational::zero(), |acc, x| Some(acc + x?))?,
        Formula::Call(Function::Abs, a) => written_value(a)?.abs(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notation::decimal;

    fn q(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    fn relations(chain: &Chain) -> Vec<Relation> {
        chain.relations().map(|(r, ..)| r).collect()
    }

    fn exact(n: i64, d: i64) -> Number {
        Number::Exact(q(n, d))
    }

    #[test]
    fn exact_stages_are_joined_by_equals() {
        // net = 0.15·0.05 + 0.35 = 151/400 = 0.3775
        let value = exact(151, 400);
        let chain = Chain::of_number(Formula::symbol("net"), &value)
            .then(Because::Definition, Formula::symbol("w"))
            .then(Because::Substitution, Formula::Number(q(3, 20)))
            .then(Because::Arithmetic, value.fraction().expect("a fraction"))
            .value(&value, 9);
        assert_eq!(relations(&chain), vec![Relation::Equals; 4]);
    }

    #[test]
    fn after_a_rounded_number_every_relation_is_approximate() {
        // E = 0.274811083 + 0.023560026 ≈ 0.298371109, where E is not exactly either.
        let value = Number::Approx(0.298_371_108_9);
        let terms = Formula::binary(
            Operator::Add,
            Number::Approx(0.274_811_083).formula(9),
            Number::Approx(0.023_560_026).formula(9),
        );
        let chain = Chain::of_number(Formula::symbol("E"), &value)
            .then(Because::Definition, Formula::symbol("o"))
            .then(Because::TermByTerm, terms)
            .value(&value, 9);
        assert_eq!(
            relations(&chain),
            vec![Relation::Equals, Relation::Approx, Relation::Approx]
        );
    }

    #[test]
    fn rounded_numbers_that_make_an_exact_value_are_exact() {
        // ∂E/∂w = 0.593269992·0 = 0, exactly.
        let value = exact(0, 1);
        let product = Formula::binary(
            Operator::Scale,
            Number::Approx(0.593_269_992_1).formula(9),
            Formula::number(0),
        );
        let chain = Chain::of_number(Formula::symbol("g"), &value)
            .then(Because::Substitution, product)
            .value(&value, 9);
        assert_eq!(relations(&chain), vec![Relation::Equals, Relation::Equals]);
    }

    #[test]
    fn a_negated_number_is_the_value_once() {
        // ∂L/∂l₂ = −y₂ = −1, not −y₂ = −1 = −1; but −y₁ = −0 = 0 keeps its value.
        let chain = |n: i64| {
            Chain::of_number(Formula::symbol("g"), &exact(-n, 1))
                .then(Because::Definition, Formula::symbol("y"))
                .then(
                    Because::Substitution,
                    Formula::Neg(Box::new(Formula::number(n))),
                )
                .value(&exact(-n, 1), 9)
        };
        assert_eq!(chain(1).stages().count(), 2);
        assert_eq!(chain(0).stages().count(), 3);
    }

    #[test]
    fn an_exact_value_rounded_for_display_is_approximate() {
        let third = exact(1, 3);
        let chain = Chain::of_number(Formula::symbol("t"), &third)
            .then(Because::Arithmetic, Formula::Number(q(1, 3)))
            .value(&third, 9);
        assert_eq!(relations(&chain), vec![Relation::Equals, Relation::Approx]);
        assert!(!chain.ends_exact());
    }

    #[test]
    fn the_first_approximation_is_the_exact_expression_before_it() {
        let value = Number::Approx(0.5932);
        let call = Formula::call(Function::Sigmoid, Formula::Number(q(151, 400)));
        let chain = Chain::of_number(Formula::symbol("h"), &value)
            .then(Because::Substitution, call.clone())
            .value(&value, 9);
        assert_eq!(chain.first_approximation(), Some(&call));
    }

    #[test]
    fn written_values_are_exact() {
        let d = decimal::round(&q(3775, 10000), 9);
        assert_eq!(written_value(&Formula::Decimal(d)), Some(q(151, 400)));
        let power = Formula::Pow(
            Box::new(Formula::Number(q(1, 2))),
            Box::new(Formula::number(2)),
        );
        assert_eq!(written_value(&power), Some(q(1, 4)));
        assert_eq!(written_value(&Formula::symbol("x")), None);
    }
}
