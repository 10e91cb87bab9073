//! Random networks: gradients against finite differences, exact against float evaluation.
//!
//! A generator writes the SOURCE TEXT of random valid networks (random shapes and depths, every
//! function, operator and loss form of the language, explicit rational values), so the whole
//! front end is in the loop. Each generated text must compile. Then:
//!
//! - every derived gradient agrees with central finite differences of the float64 loss, for the
//!   default gradient and for explicit lists of declarations (inputs, targets, constants too);
//! - the exact and the float evaluators agree on every node, forward and gradient; a network of
//!   only + − × ÷, integer powers, relu, abs, sum, mean, transpose, @ and mse is exact throughout;
//! - the gradient of a deep chain grows linearly with it;
//! - tiny networks give the gradient fractions computed by hand.
//!
//! Values stay where every function is smooth: `log`, `sqrt`, negative and non-integer powers and
//! divisors only take expressions bounded away from zero (`exp(…)`, `sigmoid(…) + 0.1`,
//! `e^2 + 0.5` …), every intermediate is kept within a bound by interval arithmetic, and a case
//! where a `relu` or `abs` argument lies near its kink is discarded after evaluation.

use std::collections::BTreeSet;
use std::fmt;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use nabla::autodiff::{Gradient, default_wrt, differentiate};
use nabla::eval::exact::{self, Value};
use nabla::eval::float;
use nabla::ir::{Binary, DeclId, DeclKind, Init, Model, Op, Unary};
use nabla::shape::Shape;
use nabla::tensor::Tensor;

// --- the generator ----------------------------------------------------------------------------

/// How far from zero any intermediate value may be (by interval arithmetic, so conservatively).
const LIMIT: f64 = 10.0;
/// The least value of an expression made to be positive (for log, sqrt, divisors …).
const POS_MIN: f64 = 0.1;

/// The choices the generator makes, as numbers: proptest generates and shrinks the tape, and a
/// shrunk tape (shorter, smaller numbers) makes the simplest choices (0 is always the simplest).
pub(crate) struct Tape {
    choices: Vec<u32>,
    next: usize,
}

impl Tape {
    pub(crate) fn new(choices: Vec<u32>) -> Tape {
        Tape { choices, next: 0 }
    }

    /// A number in `0..n`.
    pub(crate) fn pick(&mut self, n: usize) -> usize {
        let choice = self.choices.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        choice as usize % n
    }

    /// True `percent` times in a hundred; false on an exhausted tape.
    pub(crate) fn chance(&mut self, percent: usize) -> bool {
        self.pick(100) >= 100 - percent
    }

    /// A size of a vector or matrix: 1 to 4.
    fn size(&mut self) -> usize {
        1 + self.pick(4)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Every function and operator.
    Any,
    /// Only what keeps rationals rational: + − × ÷, integer powers, relu, abs, sum, mean,
    /// transpose, @, mse.
    Rational,
}

/// An interval holding every element of a value.
#[derive(Clone, Copy, Debug)]
struct Bounds {
    lo: f64,
    hi: f64,
}

impl Bounds {
    fn of(values: &[f64]) -> Bounds {
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Bounds { lo, hi }
    }

    fn point(x: f64) -> Bounds {
        Bounds { lo: x, hi: x }
    }

    fn magnitude(self) -> f64 {
        self.lo.abs().max(self.hi.abs())
    }

    fn add(self, other: Bounds) -> Bounds {
        Bounds {
            lo: self.lo + other.lo,
            hi: self.hi + other.hi,
        }
    }

    fn neg(self) -> Bounds {
        Bounds {
            lo: -self.hi,
            hi: -self.lo,
        }
    }

    fn sub(self, other: Bounds) -> Bounds {
        self.add(other.neg())
    }

    fn mul(self, other: Bounds) -> Bounds {
        let products = [
            self.lo * other.lo,
            self.lo * other.hi,
            self.hi * other.lo,
            self.hi * other.hi,
        ];
        Bounds::of(&products)
    }

    fn scale(self, k: f64) -> Bounds {
        self.mul(Bounds::point(k))
    }

    /// Of a divisor that is positive.
    fn recip(self) -> Bounds {
        assert!(self.lo > 0.0, "a divisor that may be zero: {self:?}");
        Bounds {
            lo: 1.0 / self.hi,
            hi: 1.0 / self.lo,
        }
    }

    fn increasing(self, f: impl Fn(f64) -> f64) -> Bounds {
        Bounds {
            lo: f(self.lo),
            hi: f(self.hi),
        }
    }

    fn relu(self) -> Bounds {
        self.increasing(|x| x.max(0.0))
    }

    fn abs(self) -> Bounds {
        if self.lo >= 0.0 {
            self
        } else if self.hi <= 0.0 {
            self.neg()
        } else {
            Bounds {
                lo: 0.0,
                hi: self.magnitude(),
            }
        }
    }

    fn pow(self, p: f64) -> Bounds {
        if p == 0.0 {
            return Bounds::point(1.0);
        }
        let integer = p.fract() == 0.0;
        if self.lo > 0.0 {
            let (a, b) = (self.lo.powf(p), self.hi.powf(p));
            return Bounds {
                lo: a.min(b),
                hi: a.max(b),
            };
        }
        assert!(integer && p > 0.0, "x^{p} of {self:?}");
        if p as i64 % 2 == 0 {
            self.abs().increasing(|x| x.powf(p))
        } else {
            self.increasing(|x| x.powf(p))
        }
    }

    /// Of `softmax` of a vector of `n` elements within `self`.
    fn softmax(self, n: usize) -> Bounds {
        if n == 1 {
            return Bounds::point(1.0);
        }
        let width = self.hi - self.lo;
        let others = (n - 1) as f64;
        Bounds {
            lo: 1.0 / (1.0 + others * width.exp()),
            hi: 1.0 / (1.0 + others * (-width).exp()),
        }
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// A generated expression. Its text can stand as an operand anywhere: a name, a number, a call,
/// an array, or something in parentheses.
#[derive(Clone, Debug)]
struct Expr {
    text: String,
    shape: Shape,
    bounds: Bounds,
    /// Whether it uses the previous layer.
    focus: bool,
}

/// A generated network: its source text, and which features of the language it uses.
#[derive(Clone)]
pub(crate) struct Network {
    pub(crate) source: String,
    features: BTreeSet<&'static str>,
}

impl fmt::Debug for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n{}", self.source)
    }
}

struct Gen<'t> {
    tape: &'t mut Tape,
    mode: Mode,
    declarations: Vec<String>,
    definitions: Vec<String>,
    /// Declarations and named values an expression may use.
    pool: Vec<Expr>,
    /// The previous layer, which the next one should use.
    focus: Expr,
    names: usize,
    features: BTreeSet<&'static str>,
}

/// `text` without one pair of parentheses around all of it.
fn unwrap(text: &str) -> &str {
    let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) else {
        return text;
    };
    let mut depth = 0i32;
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return text;
                }
            }
            _ => {}
        }
    }
    inner
}

fn decimal(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let a = hundredths.unsigned_abs();
    let (whole, fraction) = (a / 100, a % 100);
    if fraction == 0 {
        format!("{sign}{whole}")
    } else if fraction % 10 == 0 {
        format!("{sign}{whole}.{}", fraction / 10)
    } else {
        format!("{sign}{whole}.{fraction:02}")
    }
}

fn shape_text(shape: Shape) -> String {
    match shape {
        Shape::Scalar => String::new(),
        Shape::Vector(n) => format!("[{n}]"),
        shape => shape.to_string(),
    }
}

