//! Rust expressions for one element of a node: `sigmoid(f.w1_x[r][i] + p.b1[i])`.
//!
//! A stored node is read where it is stored, at row `r` of the batch when it varies from example
//! to example; an inline node is written out from its operation, recursively, with the
//! parentheses Rust's precedence needs and no others. The expression performs exactly the float
//! operations of `eval::float`, in the same order: same functions (the stable `sigmoid` of the
//! generated kernels), integer powers by `powi`, others by `powf`.

use std::cell::RefCell;
use std::collections::BTreeSet;

use num_rational::BigRational;

use super::Dtype;
use super::plan::{Plan, Storage};
use crate::ir::{Binary, NodeId, Op, TensorOp, Unary};

/// How tightly an expression binds, in Rust's terms; higher binds tighter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Precedence {
    Additive,
    Multiplicative,
    Prefix,
    /// A path, an index, a call, a method call, an unsigned literal.
    Atom,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    pub text: String,
    pub precedence: Precedence,
    /// A float literal (perhaps negative): it needs a type suffix to take a method call.
    pub literal: bool,
}

impl Expr {
    fn atom(text: String) -> Expr {
        Expr {
            text,
            precedence: Precedence::Atom,
            literal: false,
        }
    }

    /// The expression as an operand that must bind at least as tightly as `at_least`.
    fn operand(self, at_least: Precedence) -> String {
        if self.precedence >= at_least {
            self.text
        } else {
            format!("({})", self.text)
        }
    }
}

/// Writes expressions over a plan, remembering which of the functions' arguments (`p`, `e`,
/// `f`, `b`, `g`) they use.
pub struct Writer<'p> {
    plan: &'p Plan,
    roots: RefCell<BTreeSet<&'static str>>,
}

impl<'p> Writer<'p> {
    pub fn new(plan: &'p Plan) -> Writer<'p> {
        Writer {
            plan,
            roots: RefCell::default(),
        }
    }

    /// Notes a use of `path` (`f.h`: the argument `f`).
    pub fn note(&self, path: &str) {
        let root = match path.split_once('.') {
            Some(("p", _)) => "p",
            Some(("e", _)) => "e",
            Some(("f", _)) => "f",
            Some(("b", _)) => "b",
            Some(("g", _)) => "g",
            _ => return,
        };
        self.roots.borrow_mut().insert(root);
    }

    /// The function arguments used since the last call, cleared.
    pub fn take_roots(&self) -> BTreeSet<&'static str> {
        std::mem::take(&mut *self.roots.borrow_mut())
    }

    /// Element `index` of `node`: `index` is the suffix that picks it (`[i]`, `[i][j]`, `[0]`),
    /// unused for a scalar.
    pub fn element(&self, node: NodeId, index: &str) -> Expr {
        let graph = self.plan.graph();
        let scalar = graph[node].shape.is_scalar();
        match &self.plan.storage[node.index()] {
            Storage::Declared(path) | Storage::Buffer(path) | Storage::ConstArray(path) => {
                self.note(path);
                // A value that varies has a row per example: row `r` of the batch.
                let row = if self.plan.is_varying(node) {
                    "[r]"
                } else {
                    ""
                };
                if scalar {
                    Expr::atom(format!("{path}{row}"))
                } else {
                    Expr::atom(format!("{path}{row}{index}"))
                }
            }
            Storage::Number => match graph[node].op {
                Op::Literal(ref value) if let Some(x) = value.as_scalar() => {
                    number(x, self.plan.dtype)
                }
                _ => Expr::atom("0.0".to_string()),
            },
            Storage::Inline | Storage::TransposedView | Storage::Unused => {
                self.definition(node, index)
            }
        }
    }

