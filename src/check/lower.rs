//! Expressions of the AST into nodes of the graph: names resolved, calls lowered to the core
//! operations, shapes checked through every operator, exact constants folded.
//!
//! The same walk evaluates constants (a declared value, a shape, an exponent, an optimizer
//! setting): in [`Mode::Constant`] it lowers into a scratch graph where only numbers, `dim`s and
//! `const`s may appear, and the result must fold to one exact literal.

use num_rational::BigRational;

use super::functions::Function;
use super::suggest::nearest;
use super::symbols::Symbols;
use crate::diagnostic::{Diagnostic, Diagnostics, Kind, excerpt};
use crate::ir::fold::{self, FoldError};
use crate::ir::tensor_op::TensorShapeError;
use crate::ir::{
    Along, Binary, Conv, DeclId, Declaration, Graph, NodeId, Op, ShapeError, TensorOp, Unary,
    Window,
};
use crate::shape::Shape;
use crate::span::Span;
use crate::syntax::ast::{Arguments, BinaryOp, Expr, ExprKind, Ident};
use crate::tensor::Tensor;
use crate::words::{Message, phrase};

/// What a checked name stands for.
#[derive(Clone, Debug)]
pub enum Binding {
    Dim(u64),
    Decl(DeclId),
    Node(NodeId),
}

/// The names checked so far. A symbol without a binding failed to check, and its uses stay
/// silent: its own error already says what is wrong.
pub struct Scope<'a> {
    pub symbols: &'a Symbols,
    /// By symbol.
    pub bindings: Vec<Option<Binding>>,
    /// By [`DeclId`]; `None` until checked, and for a declaration that failed.
    pub declarations: Vec<Option<Declaration>>,
}

#[derive(Clone, PartialEq, Eq)]
pub enum Mode {
    /// Building the network: declared values are variables.
    Graph,
    /// Computing an exact constant; the phrase says what for ("a declared value", "a shape" …).
    Constant(Message),
}

pub struct Lowerer<'a> {
    pub graph: &'a mut Graph,
    pub scope: &'a Scope<'a>,
    pub mode: Mode,
    pub source: &'a str,
    pub diagnostics: &'a mut Diagnostics,
    /// Names of the network not defined anywhere, left for the caller to report once every
    /// name is checked and a suggestion can be tried in their place (`Mode::Graph` only).
    pub unknown: Vec<Ident>,
    /// Lower this expression in place of the name at this span: a suggestion being tried.
    pub replace: Option<(Span, &'a Expr)>,
}

/// `None` means "failed, and the diagnostic is already pushed".
type Lowered = Option<NodeId>;

