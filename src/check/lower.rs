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
use crate::ir::{Binary, DeclId, Declaration, Graph, NodeId, Op, ShapeError, Unary};
use crate::shape::Shape;
use crate::span::Span;
use crate::syntax::ast::{Arguments, BinaryOp, Expr, ExprKind, Ident};
use crate::tensor::Tensor;

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

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Building the network: declared values are variables.
    Graph,
    /// Computing an exact constant; the phrase says what for ("a declared value", "a shape" …).
    Constant(&'static str),
}

pub struct Lowerer<'a> {
    pub graph: &'a mut Graph,
    pub scope: &'a Scope<'a>,
    pub mode: Mode,
    pub source: &'a str,
    pub diagnostics: &'a mut Diagnostics,
}

/// `None` means "failed, and the diagnostic is already pushed".
type Lowered = Option<NodeId>;

impl Lowerer<'_> {
    pub fn lower(&mut self, expr: &Expr) -> Lowered {
        match &expr.kind {
            ExprKind::Number(value) => self.literal(Tensor::scalar(value.clone()), expr.span),
            ExprKind::Bool(_) => {
                self.error(
                    Diagnostic::error(Kind::Syntax, expr.span, "true and false are not numbers")
                        .with_label("expected a number")
                        .with_help(
                            "true and false only set switches such as `train(shuffle = false)`",
                        ),
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
                self.error(unknown_name(ident, self.scope.symbols));
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
                match self.mode {
                    Mode::Graph => Some(self.graph.var(*decl, declaration.shape, declaration.span)),
                    Mode::Constant(what) => match (&declaration.kind, &declaration.init) {
                        (crate::ir::DeclKind::Const, Some(crate::ir::Init::Value(value))) => {
                            self.literal(value.clone(), ident.span)
                        }
                        _ => {
                            self.error(not_constant(ident, declaration.kind.keyword(), what));
                            None
                        }
                    },
                }
            }
            Binding::Node(node) => match self.mode {
                Mode::Graph => Some(*node),
                Mode::Constant(what) => {
                    self.error(not_constant(ident, "computed value", what));
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
                    format!(
                        "`{}` takes its arguments in order, without names",
                        function.text
                    ),
                )
                .with_label("remove this name and its `=`"),
            );
            return None;
        }
        let expected = f.parameters();
        if arguments.items.len() != expected.len() {
            let count = |n: usize| {
                if n == 1 {
                    "1 argument".to_string()
                } else {
                    format!("{n} arguments")
                }
            };
            self.error(
                Diagnostic::error(
                    Kind::BadArgument,
                    arguments.span,
                    format!(
                        "`{}` takes {}, but {} given",
                        function.text,
                        count(expected.len()),
                        match arguments.items.len() {
                            1 => "1 was".to_string(),
                            n => format!("{n} were"),
                        }
                    ),
                )
                .with_label(format!(
                    "expected `{}({})`",
                    function.text,
                    expected.join(", ")
                )),
            );
            return None;
        }
        let values: Vec<Lowered> = arguments
            .items
            .iter()
            .map(|a| self.lower(&a.value))
            .collect();
        let values: Vec<NodeId> = values.into_iter().collect::<Option<_>>()?;
        let exprs: Vec<&Expr> = arguments.items.iter().map(|a| &a.value).collect();
        match f {
            Function::Core(unary) => {
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

    fn same_shapes(&mut self, function: &str, exprs: &[&Expr], values: &[NodeId]) -> Option<()> {
        let (a, b) = (self.graph[values[0]].shape, self.graph[values[1]].shape);
        if a == b {
            return Some(());
        }
        self.error(
            Diagnostic::error(
                Kind::ShapeMismatch,
                exprs[0].span.to(exprs[1].span),
                format!("shape mismatch in `{function}`: {} and {}", a, b),
            )
            .with_label(format!(
                "`{function}` compares two values of the same shape"
            ))
            .with_note(exprs[0].span, a.to_string())
            .with_note(exprs[1].span, b.to_string()),
        );
        None
    }

    fn array(&mut self, items: &[Expr], span: Span) -> Lowered {
        if items.is_empty() {
            self.error(
                Diagnostic::error(Kind::ValueShape, span, "an empty array has no shape")
                    .with_label("write at least one element"),
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
                            "an array may only hold numbers and exact expressions of numbers",
                        )
                        .with_label("this element is not a constant"),
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
                Diagnostic::error(
                    Kind::ValueShape,
                    *row_span,
                    "the elements of an array must all have the same shape",
                )
                .with_label(format!("this is {}", row.shape().describe()))
                .with_note(rows[0].1, format!("the first is {}", first.describe())),
            );
            return None;
        }
        let shape = match first {
            Shape::Scalar => Shape::Vector(rows.len()),
            Shape::Vector(n) => Shape::Matrix(rows.len(), n),
            Shape::Matrix(..) => {
                self.error(
                    Diagnostic::error(
                        Kind::ValueShape,
                        span,
                        "an array nests at most two levels deep",
                    )
                    .with_label("this would be a tensor of three dimensions")
                    .with_help("values are scalars, vectors [n] or matrices [m, n]"),
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
            "the exponent of `^`",
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
                    Diagnostic::error(
                        Kind::TooLarge,
                        span,
                        "this power is too large to compute exactly",
                    )
                    .with_label(format!(
                        "nabla computes exact powers of up to {} bits",
                        super::group_digits(crate::exact::MAX_POWER_BITS)
                    )),
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
    what: &'static str,
    source: &str,
    diagnostics: &mut Diagnostics,
) -> Option<Tensor<BigRational>> {
    let mut graph = Graph::default();
    let node = Lowerer {
        graph: &mut graph,
        scope,
        mode: Mode::Constant(what),
        source,
        diagnostics: &mut *diagnostics,
    }
    .lower(expr)?;
    match &graph[node].op {
        Op::Literal(value) => Some(value.clone()),
        _ => {
            diagnostics.push(
                Diagnostic::error(
                    Kind::NotConstant,
                    expr.span,
                    format!("{what} must be exact"),
                )
                .with_label("this has no exact value")
                .with_help("use numbers, `dim`s and `const`s with + - * / and integer powers"),
            );
            None
        }
    }
}

/// A constant that must be a single number.
pub fn constant_scalar(
    scope: &Scope,
    expr: &Expr,
    what: &'static str,
    source: &str,
    diagnostics: &mut Diagnostics,
) -> Option<BigRational> {
    let value = constant(scope, expr, what, source, diagnostics)?;
    match value.as_scalar() {
        Some(x) => Some(x.clone()),
        None => {
            diagnostics.push(
                Diagnostic::error(
                    Kind::NotScalar,
                    expr.span,
                    format!("{what} must be a single number"),
                )
                .with_label(format!("this is {}", value.shape().describe())),
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
    Diagnostic::error(Kind::DivisionByZero, span, "division by zero")
        .with_label("this is exactly zero")
}

fn not_constant(ident: &Ident, what_it_is: &str, wanted: &str) -> Diagnostic {
    Diagnostic::error(
        Kind::NotConstant,
        ident.span,
        format!("{wanted} must be a constant, but `{}` is not", ident.text),
    )
    .with_label(format!(
        "`{}` is {} {what_it_is}",
        ident.text,
        super::article(what_it_is)
    ))
    .with_help("only numbers, `dim`s and `const`s with a value can appear here")
}

fn unknown_name(ident: &Ident, symbols: &Symbols) -> Diagnostic {
    let mut diagnostic = Diagnostic::error(
        Kind::UnknownName,
        ident.span,
        format!("unknown name `{}`", excerpt(&ident.text)),
    )
    .with_label("not declared or defined anywhere in this file");
    if let Some(best) = nearest(&ident.text, symbols.names()) {
        diagnostic = diagnostic.with_help(format!("did you mean `{best}`?"));
    } else if Function::lookup(&ident.text).is_some() {
        diagnostic = diagnostic.with_help(format!(
            "`{0}` is a function: call it as `{0}(…)`",
            ident.text
        ));
    } else {
        diagnostic = diagnostic.with_help(format!(
            "declare it, e.g. `input {0}[…]` or `param {0}[…] = …`, or define it: `{0} = …`",
            excerpt(&ident.text)
        ));
    }
    diagnostic
}

fn unknown_function(ident: &Ident, symbols: &Symbols) -> Diagnostic {
    let mut diagnostic = Diagnostic::error(
        Kind::UnknownFunction,
        ident.span,
        format!("unknown function `{}`", excerpt(&ident.text)),
    )
    .with_label("not a function of the language");
    if let Some(best) = nearest(&ident.text, Function::names()) {
        diagnostic = diagnostic.with_help(format!("did you mean `{best}`?"));
    } else if symbols.lookup(&ident.text).is_some() {
        diagnostic = diagnostic.with_help(format!(
            "`{0}` is a value, not a function; to multiply, write `{0} * (…)`",
            ident.text
        ));
    } else {
        let names: Vec<&str> = Function::names().collect();
        diagnostic = diagnostic.with_help(format!("the functions are: {}", names.join(", ")));
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
            format!("shape mismatch in `{whole}`: {a} {} {b}", op.symbol()),
        )
        .with_label(format!(
            "elementwise `{}` needs equal shapes, or a scalar on one side",
            op.symbol()
        ))
        .with_note(operand(0), a.to_string())
        .with_note(operand(1), b.to_string()),
        ShapeError::MatMul(a, b) => {
            let (label, help) = match (a, b) {
                (Shape::Matrix(_, k), Shape::Vector(n) | Shape::Matrix(n, _)) => (
                    format!(
                        "`{}` has {k} columns, but `{}` has {n} rows",
                        name(0),
                        name(1)
                    ),
                    match (a, b) {
                        (Shape::Matrix(m, _), Shape::Vector(n)) if m == n => Some(format!(
                            "did you mean `transpose({}) @ {}`?",
                            name(0),
                            name(1)
                        )),
                        _ => None,
                    },
                ),
                (Shape::Matrix(..), Shape::Scalar) => (
                    "`@` multiplies by a vector or a matrix".to_string(),
                    Some("to scale every element, use `*`".to_string()),
                ),
                (Shape::Vector(_), Shape::Vector(_)) => (
                    "the left side of `@` must be a matrix".to_string(),
                    Some(format!(
                        "for a dot product, write `sum({} * {})`",
                        name(0),
                        name(1)
                    )),
                ),
                _ => ("the left side of `@` must be a matrix".to_string(), None),
            };
            let mut diagnostic = Diagnostic::error(
                Kind::ShapeMismatch,
                span,
                format!("shape mismatch in `{whole}`: {a} @ {b}"),
            )
            .with_label(label)
            .with_note(operand(0), a.to_string())
            .with_note(operand(1), b.to_string());
            if let Some(help) = help {
                diagnostic = diagnostic.with_help(help);
            }
            diagnostic
        }
        ShapeError::Operand(f, shape) => {
            let wants = match f {
                Unary::Transpose => "a matrix",
                _ => "a vector",
            };
            let mut diagnostic = Diagnostic::error(
                Kind::ShapeMismatch,
                span,
                format!(
                    "`{operator}` takes {wants}, but `{}` is {}",
                    name(0),
                    shape.describe()
                ),
            )
            .with_label(format!("{} here", shape.describe()));
            if f == Unary::Transpose && matches!(shape, Shape::Vector(_)) {
                diagnostic = diagnostic
                    .with_help("a vector needs no transpose: `W @ x` treats it as a column");
            }
            diagnostic
        }
        ShapeError::Undeclared(_) => Diagnostic::error(
            Kind::UnknownName,
            span,
            format!("`{whole}` is not declared"),
        ),
    }
}
