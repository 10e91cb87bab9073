//! Mathematical notation as data: the formulas a derivation shows, independent of how they are
//! typeset. `render::math` lays a [`Formula`] out as Unicode text, LaTeX or MathML; nothing here
//! knows about any of them.
//!
//! [`from_graph`] reads formulas off the expression graph, naming what has a name and writing out
//! the rest; [`rules`] holds the statement of every local derivative rule.

pub use crate::decimal;
pub mod from_graph;
pub mod rules;

use num_rational::BigRational;

/// A name in a formula: a user's name (`W2`, `h`), an error signal (`δo`), with element indices
/// for the scalar form (`W2₁₁`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub kind: SymbolKind,
    /// Element indices, one-based as textbooks write them; or symbolic (`i`, `j`) in rules.
    pub indices: Vec<String>,
    /// Which example of a batch the value is of, written as a superscript: `x⁽ⁱ⁾`, `δh⁽²⁾`.
    pub example: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A value the file names.
    Plain,
    /// The error signal of a layer: δ followed by the layer's name.
    Delta,
    /// A parameter's value after an update step: `w⁺`.
    Updated,
}

impl Symbol {
    pub fn plain(name: &str) -> Symbol {
        Symbol {
            name: name.to_string(),
            kind: SymbolKind::Plain,
            indices: Vec::new(),
            example: None,
        }
    }

    pub fn delta(name: &str) -> Symbol {
        Symbol {
            kind: SymbolKind::Delta,
            ..Symbol::plain(name)
        }
    }

    /// Element `index` (row-major) of a value of `shape` named `name`: `W2₁₁`, `h₁`, `b`.
    pub fn element(name: &str, shape: crate::shape::Shape, index: usize) -> Symbol {
        let symbol = Symbol::plain(name);
        match shape {
            crate::shape::Shape::Scalar => symbol,
            crate::shape::Shape::Vector(_) => symbol.indexed(&[index]),
            crate::shape::Shape::Matrix(_, n) => symbol.indexed(&[index / n, index % n]),
        }
    }

    /// The value after an update step: `w⁺`.
    pub fn updated(self) -> Symbol {
        Symbol {
            kind: SymbolKind::Updated,
            ..self
        }
    }

    /// The value in example `example` of a batch (`"i"`, or a number counted from 1).
    pub fn of_example(mut self, example: &str) -> Symbol {
        self.example = Some(example.to_string());
        self
    }

    pub fn indexed(mut self, indices: &[usize]) -> Symbol {
        self.indices = indices.iter().map(|i| (i + 1).to_string()).collect();
        self
    }
}

/// The functions a formula can apply, as mathematics names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    Sigmoid,
    Tanh,
    Relu,
    /// The derivative of relu: 1 where the argument is positive, else 0.
    ReluPrime,
    Exp,
    Log,
    Sqrt,
    Abs,
    Sign,
    Sum,
    Mean,
    Softmax,
    LogSoftmax,
    /// The one-hot vector of an index: 1 at the position it names, 0 elsewhere.
    OneHot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    Add,
    Sub,
    /// A product with a scalar: `2·x`, `η·g`.
    Scale,
    /// The elementwise product of two tensors: `⊙`.
    Hadamard,
    Div,
    /// Matrix product, written by juxtaposition: `W2ᵀ δo`.
    MatMul,
    /// `=` inside a formula (rule statements).
    Equals,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Formula {
    Symbol(Symbol),
    Number(BigRational),
    /// An exact constant tensor written in the file: `[1, -1]`.
    Array(Vec<Formula>),
    Neg(Box<Formula>),
    Binary(Operator, Box<Formula>, Box<Formula>),
    Pow(Box<Formula>, Box<Formula>),
    Transpose(Box<Formula>),
    Call(Function, Box<Formula>),
    /// `∂of/∂wrt`
    Partial(Box<Formula>, Box<Formula>),
    /// `d/dvar of`
    Derivative(Symbol, Box<Formula>),
    /// The Kronecker delta δᵢⱼ of the softmax rule.
    Kronecker(String, String),
    /// A chain-rule product of factors, written with `·` between them.
    Product(Vec<Formula>),
    /// A computed number, rounded for display.
    Decimal(decimal::Decimal),
    /// A matrix of values, row by row.
    Matrix(Vec<Vec<Formula>>),
    /// A sum of terms (of chain-rule products).
    Sum(Vec<Formula>),
    /// The mean over the examples of a batch: `(1/m) Σᵢ x⁽ⁱ⁾`.
    BatchMean(Box<Formula>),
    /// `C[c1]`: the row (or element) an index picks.
    Pick(Box<Formula>, Box<Formula>),
    /// `concat(a, b, …)`
    Concat(Vec<Formula>),
    /// Elements `first` through `last` of a vector, counted from 1: `g[11…20]`.
    Slice(Box<Formula>, usize, usize),
}