impl Lowerer<'_> {
    pub fn lower(&mut self, expr: &Expr) -> Lowered {
        if let Some((span, with)) = self.replace
            && expr.span == span
            && matches!(expr.kind, ExprKind::Name(_))
        {
            // The suggestion's own names sit at the same span: they are not replaced again.
            self.replace = None;
            let lowered = self.lower(with);
            self.replace = Some((span, with));
            return lowered;
        }
        match &expr.kind {
            ExprKind::Number(value) => self.literal(Tensor::scalar(value.clone()), expr.span),
            ExprKind::Bool(_) => {
                self.error(
                    Diagnostic::error(Kind::Syntax, expr.span, phrase::booleans_are_not_numbers())
                        .with_label(phrase::expected_a_number())
                        .with_help(phrase::booleans_are_not_numbers_help()),
                );
                None
            }
            ExprKind::Name(ident) => self.name(ident),
            ExprKind::Call {
                function,
                arguments,
            } => self.call(function, arguments, expr.span),
            ExprKind::Array(items) => self.array(items, expr.span),
            ExprKind::Neg(operand) => {
                let a = self.lower(operand)?;
                self.add(Op::Unary(Unary::Neg, a), expr, &[operand])
            }
            ExprKind::Transpose(operand) => {
                let a = self.lower(operand)?;
                self.add(Op::Unary(Unary::Transpose, a), expr, &[operand])
            }
            ExprKind::Pick { value, index } => self.pick(value, index, expr.span),
            ExprKind::Binary { op, lhs, rhs, .. } => {
                if *op == BinaryOp::Pow {
                    return self.power(lhs, rhs, expr);
                }
                let (a, b) = (self.lower(lhs), self.lower(rhs));
                let (a, b) = (a?, b?);
                let op = match op {
                    BinaryOp::Add => Binary::Add,
                    BinaryOp::Sub => Binary::Sub,
                    BinaryOp::Mul => Binary::Mul,
                    BinaryOp::Div => Binary::Div,
                    BinaryOp::MatMul => Binary::MatMul,
                    BinaryOp::Pow => return None,
                };
                if op == Binary::Div && self.is_exact_zero(b) {
                    self.error(division_by_zero(rhs.span));
                    return None;
                }
                self.add(Op::Binary(op, a, b), expr, &[lhs, rhs])
            }
        }
    }

    fn name(&mut self, ident: &Ident) -> Lowered {
        let Some(symbol) = self.scope.symbols.lookup(&ident.text) else {
            if !self.scope.symbols.is_broken(&ident.text) {
                match self.mode {
                    Mode::Graph => self.unknown.push(ident.clone()),
                    Mode::Constant(_) => {
                        // A constant can use only dims and consts with a value.
                        let constants = self.scope.symbols.names().filter(|name| {
                            self.scope.symbols.lookup(name).is_some_and(|symbol| {
                                match &self.scope.bindings[symbol] {
                                    Some(Binding::Dim(_)) => true,
                                    Some(Binding::Decl(decl)) => self.scope.declarations
                                        [decl.index()]
                                    .as_ref()
                                    .is_some_and(|d| {
                                        matches!(
                                            (&d.kind, &d.init),
                                            (
                                                crate::ir::DeclKind::Const,
                                                Some(crate::ir::Init::Value(_))
                                            )
                                        )
                                    }),
                                    _ => false,
                                }
                            })
                        });
                        let help = nearest(&ident.text, constants).map(str::to_string);
                        self.error(unknown_name(ident, help));
                    }
                }
            }
            return None;
        };
        match self.scope.bindings[symbol].as_ref()? {
            Binding::Dim(n) => self.literal(
                Tensor::scalar(BigRational::from_integer((*n).into())),
                ident.span,
            ),
            Binding::Decl(decl) => {
                let declaration = self.scope.declarations[decl.index()].as_ref()?;
                match &self.mode {
                    Mode::Graph => Some(self.graph.var(
                        *decl,
                        declaration.shape,
                        declaration.is_per_example(),
                        declaration.span,
                    )),
                    Mode::Constant(what) => match (&declaration.kind, &declaration.init) {
                        (crate::ir::DeclKind::Const, Some(crate::ir::Init::Value(value))) => {
                            self.literal(value.clone(), ident.span)
                        }
                        _ => {
                            let is = phrase::declared_kind(declaration.kind.keyword());
                            self.error(not_constant(ident, is, what.clone()));
                            None
                        }
                    },
                }
            }
            Binding::Node(node) => match &self.mode {
                Mode::Graph => Some(*node),
                Mode::Constant(what) => {
                    self.error(not_constant(
                        ident,
                        phrase::a_computed_value(),
                        what.clone(),
                    ));
                    None
                }
            },
        }
    }

    fn call(&mut self, function: &Ident, arguments: &Arguments, span: Span) -> Lowered {
        let Some(f) = Function::lookup(&function.text) else {
            self.error(unknown_function(function, self.scope.symbols));
            return None;
        };
        if let Some(named) = arguments.items.iter().find_map(|a| a.name.as_ref()) {
            self.error(
                Diagnostic::error(
                    Kind::BadArgument,
                    named.span,
                    phrase::arguments_without_names(&function.text),
                )
                .with_label(phrase::arguments_without_names_label()),
            );
            return None;
        }
        let (required, optional) = f.parameters();
        let (least, most) = f.arity();
        let given = arguments.items.len();
        if given < least || most.is_some_and(|most| given > most) {
            let takes = match most {
                Some(most) if most == least => phrase::arguments_exactly(least),
                Some(most) => phrase::arguments_between(least, most),
                None => phrase::arguments_at_least(least),
            };
            let mut shown: Vec<&str> = required.to_vec();
            shown.extend(optional);
            self.error(
                Diagnostic::error(
                    Kind::BadArgument,
                    arguments.span,
                    phrase::wrong_argument_count(&function.text, takes, given),
                )
                .with_label(phrase::expected_form(format!(
                    "{}({})",
                    function.text,
                    shown.join(", ")
                ))),
            );
            return None;
        }
        if f == Function::BatchVar && given == 2 {
            return self.batch_var(function, arguments, span);
        }
        match f {
            Function::Conv2d if given == 3 => {
                self.error(
                    Diagnostic::error(
                        Kind::BadArgument,
                        arguments.span,
                        phrase::wrong_argument_count(
                            &function.text,
                            phrase::arguments_conv2d(),
                            given,
                        ),
                    )
                    .with_label(phrase::expected_form("conv2d(X, K, stride, padding)")),
                );
                return None;
            }
            Function::Conv2d => return self.conv2d(arguments, span),
            Function::Pool(pool) => return self.pool(pool, function, arguments, span),
            Function::Flatten => {
                let x = self.lower(&arguments.items[0].value)?;
                let shape = Shape::Vector(self.graph[x].shape.size());
                return self.add_at(
                    Op::Tensor(TensorOp::Reshape(x, shape)),
                    span,
                    &function.text,
                    &[&arguments.items[0].value],
                );
            }
            Function::Along(unary) if given == 2 => {
                return self.along(unary, function, arguments, span);
            }
            _ => {}
        }
        let values: Vec<Lowered> = arguments
            .items
            .iter()
            .map(|a| self.lower(&a.value))
            .collect();
        let values: Vec<NodeId> = values.into_iter().collect::<Option<_>>()?;
        let exprs: Vec<&Expr> = arguments.items.iter().map(|a| &a.value).collect();
        match f {
            // Lowered before their arguments, some of which are constants.
            Function::Conv2d | Function::Pool(_) | Function::Flatten => None,
            Function::Core(unary) | Function::Along(unary) => {
                self.add_at(Op::Unary(unary, values[0]), span, &function.text, &exprs)
            }
            Function::Mse => {
                self.same_shapes(&function.text, &exprs, &values)?;
                let error = self.add_at(
                    Op::Binary(Binary::Sub, values[0], values[1]),
                    span,
                    "-",
                    &exprs,
                )?;
                let two = BigRational::from_integer(2.into());
                let squared = self.add_at(Op::Pow(error, two), span, "^", &exprs)?;
                self.add_at(Op::Unary(Unary::Mean, squared), span, "mean", &exprs)
            }
            Function::CrossEntropy if self.index_of(values[1]).is_some() => {
                self.class_cross_entropy(&function.text, &exprs, &values, span)
            }
            Function::BinaryCrossEntropy => {
                self.binary_cross_entropy(&function.text, &exprs, &values, span)
            }
            Function::BatchMean => {
                self.per_example(&function.text, exprs[0], values[0])?;
                self.add_at(
                    Op::Unary(Unary::BatchMean, values[0]),
                    span,
                    &function.text,
                    &exprs,
                )
            }
            Function::BatchVar => {
                self.per_example(&function.text, exprs[0], values[0])?;
                self.variance(values[0], false, span, &function.text, &exprs)
            }
            Function::Concat => {
                let mut joined = values[0];
                for (k, &value) in values.iter().enumerate() {
                    let shape = self.graph[value].shape;
                    if let Shape::Matrix(..) = shape {
                        self.error(
                            Diagnostic::error(
                                Kind::ShapeMismatch,
                                exprs[k].span,
                                phrase::concat_joins_vectors(
                                    quote(self.source, exprs[k].span),
                                    shape.noun(),
                                ),
                            )
                            .with_label(phrase::shape_here(shape.noun())),
                        );
                        return None;
                    }
                    if k > 0 {
                        joined = self.add_at(
                            Op::Binary(Binary::Concat, joined, value),
                            span,
                            "concat",
                            &exprs,
                        )?;
                    }
                }
                Some(joined)
            }
            Function::CrossEntropy => {
                self.same_shapes(&function.text, &exprs, &values)?;
                // Over softmax logits, log(softmax(z)) is log_softmax(z): the same value, stable
                // for any logits, and its gradient is the fused p·sum(y) − y.
                let log_p = match self.graph[values[0]].op {
                    Op::Unary(Unary::Softmax, logits) => self.add_at(
                        Op::Unary(Unary::LogSoftmax, logits),
                        span,
                        "log_softmax",
                        &exprs,
                    )?,
                    _ => self.add_at(Op::Unary(Unary::Log, values[0]), span, "log", &exprs)?,
                };
                let weighted =
                    self.add_at(Op::Binary(Binary::Mul, values[1], log_p), span, "*", &exprs)?;
                let total = self.add_at(Op::Unary(Unary::Sum, weighted), span, "sum", &exprs)?;
                self.add_at(Op::Unary(Unary::Neg, total), span, "-", &exprs)
            }
        }
    }

    /// `conv2d(X, K)`, `conv2d(X, K, stride, padding)`, `conv2d(X, K, b, stride, padding)`: a
    /// bias is one value per output channel, spread over its map (a scalar without channels).
    fn conv2d(&mut self, arguments: &Arguments, span: Span) -> Lowered {
        let items: Vec<&Expr> = arguments.items.iter().map(|a| &a.value).collect();
        let (bias, settings) = match items.len() {
            5 => (Some(items[2]), &items[3..]),
            _ => (None, &items[2..]),
        };
        let x = self.lower(items[0]);
        let k = self.lower(items[1]);
        let b = bias.map(|e| self.lower(e));
        let window = match settings {
            [stride, padding] => {
                let stride = self.whole_number(stride, phrase::the_stride(), 1);
                let padding = self.whole_number(padding, phrase::the_padding(), 0);
                Some(Window {
                    stride: stride?,
                    padding: padding?,
                })
            }
            _ => Some(Window::PLAIN),
        };
        let (x, k, window) = (x?, k?, window?);
        let b = match b {
            Some(b) => Some(b?),
            None => None,
        };
        let conv = TensorOp::Conv(Conv::Forward, window, x, k);
        let conv = self.add_at(Op::Tensor(conv), span, "conv2d", &items[..2])?;
        let (Some(b), Some(bias)) = (b, bias) else {
            return Some(conv);
        };
        let spread = match (self.graph[conv].shape, self.graph[b].shape) {
            (Shape::Tensor3(f, rows, cols), Shape::Vector(n)) if n == f => {
                let along_rows = TensorOp::Expand(b, 1, rows);
                let along_rows = self.add_at(Op::Tensor(along_rows), span, "conv2d", &[bias])?;
                let map = TensorOp::Expand(along_rows, 2, cols);
                self.add_at(Op::Tensor(map), span, "conv2d", &[bias])?
            }
            (Shape::Matrix(..), Shape::Scalar) => b,
            (out, shape) => {
                let expected = match out {
                    Shape::Tensor3(f, ..) => Shape::Vector(f),
                    _ => Shape::Scalar,
                };
                self.error(
                    Diagnostic::error(
                        Kind::ShapeMismatch,
                        bias.span,
                        phrase::conv_bias(
                            expected.noun(),
                            quote(self.source, bias.span),
                            shape.noun(),
                        ),
                    )
                    .with_label(phrase::shape_here(shape.noun())),
                );
                return None;
            }
        };
        self.add_at(Op::Binary(Binary::Add, conv, spread), span, "+", &items)
    }

    /// `max_pool(X, k)`, `avg_pool(X, k)`: k×k windows of the last two axes, stride k.
    fn pool(
        &mut self,
        pool: crate::ir::Pool,
        function: &Ident,
        arguments: &Arguments,
        span: Span,
    ) -> Lowered {
        let x_expr = &arguments.items[0].value;
        let x = self.lower(x_expr);
        let what = phrase::the_window(&function.text);
        let k = self.whole_number(&arguments.items[1].value, what, 1);
        let (x, k) = (x?, k?);
        let op = Op::Tensor(TensorOp::Pool(pool, x, k));
        self.add_at(op, span, &function.text, &[x_expr])
    }

    /// `sum(X, axis)`, `mean(X, axis)`, `softmax(Z, axis)`, `log_softmax(Z, axis)`; along the
    /// only axis of a vector, the function of the vector.
    fn along(
        &mut self,
        unary: Unary,
        function: &Ident,
        arguments: &Arguments,
        span: Span,
    ) -> Lowered {
        let (x_expr, axis_expr) = (&arguments.items[0].value, &arguments.items[1].value);
        let x = self.lower(x_expr);
        let what = phrase::the_axis(&function.text);
        let axis = self.whole_number(axis_expr, what, 0);
        let (x, axis) = (x?, axis?);
        let shape = self.graph[x].shape;
        if axis >= shape.rank() {
            let name = quote(self.source, x_expr.span);
            let message = match shape {
                Shape::Scalar => phrase::axis_of_a_scalar(&function.text, axis, name),
                _ => phrase::axis_out_of_range(
                    &function.text,
                    axis,
                    name,
                    shape.noun(),
                    shape.rank() - 1,
                ),
            };
            self.error(
                Diagnostic::error(Kind::ShapeMismatch, axis_expr.span, message)
                    .with_label(phrase::axis_label())
                    .with_note(x_expr.span, phrase::shape_here(shape.noun())),
            );
            return None;
        }
        let exprs = [x_expr];
        if shape.rank() == 1 {
            return self.add_at(Op::Unary(unary, x), span, &function.text, &exprs);
        }
        let along = match unary {
            Unary::Softmax => Along::Softmax,
            Unary::LogSoftmax => Along::LogSoftmax,
            _ => Along::Sum,
        };
        let op = Op::Tensor(TensorOp::Along(along, x, axis));
        let result = self.add_at(op, span, &function.text, &exprs)?;
        if unary != Unary::Mean {
            return Some(result);
        }
        let count = BigRational::from_integer(shape.dims()[axis].into());
        let count = self.literal(Tensor::scalar(count), span)?;
        self.add_at(Op::Binary(Binary::Div, result, count), span, "/", &exprs)
    }

    /// A whole number of at least `least` given by a constant expression: a stride, a padding,
    /// a window, an axis.
    fn whole_number(&mut self, expr: &Expr, what: Message, least: usize) -> Option<usize> {
        let value = constant_scalar(
            self.scope,
            expr,
            what.clone(),
            self.source,
            self.diagnostics,
        )?;
        match crate::exact::to_u64(&value).and_then(|n| usize::try_from(n).ok()) {
            Some(n) if n >= least && n <= super::MAX_ELEMENTS => Some(n),
            _ => {
                self.error(
                    Diagnostic::error(
                        Kind::BadArgument,
                        expr.span,
                        phrase::must_be_a_whole_number(what, least),
                    )
                    .with_label(phrase::this_is(crate::exact::display(&value))),
                );
                None
            }
        }
    }

    /// The declaration and the number of values of an index node (`c : index(27)`).
    fn index_of(&self, node: NodeId) -> Option<(DeclId, usize)> {
        match self.graph[node].op {
            Op::Var(decl) => self.scope.declarations[decl.index()]
                .as_ref()?
                .index
                .map(|n| (decl, n)),
            _ => None,
        }
    }

    /// `A[i]`: the row (or element) of `A` an index picks.
    fn pick(&mut self, value: &Expr, index: &Expr, span: Span) -> Lowered {
        let a = self.lower(value);
        let i = self.lower(index);
        let (a, i) = (a?, i?);
        let (decl, count) = match self.index_of(i) {
            Some(found) => found,
            None => {
                let shape = self.graph[i].shape;
                self.error(
                    Diagnostic::error(
                        Kind::BadArgument,
                        index.span,
                        phrase::picks_by_an_index(
                            quote(self.source, value.span),
                            quote(self.source, index.span),
                            shape.noun(),
                        ),
                    )
                    .with_label(phrase::expected_a_declared_index())
                    .with_help(phrase::picks_by_an_index_help()),
                );
                return None;
            }
        };
        let shape = self.graph[a].shape;
        let rows = match shape {
            Shape::Matrix(rows, _)
            | Shape::Vector(rows)
            | Shape::Tensor3(rows, ..)
            | Shape::Tensor4(rows, ..) => rows,
            Shape::Scalar => {
                self.error(
                    Diagnostic::error(
                        Kind::ShapeMismatch,
                        value.span,
                        phrase::nothing_to_pick_from(quote(self.source, value.span)),
                    )
                    .with_label(phrase::what_pick_does()),
                );
                return None;
            }
        };
        if rows < count {
            let name = &self.scope.declarations[decl.index()].as_ref()?.name;
            let has = if matches!(shape, Shape::Matrix(..)) {
                phrase::rows(rows)
            } else {
                phrase::elements(rows)
            };
            self.error(
                Diagnostic::error(
                    Kind::ShapeMismatch,
                    span,
                    phrase::index_goes_beyond(name, count - 1, quote(self.source, value.span), has),
                )
                .with_label(phrase::shape_here(shape.noun()))
                .with_note(index.span, phrase::an_index_up_to(count - 1)),
            );
            return None;
        }
        self.graph.add(Op::Binary(Binary::Pick, a, i), span).ok()
    }

    /// Refuses a value that is the same in every example where a batch statistic needs one that
    /// varies.
    fn per_example(&mut self, function: &str, expr: &Expr, node: NodeId) -> Option<()> {
        if self.graph[node].per_example {
            return Some(());
        }
        self.error(
            Diagnostic::error(
                Kind::BadArgument,
                expr.span,
                phrase::same_in_every_example(function, quote(self.source, expr.span)),
            )
            .with_label(phrase::depends_on_no_input())
            .with_help(phrase::same_in_every_example_help(function)),
        );
        None
    }

    /// `batch_var(v, correction)`, with the correction checked.
    fn batch_var(&mut self, function: &Ident, arguments: &Arguments, span: Span) -> Lowered {
        let value = self.lower(&arguments.items[0].value);
        let correction = constant_scalar(
            self.scope,
            &arguments.items[1].value,
            phrase::the_correction_of_batch_var(),
            self.source,
            self.diagnostics,
        );
        let (value, correction) = (value?, correction?);
        let exprs: Vec<&Expr> = arguments.items.iter().map(|a| &a.value).collect();
        self.per_example(&function.text, exprs[0], value)?;
        let sample = if num_traits::Zero::is_zero(&correction) {
            false
        } else if num_traits::One::is_one(&correction) {
            true
        } else {
            self.error(
                Diagnostic::error(
                    Kind::BadArgument,
                    exprs[1].span,
                    phrase::correction_is_0_or_1(),
                )
                .with_label(phrase::this_is(crate::exact::display(&correction)))
                .with_help(phrase::correction_is_0_or_1_help()),
            );
            return None;
        };
        self.variance(value, sample, span, &function.text, &exprs)
    }

    /// (1/m) Σᵢ (v⁽ⁱ⁾ − μ)², or with m − 1 in place of m: written with the batch mean, so a
    /// derivation goes through μ and σ² step by step.
    fn variance(
        &mut self,
        value: NodeId,
        sample: bool,
        span: Span,
        function: &str,
        exprs: &[&Expr],
    ) -> Lowered {
        let mean = self.add_at(Op::Unary(Unary::BatchMean, value), span, function, exprs)?;
        let deviation = self.add_at(Op::Binary(Binary::Sub, value, mean), span, "-", exprs)?;
        let squared = self.add_at(
            Op::Pow(deviation, BigRational::from_integer(2.into())),
            span,
            "^",
            exprs,
        )?;
        let variance = self.add_at(Op::Unary(Unary::BatchMean, squared), span, function, exprs)?;
        if !sample {
            return Some(variance);
        }
        let m = self.graph.add(Op::BatchSize, span).ok()?;
        let one = self.literal(Tensor::scalar(BigRational::from_integer(1.into())), span)?;
        let less = self.graph.add(Op::Binary(Binary::Sub, m, one), span).ok()?;
        let ratio = self
            .graph
            .add(Op::Binary(Binary::Div, m, less), span)
            .ok()?;
        self.graph
            .add(Op::Binary(Binary::Mul, variance, ratio), span)
            .ok()
    }

    /// `cross_entropy(p, y)` with a class number `y`: −log p[y].
    fn class_cross_entropy(
        &mut self,
        function: &str,
        exprs: &[&Expr],
        values: &[NodeId],
        span: Span,
    ) -> Lowered {
        let (_, classes) = self.index_of(values[1])?;
        let shape = self.graph[values[0]].shape;
        if shape != Shape::Vector(classes) {
            self.error(
                Diagnostic::error(
                    Kind::ShapeMismatch,
                    exprs[0].span.to(exprs[1].span),
                    phrase::probabilities_for_classes(
                        function,
                        match shape {
                            Shape::Vector(n) => phrase::probabilities(n),
                            other => other.noun(),
                        },
                        classes - 1,
                    ),
                )
                .with_label(phrase::one_probability_per_class(function))
                .with_note(exprs[0].span, phrase::verbatim(shape))
                .with_note(exprs[1].span, phrase::verbatim(format!("index({classes})"))),
            );
            return None;
        }
        // Over softmax logits, log(softmax(z)) is log_softmax(z): stable for any logits, and its
        // gradient is the fused p − onehot(y).
        let log_p = match self.graph[values[0]].op {
            Op::Unary(Unary::Softmax, logits) => self.add_at(
                Op::Unary(Unary::LogSoftmax, logits),
                span,
                "log_softmax",
                exprs,
            )?,
            _ => self.add_at(Op::Unary(Unary::Log, values[0]), span, "log", exprs)?,
        };
        let picked = self
            .graph
            .add(Op::Binary(Binary::Pick, log_p, values[1]), span)
            .ok()?;
        self.add_at(Op::Unary(Unary::Neg, picked), span, "-", exprs)
    }

    /// `binary_cross_entropy(p, y)`: −sum(y ⊙ log p + (1 − y) ⊙ log(1 − p)); of a sigmoid, the
    /// stable form from its net input, whose gradient there is p − y.
    fn binary_cross_entropy(
        &mut self,
        function: &str,
        exprs: &[&Expr],
        values: &[NodeId],
        span: Span,
    ) -> Lowered {
        let (p, y) = (values[0], values[1]);
        if self.index_of(y).is_some() {
            self.error(
                Diagnostic::error(
                    Kind::BadArgument,
                    exprs[1].span,
                    phrase::targets_not_an_index(function, quote(self.source, exprs[1].span)),
                )
                .with_label(phrase::a_class_number())
                .with_help(phrase::targets_not_an_index_help()),
            );
            return None;
        }
        let (p_shape, y_shape) = (self.graph[p].shape, self.graph[y].shape);
        if p_shape != y_shape && !y_shape.is_scalar() {
            return self.same_shapes(function, exprs, values).and(None);
        }
        let elementwise = match self.graph[p].op {
            Op::Unary(Unary::Sigmoid, z) => self.add_at(
                Op::Binary(Binary::SigmoidCrossEntropy, z, y),
                span,
                function,
                exprs,
            )?,
            _ => {
                let one =
                    self.literal(Tensor::scalar(BigRational::from_integer(1.into())), span)?;
                let log_p = self.add_at(Op::Unary(Unary::Log, p), span, "log", exprs)?;
                let hit = self.add_at(Op::Binary(Binary::Mul, y, log_p), span, "*", exprs)?;
                let miss_y = self.add_at(Op::Binary(Binary::Sub, one, y), span, "-", exprs)?;
                let miss_p = self.add_at(Op::Binary(Binary::Sub, one, p), span, "-", exprs)?;
                let log_q = self.add_at(Op::Unary(Unary::Log, miss_p), span, "log", exprs)?;
                let miss = self.add_at(Op::Binary(Binary::Mul, miss_y, log_q), span, "*", exprs)?;
                let both = self.add_at(Op::Binary(Binary::Add, hit, miss), span, "+", exprs)?;
                let total = self.add_at(Op::Unary(Unary::Sum, both), span, "sum", exprs)?;
                return self.add_at(Op::Unary(Unary::Neg, total), span, "-", exprs);
            }
        };
        self.add_at(Op::Unary(Unary::Sum, elementwise), span, "sum", exprs)
    }

    fn same_shapes(&mut self, function: &str, exprs: &[&Expr], values: &[NodeId]) -> Option<()> {
        let (a, b) = (self.graph[values[0]].shape, self.graph[values[1]].shape);
        if a == b {
            return Some(());
        }
        self.error(
            Diagnostic::error(
                Kind::ShapeMismatch,
                exprs[0].span.to(exprs[1].span),
                phrase::shape_mismatch_in_call(function, a, b),
            )
            .with_label(phrase::compares_same_shapes(function))
            .with_note(exprs[0].span, phrase::verbatim(a))
            .with_note(exprs[1].span, phrase::verbatim(b)),
        );
        None
    }

    fn array(&mut self, items: &[Expr], span: Span) -> Lowered {
        if items.is_empty() {
            self.error(
                Diagnostic::error(Kind::ValueShape, span, phrase::empty_array())
                    .with_label(phrase::empty_array_label()),
            );
            return None;
        }
        let mut rows = Vec::with_capacity(items.len());
        let mut failed = false;
        for item in items {
            let Some(node) = self.lower(item) else {
                failed = true;
                continue;
            };
            match &self.graph[node].op {
                Op::Literal(value) => rows.push((value.clone(), item.span)),
                _ => {
                    self.error(
                        Diagnostic::error(
                            Kind::NotConstant,
                            item.span,
                            phrase::array_of_constants(),
                        )
                        .with_label(phrase::array_of_constants_label()),
                    );
                    failed = true;
                }
            }
        }
        if failed {
            return None;
        }
        let first = rows[0].0.shape();
        if let Some((row, row_span)) = rows.iter().find(|(r, _)| r.shape() != first) {
            self.error(
                Diagnostic::error(Kind::ValueShape, *row_span, phrase::array_of_one_shape())
                    .with_label(phrase::this_is(row.shape().noun()))
                    .with_note(rows[0].1, phrase::the_first_is(first.noun())),
            );
            return None;
        }
        let shape = match first {
            Shape::Scalar => Shape::Vector(rows.len()),
            Shape::Vector(n) => Shape::Matrix(rows.len(), n),
            Shape::Matrix(m, n) => Shape::Tensor3(rows.len(), m, n),
            Shape::Tensor3(c, m, n) => Shape::Tensor4(rows.len(), c, m, n),
            Shape::Tensor4(..) => {
                self.error(
                    Diagnostic::error(Kind::ValueShape, span, phrase::array_too_deep())
                        .with_label(phrase::array_too_deep_label())
                        .with_help(phrase::array_too_deep_help()),
                );
                return None;
            }
        };
        let data = rows.into_iter().flat_map(|(r, _)| r.into_data()).collect();
        self.literal(Tensor::new(shape, data), span)
    }

    fn power(&mut self, base: &Expr, exponent: &Expr, expr: &Expr) -> Lowered {
        let a = self.lower(base);
        let p = constant_scalar(
            self.scope,
            exponent,
            phrase::the_exponent(),
            self.source,
            self.diagnostics,
        );
        let (a, p) = (a?, p?);
        self.add(Op::Pow(a, p), expr, &[base])
    }

    fn is_exact_zero(&self, node: NodeId) -> bool {
        matches!(&self.graph[node].op, Op::Literal(v) if v.data().iter().any(num_traits::Zero::is_zero))
    }

    fn literal(&mut self, value: Tensor<BigRational>, span: Span) -> Lowered {
        self.graph.add(Op::Literal(value), span).ok()
    }

    fn add(&mut self, op: Op, expr: &Expr, operands: &[&Expr]) -> Lowered {
        let (operator, focus) = match &expr.kind {
            ExprKind::Binary { op, op_span, .. } => (op.symbol(), *op_span),
            ExprKind::Neg(_) => ("-", expr.span),
            _ => ("transpose", expr.span),
        };
        self.add_focused(op, expr.span, focus, operator, operands)
    }

    fn add_at(&mut self, op: Op, span: Span, operator: &str, operands: &[&Expr]) -> Lowered {
        self.add_focused(op, span, span, operator, operands)
    }

    /// Adds `op` for the expression at `span`, folding it when its operands are exact constants.
    /// A shape error underlines `focus` (the operator) and labels the `operands`.
    fn add_focused(
        &mut self,
        op: Op,
        span: Span,
        focus: Span,
        operator: &str,
        operands: &[&Expr],
    ) -> Lowered {
        if let Some((operand, (decl, count))) = op
            .operands()
            .zip(0..)
            .find_map(|(id, k)| self.index_of(id).map(|found| (k, found)))
        {
            let name = self.scope.declarations[decl.index()].as_ref()?.name.clone();
            let at = operands.get(operand).map_or(span, |e| e.span);
            self.error(
                Diagnostic::error(
                    Kind::BadArgument,
                    at,
                    phrase::index_is_not_a_value(&name, count - 1),
                )
                .with_label(phrase::operator_of_an_index(operator))
                .with_help(phrase::index_is_not_a_value_help(&name)),
            );
            return None;
        }
        let folded = {
            let values: Vec<&Tensor<BigRational>> = op
                .operands()
                .filter_map(|id| match &self.graph[id].op {
                    Op::Literal(value) => Some(value),
                    _ => None,
                })
                .collect();
            if values.len() == op.operands().count() && !values.is_empty() {
                Some(fold::exact(&op, &values))
            } else {
                None
            }
        };
        match folded {
            Some(Ok(Some(value))) => return self.literal(value, span),
            Some(Err(FoldError::DivisionByZero)) => {
                let at = operands.last().map_or(span, |e| e.span);
                self.error(division_by_zero(at));
                return None;
            }
            Some(Err(FoldError::TooLarge)) => {
                self.error(
                    Diagnostic::error(Kind::TooLarge, span, phrase::power_too_large()).with_label(
                        phrase::power_too_large_label(super::group_digits(
                            crate::exact::MAX_POWER_BITS,
                        )),
                    ),
                );
                return None;
            }
            // Not exact (or shapes that do not fit): built as a node, which checks the shapes.
            Some(Ok(None)) | None => {}
        }
        match self.graph.add(op, span) {
            Ok(id) => Some(id),
            Err(error) => {
                let mut diagnostic = shape_error(&error, span, operator, operands, self.source);
                diagnostic.span = focus;
                self.error(diagnostic);
                None
            }
        }
    }

    fn error(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }
}