    /// Element `index` of `node` computed from its operands: the right side of the statement
    /// that fills its buffer. Only for elementwise operations.
    pub fn definition(&self, node: NodeId, index: &str) -> Expr {
        let graph = self.plan.graph();
        let operand = |id: NodeId| self.element(id, index);
        match &graph[node].op {
            // Element (…, i, …) of `a` spread along an axis is element (…, …) of `a`.
            Op::Tensor(TensorOp::Expand(a, axis, _)) => {
                let mut axes = axes_of(index);
                if *axis < axes.len() {
                    axes.remove(*axis);
                }
                self.element(*a, &index_of_axes(&axes))
            }
            // Element (…, i, j) of `a` repeated over k×k blocks is element (…, i / k, j / k).
            Op::Tensor(TensorOp::Upsample(a, k)) => {
                let mut axes = axes_of(index);
                let rank = axes.len();
                for axis in axes.iter_mut().skip(rank.saturating_sub(2)) {
                    if *k > 1 && axis != "0" {
                        *axis = format!("{axis} / {k}");
                    }
                }
                self.element(*a, &index_of_axes(&axes))
            }
            Op::Var(_) | Op::Literal(_) | Op::Tensor(_) => self.element(node, index),
            // The number of rows of the batch.
            Op::BatchSize => Expr::atom("n as Real".to_string()),
            Op::Broadcast(a, _) => operand(*a),
            // 1 at the index's position: element `k` is `k == i`.
            Op::OneHot(i, _) => {
                let position = last_variable(index);
                let i = self.index_of(*i);
                Expr::atom(format!("Real::from(u8::from({position} == {i}))"))
            }
            // Element `k` of a part of a vector is element `start + k` of the vector.
            Op::Slice(a, start, shape) => {
                let shifted = match shape {
                    crate::shape::Shape::Scalar => format!("[{start}]"),
                    _ if *start == 0 => format!("[{}]", last_variable(index)),
                    _ => format!("[{} + {start}]", last_variable(index)),
                };
                self.element(*a, &shifted)
            }
            Op::Unary(f, a) => {
                let a = operand(*a);
                match f {
                    Unary::Neg => Expr {
                        text: format!("-{}", a.operand(Precedence::Atom)),
                        precedence: Precedence::Prefix,
                        literal: false,
                    },
                    Unary::Tanh => self.method(a, "tanh()"),
                    Unary::Exp => self.method(a, "exp()"),
                    Unary::Log => self.method(a, "ln()"),
                    Unary::Sqrt => self.method(a, "sqrt()"),
                    Unary::Abs => self.method(a, "abs()"),
                    Unary::Sigmoid => self.call("sigmoid", a),
                    Unary::Relu => self.call("relu", a),
                    Unary::Step => self.call("step", a),
                    Unary::Sign => self.call("sign", a),
                    // Not elementwise: these always have buffers of their own.
                    Unary::Transpose
                    | Unary::Sum
                    | Unary::Mean
                    | Unary::Softmax
                    | Unary::LogSoftmax
                    | Unary::BatchMean => a,
                }
            }
            Op::Pow(a, p) => {
                let a = operand(*a);
                let exponent = crate::exact::to_f64(p);
                if exponent.fract() == 0.0 && exponent.abs() <= i32::MAX as f64 {
                    self.method(a, &format!("powi({})", exponent as i32))
                } else {
                    let p = number(p, self.plan.dtype).text;
                    self.method(a, &format!("powf({p})"))
                }
            }
            Op::Binary(op, a, b) => {
                let (symbol, precedence) = match op {
                    Binary::Add => ("+", Precedence::Additive),
                    Binary::Sub => ("-", Precedence::Additive),
                    Binary::Mul => ("*", Precedence::Multiplicative),
                    Binary::Div => ("/", Precedence::Multiplicative),
                    // Row (or element) `i` of `a`: `a[i]`, then the element's own index.
                    Binary::Pick => {
                        let i = self.index_of(*b);
                        return self.element(*a, &format!("[{i}]{index}"));
                    }
                    Binary::SigmoidCrossEntropy => {
                        return Expr::atom(format!(
                            "sigmoid_cross_entropy({}, {})",
                            operand(*a).text,
                            operand(*b).text
                        ));
                    }
                    // Not elementwise: these always have buffers of their own.
                    Binary::MatMul | Binary::Outer | Binary::Concat => return operand(*a),
                };
                binary(operand(*a), symbol, precedence, operand(*b))
            }
        }
    }