impl Gen<'_> {
    fn rational(&self) -> bool {
        self.mode == Mode::Rational
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.names += 1;
        format!("{prefix}{}", self.names)
    }

    fn feature(&mut self, name: &'static str) {
        self.features.insert(name);
    }

    /// A signed integer of magnitude at most `max`, 0 for a zero choice.
    fn signed(&mut self, max: usize) -> i64 {
        let j = self.tape.pick(2 * max + 1) as i64;
        if j % 2 == 0 { j / 2 } else { -(j + 1) / 2 }
    }

    /// A number of magnitude at most `max_hundredths / 100`: its text and value.
    fn number(&mut self, max_hundredths: usize, nonnegative: bool) -> (String, f64) {
        if self.tape.chance(8) {
            // A fraction no decimal writes.
            self.feature("fraction literal");
            let d = [3, 7][self.tape.pick(2)];
            let mut n = self.signed(max_hundredths * d as usize / 100);
            if nonnegative {
                n = n.abs();
            }
            return (format!("{n}/{d}"), n as f64 / d as f64);
        }
        let mut k = self.signed(max_hundredths);
        if nonnegative {
            k = k.abs();
        }
        let text = if k != 0 && k % 10 != 0 && self.tape.chance(5) {
            self.feature("exponent literal");
            format!("{k}e-2")
        } else {
            decimal(k)
        };
        (text, k as f64 / 100.0)
    }

    /// Values filling `shape`: the text of an array (or number) and the values.
    fn values(
        &mut self,
        shape: Shape,
        max_hundredths: usize,
        nonnegative: bool,
    ) -> (String, Vec<f64>) {
        let row = |g: &mut Self, n: usize| {
            let items: Vec<(String, f64)> = (0..n)
                .map(|_| g.number(max_hundredths, nonnegative))
                .collect();
            let text = items
                .iter()
                .map(|(t, _)| t.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            (
                format!("[{text}]"),
                items.into_iter().map(|(_, v)| v).collect::<Vec<f64>>(),
            )
        };
        match shape {
            Shape::Scalar => {
                let (text, value) = self.number(max_hundredths, nonnegative);
                (text, vec![value])
            }
            Shape::Vector(n) => row(self, n),
            Shape::Matrix(m, n) => {
                let mut texts = Vec::new();
                let mut values = Vec::new();
                for _ in 0..m {
                    let (t, v) = row(self, n);
                    texts.push(t);
                    values.extend(v);
                }
                let separator = if self.tape.chance(30) {
                    ",\n    "
                } else {
                    ", "
                };
                (format!("[{}]", texts.join(separator)), values)
            }
            Shape::Tensor3(..) | Shape::Tensor4(..) => {
                // Channels (or filters) one after another, each a value of the inner shape.
                let dims = shape.dims();
                let inner = Shape::from_dims(&dims[1..]).expect("a smaller shape");
                let mut texts = Vec::new();
                let mut values = Vec::new();
                for _ in 0..dims[0] {
                    let (t, v) = self.values(inner, max_hundredths, nonnegative);
                    texts.push(t);
                    values.extend(v);
                }
                (format!("[{}]", texts.join(",\n    ")), values)
            }
        }
    }

    fn declare_with(
        &mut self,
        kind: DeclKind,
        shape: Shape,
        max_hundredths: usize,
        nonnegative: bool,
    ) -> Expr {
        let (prefix, keyword) = match kind {
            DeclKind::Param => ("w", "param"),
            DeclKind::Input => ("x", "input"),
            DeclKind::Target => ("y", "target"),
            DeclKind::Const => ("c", "const"),
        };
        let name = self.fresh(prefix);
        let (text, values) = self.values(shape, max_hundredths, nonnegative);
        // The shape may be left out: the value shows it.
        let written = if self.tape.chance(25) {
            String::new()
        } else {
            shape_text(shape)
        };
        self.declarations
            .push(format!("{keyword} {name}{written} = {text}"));
        let expr = Expr {
            text: name,
            shape,
            bounds: Bounds::of(&values),
            focus: false,
        };
        self.pool.push(expr.clone());
        expr
    }

    fn declare(&mut self, kind: DeclKind, shape: Shape) -> Expr {
        let max = match kind {
            DeclKind::Param => 150,
            DeclKind::Input => 200,
            DeclKind::Target | DeclKind::Const => 100,
        };
        self.declare_with(kind, shape, max, false)
    }

    /// A parameter of `shape`: an existing one (shared weights) or a new one.
    fn weight(&mut self, shape: Shape) -> Expr {
        let existing: Vec<Expr> = self
            .pool
            .iter()
            .filter(|e| e.shape == shape && e.text.starts_with('w'))
            .cloned()
            .collect();
        if !existing.is_empty() && self.tape.chance(25) {
            self.feature("shared weight");
            let i = self.tape.pick(existing.len());
            return existing[i].clone();
        }
        self.declare(DeclKind::Param, shape)
    }

    /// Names `expr` with `NAME = …`.
    fn define(&mut self, prefix: &str, expr: Expr) -> Expr {
        let name = self.fresh(prefix);
        self.definitions
            .push(format!("{name} = {}", unwrap(&expr.text)));
        let named = Expr {
            text: name,
            focus: false,
            ..expr
        };
        self.pool.push(named.clone());
        named
    }

    fn random_shape(&mut self) -> Shape {
        match self.tape.pick(10) {
            0..=5 => Shape::Vector(self.tape.size()),
            6 | 7 => Shape::Matrix(self.tape.size(), self.tape.size()),
            _ => Shape::Scalar,
        }
    }

    // --- building expressions, with their bounds ---

    fn call(&mut self, f: &'static str, a: Expr) -> Expr {
        self.feature(f);
        let b = a.bounds;
        let bounds = match f {
            "sigmoid" => b.increasing(sigmoid),
            "tanh" => b.increasing(f64::tanh),
            "relu" => b.relu(),
            "abs" => b.abs(),
            "exp" => b.increasing(f64::exp),
            "log" => {
                assert!(b.lo >= POS_MIN, "log of {b:?}");
                b.increasing(f64::ln)
            }
            "sqrt" => {
                assert!(b.lo >= POS_MIN, "sqrt of {b:?}");
                b.increasing(f64::sqrt)
            }
            "softmax" => b.softmax(a.shape.size()),
            "log_softmax" => {
                let p = b.softmax(a.shape.size());
                Bounds {
                    lo: p.lo.ln(),
                    hi: p.hi.ln(),
                }
            }
            other => unreachable!("{other}"),
        };
        Expr {
            text: format!("{f}({})", unwrap(&a.text)),
            shape: a.shape,
            bounds,
            focus: a.focus,
        }
    }

    fn negate(&mut self, a: Expr) -> Expr {
        self.feature("unary -");
        Expr {
            text: format!("(-{})", a.text),
            bounds: a.bounds.neg(),
            ..a
        }
    }

    /// `a OP b` elementwise (`+ - * /`), with a scalar broadcast on either side.
    fn binary(&mut self, op: &'static str, a: Expr, b: Expr) -> Expr {
        self.feature(op);
        let shape = match (a.shape, b.shape) {
            (x, y) if x == y => x,
            (Shape::Scalar, y) => {
                self.feature("scalar broadcast on the left");
                y
            }
            (x, Shape::Scalar) => {
                self.feature("scalar broadcast on the right");
                x
            }
            (x, y) => unreachable!("{x} {op} {y}"),
        };
        let bounds = match op {
            "+" => a.bounds.add(b.bounds),
            "-" => a.bounds.sub(b.bounds),
            "*" => a.bounds.mul(b.bounds),
            "/" => a.bounds.mul(b.bounds.recip()),
            other => unreachable!("{other}"),
        };
        Expr {
            text: format!("({} {op} {})", a.text, b.text),
            shape,
            bounds,
            focus: a.focus || b.focus,
        }
    }

    /// `a ^ p`, with the exponent as written.
    fn power(&mut self, a: Expr, p: f64, written: &str) -> Expr {
        let feature = if p.fract() != 0.0 {
            "^ non-integer"
        } else if p < 0.0 {
            "^ negative integer"
        } else {
            "^ integer"
        };
        self.feature(feature);
        Expr {
            text: format!("({}^{written})", a.text),
            bounds: a.bounds.pow(p),
            ..a
        }
    }

    /// `a @ b`, matrix–vector or matrix–matrix.
    fn matmul(&mut self, a: Expr, b: Expr) -> Expr {
        let (Shape::Matrix(m, k), inner) = (a.shape, b.shape) else {
            unreachable!("{} @ {}", a.shape, b.shape)
        };
        let shape = match inner {
            Shape::Vector(k2) if k2 == k => {
                self.feature("@ matrix-vector");
                Shape::Vector(m)
            }
            Shape::Matrix(k2, p) if k2 == k => {
                self.feature("@ matrix-matrix");
                Shape::Matrix(m, p)
            }
            _ => unreachable!("{} @ {}", a.shape, b.shape),
        };
        Expr {
            text: format!("({} @ {})", a.text, b.text),
            shape,
            bounds: a.bounds.mul(b.bounds).scale(k as f64),
            focus: a.focus || b.focus,
        }
    }

    /// The transpose of a matrix, as `transpose(a)` or `a'`.
    fn transpose(&mut self, a: Expr) -> Expr {
        let Shape::Matrix(m, n) = a.shape else {
            unreachable!()
        };
        let text = if self.tape.chance(50) {
            self.feature("transpose()");
            format!("transpose({})", unwrap(&a.text))
        } else {
            self.feature("postfix '");
            format!("{}'", a.text)
        };
        Expr {
            text,
            shape: Shape::Matrix(n, m),
            ..a
        }
    }

    fn reduce(&mut self, f: &'static str, a: Expr) -> Expr {
        self.feature(f);
        let bounds = match f {
            "sum" => a.bounds.scale(a.shape.size() as f64),
            _ => a.bounds,
        };
        Expr {
            text: format!("{f}({})", unwrap(&a.text)),
            shape: Shape::Scalar,
            bounds,
            focus: a.focus,
        }
    }

    /// `a` itself if within `limit` of zero, else squashed or scaled into it.
    fn bounded(&mut self, a: Expr, limit: f64) -> Expr {
        let magnitude = a.bounds.magnitude();
        if magnitude <= limit {
            return a;
        }
        if !self.rational() && limit >= 1.0 && self.tape.chance(40) {
            return self.call("tanh", a);
        }
        // A power of two, so that exact values keep short denominators.
        let k = (magnitude / limit).log2().ceil().exp2();
        self.feature("/");
        Expr {
            text: format!("({} / {k})", a.text),
            bounds: a.bounds.scale(1.0 / k),
            ..a
        }
    }

    /// A literal number of magnitude at most 2, as an operand.
    fn literal(&mut self) -> Expr {
        let (text, value) = if self.tape.chance(30) {
            // The numbers the gradient builder simplifies: x·1, x + 0, x·(−1) …
            self.feature("literal 0, 1 or -1");
            let (text, value) = [("1", 1.0), ("0", 0.0), ("-1", -1.0)][self.tape.pick(3)];
            (text.to_string(), value)
        } else {
            self.number(200, false)
        };
        let text = if value < 0.0 || text.contains('/') {
            format!("({text})")
        } else {
            text
        };
        Expr {
            text,
            shape: Shape::Scalar,
            bounds: Bounds::point(value),
            focus: false,
        }
    }

    /// The previous layer, made into a value of `shape`.
    fn adapt(&mut self, shape: Shape) -> Expr {
        let focus = Expr {
            focus: true,
            ..self.focus.clone()
        };
        let adapted = match (focus.shape, shape) {
            (from, to) if from == to => focus,
            (_, Shape::Scalar) => {
                let f = if self.tape.chance(50) { "sum" } else { "mean" };
                self.reduce(f, focus)
            }
            (Shape::Scalar, to) => {
                let other = self.weight(to);
                self.binary("*", focus, other)
            }
            (Shape::Vector(k), Shape::Vector(m)) => {
                let w = self.weight(Shape::Matrix(m, k));
                self.matmul(w, focus)
            }
            (Shape::Matrix(r, c), Shape::Vector(m)) => {
                if r == m {
                    let v = self.weight(Shape::Vector(c));
                    self.matmul(focus, v)
                } else if c == m {
                    let t = self.transpose(focus);
                    let v = self.weight(Shape::Vector(r));
                    self.matmul(t, v)
                } else {
                    let v = self.weight(Shape::Vector(c));
                    let inner = self.matmul(focus, v);
                    let w = self.weight(Shape::Matrix(m, r));
                    self.matmul(w, inner)
                }
            }
            (Shape::Matrix(r, c), Shape::Matrix(m, p)) => {
                let left = self.weight(Shape::Matrix(m, r));
                let product = self.matmul(left, focus);
                let right = self.weight(Shape::Matrix(c, p));
                self.matmul(product, right)
            }
            (Shape::Vector(_), Shape::Matrix(..))
            | (_, Shape::Tensor3(..) | Shape::Tensor4(..)) => {
                let total = self.reduce("sum", focus);
                let other = self.weight(shape);
                self.binary("*", total, other)
            }
            (Shape::Tensor3(..) | Shape::Tensor4(..), _) => {
                let total = self.reduce("sum", focus);
                let other = self.weight(shape);
                self.binary("*", total, other)
            }
        };
        self.bounded(adapted, LIMIT)
    }

    /// A name, a new declaration, a number or an array, of `shape`.
    fn leaf(&mut self, shape: Shape) -> Expr {
        if self.focus.shape == shape && self.tape.chance(60) {
            return Expr {
                focus: true,
                ..self.focus.clone()
            };
        }
        if self.tape.chance(25) {
            return self.adapt(shape);
        }
        let existing: Vec<usize> = (0..self.pool.len())
            .filter(|&i| self.pool[i].shape == shape)
            .collect();
        match self.tape.pick(10) {
            0..=2 if !existing.is_empty() => {
                let i = existing[self.tape.pick(existing.len())];
                self.pool[i].clone()
            }
            3 if shape.is_scalar() => self.literal(),
            4 if matches!(shape, Shape::Vector(_)) => {
                self.feature("array in an expression");
                let (text, values) = if self.tape.chance(30) {
                    self.feature("array of ones or zeros");
                    let one = ["1", "0"][self.tape.pick(2)];
                    let text = format!("[{}]", vec![one; shape.size()].join(", "));
                    (text, vec![if one == "1" { 1.0 } else { 0.0 }])
                } else {
                    self.values(shape, 150, false)
                };
                Expr {
                    text,
                    shape,
                    bounds: Bounds::of(&values),
                    focus: false,
                }
            }
            5 => self.declare(DeclKind::Input, shape),
            6 => self.declare(DeclKind::Const, shape),
            _ => self.declare(DeclKind::Param, shape),
        }
    }

    /// An expression of `shape` whose every element is at least [`POS_MIN`], and at most LIMIT.
    fn positive(&mut self, shape: Shape, depth: usize) -> Expr {
        let a = self.expr(shape, depth);
        let half = Expr {
            text: "0.5".into(),
            shape: Shape::Scalar,
            bounds: Bounds::point(0.5),
            focus: false,
        };
        let choice = if self.rational() {
            self.tape.pick(3)
        } else {
            self.tape.pick(8)
        };
        let positive = match choice {
            0 => {
                let a = self.bounded(a, 3.0);
                let squared = self.power(a, 2.0, "2");
                self.binary("+", squared, half)
            }
            1 => {
                let absolute = self.call("abs", a);
                self.binary("+", absolute, half)
            }
            2 => {
                let rectified = self.call("relu", a);
                let quarter = Expr {
                    text: "1/4".into(),
                    bounds: Bounds::point(0.25),
                    ..half
                };
                self.binary("+", quarter, rectified)
            }
            3 | 4 => {
                let a = self.bounded(a, 2.0);
                self.call("exp", a)
            }
            5 => {
                let s = self.call("sigmoid", a);
                let tenth = Expr {
                    text: "0.1".into(),
                    bounds: Bounds::point(0.1),
                    ..half
                };
                self.binary("+", s, tenth)
            }
            6 if matches!(shape, Shape::Vector(_)) => {
                let a = self.bounded(a, 0.5);
                self.call("softmax", a)
            }
            _ => {
                let a = self.bounded(a, 3.0);
                let squared = self.power(a, 2.0, "2");
                let one = Expr {
                    text: "1".into(),
                    bounds: Bounds::point(1.0),
                    ..half
                };
                let shifted = self.binary("+", squared, one);
                self.call("sqrt", shifted)
            }
        };
        assert!(positive.bounds.lo >= POS_MIN, "{positive:?}");
        self.bounded(positive, LIMIT)
    }

    /// A random expression of `shape`, at most `depth` operations deep.
    fn expr(&mut self, shape: Shape, depth: usize) -> Expr {
        if depth == 0 || self.tape.pick(5) == 0 {
            return self.leaf(shape);
        }
        let d = depth - 1;
        let rational = self.rational();
        // 0 activation, 1 integer power, 2 arithmetic, 3 division, 4 log/sqrt, 5 real power,
        // 6 reduction, 7 mse, 8 cross-entropy, 9 @ to a vector, 10 softmax, 11 log_softmax,
        // 12 @ to a matrix, 13 transpose.
        let mut forms = vec![0, 1, 2, 2, 3];
        if !rational {
            forms.extend([4, 5]);
        }
        match shape {
            Shape::Scalar => {
                forms.extend([6, 6, 7]);
                if !rational {
                    forms.push(8);
                }
            }
            Shape::Vector(_) => {
                forms.extend([9, 9]);
                if !rational {
                    forms.extend([10, 11]);
                }
            }
            Shape::Matrix(..) => forms.extend([12, 13]),
            Shape::Tensor3(..) | Shape::Tensor4(..) => {}
        }
        let form = forms[self.tape.pick(forms.len())];
        let e = match form {
            0 => {
                let functions: &[&'static str] = if rational {
                    &["relu", "abs", "-"]
                } else {
                    &["sigmoid", "tanh", "relu", "abs", "exp", "-"]
                };
                let f = functions[self.tape.pick(functions.len())];
                let a = self.expr(shape, d);
                match f {
                    "-" => self.negate(a),
                    "exp" => {
                        let a = self.bounded(a, 2.0);
                        self.call("exp", a)
                    }
                    f => self.call(f, a),
                }
            }
            1 => match self.tape.pick(6) {
                0 | 1 => {
                    let a = self.expr(shape, d);
                    let a = self.bounded(a, 3.0);
                    self.power(a, 2.0, "2")
                }
                2 => {
                    let a = self.expr(shape, d);
                    let a = self.bounded(a, 2.0);
                    self.power(a, 3.0, "3")
                }
                3 => {
                    let a = self.positive(shape, d);
                    self.power(a, -1.0, "-1")
                }
                4 => {
                    let a = self.positive(shape, d);
                    self.power(a, -2.0, "-2")
                }
                _ => {
                    let a = self.positive(shape, d);
                    self.power(a, 0.0, "0")
                }
            },
            2 => {
                let op = ["+", "-", "*"][self.tape.pick(3)];
                let (sa, sb) = self.broadcast_shapes(shape);
                let a = self.expr(sa, d);
                let b = self.expr(sb, d);
                self.binary(op, a, b)
            }
            3 => {
                let (sa, sb) = self.broadcast_shapes(shape);
                let a = self.expr(sa, d);
                let b = self.positive(sb, d);
                self.binary("/", a, b)
            }
            4 => {
                let f = if self.tape.chance(50) { "log" } else { "sqrt" };
                let a = self.positive(shape, d);
                self.call(f, a)
            }
            5 => {
                let (p, written) = [
                    (0.5, "0.5"),
                    (1.5, "1.5"),
                    (-0.5, "-0.5"),
                    (1.0 / 3.0, "(1/3)"),
                    (2.5, "2.5"),
                ][self.tape.pick(5)];
                let a = self.positive(shape, d);
                self.power(a, p, written)
            }
            6 => {
                let inner = self.random_shape();
                let a = self.expr(inner, d);
                let f = if self.tape.chance(50) { "sum" } else { "mean" };
                self.reduce(f, a)
            }
            7 => {
                self.feature("mse");
                let inner = self.random_shape();
                let a = self.expr(inner, d);
                let b = self.expr(inner, d);
                let diff = a.bounds.sub(b.bounds).pow(2.0);
                Expr {
                    text: format!("mse({}, {})", unwrap(&a.text), unwrap(&b.text)),
                    shape: Shape::Scalar,
                    bounds: diff,
                    focus: a.focus || b.focus,
                }
            }
            8 => {
                let inner = Shape::Vector(self.tape.size());
                let z = self.expr(inner, d);
                let y = self.expr(inner, d);
                let p = if self.tape.chance(50) {
                    self.call("softmax", z)
                } else {
                    self.call("sigmoid", z)
                };
                self.cross_entropy(p, y)
            }
            9 => {
                let Shape::Vector(m) = shape else {
                    unreachable!()
                };
                let k = self.tape.size();
                let v = self.expr(Shape::Vector(k), d);
                let a = match self.tape.pick(3) {
                    0 => self.expr(Shape::Matrix(m, k), d),
                    1 => {
                        let b = self.expr(Shape::Matrix(k, m), d);
                        self.transpose(b)
                    }
                    _ => {
                        let j = self.tape.size();
                        let a = self.expr(Shape::Matrix(m, j), d);
                        let b = self.expr(Shape::Matrix(j, k), d);
                        let product = self.matmul(a, b);
                        self.bounded(product, LIMIT)
                    }
                };
                self.matmul(a, v)
            }
            10 | 11 => {
                let a = self.expr(shape, d);
                self.call(if form == 10 { "softmax" } else { "log_softmax" }, a)
            }
            12 => {
                let Shape::Matrix(m, p) = shape else {
                    unreachable!()
                };
                let k = self.tape.size();
                let a = self.expr(Shape::Matrix(m, k), d);
                let b = self.expr(Shape::Matrix(k, p), d);
                self.matmul(a, b)
            }
            _ => {
                let Shape::Matrix(m, p) = shape else {
                    unreachable!()
                };
                let a = self.expr(Shape::Matrix(p, m), d);
                self.transpose(a)
            }
        };
        assert_eq!(e.shape, shape, "{}", e.text);
        self.bounded(e, LIMIT)
    }

    /// The shapes of the operands of an elementwise operation giving `shape`: equal, or a
    /// scalar on one side.
    fn broadcast_shapes(&mut self, shape: Shape) -> (Shape, Shape) {
        if shape.is_scalar() {
            return (shape, shape);
        }
        match self.tape.pick(6) {
            4 => (Shape::Scalar, shape),
            5 => (shape, Shape::Scalar),
            _ => (shape, shape),
        }
    }

    /// `cross_entropy(p, y)` of a positive `p`.
    fn cross_entropy(&mut self, p: Expr, y: Expr) -> Expr {
        self.feature("cross_entropy");
        let log_p = p.bounds.increasing(f64::ln);
        let bounds = y.bounds.mul(log_p).scale(-(p.shape.size() as f64));
        Expr {
            text: format!("cross_entropy({}, {})", unwrap(&p.text), unwrap(&y.text)),
            shape: Shape::Scalar,
            bounds,
            focus: p.focus || y.focus,
        }
    }

    /// An activation of a layer's pre-activation `a`.
    fn activation(&mut self, a: Expr) -> Expr {
        let vector = matches!(a.shape, Shape::Vector(_));
        let choice = if self.rational() {
            self.tape.pick(4)
        } else {
            self.tape.pick(11)
        };
        match choice {
            0 => a,
            1 => self.call("relu", a),
            2 => self.call("abs", a),
            3 => {
                let a = self.bounded(a, 3.0);
                self.power(a, 2.0, "2")
            }
            4 | 5 => self.call("sigmoid", a),
            6 | 7 => self.call("tanh", a),
            8 if vector => self.call("softmax", a),
            9 if vector => self.call("log_softmax", a),
            _ => {
                let a = self.bounded(a, 2.0);
                self.call("exp", a)
            }
        }
    }

    /// One layer: a value that uses the previous one.
    fn layer(&mut self) {
        let previous = self.focus.clone();
        let shape = match self.tape.pick(10) {
            0..=6 => Shape::Vector(self.tape.size()),
            7 | 8 => Shape::Matrix(self.tape.size(), self.tape.size()),
            _ => Shape::Scalar,
        };
        let dense = self.tape.chance(50);
        let e = match (previous.shape, shape) {
            (Shape::Vector(k), Shape::Vector(m)) if dense => {
                // act(W @ h + b)
                let w = self.weight(Shape::Matrix(m, k));
                let h = Expr {
                    focus: true,
                    ..previous
                };
                let product = self.matmul(w, h);
                let pre = match self.tape.pick(3) {
                    0 => product,
                    1 => {
                        let b = self.weight(shape);
                        self.binary("+", product, b)
                    }
                    _ => {
                        let b = self.weight(Shape::Scalar);
                        self.binary("+", product, b)
                    }
                };
                let pre = self.bounded(pre, LIMIT);
                self.activation(pre)
            }
            (Shape::Matrix(k, p), Shape::Matrix(m, _)) if dense => {
                // act(W @ H), matrix–matrix
                let w = self.weight(Shape::Matrix(m, k));
                let h = Expr {
                    focus: true,
                    ..previous
                };
                let product = self.matmul(w, h);
                let pre = self.bounded(product, LIMIT);
                let out = self.activation(pre);
                debug_assert_eq!(out.shape, Shape::Matrix(m, p));
                out
            }
            _ => {
                let depth = 1 + self.tape.pick(if self.rational() { 2 } else { 3 });
                self.expr(shape, depth)
            }
        };
        let e = if e.focus {
            e
        } else {
            // Make sure the layer uses the one before.
            let tie = self.adapt(e.shape);
            let op = if self.tape.chance(30) { "*" } else { "+" };
            let tied = self.binary(op, e, tie);
            self.bounded(tied, LIMIT)
        };
        let e = self.bounded(e, LIMIT);
        let named = self.define("h", e);
        self.focus = Expr {
            focus: true,
            ..named
        };
    }

    /// The output the loss compares: the last layer, or a linear map of it.
    fn output(&mut self) -> Expr {
        let last = self.focus.clone();
        if let Shape::Vector(k) = last.shape
            && self.tape.chance(40)
        {
            let m = self.tape.size();
            let w = self.weight(Shape::Matrix(m, k));
            let product = self.matmul(w, last);
            let b = self.weight(Shape::Vector(m));
            let o = self.binary("+", product, b);
            return self.bounded(o, LIMIT);
        }
        last
    }

    /// A target distribution (non-negative; one-hot, or not summing to 1 at all).
    fn distribution(&mut self, shape: Shape) -> Expr {
        if self.tape.chance(30) {
            let n = shape.size();
            let hot = self.tape.pick(n);
            let values: Vec<&str> = (0..n).map(|i| if i == hot { "1" } else { "0" }).collect();
            let name = self.fresh("y");
            let text = Tensor::new(shape, values)
                .nest(|v| v.to_string(), |items| format!("[{}]", items.join(", ")))
                .expect("a value");
            self.declarations
                .push(format!("target {name}{} = {text}", shape_text(shape)));
            let expr = Expr {
                text: name,
                shape,
                bounds: Bounds { lo: 0.0, hi: 1.0 },
                focus: false,
            };
            self.pool.push(expr.clone());
            return expr;
        }
        self.declare_with(DeclKind::Target, shape, 100, true)
    }

    fn loss(&mut self) -> String {
        let rational = self.rational();
        let o = self.output();
        let vector = matches!(o.shape, Shape::Vector(_));
        // 0 mse, 1 sum of squares, 2 half sum of squares, 3 mean, 4 sum,
        // 5 cross_entropy(softmax), 6 named softmax, 7 -sum(y * log_softmax), 8 cross_entropy(sigmoid)
        let mut forms = vec![0, 1, 2, 3, 4];
        if !rational {
            forms.push(8);
            if vector {
                forms.extend([5, 5, 6, 6, 7]);
            }
        }
        let text = match forms[self.tape.pick(forms.len())] {
            0 => {
                self.feature("loss mse");
                let y = self.declare(DeclKind::Target, o.shape);
                if self.tape.chance(50) {
                    format!("mse({}, {})", unwrap(&o.text), y.text)
                } else {
                    format!("mse({}, {})", y.text, unwrap(&o.text))
                }
            }
            1 => {
                self.feature("loss sum of squares");
                let y = self.declare(DeclKind::Target, o.shape);
                format!("sum(({} - {})^2)", o.text, y.text)
            }
            2 => {
                self.feature("loss half sum of squares");
                let y = self.declare(DeclKind::Target, o.shape);
                format!("sum(1/2 * ({} - {})^2)", y.text, o.text)
            }
            3 => {
                self.feature("loss mean");
                if self.tape.chance(50) {
                    format!("mean({})", unwrap(&o.text))
                } else {
                    format!("mean({}^2)", o.text)
                }
            }
            4 => {
                self.feature("loss sum");
                format!("sum({})", unwrap(&o.text))
            }
            5 => {
                self.feature("loss cross_entropy of softmax");
                let y = self.distribution(o.shape);
                self.feature("softmax");
                self.feature("cross_entropy");
                format!("cross_entropy(softmax({}), {})", unwrap(&o.text), y.text)
            }
            6 => {
                self.feature("loss cross_entropy of a named softmax");
                let y = self.distribution(o.shape);
                let p = self.call("softmax", o);
                let p = self.define("p", p);
                self.feature("cross_entropy");
                format!("cross_entropy({}, {})", p.text, y.text)
            }
            7 => {
                self.feature("loss -sum(y * log_softmax)");
                let y = self.distribution(o.shape);
                self.feature("log_softmax");
                format!("-sum({} * log_softmax({}))", y.text, unwrap(&o.text))
            }
            _ => {
                self.feature("loss cross_entropy of sigmoid");
                let y = self.distribution(o.shape);
                self.feature("sigmoid");
                self.feature("cross_entropy");
                format!("cross_entropy(sigmoid({}), {})", unwrap(&o.text), y.text)
            }
        };
        if self.tape.chance(25) {
            // A weight penalty on some parameter.
            let params: Vec<Expr> = self
                .pool
                .iter()
                .filter(|e| e.text.starts_with('w'))
                .cloned()
                .collect();
            if !params.is_empty() {
                self.feature("loss with a penalty");
                let w = &params[self.tape.pick(params.len())];
                return format!("{text} + 0.01 * sum({}^2)", w.text);
            }
        }
        text
    }
}