/// The exact value of a constant expression, in a graph of its own.
pub fn constant(
    scope: &Scope,
    expr: &Expr,
    what: Message,
    source: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Tensor<BigRational>> {
    let mut graph = Graph::default();
    let node = Lowerer {
        graph: &mut graph,
        scope,
        mode: Mode::Constant(what.clone()),
        source,
        diagnostics: &mut *diagnostics,
        unknown: Vec::new(),
        replace: None,
    }
    .lower(expr)?;
    match &graph[node].op {
        Op::Literal(value) => Some(value.clone()),
        _ => {
            diagnostics.push(
                Diagnostic::error(Kind::NotConstant, expr.span, phrase::must_be_exact(what))
                    .with_label(phrase::must_be_exact_label())
                    .with_help(phrase::must_be_exact_help()),
            );
            None
        }
    }
}

/// A constant that must be a single number.
pub fn constant_scalar(
    scope: &Scope,
    expr: &Expr,
    what: Message,
    source: &str,
    diagnostics: &mut Diagnostics,
) -> Option<BigRational> {
    let value = constant(scope, expr, what.clone(), source, diagnostics)?;
    match value.as_scalar() {
        Some(x) => Some(x.clone()),
        None => {
            diagnostics.push(
                Diagnostic::error(
                    Kind::NotScalar,
                    expr.span,
                    phrase::must_be_a_single_number(what),
                )
                .with_label(phrase::this_is(value.shape().noun())),
            );
            None
        }
    }
}

/// Source text for a message: whitespace runs as one space, long text shortened.
pub fn quote(source: &str, span: Span) -> String {
    let text: Vec<&str> = span.text(source).split_whitespace().collect();
    excerpt(&text.join(" "))
}

fn division_by_zero(span: Span) -> Diagnostic {
    Diagnostic::error(Kind::DivisionByZero, span, phrase::division_by_zero())
        .with_label(phrase::division_by_zero_label())
}

fn not_constant(ident: &Ident, what_it_is: Message, wanted: Message) -> Diagnostic {
    Diagnostic::error(
        Kind::NotConstant,
        ident.span,
        phrase::must_be_a_constant(wanted, &ident.text),
    )
    .with_label(phrase::name_is(&ident.text, what_it_is))
    .with_help(phrase::must_be_a_constant_help())
}

/// An unknown name, with what to write instead if something checks in its place (a product of
/// two names, `W @ x` for `Wx`, or a near name).
pub fn unknown_name(ident: &Ident, suggestion: Option<String>) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        Kind::UnknownName,
        ident.span,
        phrase::unknown_name(excerpt(&ident.text)),
    )
    .with_label(phrase::unknown_name_label());
    match suggestion {
        Some(text) => diagnostic.with_help(phrase::did_you_mean(text)),
        None if Function::lookup(&ident.text).is_some() => {
            diagnostic.with_help(phrase::is_a_function_help(&ident.text))
        }
        None => diagnostic.with_help(phrase::declare_it_help(excerpt(&ident.text))),
    }
}

