//! Layers of tensors: convolutions (of channels or of one map, with and without stride, padding
//! and a bias), max and average pooling, matrix layers on a map and its transpose, elementwise
//! weights, sums, means and softmax along an axis, flatten; and the losses of tensors.

use nabla::ir::DeclKind;
use nabla::shape::Shape;

use super::bounds::Bounds;
use super::{Expr, Gen, LIMIT, unwrap};

/// The height and width of a map, or of each map of channels.
fn map_size(shape: Shape) -> (usize, usize) {
    let dims = shape.dims();
    (dims[dims.len() - 2], dims[dims.len() - 1])
}

impl Gen<'_> {
    /// An image input — one map `[H, W]` (three times in ten) or channels `[C, H, W]` — and
    /// `layers` named layers of tensors after it; the last is the focus.
    pub(super) fn image_layers(&mut self, layers: usize) {
        let (h, w) = (2 + self.tape.pick(4), 2 + self.tape.pick(4));
        let shape = if self.tape.chance(30) {
            self.feature("an image of one map");
            Shape::Matrix(h, w)
        } else {
            self.feature("an image of channels");
            Shape::Tensor3(1 + self.tape.pick(2), h, w)
        };
        let x = self.declare(DeclKind::Input, shape);
        self.focus = Expr { focus: true, ..x };
        for _ in 0..layers {
            let x = self.focus.clone();
            let e = match self.tape.pick(6) {
                0 => match self.pool(x.clone()) {
                    Some(pooled) => pooled,
                    None => self.conv(x),
                },
                // A matrix layer on a map without channels (`W @ X`, rows of features), or its
                // transpose.
                4 => match x.shape {
                    Shape::Matrix(h, _) if self.tape.chance(70) => {
                        self.feature("a matrix layer on a map");
                        let m = 2 + self.tape.pick(3);
                        let weights = self.weight(Shape::Matrix(m, h));
                        let product = self.matmul(weights, x);
                        let product = self.bounded(product, LIMIT);
                        self.activation(product)
                    }
                    Shape::Matrix(..) => {
                        self.feature("the transpose of a map");
                        self.transpose(x)
                    }
                    _ => self.conv(x),
                },
                // Softmax along an axis, as attention takes it.
                5 if !self.rational() => {
                    let axis = self.tape.pick(x.shape.rank());
                    self.along("softmax", x, axis)
                }
                1 => {
                    let p = if self.tape.chance(50) {
                        self.feature("a weight of the map's shape");
                        self.weight(x.shape)
                    } else {
                        self.feature("a scalar weight of a map");
                        self.weight(Shape::Scalar)
                    };
                    let product = self.binary("*", p, x);
                    let product = self.bounded(product, LIMIT);
                    self.activation(product)
                }
                _ => self.conv(x),
            };
            let e = self.bounded(e, LIMIT);
            let named = self.define("h", e);
            self.focus = Expr {
                focus: true,
                ..named
            };
        }
    }

    /// A convolution of `x` (a map `[H, W]` or channels `[C, H, W]`) in one of its written
    /// forms, and an activation.
    fn conv(&mut self, x: Expr) -> Expr {
        let (h, w) = map_size(x.shape);
        let padding = self.tape.pick(2);
        let kh = 1 + self.tape.pick(3.min(h + 2 * padding));
        let kw = 1 + self.tape.pick(3.min(w + 2 * padding));
        let sweep = (h + 2 * padding - kh, w + 2 * padding - kw);
        let strides: Vec<usize> = (1..=3)
            .filter(|s| sweep.0.is_multiple_of(*s) && sweep.1.is_multiple_of(*s))
            .collect();
        let stride = strides[self.tape.pick(strides.len())];
        let (oh, ow) = (sweep.0 / stride + 1, sweep.1 / stride + 1);
        let (kernel, bias, shape, taps) = match x.shape {
            Shape::Tensor3(c, ..) => {
                self.feature("conv2d of channels");
                let f = 1 + self.tape.pick(2);
                let k = self.weight(Shape::Tensor4(f, c, kh, kw));
                let b = self.tape.chance(50).then(|| self.weight(Shape::Vector(f)));
                (k, b, Shape::Tensor3(f, oh, ow), c * kh * kw)
            }
            _ => {
                self.feature("conv2d of a map");
                let k = self.weight(Shape::Matrix(kh, kw));
                let b = self.tape.chance(30).then(|| self.weight(Shape::Scalar));
                (k, b, Shape::Matrix(oh, ow), kh * kw)
            }
        };
        if stride > 1 {
            self.feature("conv2d with a stride");
        }
        if padding > 0 {
            self.feature("conv2d with padding");
        }
        let plain = stride == 1 && padding == 0;
        let (input, k) = (unwrap(&x.text), &kernel.text);
        let text = match &bias {
            Some(b) => {
                self.feature("conv2d with a bias");
                format!("conv2d({input}, {k}, {}, {stride}, {padding})", b.text)
            }
            None if plain && self.tape.chance(50) => {
                self.feature("conv2d(X, K)");
                format!("conv2d({input}, {k})")
            }
            None => format!("conv2d({input}, {k}, {stride}, {padding})"),
        };
        // Each output a sum of `taps` products, padding's zeros among them.
        let products = x.bounds.mul(kernel.bounds);
        let products = Bounds {
            lo: products.lo.min(0.0),
            hi: products.hi.max(0.0),
        };
        let mut bounds = products.scale(taps as f64);
        if let Some(b) = bias {
            bounds = bounds.add(b.bounds);
        }
        let convolved = Expr {
            text,
            shape,
            bounds,
            focus: x.focus,
        };
        let convolved = self.bounded(convolved, LIMIT);
        self.activation(convolved)
    }

    /// Max or average pooling of `x` by a window that tiles it, if there is one.
    fn pool(&mut self, x: Expr) -> Option<Expr> {
        let (h, w) = map_size(x.shape);
        let windows: Vec<usize> = (2..=h.min(w))
            .filter(|k| h.is_multiple_of(*k) && w.is_multiple_of(*k))
            .collect();
        if windows.is_empty() {
            return None;
        }
        let k = windows[self.tape.pick(windows.len())];
        let f = if self.tape.chance(50) {
            "max_pool"
        } else {
            "avg_pool"
        };
        self.feature(f);
        let mut dims = x.shape.dims();
        let n = dims.len();
        dims[n - 2] /= k;
        dims[n - 1] /= k;
        Some(Expr {
            text: format!("{f}({}, {k})", unwrap(&x.text)),
            shape: Shape::from_dims(&dims).expect("a shape"),
            ..x
        })
    }

    /// `f(x, axis)`: a sum or mean along the axis, or softmax or log_softmax along it.
    fn along(&mut self, f: &'static str, x: Expr, axis: usize) -> Expr {
        let n = x.shape.dims()[axis];
        let reduced = || x.shape.without_axis(axis).expect("an axis");
        let (feature, shape, bounds) = match f {
            "sum" => ("sum along an axis", reduced(), x.bounds.scale(n as f64)),
            "mean" => ("mean along an axis", reduced(), x.bounds),
            "softmax" => ("softmax along an axis", x.shape, x.bounds.softmax(n)),
            "log_softmax" => {
                let p = x.bounds.softmax(n);
                let bounds = Bounds {
                    lo: p.lo.ln(),
                    hi: p.hi.ln(),
                };
                ("log_softmax along an axis", x.shape, bounds)
            }
            other => unreachable!("{other}"),
        };
        self.feature(feature);
        Expr {
            text: format!("{f}({}, {axis})", unwrap(&x.text)),
            shape,
            bounds,
            focus: x.focus,
        }
    }

    /// `flatten(x)`: the elements of a tensor as a vector, in reading order.
    pub(super) fn flatten(&mut self, x: Expr) -> Expr {
        self.feature("flatten");
        Expr {
            text: format!("flatten({})", unwrap(&x.text)),
            shape: Shape::Vector(x.shape.size()),
            ..x
        }
    }

    /// A class number of `m` classes (`target y : index(m)`), one per example of a batch.
    fn class(&mut self, m: usize) -> Expr {
        self.feature("a target class (index)");
        let name = self.fresh("y");
        let value = match self.batch {
            Some(examples) => {
                let classes: Vec<String> = (0..examples)
                    .map(|_| self.tape.pick(m).to_string())
                    .collect();
                format!("each [{}]", classes.join(", "))
            }
            None => self.tape.pick(m).to_string(),
        };
        self.declarations
            .push(format!("target {name} : index({m}) = {value}"));
        Expr {
            text: name,
            shape: Shape::Scalar,
            bounds: Bounds {
                lo: 0.0,
                hi: (m - 1) as f64,
            },
            focus: false,
        }
    }

    /// The loss from the last layer: through `flatten` (and a dense layer), through a reduction
    /// along an axis, or through softmax along an axis.
    pub(super) fn tensor_loss(&mut self) -> String {
        let x = self.focus.clone();
        let shape = x.shape;
        let forms = if self.rational() { 3 } else { 5 };
        match self.tape.pick(forms) {
            0 => {
                self.feature("loss mse of a flattened map");
                let flat = self.flatten(x);
                let y = self.declare(DeclKind::Target, flat.shape);
                format!("mse({}, {})", unwrap(&flat.text), y.text)
            }
            1 => {
                let m = 2 + self.tape.pick(2);
                let flat = self.flatten(x);
                let w = self.weight(Shape::Matrix(m, shape.size()));
                let z = self.matmul(w, flat);
                let z = self.bounded(z, LIMIT);
                let z = self.define("z", z);
                if self.rational() {
                    self.feature("loss mse of a dense layer");
                    let y = self.declare(DeclKind::Target, Shape::Vector(m));
                    format!("mse({}, {})", z.text, y.text)
                } else {
                    self.feature("loss cross_entropy of softmax against a class");
                    let y = self.class(m);
                    format!("cross_entropy(softmax({}), {})", z.text, y.text)
                }
            }
            2 => {
                self.feature("loss of a reduction along an axis");
                let axis = self.tape.pick(shape.rank());
                let f = if self.tape.chance(50) { "sum" } else { "mean" };
                let reduced = self.along(f, x, axis);
                let s = self.define("h", reduced);
                let t = self.declare(DeclKind::Const, s.shape);
                format!("sum({} * {}^2) / 2", t.text, s.text)
            }
            3 => {
                self.feature("loss -sum(T * log_softmax along an axis)");
                let axis = self.tape.pick(shape.rank());
                let t = self.declare(DeclKind::Const, shape);
                let log_p = self.along("log_softmax", x, axis);
                format!("-sum({} * {})", t.text, log_p.text)
            }
            _ => {
                self.feature("loss of softmax along an axis");
                let axis = self.tape.pick(shape.rank());
                let softmax = self.along("softmax", x, axis);
                let p = self.define("p", softmax);
                let t = self.declare(DeclKind::Const, shape);
                format!("sum({} * {})", t.text, p.text)
            }
        }
    }
}