/// The source text of a random valid network, from the choices on `tape`.
fn generate(tape: &mut Tape, mode: Mode) -> Network {
    let mut g = Gen {
        tape,
        mode,
        declarations: Vec::new(),
        definitions: Vec::new(),
        pool: Vec::new(),
        focus: Expr {
            text: String::new(),
            shape: Shape::Scalar,
            bounds: Bounds::point(0.0),
            focus: true,
        },
        names: 0,
        features: BTreeSet::new(),
    };
    let input_shape = match g.tape.pick(6) {
        0..=3 => Shape::Vector(g.tape.size()),
        4 => Shape::Matrix(g.tape.size(), g.tape.size()),
        _ => Shape::Scalar,
    };
    let x = g.declare(DeclKind::Input, input_shape);
    g.focus = Expr { focus: true, ..x };
    // Exact values of deep rational networks grow long (every operation can multiply the digits
    // of a denominator), so those stay shallower.
    let layers = 1 + g.tape.pick(if mode == Mode::Rational { 4 } else { 6 });
    for _ in 0..layers {
        g.layer();
    }
    let loss = g.loss();
    let mut lines = std::mem::take(&mut g.declarations);
    lines.append(&mut g.definitions);
    lines.push(format!("loss L = {loss}"));
    if g.tape.chance(15) {
        // Names may be used before the line that defines them.
        g.feature("lines in reverse");
        lines.reverse();
    }
    let mut source = lines.join("\n");
    source.push('\n');
    Network {
        source,
        features: g.features,
    }
}

