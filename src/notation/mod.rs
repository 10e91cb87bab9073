//! Mathematical notation as data: the formulas a derivation shows, independent of how they are
//! typeset. `render::math` lays a [`Formula`] out as Unicode text, LaTeX or MathML; nothing here
//! knows about any of them.
//!
//! [`from_graph`] reads formulas off the expression graph, naming what has a name and writing out
//! the rest; [`rules`] holds the statement of every local derivative rule.

pub use crate::decimal;
pub mod from_graph;
pub mod placeholders;
pub mod rules;
pub mod simplify;

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
    /// The indices are written with commas between them (`W2₁,₁₀`): an element of a matrix
    /// with ten rows or columns or more, where `W2₁₁₀` could be read two ways.
    pub separated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A value the file names, or a placeholder of a rule.
    Plain,
    /// The error signal of a layer: δ followed by the layer's name.
    Delta,
    /// A parameter's value after an update step: `w⁺`.
    Updated,
    /// The net input of the layer `name`, what its activation is applied to: `net_h`.
    NetInput,
    /// A bias-corrected moment of Adam: `m̂`.
    Corrected,
}

impl Symbol {
    pub fn plain(name: &str) -> Symbol {
        Symbol {
            name: name.to_string(),
            kind: SymbolKind::Plain,
            indices: Vec::new(),
            example: None,
            separated: false,
        }
    }

    pub fn delta(name: &str) -> Symbol {
        Symbol {
            kind: SymbolKind::Delta,
            ..Symbol::plain(name)
        }
    }

    /// The net input of the layer `layer`: `net_h`.
    pub fn net_input(layer: &str) -> Symbol {
        Symbol {
            kind: SymbolKind::NetInput,
            ..Symbol::plain(layer)
        }
    }

    /// Element `index` (row-major) of a value of `shape` named `name`: `W2₁₁`, `h₁`, `b`.
    pub fn element(name: &str, shape: crate::shape::Shape, index: usize) -> Symbol {
        Symbol::plain(name).at(shape, index)
    }