fn unknown_function(ident: &Ident, symbols: &Symbols) -> Diagnostic {
    let mut diagnostic = Diagnostic::error(
        Kind::UnknownFunction,
        ident.span,
        phrase::unknown_function(excerpt(&ident.text)),
    )
    .with_label(phrase::unknown_function_label());
    if let Some(best) = nearest(&ident.text, Function::names()) {
        diagnostic = diagnostic.with_help(phrase::did_you_mean(best));
    } else if symbols.lookup(&ident.text).is_some() {
        diagnostic = diagnostic.with_help(phrase::is_a_value_help(&ident.text));
    } else {
        let names: Vec<&str> = Function::names().collect();
        diagnostic = diagnostic.with_help(phrase::functions_are(names.join(", ")));
    }
    diagnostic
}

fn shape_error(
    error: &ShapeError,
    span: Span,
    operator: &str,
    operands: &[&Expr],
    source: &str,
) -> Diagnostic {
    let whole = quote(source, span);
    let operand = |i: usize| operands.get(i).map_or(span, |e| e.span);
    let name = |i: usize| quote(source, operand(i));
    match *error {
        ShapeError::Elementwise(op, a, b) => Diagnostic::error(
            Kind::ShapeMismatch,
            span,
            phrase::shape_mismatch(whole, a, op.symbol(), b),
        )
        .with_label(phrase::elementwise_needs_equal_shapes(op.symbol()))
        .with_note(operand(0), phrase::verbatim(a))
        .with_note(operand(1), phrase::verbatim(b)),
        ShapeError::MatMul(a, b) => {
            let (label, help) = match (a, b) {
                (Shape::Matrix(_, k), Shape::Vector(n) | Shape::Matrix(n, _)) => (
                    phrase::columns_but_rows(name(0), k, name(1), n),
                    match (a, b) {
                        (Shape::Matrix(m, _), Shape::Vector(n)) if m == n => Some(
                            phrase::did_you_mean(format!("transpose({}) @ {}", name(0), name(1))),
                        ),
                        _ => None,
                    },
                ),
                (Shape::Matrix(..), Shape::Tensor3(..) | Shape::Tensor4(..)) => {
                    (phrase::matmul_right_side(), None)
                }
                (Shape::Matrix(..), Shape::Scalar) => (
                    phrase::matmul_by_a_scalar(),
                    Some(phrase::matmul_by_a_scalar_help()),
                ),
                (Shape::Vector(_), Shape::Vector(_)) => (
                    phrase::matmul_left_side(),
                    Some(phrase::dot_product_help(format!(
                        "sum({} * {})",
                        name(0),
                        name(1)
                    ))),
                ),
                _ => (phrase::matmul_left_side(), None),
            };
            let mut diagnostic = Diagnostic::error(
                Kind::ShapeMismatch,
                span,
                phrase::shape_mismatch(whole, a, "@", b),
            )
            .with_label(label)
            .with_note(operand(0), phrase::verbatim(a))
            .with_note(operand(1), phrase::verbatim(b));
            if let Some(help) = help {
                diagnostic = diagnostic.with_help(help);
            }
            diagnostic
        }
        ShapeError::Operand(f, shape) => {
            let wants = match f {
                Unary::Transpose => phrase::a_matrix_of_any_size(),
                _ => phrase::a_vector_of_any_size(),
            };
            let mut diagnostic = Diagnostic::error(
                Kind::ShapeMismatch,
                span,
                phrase::operator_takes(operator, wants, name(0), shape.noun()),
            )
            .with_label(phrase::shape_here(shape.noun()));
            if f == Unary::Transpose && matches!(shape, Shape::Vector(_)) {
                diagnostic = diagnostic.with_help(phrase::vector_needs_no_transpose());
            }
            diagnostic
        }
        ShapeError::Pick(a, i) => Diagnostic::error(
            Kind::ShapeMismatch,
            span,
            phrase::picks_from_by(whole, a.noun(), i.noun()),
        )
        .with_label(phrase::what_pick_does_by_an_index()),
        ShapeError::Concat(a, b) => Diagnostic::error(
            Kind::ShapeMismatch,
            span,
            phrase::concat_joins_vectors_not(a.noun(), b.noun()),
        )
        .with_label(phrase::expected_vectors_or_scalars()),
        ShapeError::Slice(shape) => Diagnostic::error(
            Kind::ShapeMismatch,
            span,
            phrase::does_not_fit(whole, shape.noun()),
        ),
        ShapeError::Tensor(ref error) => {
            tensor_shape_error(error, span, operator, operands, source)
        }
        ShapeError::Undeclared(_) => {
            Diagnostic::error(Kind::UnknownName, span, phrase::is_not_declared(whole))
        }
    }
}