pub(crate) fn networks(mode: Mode) -> impl Strategy<Value = Network> {
    proptest::collection::vec(any::<u32>(), 0..600)
        .prop_map(move |choices| generate(&mut Tape::new(choices), mode))
}

// --- checking ---------------------------------------------------------------------------------

pub(crate) fn compile(source: &str) -> Model {
    let (model, diagnostics) = nabla::compile(source);
    model.unwrap_or_else(|| {
        panic!("the generated network does not compile:\n{source}\n{diagnostics:#?}")
    })
}

fn declared_exact(model: &Model) -> Vec<Option<Value>> {
    model
        .declarations
        .iter()
        .map(|d| match &d.init {
            Some(Init::Value(v)) => Some(Value::Exact(v.clone())),
            _ => None,
        })
        .collect()
}

pub(crate) fn declared_float(model: &Model) -> Vec<Option<Tensor<f64>>> {
    declared_exact(model)
        .iter()
        .map(|v| v.as_ref().map(Value::to_f64))
        .collect()
}

/// Whether a `relu` or `abs` takes an argument near its kink, where a finite difference would
/// straddle it and float rounding could land on either side.
pub(crate) fn near_a_kink(model: &Model, declared: &[Option<Tensor<f64>>]) -> bool {
    let values = float::evaluate(&model.graph, declared);
    model.graph.nodes().iter().any(|node| match node.op {
        Op::Unary(Unary::Relu | Unary::Abs, a) => values[a.index()]
            .as_ref()
            .is_some_and(|v| v.data().iter().any(|x| x.abs() < 1e-3)),
        _ => false,
    })
}

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

