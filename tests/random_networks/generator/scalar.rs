//! Networks of scalars, vectors and matrices: layers of random expressions over every function,
//! operator and loss form of the language.

use nabla::ir::DeclKind;
use nabla::shape::Shape;
use nabla::tensor::Tensor;

use super::bounds::Bounds;
use super::{Expr, Gen, LIMIT, POS_MIN, shape_text, unwrap};

impl Gen<'_> {
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

    /// One layer: a value that uses the previous one.
    pub(super) fn layer(&mut self) {
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

    pub(super) fn loss(&mut self) -> String {
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