impl Formula {
    pub fn symbol(name: &str) -> Formula {
        Formula::Symbol(Symbol::plain(name))
    }

    pub fn number(n: i64) -> Formula {
        Formula::Number(BigRational::from_integer(n.into()))
    }

    pub fn binary(op: Operator, a: Formula, b: Formula) -> Formula {
        Formula::Binary(op, Box::new(a), Box::new(b))
    }

    pub fn call(f: Function, a: Formula) -> Formula {
        Formula::Call(f, Box::new(a))
    }

    pub fn partial(of: Formula, wrt: Formula) -> Formula {
        Formula::Partial(Box::new(of), Box::new(wrt))
    }

    /// How tightly the formula binds, for deciding parentheses; higher binds tighter.
    pub fn precedence(&self) -> u8 {
        match self {
            Formula::Binary(Operator::Equals, ..) => 0,
            Formula::Binary(Operator::Add | Operator::Sub, ..) | Formula::Sum(_) => 1,
            // Σ reaches to the end of what follows it, like a sum.
            Formula::BatchMean(_) => 1,
            Formula::Neg(_) => 2,
            Formula::Binary(
                Operator::Scale | Operator::Hadamard | Operator::Div | Operator::MatMul,
                ..,
            )
            | Formula::Product(_) => 3,
            Formula::Pow(..) | Formula::Transpose(_) => 5,
            Formula::Decimal(d) if d.negative => 2,
            Formula::Decimal(d) if d.exponent.is_some() => 3,
            Formula::Symbol(_)
            | Formula::Number(_)
            | Formula::Decimal(_)
            | Formula::Matrix(_)
            | Formula::Array(_)
            | Formula::Call(..)
            | Formula::Partial(..)
            | Formula::Derivative(..)
            | Formula::Kronecker(..)
            | Formula::Pick(..)
            | Formula::Concat(_)
            | Formula::Slice(..) => 6,
        }
    }
}

/// How a number is written inside a formula: small fractions as fractions (`1/2`, `1/3`), others
/// as exact decimals where they terminate (`0.15`), else as fractions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NumberForm {
    /// Digits, possibly with a decimal point; no sign.
    Decimal(String),
    /// Numerator and denominator digits; no sign.
    Fraction(String, String),
}

/// The sign and the written form of `value`.
pub fn number_form(value: &BigRational) -> (bool, NumberForm) {
    use num_traits::Signed;
    let negative = value.is_negative();
    let magnitude = value.abs();
    let denominator = magnitude.denom();
    let small = denominator <= &num_bigint::BigInt::from(9);
    let form = if magnitude.is_integer() {
        NumberForm::Decimal(magnitude.numer().to_string())
    } else if small {
        NumberForm::Fraction(magnitude.numer().to_string(), denominator.to_string())
    } else {
        match crate::exact::terminating_decimal(&magnitude, 12) {
            Some(decimal) => NumberForm::Decimal(decimal),
            None => NumberForm::Fraction(magnitude.numer().to_string(), denominator.to_string()),
        }
    };
    (negative, form)
}