/// Differentiates, and checks the structure the gradient promises.
pub(crate) fn gradient_of(model: &Model, wrt: &[DeclId]) -> Result<Gradient, TestCaseError> {
    let gradient =
        differentiate(model, wrt).map_err(|e| fail(format!("differentiate failed: {e:?}")))?;
    prop_assert_eq!(gradient.forward_len, model.graph.len());
    for (forward, node) in model.graph.nodes().iter().zip(gradient.graph.nodes()) {
        prop_assert_eq!(
            &forward.op,
            &node.op,
            "differentiation changed a forward node"
        );
    }
    let order: Vec<DeclId> = gradient.wrt.iter().map(|(d, _)| *d).collect();
    prop_assert_eq!(
        &order,
        &wrt.to_vec(),
        "gradients not in the order requested"
    );
    for (decl, node) in &gradient.wrt {
        prop_assert_eq!(
            gradient.graph[*node].shape,
            model.declaration(*decl).shape,
            "the gradient of {} has the wrong shape",
            &model.declaration(*decl).name
        );
    }
    Ok(gradient)
}

/// Each gradient in `wrt` against a central finite difference of the float64 loss, element by
/// element.
pub(crate) fn check_against_finite_differences(
    model: &Model,
    wrt: &[DeclId],
) -> Result<(), TestCaseError> {
    let declared = declared_float(model);
    let gradient = gradient_of(model, wrt)?;
    let values = float::evaluate(&gradient.graph, &declared);
    let loss_node = model.loss.node.index();
    let loss = values[loss_node]
        .as_ref()
        .expect("the loss has a value")
        .data()[0];
    prop_assert!(loss.is_finite(), "the loss is {}", loss);
    for (decl, node) in &gradient.wrt {
        let name = &model.declaration(*decl).name;
        let derived = values[node.index()]
            .clone()
            .expect("the gradient has a value");
        let base = declared[decl.index()].clone().expect("a declared value");
        for i in 0..base.data().len() {
            let loss_at = |delta: f64| {
                let mut shifted = declared.clone();
                let mut data = base.data().to_vec();
                data[i] += delta;
                shifted[decl.index()] = Some(Tensor::new(base.shape(), data));
                float::evaluate(&model.graph, &shifted)[loss_node]
                    .as_ref()
                    .expect("loss")
                    .data()[0]
            };
            let h = 1e-6 * (1.0 + base.data()[i].abs());
            let numeric = (loss_at(h) - loss_at(-h)) / (2.0 * h);
            let analytic = derived.data()[i];
            let scale = 1.0_f64.max(numeric.abs()).max(analytic.abs());
            // Rounding in the loss, divided by 2h, on top of the relative tolerance.
            let tolerance = 1e-5 * scale + 1e-9 * loss.abs();
            prop_assert!(
                analytic.is_finite() && (numeric - analytic).abs() <= tolerance,
                "∂L/∂{}[{}]: derived {}, finite difference {}",
                name,
                i,
                analytic,
                numeric
            );
        }
    }
    Ok(())
}

