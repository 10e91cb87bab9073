//! The one generator of random networks: it writes the SOURCE TEXT of random valid networks, so
//! the whole front end is in the loop, from a tape of choices proptest generates and shrinks.
//!
//! One set of builders (declarations with their values, names, calls, operators, products,
//! activations, convolutions, pooling, operations along an axis) keeps each value's bounds by
//! interval arithmetic, and the two kinds of network are made of them:
//!
//! - [`generate`]: layers of random expressions on scalars, vectors and matrices over every
//!   function, operator and loss form of the language (`scalar.rs`); a fifth of them begin with
//!   an image and layers of tensors, flattened into the vectors;
//! - [`generate_tensors`]: an image (channels, or one map) through convolutions, pooling, matrix
//!   layers and softmax along an axis to a loss of tensors (`tensors.rs`), sometimes on a batch
//!   of `each` images.
//!
//! Values stay where every function is smooth: `log`, `sqrt`, negative and non-integer powers and
//! divisors only take expressions bounded away from zero (`exp(…)`, `sigmoid(…) + 0.1`,
//! `e^2 + 0.5` …) and every intermediate is kept within a bound. Kinks of `relu` and `abs` and
//! ties in max-pooling windows are found after evaluation (`checks.rs`).

mod bounds;
mod scalar;
mod tensors;

use std::collections::BTreeSet;
use std::fmt;

use proptest::prelude::*;

use nabla::ir::DeclKind;
use nabla::shape::Shape;

use bounds::{Bounds, sigmoid};

/// How far from zero any intermediate value may be (by interval arithmetic, so conservatively).
const LIMIT: f64 = 10.0;
/// The least value of an expression made to be positive (for log, sqrt, divisors …).
const POS_MIN: f64 = 0.1;
/// The length of the tapes of the fixed seeds ([`seeded`]): enough for every choice of a network
/// of images on a batch.
pub(crate) const TAPE: usize = 1200;

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
    pub(crate) features: BTreeSet<&'static str>,
}

impl fmt::Debug for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n{}", self.source)
    }
}

struct Gen<'t> {
    tape: &'t mut Tape,
    mode: Mode,
    /// The number of examples of a batch (`each` inputs and targets), or `None` for one.
    batch: Option<usize>,
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
        let (text, values) = match self.batch {
            // Each example's own value: inputs and targets of a batch.
            Some(m) if matches!(kind, DeclKind::Input | DeclKind::Target) => {
                let mut texts = Vec::new();
                let mut values = Vec::new();
                for _ in 0..m {
                    let (t, v) = self.values(shape, max_hundredths, nonnegative);
                    texts.push(t);
                    values.extend(v);
                }
                (format!("each [{}]", texts.join(",\n    ")), values)
            }
            _ => self.values(shape, max_hundredths, nonnegative),
        };
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
}

/// The source text of a network of scalars, vectors and matrices from the choices on `tape`: an
/// input, one to six layers each using the one before, and a loss. A fifth of them take an image
/// first, through one or two layers of tensors, flattened.
pub(crate) fn generate(tape: &mut Tape, mode: Mode) -> Network {
    let mut g = Gen::new(tape, mode, None);
    if g.tape.chance(20) {
        g.feature("image then vectors");
        let layers = if mode == Mode::Rational {
            1
        } else {
            1 + g.tape.pick(2)
        };
        g.image_layers(layers);
        let flat = g.flatten(g.focus.clone());
        let named = g.define("h", flat);
        g.focus = Expr {
            focus: true,
            ..named
        };
    } else {
        let input_shape = match g.tape.pick(6) {
            0..=3 => Shape::Vector(g.tape.size()),
            4 => Shape::Matrix(g.tape.size(), g.tape.size()),
            _ => Shape::Scalar,
        };
        let x = g.declare(DeclKind::Input, input_shape);
        g.focus = Expr { focus: true, ..x };
    }
    // Exact values of deep rational networks grow long (every operation can multiply the digits
    // of a denominator), so those stay shallower.
    let layers = 1 + g.tape.pick(if mode == Mode::Rational { 4 } else { 6 });
    for _ in 0..layers {
        g.layer();
    }
    let loss = g.loss();
    g.finish(&loss, true)
}

/// The source text of a network of tensors from the choices on `tape`: an image (channels, or
/// one map) through one to three layers of convolutions, pooling, matrix layers, elementwise
/// weights and softmax along an axis, to a loss of tensors. When `batches`, half of them are a
/// batch of two or three examples (`each` inputs and targets).
pub(crate) fn generate_tensors(tape: &mut Tape, mode: Mode, batches: bool) -> Network {
    let batch = (batches && tape.chance(50)).then(|| 2 + tape.pick(2));
    let mut g = Gen::new(tape, mode, batch);
    if batch.is_some() {
        g.feature("a batch of each images");
    }
    let layers = 1 + g.tape.pick(3);
    g.image_layers(layers);
    let loss = g.tensor_loss();
    g.finish(&loss, false)
}

/// Networks of [`generate`].
pub(crate) fn networks(mode: Mode) -> impl Strategy<Value = Network> {
    proptest::collection::vec(any::<u32>(), 0..600)
        .prop_map(move |choices| generate(&mut Tape::new(choices), mode))
}

/// Networks of [`generate_tensors`]. Their values take most of the choices, so the tapes are
/// long: a short one would make most values zero.
pub(crate) fn tensor_networks(mode: Mode, batches: bool) -> impl Strategy<Value = Network> {
    proptest::collection::vec(any::<u32>(), TAPE / 4..TAPE)
        .prop_map(move |choices| generate_tensors(&mut Tape::new(choices), mode, batches))
}

/// `len` fixed pseudo-random choices (xorshift), the same for the same `seed`.
pub(crate) fn xorshift_choices(seed: u64, len: usize) -> Vec<u32> {
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

/// The fixed tape of `seed`, for the deterministic tests: the same network for the same seed.
pub(crate) fn seeded(seed: u64) -> Tape {
    Tape::new(xorshift_choices(seed, TAPE))
}

impl<'t> Gen<'t> {
    fn new(tape: &'t mut Tape, mode: Mode, batch: Option<usize>) -> Gen<'t> {
        Gen {
            tape,
            mode,
            batch,
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
        }
    }

    /// The network's text: declarations, definitions, the loss (the lines sometimes in reverse
    /// when `reorder`: names may be used before the line that defines them).
    fn finish(mut self, loss: &str, reorder: bool) -> Network {
        let mut lines = std::mem::take(&mut self.declarations);
        lines.append(&mut self.definitions);
        lines.push(format!("loss L = {loss}"));
        if reorder && self.tape.chance(15) {
            self.feature("lines in reverse");
            lines.reverse();
        }
        let mut source = lines.join("\n");
        source.push('\n');
        Network {
            source,
            features: self.features,
        }
    }
}