    /// The product of the elements `(node, index)`, from the left: `a * b * c` is `(a b) c`.
    pub fn product(&self, factors: &[(NodeId, &str)]) -> Expr {
        let mut elements = factors
            .iter()
            .map(|&(node, index)| self.element(node, index));
        let first = elements.next().unwrap_or_else(|| Expr::atom("1.0".into()));
        elements.fold(first, |left, right| {
            binary(left, "*", Precedence::Multiplicative, right)
        })
    }

    /// An index's value as a position: `e.c1[r] as usize` (the reader checked it is one).
    pub fn index_of(&self, index: NodeId) -> String {
        format!(
            "{} as usize",
            self.element(index, "").operand(Precedence::Atom)
        )
    }

    fn method(&self, receiver: Expr, call: &str) -> Expr {
        let receiver = match (receiver.literal, receiver.text.starts_with('-')) {
            (true, false) => format!("{}_{}", receiver.text, self.plan.dtype.rust()),
            (true, true) => format!("({}_{})", receiver.text, self.plan.dtype.rust()),
            (false, _) => receiver.operand(Precedence::Atom),
        };
        Expr::atom(format!("{receiver}.{call}"))
    }

    fn call(&self, function: &'static str, argument: Expr) -> Expr {
        Expr::atom(format!("{function}({})", argument.text))
    }
}

/// `left symbol right`, with the parentheses the operands need. Left-associative: the right
/// operand of `a - (b - c)` keeps its parentheses.
fn binary(left: Expr, symbol: &str, precedence: Precedence, right: Expr) -> Expr {
    let left = left.operand(precedence);
    let right = if right.precedence > precedence {
        right.text
    } else {
        format!("({})", right.text)
    };
    Expr {
        text: format!("{left} {symbol} {right}"),
        precedence,
        literal: false,
    }
}

/// The index of each axis an element's suffix names: `["c", "i", "j"]` of `[c][i][j]`.
pub fn axes_of(index: &str) -> Vec<String> {
    index
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .map(|inner| inner.split("][").map(str::to_string).collect())
        .unwrap_or_default()
}

/// The suffix that names an element by the index of each axis.
pub fn index_of_axes(axes: &[String]) -> String {
    axes.iter().map(|axis| format!("[{axis}]")).collect()
}

/// The variable of the last axis an element's suffix names: `i` of `[i]`, `j` of `[i][j]`
/// (`0` for an axis of one element).
fn last_variable(index: &str) -> &str {
    index
        .rsplit('[')
        .next()
        .and_then(|last| last.strip_suffix(']'))
        .unwrap_or("0")
}

/// A float literal of `value` in the trainer's precision, printed so that it reads back as the
/// same number (`0.5`, `1.0`, `1e-8`). Exact values too large for the precision are refused
/// before code is generated, so this never prints `inf`.
pub fn number(value: &BigRational, dtype: Dtype) -> Expr {
    let text = float_literal(crate::exact::to_f64(value), dtype);
    let negative = text.starts_with('-');
    Expr {
        text,
        precedence: if negative {
            Precedence::Prefix
        } else {
            Precedence::Atom
        },
        literal: true,
    }
}

/// `x` as a Rust float literal of the trainer's precision: the shortest digits that read back
/// as the same `f64` (or `f32`), always with a `.` or an exponent.
pub fn float_literal(x: f64, dtype: Dtype) -> String {
    match dtype {
        Dtype::F64 => format!("{x:?}"),
        Dtype::F32 => format!("{:?}", x as f32),
    }
}