/// Every node of the gradient graph, by the exact evaluator.
pub(crate) fn exact_values(
    model: &Model,
    gradient: &Gradient,
) -> Result<Vec<Option<Value>>, TestCaseError> {
    exact::evaluate(&gradient.graph, &declared_exact(model)).map_err(|e| {
        fail(format!(
            "exact evaluation failed: {e:?} at {:?}",
            gradient.graph[e.node()].op
        ))
    })
}

/// The exact values of every node of the gradient graph against the float evaluator's: the same
/// numbers, to float precision.
pub(crate) fn check_exact_agrees_with_float(
    model: &Model,
    gradient: &Gradient,
    exact: &[Option<Value>],
) -> Result<(), TestCaseError> {
    let floats = float::evaluate(&gradient.graph, &declared_float(model));
    for (id, (e, f)) in exact.iter().zip(&floats).enumerate() {
        let (Some(e), Some(f)) = (e, f) else {
            return Err(fail(format!("node {id} has no value")));
        };
        prop_assert_eq!(e.shape(), f.shape(), "node {}", id);
        let e = e.to_f64();
        for (x, y) in e.data().iter().zip(f.data()) {
            let scale = 1.0_f64.max(x.abs()).max(y.abs());
            prop_assert!(
                (x - y).abs() <= 1e-9 * scale,
                "node {} ({:?}): exact {} but float {}",
                id,
                gradient.graph.nodes()[id].op,
                x,
                y
            );
        }
    }
    Ok(())
}

/// Whether `op` of exact operands has an exact value: + − × ÷, integer powers, relu, abs …
pub(crate) fn keeps_rationals_rational(op: &Op) -> bool {
    match op {
        Op::Binary(Binary::SigmoidCrossEntropy, ..) => false,
        Op::Var(_)
        | Op::Literal(_)
        | Op::Binary(..)
        | Op::Broadcast(..)
        | Op::OneHot(..)
        | Op::Slice(..)
        | Op::BatchSize => true,
        Op::Tensor(t) => !matches!(
            t,
            nabla::ir::TensorOp::Along(
                nabla::ir::Along::Softmax | nabla::ir::Along::LogSoftmax,
                ..
            )
        ),
        Op::Pow(_, p) => p.is_integer(),
        Op::Unary(f, _) => matches!(
            f,
            Unary::Neg
                | Unary::Relu
                | Unary::Abs
                | Unary::Transpose
                | Unary::Sum
                | Unary::Mean
                | Unary::Step
                | Unary::Sign
                | Unary::BatchMean
        ),
    }
}