/// An operation on tensors that does not fit its operands: `operator` is the function's name.
fn tensor_shape_error(
    error: &TensorShapeError,
    span: Span,
    operator: &str,
    operands: &[&Expr],
    source: &str,
) -> Diagnostic {
    let whole = quote(source, span);
    let operand = |i: usize| operands.get(i).map_or(span, |e| e.span);
    let name = |i: usize| quote(source, operand(i));
    match *error {
        TensorShapeError::Conv(input, kernel) => {
            let label = match (input, kernel) {
                (Shape::Tensor3(c, ..), Shape::Tensor4(_, kc, ..)) if c != kc => {
                    phrase::conv_channels_label(c, kc)
                }
                _ => phrase::conv_shapes_label(),
            };
            Diagnostic::error(
                Kind::ShapeMismatch,
                span,
                phrase::conv_shapes(name(0), input.noun(), name(1), kernel.noun()),
            )
            .with_label(label)
            .with_note(operand(0), phrase::verbatim(input))
            .with_note(operand(1), phrase::verbatim(kernel))
        }
        TensorShapeError::KernelTooLarge {
            kernel,
            padded,
            padding,
        } => {
            let size = |(rows, cols): (usize, usize)| format!("{rows}×{cols}");
            Diagnostic::error(
                Kind::ShapeMismatch,
                span,
                phrase::conv_kernel_too_large(whole, size(kernel), size(padded), padding),
            )
            .with_label(phrase::conv_kernel_too_large_label())
            .with_help(phrase::conv_kernel_too_large_help())
        }
        TensorShapeError::Stride { stride, sweep } => Diagnostic::error(
            Kind::ShapeMismatch,
            span,
            phrase::conv_stride(whole, stride, sweep.0, sweep.1),
        )
        .with_label(phrase::conv_stride_label())
        .with_help(phrase::conv_stride_help(sweep.0, sweep.1)),
        TensorShapeError::Pool(shape, _) if shape.rank() < 2 => Diagnostic::error(
            Kind::ShapeMismatch,
            span,
            phrase::pool_needs_maps(operator, name(0), shape.noun()),
        )
        .with_label(phrase::shape_here(shape.noun())),
        TensorShapeError::Pool(shape, k) => Diagnostic::error(
            Kind::ShapeMismatch,
            span,
            phrase::pool_windows(operator, k, shape.noun()),
        )
        .with_label(phrase::pool_windows_label(k))
        .with_note(operand(0), phrase::verbatim(shape)),
        TensorShapeError::Axis(shape, axis) => Diagnostic::error(
            Kind::ShapeMismatch,
            span,
            phrase::axis_out_of_range(
                operator,
                axis,
                name(0),
                shape.noun(),
                shape.rank().saturating_sub(1),
            ),
        )
        .with_label(phrase::axis_label()),
        TensorShapeError::Zero => Diagnostic::error(
            Kind::BadArgument,
            span,
            phrase::must_be_a_whole_number(phrase::verbatim(whole), 1),
        ),
        TensorShapeError::Reshape(from, to) => Diagnostic::error(
            Kind::ShapeMismatch,
            span,
            phrase::does_not_fit(whole, to.noun()),
        )
        .with_label(phrase::shape_here(from.noun())),
    }
}