    /// Element `index` (row-major) of this symbol's value, of `shape`.
    pub fn at(self, shape: crate::shape::Shape, index: usize) -> Symbol {
        match shape {
            crate::shape::Shape::Scalar => self,
            crate::shape::Shape::Vector(_) => self.indexed(&[index]),
            crate::shape::Shape::Matrix(m, n) => Symbol {
                separated: m >= 10 || n >= 10,
                ..self.indexed(&[index / n, index % n])
            },
            // Three or four subscripts read only with commas: `K₁,₁,₂,₃`.
            crate::shape::Shape::Tensor3(..) | crate::shape::Shape::Tensor4(..) => {
                let dims = shape.dims();
                let mut rest = index;
                let mut indices: Vec<usize> = dims
                    .iter()
                    .rev()
                    .map(|&n| {
                        let i = rest % n.max(1);
                        rest /= n.max(1);
                        i
                    })
                    .collect();
                indices.reverse();
                Symbol {
                    separated: true,
                    ..self.indexed(&indices)
                }
            }
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

    /// The bias-corrected moment: `m̂`.
    pub fn corrected(self) -> Symbol {
        Symbol {
            kind: SymbolKind::Corrected,
            ..self
        }
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
    /// The mean over the examples of a batch, `(1/m) Σᵢ x⁽ⁱ⁾`: the name of the example it sums
    /// over (`i`), and what it sums.
    BatchMean(String, Box<Formula>),
    /// `C[c1]`: the row (or element) an index picks.
    Pick(Box<Formula>, Box<Formula>),
    /// `concat(a, b, …)`
    Concat(Vec<Formula>),
    /// An operation on tensors written as a call of several arguments: `conv2d(X, K)`,
    /// `max_pool(h, 2)`, `sum(Z, 1)`.
    Apply(&'static str, Vec<Formula>),
    /// Elements `first` through `last` of a vector, counted from 1: `g[11…20]`.
    Slice(Box<Formula>, usize, usize),
    /// A quantity belonging to something, written as a function of it: Adam's moment `m⁺(W2₁₁)`
    /// of the weight `W2₁₁`.
    Of(Box<Formula>, Box<Formula>),
    /// A value of feature maps (or a kernel's filters), laid out as a textbook prints small
    /// images.
    Grid(Grid),
}

/// Feature maps, or a kernel's filters and channels, laid out as a textbook prints small images:
/// each map its rows and columns, the maps one after another, each labelled with the filter and
/// channel it is. A page lays the maps out; where a formula is set on one line (JSON, a graph's
/// box) it is written as nested lists, `nested`.
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    /// The value's shape: `[H, W]`, `[C, H, W]` or `[F, C, kh, kw]`.
    pub dims: Vec<usize>,
    pub maps: Vec<GridMap>,
    /// The same value as nested lists.
    pub nested: Box<Formula>,
}

/// One map of a [`Grid`]: which filter and channel it is (counted from 1; none for a single
/// map of two dimensions), and its rows.
#[derive(Clone, Debug, PartialEq)]
pub struct GridMap {
    pub filter: Option<usize>,
    pub channel: Option<usize>,
    pub rows: Vec<Vec<Formula>>,
}

/// The name of a tensor of ones (`c·𝟙`: a number spread over a tensor).
pub const ONES: &str = "𝟙";

impl Formula {
    /// Whether the formula writes a tensor of ones, [`ONES`].
    pub fn uses_ones(&self) -> bool {
        let mut pending = vec![self];
        while let Some(f) = pending.pop() {
            if matches!(f, Formula::Symbol(s) if s.name == ONES) {
                return true;
            }
            pending.extend(f.parts());
        }
        false
    }

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

    /// The formulas directly inside this one, for walks over a formula (with an explicit stack:
    /// formulas can be as deep as the file's expressions).
    pub fn parts(&self) -> Vec<&Formula> {
        match self {
            Formula::Symbol(_)
            | Formula::Number(_)
            | Formula::Decimal(_)
            | Formula::Kronecker(..) => Vec::new(),
            Formula::Array(items)
            | Formula::Product(items)
            | Formula::Sum(items)
            | Formula::Concat(items)
            | Formula::Apply(_, items) => items.iter().collect(),
            Formula::Matrix(rows) => rows.iter().flatten().collect(),
            Formula::Neg(a)
            | Formula::Transpose(a)
            | Formula::Call(_, a)
            | Formula::Derivative(_, a)
            | Formula::BatchMean(_, a)
            | Formula::Slice(a, ..) => vec![a],
            Formula::Grid(grid) => vec![&grid.nested],
            Formula::Binary(_, a, b)
            | Formula::Pow(a, b)
            | Formula::Partial(a, b)
            | Formula::Pick(a, b)
            | Formula::Of(a, b) => vec![a, b],
        }
    }

    /// `a + b`
    pub fn plus(a: Formula, b: Formula) -> Formula {
        Formula::binary(Operator::Add, a, b)
    }

    /// `a − b`
    pub fn minus(a: Formula, b: Formula) -> Formula {
        Formula::binary(Operator::Sub, a, b)
    }

    /// `a·b`, a product with a scalar.
    pub fn times(a: Formula, b: Formula) -> Formula {
        Formula::binary(Operator::Scale, a, b)
    }

    /// `a/b`
    pub fn over(a: Formula, b: Formula) -> Formula {
        Formula::binary(Operator::Div, a, b)
    }

    /// `a = b` inside a formula.
    pub fn equals(a: Formula, b: Formula) -> Formula {
        Formula::binary(Operator::Equals, a, b)
    }

    /// `a²`
    pub fn squared(a: Formula) -> Formula {
        Formula::Pow(Box::new(a), Box::new(Formula::number(2)))
    }

    /// `quantity(owner)`: `m⁺(W2₁₁)`.
    pub fn of(quantity: Formula, owner: Formula) -> Formula {
        Formula::Of(Box::new(quantity), Box::new(owner))
    }

    /// How tightly the formula binds, for deciding parentheses; higher binds tighter.
    pub fn precedence(&self) -> u8 {
        match self {
            Formula::Binary(Operator::Equals, ..) => 0,
            Formula::Binary(Operator::Add | Operator::Sub, ..) | Formula::Sum(_) => 1,
            // Σ reaches to the end of what follows it, like a sum.
            Formula::BatchMean(..) => 1,
            Formula::Neg(_) => 2,
            Formula::Binary(
                Operator::Scale | Operator::Hadamard | Operator::Div | Operator::MatMul,
                ..,
            )
            | Formula::Product(_) => 3,
            // A partial derivative is a quotient: `(∂E/∂w)²` needs its parentheses.
            Formula::Pow(..) | Formula::Transpose(_) | Formula::Partial(..) => 5,
            Formula::Decimal(d) if d.negative => 2,
            Formula::Decimal(d) if d.exponent.is_some() => 3,
            Formula::Symbol(_)
            | Formula::Number(_)
            | Formula::Decimal(_)
            | Formula::Matrix(_)
            | Formula::Array(_)
            | Formula::Call(..)
            | Formula::Derivative(..)
            | Formula::Kronecker(..)
            | Formula::Pick(..)
            | Formula::Concat(_)
            | Formula::Apply(..)
            | Formula::Slice(..)
            | Formula::Grid(_)
            | Formula::Of(..) => 6,
        }
    }
}

impl Formula {
    /// The mean over the batch of `body`, summing over example `i`.
    pub fn batch_mean(body: Formula) -> Formula {
        Formula::BatchMean("i".to_string(), Box::new(body))
    }

    /// The formula with every mean over the batch summing over an example of its own: none is
    /// `free` (the example a line is about) or the example of a mean around it, and the symbols
    /// of each example (written `⁽ⁱ⁾` by the names) name the sum they are in. In a line about
    /// example i, `zn⁽ⁱ⁾ = (z⁽ⁱ⁾ − (1/m) Σⱼ z⁽ʲ⁾)/…`.
    pub fn bind_examples(&self, free: Option<&str>) -> Formula {
        let mut out = self.clone();
        let mut scope: Vec<String> = free.iter().map(|s| s.to_string()).collect();
        out.rebind(&mut scope, free.unwrap_or("i"));
        out
    }

    /// `scope`: the examples named around this formula; `current`: the one its symbols are of.
    fn rebind(&mut self, scope: &mut Vec<String>, current: &str) {
        match self {
            Formula::BatchMean(index, body) => {
                let bound = ["i", "j", "k", "l", "n"]
                    .into_iter()
                    .find(|name| !scope.iter().any(|s| s == name))
                    .unwrap_or("j")
                    .to_string();
                scope.push(bound.clone());
                body.rebind(scope, &bound);
                scope.pop();
                *index = bound;
            }
            Formula::Symbol(symbol) => symbol.rename_example(current),
            Formula::Derivative(symbol, a) => {
                symbol.rename_example(current);
                a.rebind(scope, current);
            }
            Formula::Number(_)
            | Formula::Kronecker(..)
            | Formula::Decimal(_)
            | Formula::Grid(_) => {}
            Formula::Neg(a)
            | Formula::Transpose(a)
            | Formula::Call(_, a)
            | Formula::Slice(a, ..) => a.rebind(scope, current),
            Formula::Binary(_, a, b)
            | Formula::Pow(a, b)
            | Formula::Partial(a, b)
            | Formula::Pick(a, b)
            | Formula::Of(a, b) => {
                a.rebind(scope, current);
                b.rebind(scope, current);
            }
            Formula::Array(items)
            | Formula::Product(items)
            | Formula::Sum(items)
            | Formula::Concat(items)
            | Formula::Apply(_, items) => items.iter_mut().for_each(|f| f.rebind(scope, current)),
            Formula::Matrix(rows) => rows
                .iter_mut()
                .flatten()
                .for_each(|f| f.rebind(scope, current)),
        }
    }
}

impl Symbol {
    /// A value of the generic example i becomes one of `example`.
    fn rename_example(&mut self, example: &str) {
        self.rename(&["i"], example);
    }

    fn rename(&mut self, from: &[&str], to: &str) {
        if self.example.as_deref().is_some_and(|e| from.contains(&e)) {
            self.example = Some(to.to_string());
        }
    }
}

/// At most this many examples are written out in a sum over a batch; more show the first few,
/// `⋯` and the last.
const WRITTEN_EXAMPLES: usize = 4;

impl Formula {
    /// The formula of example `example` (`"2"`): every symbol of the free example i (left free
    /// by [`Formula::bind_examples`]) becomes one of that example; sums over the batch keep
    /// their own.
    pub fn at_example(&self, example: &str) -> Formula {
        let mut out = self.clone();
        out.visit_symbols(&mut |symbol| symbol.rename(&["i"], example), false);
        out
    }

    /// Every mean over the batch written out for a batch of `m` examples: `(1/m) Σⱼ z⁽ʲ⁾` as
    /// `1/3 (z⁽¹⁾ + z⁽²⁾ + z⁽³⁾)`.
    pub fn expand_batch_means(&self, m: usize) -> Formula {
        let mut out = self.clone();
        out.expand_means(m);
        out
    }

    fn expand_means(&mut self, m: usize) {
        if let Formula::BatchMean(index, body) = self {
            body.expand_means(m);
            let term = |k: usize| {
                let mut term = (**body).clone();
                let index = index.clone();
                term.visit_symbols(
                    &mut |symbol| symbol.rename(&[index.as_str()], &k.to_string()),
                    true,
                );
                term
            };
            let terms: Vec<Formula> = if m <= WRITTEN_EXAMPLES {
                (1..=m).map(term).collect()
            } else {
                let mut terms: Vec<Formula> = (1..WRITTEN_EXAMPLES - 1).map(term).collect();
                terms.push(Formula::symbol("⋯"));
                terms.push(term(m));
                terms
            };
            let sum = if terms.len() == 1 {
                terms
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| Formula::number(0))
            } else {
                Formula::Sum(terms)
            };
            *self = Formula::binary(
                Operator::Scale,
                Formula::Number(BigRational::new(1.into(), m.max(1).into())),
                sum,
            );
            return;
        }
        self.children_mut().for_each(|child| child.expand_means(m));
    }

    /// Applies `f` to every symbol; inside sums over the batch too when `into_means`.
    fn visit_symbols(&mut self, f: &mut impl FnMut(&mut Symbol), into_means: bool) {
        match self {
            Formula::Symbol(symbol) => f(symbol),
            Formula::Derivative(symbol, a) => {
                f(symbol);
                a.visit_symbols(f, into_means);
            }
            Formula::BatchMean(..) if !into_means => {}
            other => other
                .children_mut()
                .for_each(|child| child.visit_symbols(f, into_means)),
        }
    }

    /// The formulas directly inside this one.
    fn children_mut(&mut self) -> Box<dyn Iterator<Item = &mut Formula> + '_> {
        match self {
            Formula::Symbol(_)
            | Formula::Number(_)
            | Formula::Kronecker(..)
            | Formula::Grid(_)
            | Formula::Decimal(_) => Box::new(std::iter::empty()),
            Formula::Neg(a)
            | Formula::Transpose(a)
            | Formula::Call(_, a)
            | Formula::Derivative(_, a)
            | Formula::Slice(a, ..)
            | Formula::BatchMean(_, a) => Box::new(std::iter::once(&mut **a)),
            Formula::Binary(_, a, b)
            | Formula::Pow(a, b)
            | Formula::Partial(a, b)
            | Formula::Pick(a, b)
            | Formula::Of(a, b) => Box::new([&mut **a, &mut **b].into_iter()),
            Formula::Array(items)
            | Formula::Product(items)
            | Formula::Sum(items)
            | Formula::Concat(items)
            | Formula::Apply(_, items) => Box::new(items.iter_mut()),
            Formula::Matrix(rows) => Box::new(rows.iter_mut().flatten()),
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