/// Some of the declarations, in some order, always including an input.
pub(crate) fn chosen_declarations(model: &Model, choices: Vec<u32>) -> Vec<DeclId> {
    let mut tape = Tape::new(choices);
    let mut all: Vec<DeclId> = (0..model.declarations.len() as u32).map(DeclId).collect();
    // Shuffle by the tape.
    for i in (1..all.len()).rev() {
        let j = tape.pick(i + 1);
        all.swap(i, j);
    }
    let mut chosen: Vec<DeclId> = all.iter().copied().filter(|_| tape.pick(2) == 0).collect();
    if !chosen
        .iter()
        .any(|&d| model.declaration(d).kind == DeclKind::Input)
    {
        let input = all
            .iter()
            .copied()
            .find(|&d| model.declaration(d).kind == DeclKind::Input);
        chosen.extend(input);
    }
    chosen
}

/// 192 cases each unless `PROPTEST_CASES` says otherwise (for a longer hunt); no files written.
pub(crate) fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(192);
    ProptestConfig {
        cases,
        failure_persistence: None,
        // Shrinking a tape of choices takes many small steps, each quick.
        max_shrink_iters: 20_000,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn gradients_agree_with_finite_differences(network in networks(Mode::Any)) {
        let model = compile(&network.source);
        prop_assume!(!near_a_kink(&model, &declared_float(&model)));
        check_against_finite_differences(&model, &default_wrt(&model))?;
    }

    #[test]
    fn gradients_of_chosen_declarations_agree_with_finite_differences(
        network in networks(Mode::Any),
        choices in proptest::collection::vec(any::<u32>(), 0..40),
    ) {
        let model = compile(&network.source);
        prop_assume!(!near_a_kink(&model, &declared_float(&model)));
        let wrt = chosen_declarations(&model, choices);
        check_against_finite_differences(&model, &wrt)?;
    }

    #[test]
    fn exact_and_float_evaluation_agree_on_every_node(network in networks(Mode::Any)) {
        let model = compile(&network.source);
        prop_assume!(!near_a_kink(&model, &declared_float(&model)));
        let all: Vec<DeclId> = (0..model.declarations.len() as u32).map(DeclId).collect();
        let gradient = gradient_of(&model, &all)?;
        let exact = exact_values(&model, &gradient)?;
        check_exact_agrees_with_float(&model, &gradient, &exact)?;
        // Exact wherever the operation keeps rationals rational and its operands are exact.
        for (id, node) in gradient.graph.nodes().iter().enumerate() {
            let operands_exact = node
                .op
                .operands()
                .all(|o| exact[o.index()].as_ref().is_some_and(Value::is_exact));
            if operands_exact && keeps_rationals_rational(&node.op) {
                prop_assert!(
                    exact[id].as_ref().is_some_and(Value::is_exact),
                    "node {} ({:?}) of exact operands is not exact",
                    id,
                    node.op
                );
            }
        }
    }

    #[test]
    fn rational_networks_are_exact_on_every_node(network in networks(Mode::Rational)) {
        let model = compile(&network.source);
        let all: Vec<DeclId> = (0..model.declarations.len() as u32).map(DeclId).collect();
        let gradient = gradient_of(&model, &all)?;
        let exact = exact_values(&model, &gradient)?;
        for (id, value) in exact.iter().enumerate() {
            prop_assert!(
                value.as_ref().is_some_and(Value::is_exact),
                "node {} ({:?}) is not exact: {:?}",
                id,
                gradient.graph.nodes()[id].op,
                value
            );
        }
        // Away from kinks, where float rounding cannot flip a step, the floats agree too, and
        // the gradients match finite differences.
        if !near_a_kink(&model, &declared_float(&model)) {
            check_exact_agrees_with_float(&model, &gradient, &exact)?;
            check_against_finite_differences(&model, &default_wrt(&model))?;
        }
    }
}

/// A fixed pseudo-random tape, for the deterministic tests.
fn xorshift_tape(seed: u64, len: usize) -> Tape {
    Tape::new(xorshift_choices(seed, len))
}

/// `len` fixed pseudo-random choices (xorshift), the same for the same `seed`.
pub fn xorshift_choices(seed: u64, len: usize) -> Vec<u32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u32
        })
        .collect()
}

#[test]
fn the_generator_uses_the_whole_language_and_always_compiles() {
    let mut seen: BTreeSet<&'static str> = BTreeSet::new();
    for seed in 0..300 {
        let mode = if seed % 4 == 0 {
            Mode::Rational
        } else {
            Mode::Any
        };
        let network = generate(&mut xorshift_tape(seed, 600), mode);
        let (model, diagnostics) = nabla::compile(&network.source);
        assert!(
            model.is_some(),
            "seed {seed}:\n{}\n{diagnostics:#?}",
            network.source
        );
        seen.extend(network.features);
    }
    // An exhausted tape gives the simplest network; it compiles too.
    let simplest = generate(&mut Tape::new(Vec::new()), Mode::Any);
    assert!(
        nabla::compile(&simplest.source).0.is_some(),
        "{}",
        simplest.source
    );
    let wanted = [
        "sigmoid",
        "tanh",
        "relu",
        "exp",
        "log",
        "sqrt",
        "abs",
        "sum",
        "mean",
        "softmax",
        "log_softmax",
        "transpose()",
        "postfix '",
        "mse",
        "cross_entropy",
        "+",
        "-",
        "*",
        "/",
        "^ integer",
        "^ negative integer",
        "^ non-integer",
        "unary -",
        "@ matrix-vector",
        "@ matrix-matrix",
        "scalar broadcast on the left",
        "scalar broadcast on the right",
        "loss mse",
        "loss sum of squares",
        "loss half sum of squares",
        "loss mean",
        "loss sum",
        "loss cross_entropy of softmax",
        "loss cross_entropy of a named softmax",
        "loss -sum(y * log_softmax)",
        "loss cross_entropy of sigmoid",
        "loss with a penalty",
        "fraction literal",
        "exponent literal",
        "array in an expression",
        "array of ones or zeros",
        "literal 0, 1 or -1",
        "shared weight",
        "lines in reverse",
    ];
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|f| !seen.contains(f))
        .collect();
    assert!(missing.is_empty(), "never generated: {missing:?}");
}

// --- growth -----------------------------------------------------------------------------------

/// A chain of `depth` layers of the given kind, on 3-vectors.
fn chain(kind: &str, depth: usize) -> String {
    let mut source = String::from(
        "input x[3] = [0.5, -0.25, 1]\ntarget y[3] = [0.2, 0.3, 0.5]\n\
         param W[3, 3] = [[0.3, -0.2, 0.1], [0.05, 0.4, -0.3], [-0.1, 0.2, 0.35]]\n\
         param b[3] = [0.1, -0.1, 0.05]\nh0 = x\n",
    );
    for i in 1..=depth {
        let p = i - 1;
        let line = match kind {
            // Each layer its own parameters.
            "own" => format!(
                "param W{i}[3, 3] = [[0.3, -0.2, 0.{i}], [0.05, 0.4, -0.3], [-0.1, 0.2, 0.35]]\n\
                 param b{i}[3] = [0.1, -0.1, 0.05]\n\
                 h{i} = tanh(W{i} @ h{p} + b{i})\n"
            ),
            // One W and b shared by every layer.
            "shared" => format!("h{i} = sigmoid(W @ h{p} + b)\n"),
            // Each value used three times by the next: naive symbolic differentiation would
            // grow as 3^depth.
            "diamond" => format!("h{i} = h{p} + sigmoid(W @ h{p}) * tanh(h{p}) / 4\n"),
            // Softmax layers with a residual path and a division.
            "softmax" => format!("h{i} = softmax(W @ h{p} + b) + h{p} / (h{p}^2 + 1)\n"),
            other => unreachable!("{other}"),
        };
        source.push_str(&line);
    }
    let loss = match kind {
        "softmax" => format!("loss L = cross_entropy(softmax(h{depth}), y)\n"),
        _ => format!("loss L = mse(h{depth}, y)\n"),
    };
    source.push_str(&loss);
    source
}

#[test]
fn the_gradient_of_a_deep_chain_grows_linearly() {
    for kind in ["own", "shared", "diamond", "softmax"] {
        let mut sizes = Vec::new();
        for depth in [10, 20, 40, 80, 160] {
            let source = chain(kind, depth);
            let model = compile(&source);
            let gradient = differentiate(&model, &default_wrt(&model)).expect("differentiable");
            let (forward, total) = (gradient.forward_len, gradient.graph.len());
            assert!(
                total <= 8 * forward,
                "{kind} chain of {depth}: {total} nodes with the gradient, {forward} without"
            );
            sizes.push(total);
            // The deep gradients are right, too (per-layer parameters: only the shallower).
            if depth == 40 || (depth == 160 && kind != "own") {
                check_against_finite_differences(&model, &default_wrt(&model))
                    .unwrap_or_else(|e| panic!("{kind} chain of {depth}: {e}"));
                exact_values(&model, &gradient)
                    .and_then(|exact| check_exact_agrees_with_float(&model, &gradient, &exact))
                    .unwrap_or_else(|e| panic!("{kind} chain of {depth}: {e}"));
            }
        }
        // Doubling the depth adds twice the nodes the previous doubling added: linear growth.
        for w in sizes.windows(3) {
            let (before, after) = ((w[1] - w[0]) as f64, (w[2] - w[1]) as f64);
            assert!(
                after <= 2.1 * before,
                "{kind}: graph sizes {sizes:?} grow faster than linearly"
            );
        }
    }
}

// --- hand-checked exact gradients -------------------------------------------------------------

/// The exact gradient of the loss of `source` with respect to each of `wrt` (by name), as the
/// text of each element.
fn exact_gradients(source: &str, wrt: &[&str]) -> Vec<Vec<String>> {
    let model = compile(source);
    let ids: Vec<DeclId> = wrt
        .iter()
        .map(|name| {
            let index = model.declarations.iter().position(|d| d.name == *name);
            DeclId(index.unwrap_or_else(|| panic!("`{name}` is not declared")) as u32)
        })
        .collect();
    let gradient = differentiate(&model, &ids).expect("differentiable");
    let values = exact::evaluate(&gradient.graph, &declared_exact(&model)).unwrap_or_else(|e| {
        panic!(
            "exact evaluation failed: {e:?} at {:?}",
            gradient.graph[e.node()].op
        )
    });
    gradient
        .wrt
        .iter()
        .map(
            |(decl, node)| match values[node.index()].as_ref().expect("a value") {
                Value::Exact(t) => t.data().iter().map(ToString::to_string).collect(),
                Value::Approx(t) => {
                    panic!("∂L/∂{} is not exact: {t:?}", model.declaration(*decl).name)
                }
            },
        )
        .collect()
}

#[test]
fn a_linear_neuron_with_mse_has_the_hand_computed_gradient() {
    // o = w·x + b = 1/2·2 − 1·3 + 1/4 = −7/4, and L = mse(o, y) = (o − y)² = (−11/4)².
    // ∂L/∂o = 2(o − y) = −11/2, so
    //   ∂L/∂w = −11/2 · x = [−11, −33/2],  ∂L/∂b = −11/2,
    //   ∂L/∂x = −11/2 · w = [−11/4, 11/2],  ∂L/∂y = −∂L/∂o = 11/2.
    let source = "param w[2] = [1/2, -1]\nparam b = 1/4\ninput x[2] = [2, 3]\ntarget y = 1\n\
                  loss L = mse(sum(w * x) + b, y)\n";
    assert_eq!(
        exact_gradients(source, &["w", "b", "x", "y"]),
        [
            vec!["-11", "-33/2"],
            vec!["-11/2"],
            vec!["-11/4", "11/2"],
            vec!["11/2"]
        ]
    );
}

#[test]
fn a_relu_layer_has_the_hand_computed_gradient() {
    // z = W @ x = [1/3 − 2, 1 + 1/2] = [−5/3, 3/2]; relu(z) = [0, 3/2]; L = sum(relu(z)²)/2.
    // ∂L/∂z = relu(z) ⊙ step(z) = [0, 3/2], so
    //   ∂L/∂W = [0, 3/2] xᵀ = [[0, 0], [1/2, 3/2]],
    //   ∂L/∂x = Wᵀ [0, 3/2] = [3 · 3/2, 1/2 · 3/2] = [9/2, 3/4].
    let source = "param W[2, 2] = [[1, -2], [3, 1/2]]\ninput x[2] = [1/3, 1]\n\
                  loss L = sum(relu(W @ x)^2) / 2\n";
    assert_eq!(
        exact_gradients(source, &["W", "x"]),
        [vec!["0", "0", "1/2", "3/2"], vec!["9/2", "3/4"]]
    );
}

#[test]
fn abs_relu_and_a_negative_power_have_the_hand_computed_gradient() {
    // L = relu(a) + |a|·b + b⁻¹ with a = −1/3, b = 5/2:
    //   ∂L/∂a = step(a) + sign(a)·b = 0 − 5/2 = −5/2,
    //   ∂L/∂b = |a| − b⁻² = 1/3 − 4/25 = 13/75.
    let source = "param a = -1/3\nparam b = 5/2\nloss L = relu(a) + abs(a) * b + b^-1\n";
    assert_eq!(exact_gradients(source, &["a", "b"]), [["-5/2"], ["13/75"]]);
}

#[test]
fn a_quotient_and_a_cube_have_the_hand_computed_gradient() {
    // L = p/q + (p − q)³/2 with p = 3, q = 4, so (p − q)² = 1:
    //   ∂L/∂p = 1/q + 3/2·(p − q)² = 1/4 + 3/2 = 7/4,
    //   ∂L/∂q = −p/q² − 3/2·(p − q)² = −3/16 − 24/16 = −27/16.
    let source = "param p = 3\nparam q = 4\nloss L = p / q + (p - q)^3 / 2\n";
    assert_eq!(exact_gradients(source, &["p", "q"]), [["7/4"], ["-27/16"]]);
}

#[test]
fn kinks_take_the_zero_derivative() {
    // At a = 0, relu′ = abs′ = 0 by convention: ∂L/∂a = 0 + 0 + c = 2/3, ∂L/∂c = a = 0.
    let source = "param a = 0\nparam c = 2/3\nloss L = relu(a) + abs(a) + c * a\n";
    assert_eq!(exact_gradients(source, &["a", "c"]), [["2/3"], ["0"]]);
}

#[test]
fn a_matrix_product_with_a_transpose_has_the_hand_computed_gradient() {
    // sum(AᵀA) = Σₖ (Σᵢ Aₖᵢ)² = Σₖ rₖ², the row sums r = [3, 7]; L = sum(AᵀA)/4.
    // ∂L/∂Aₖᵢ = 2rₖ/4 = rₖ/2: [[3/2, 3/2], [7/2, 7/2]].
    let source = "param A[2, 2] = [[1, 2], [3, 4]]\nloss L = mean(A' @ A)\n";
    assert_eq!(
        exact_gradients(source, &["A"]),
        [["3/2", "3/2", "7/2", "7/2"]]
    );
}

#[test]
fn a_broadcast_scalar_over_a_vector_has_the_hand_computed_gradient() {
    // L = sum(s / v) with s = 2, v = [1, 4]:
    //   ∂L/∂s = sum(1/v) = 1 + 1/4 = 5/4,  ∂L/∂v = −s/v² = [−2, −1/8].
    let source = "param s = 2\ninput v[2] = [1, 4]\nloss L = sum(s / v)\n";
    assert_eq!(
        exact_gradients(source, &["s", "v"]),
        [vec!["5/4"], vec!["-2", "-1/8"]]
    );
}

// --- bugs found, now fixed -------------------------------------------------------------------------------

#[test]
fn the_gradient_of_a_zeroth_power_at_zero_evaluates_exactly() {
    // w^0 is the constant 1 (and 0^0 = 1 in the forward pass), so ∂L/∂w = 0 + 1 = 1.
    assert_eq!(
        exact_gradients("param w = 0\nloss L = w^0 + w\n", &["w"]),
        [["1"]]
    );
}
