//! Semantic checking: the AST becomes a [`Model`] around a typed expression graph.
//!
//! Names are resolved in dependency order (a name may be used before the line defining it),
//! every expression is lowered to the core operations with its shape inferred and checked, and
//! declared values are evaluated exactly. Checking goes on after an error wherever the rest of the
//! file does not depend on the broken part, so a run reports every independent problem.
//!
//! Architecture invariant: the checker reads the AST and writes diagnostics and the model; it
//! never prints, and it never panics on any AST the parser can produce.

mod declarations;
mod functions;
mod lower;
mod settings;
mod suggest;
mod symbols;

use num_traits::Zero;

use crate::diagnostic::{Diagnostic, Diagnostics, Kind};
use crate::exact;
use crate::ir::{
    DeclId, DeclKind, Declaration, Dim, Graph, Intermediate, Loss, Model, NodeId, Optimizer,
    Training,
};
use crate::shape::Shape;
use crate::span::Span;
use crate::syntax::ast::{self, File, ShapeSpec, StatementKind};
use crate::words::{Message, phrase};
use lower::{Binding, Lowerer, Mode, Scope, constant, constant_scalar};
use settings::Settings;
use symbols::{SymbolKind, Symbols};

pub use functions::{FUNCTIONS, Function};
pub use settings::{INITIALIZERS, OPTIMIZERS, default_optimizer};

/// The most elements one value may have: indices stay within 32 bits.
pub const MAX_ELEMENTS: usize = u32::MAX as usize;

/// Checks a parsed file. Returns the model when the file has no errors (warnings are fine).
pub fn check(source: &str, file: &File, diagnostics: &mut Diagnostics) -> Option<Model> {
    let symbols = Symbols::collect(file, diagnostics);
    let order = symbols.dependency_order(diagnostics);
    let mut checker = Checker {
        source,
        file,
        symbols: &symbols,
        diagnostics,
        graph: Graph::default(),
        scope: Scope {
            symbols: &symbols,
            bindings: vec![None; symbols.list.len()],
            declarations: Vec::new(),
        },
        decl_ids: vec![None; symbols.list.len()],
        dims: Vec::new(),
        intermediates: Vec::new(),
        loss: None,
        unknown: Vec::new(),
    };
    // Declarations are numbered in the order written, whatever order they are checked in.
    for (index, symbol) in symbols.list.iter().enumerate() {
        if symbol.kind == SymbolKind::Declaration {
            checker.decl_ids[index] = Some(DeclId(checker.scope.declarations.len() as u32));
            checker.scope.declarations.push(None);
        }
    }
    for symbol in order {
        checker.symbol(symbol);
    }
    checker.report_unknown_names();
    checker.examples();
    let (optimizer, training) = checker.settings();
    checker.finish(optimizer, training)
}

struct Checker<'a> {
    source: &'a str,
    file: &'a File,
    symbols: &'a Symbols,
    diagnostics: &'a mut Diagnostics,
    graph: Graph,
    scope: Scope<'a>,
    decl_ids: Vec<Option<DeclId>>,
    dims: Vec<Dim>,
    intermediates: Vec<Intermediate>,
    loss: Option<Loss>,
    /// Names used but defined nowhere, each with the expression it is in and the errors that
    /// expression had otherwise; reported once every name is checked.
    unknown: Vec<UnknownName<'a>>,
}

struct UnknownName<'a> {
    ident: ast::Ident,
    root: &'a ast::Expr,
    other_errors: Vec<(Kind, Span)>,
}

/// How many unknown names get their suggestions tried in place (each try lowers the expression
/// again); a file with more gets the rest reported without.
const MAX_TRIED_SUGGESTIONS: usize = 64;

impl<'a> Checker<'a> {
    fn symbol(&mut self, index: usize) {
        let symbol = &self.symbols.list[index];
        let file: &'a File = self.file;
        let statement = &file.statements[symbol.statement];
        let binding = match &statement.kind {
            StatementKind::Dim { name, value } => self.dim(name, value).map(Binding::Dim),
            StatementKind::Declaration(d) => {
                let Some(id) = self.decl_ids[index] else {
                    return;
                };
                let declaration = self.declaration(d, id);
                let bound = declaration.is_some();
                self.scope.declarations[id.index()] = declaration;
                bound.then_some(Binding::Decl(id))
            }
            StatementKind::Definition { name, value } => {
                let node = self.expression(value);
                if let Some(node) = node {
                    self.graph.name(node, &name.text);
                    self.intermediates.push(Intermediate {
                        name: name.text.clone(),
                        node,
                        span: name.span,
                        definition: value.span,
                    });
                }
                node.map(Binding::Node)
            }
            StatementKind::Loss { name, value, .. } => {
                if self.is_second_loss(symbol.statement) {
                    return;
                }
                let node = self.expression(value);
                if let Some(node) = node {
                    self.graph.name(node, &name.text);
                    let shape = self.graph[node].shape;
                    if shape.is_scalar() {
                        self.loss = Some(Loss {
                            name: name.text.clone(),
                            node,
                            span: name.span,
                            definition: value.span,
                        });
                    } else {
                        self.diagnostics.push(
                            Diagnostic::error(
                                Kind::NotScalar,
                                value.span,
                                phrase::loss_not_scalar(&name.text, shape.noun()),
                            )
                            .with_label(phrase::this_is(shape.noun()))
                            .with_help(phrase::loss_not_scalar_help(lower::quote(
                                self.source,
                                value.span,
                            ))),
                        );
                    }
                }
                node.map(Binding::Node)
            }
            StatementKind::Optimizer { .. } | StatementKind::Train { .. } => None,
        };
        self.scope.bindings[index] = binding;
    }

    /// An expression of the network, lowered into the graph.
    fn expression(&mut self, expr: &'a ast::Expr) -> Option<NodeId> {
        let before = self.diagnostics.iter().count();
        let mut lowerer = Lowerer {
            graph: &mut self.graph,
            scope: &self.scope,
            mode: Mode::Graph,
            source: self.source,
            diagnostics: &mut *self.diagnostics,
            unknown: Vec::new(),
            replace: None,
        };
        let node = lowerer.lower(expr);
        let unknown = lowerer.unknown;
        if !unknown.is_empty() {
            let other_errors: Vec<(Kind, Span)> = self
                .diagnostics
                .iter()
                .skip(before)
                .filter(|d| d.is_error())
                .map(|d| (d.kind, d.span))
                .collect();
            self.unknown
                .extend(unknown.into_iter().map(|ident| UnknownName {
                    ident,
                    root: expr,
                    other_errors: other_errors.clone(),
                }));
        }
        node
    }

    /// Reports the names used but defined nowhere, each with what to write instead when
    /// something checks in its place: first a product of two names (`W @ x`, else `W * x`, for
    /// `Wx`), then the nearest name.
    fn report_unknown_names(&mut self) {
        for (k, unknown) in std::mem::take(&mut self.unknown).into_iter().enumerate() {
            let suggestion = if k < MAX_TRIED_SUGGESTIONS {
                self.suggestion(&unknown)
            } else {
                None
            };
            self.diagnostics
                .push(lower::unknown_name(&unknown.ident, suggestion));
        }
    }

    fn suggestion(&mut self, unknown: &UnknownName) -> Option<String> {
        let name = &unknown.ident.text;
        let span = unknown.ident.span;
        let symbols = self.symbols;
        let leaf = |text: &str| {
            ast::Expr::leaf(
                ast::ExprKind::Name(ast::Ident {
                    text: text.to_string(),
                    span,
                }),
                span,
            )
        };
        for (cut, _) in name.char_indices().skip(1) {
            let (a, b) = name.split_at(cut);
            if symbols.lookup(a).is_none() || symbols.lookup(b).is_none() {
                continue;
            }
            for op in [ast::BinaryOp::MatMul, ast::BinaryOp::Mul] {
                let product = ast::Expr {
                    kind: ast::ExprKind::Binary {
                        op,
                        op_span: span,
                        lhs: Box::new(leaf(a)),
                        rhs: Box::new(leaf(b)),
                    },
                    span,
                    height: 2,
                };
                if self.fits(unknown, &product) {
                    return Some(format!("{a} {} {b}", op.symbol()));
                }
            }
        }
        suggest::ranked(name, symbols.names())
            .into_iter()
            .find(|near| self.fits(unknown, &leaf(near)))
            .map(str::to_string)
    }

    /// Whether `candidate` checks in place of the unknown name: on its own, and in its
    /// expression with no error that the expression did not have anyway (another unknown name
    /// elsewhere does not count against it, and a part that depends on a name that failed to
    /// check cannot be judged).
    fn fits(&mut self, unknown: &UnknownName, candidate: &ast::Expr) -> bool {
        let mut scratch = Diagnostics::default();
        let mut lowerer = Lowerer {
            graph: &mut self.graph,
            scope: &self.scope,
            mode: Mode::Graph,
            source: self.source,
            diagnostics: &mut scratch,
            unknown: Vec::new(),
            replace: None,
        };
        if lowerer.lower(candidate).is_none() {
            return false;
        }
        lowerer.replace = Some((unknown.ident.span, candidate));
        lowerer.lower(unknown.root);
        !scratch
            .iter()
            .any(|d| d.is_error() && !unknown.other_errors.contains(&(d.kind, d.span)))
    }

    fn constant(
        &mut self,
        expr: &ast::Expr,
        what: Message,
    ) -> Option<crate::tensor::Tensor<num_rational::BigRational>> {
        constant(&self.scope, expr, what, self.source, self.diagnostics)
    }

    fn constant_scalar(
        &mut self,
        expr: &ast::Expr,
        what: Message,
    ) -> Option<num_rational::BigRational> {
        constant_scalar(&self.scope, expr, what, self.source, self.diagnostics)
    }

    fn dim(&mut self, name: &ast::Ident, value: &ast::Expr) -> Option<u64> {
        let n = self.dimension(value, phrase::what_a_dim())?;
        self.dims.push(Dim {
            name: name.text.clone(),
            value: n as u64,
            span: name.span,
        });
        Some(n as u64)
    }

    /// A size: a whole number of at least 1.
    pub(crate) fn dimension(&mut self, expr: &ast::Expr, what: Message) -> Option<usize> {
        let value = self.constant_scalar(expr, what)?;
        match exact::to_u64(&value).and_then(|n| usize::try_from(n).ok()) {
            Some(n) if (1..=MAX_ELEMENTS).contains(&n) => Some(n),
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Kind::BadDimension,
                        expr.span,
                        phrase::size_must_be_a_count(),
                    )
                    .with_label(phrase::this_is(exact::display(&value))),
                );
                None
            }
        }
    }

    fn shape(&mut self, spec: &ShapeSpec) -> Option<Shape> {
        if spec.dims.len() > crate::shape::MAX_RANK {
            self.diagnostics.push(
                Diagnostic::error(
                    Kind::BadDimension,
                    spec.span,
                    phrase::too_many_dimensions(spec.dims.len()),
                )
                .with_label(phrase::too_many_dimensions_label())
                .with_help(phrase::array_too_deep_help()),
            );
            return None;
        }
        if spec.dims.is_empty() {
            self.diagnostics.push(
                Diagnostic::error(Kind::BadDimension, spec.span, phrase::empty_shape())
                    .with_label(phrase::empty_shape_label()),
            );
            return None;
        }
        let dims: Vec<Option<usize>> = spec
            .dims
            .iter()
            .map(|e| self.dimension(e, phrase::what_a_size()))
            .collect();
        let dims: Vec<usize> = dims.into_iter().collect::<Option<_>>()?;
        let shape = Shape::from_dims(&dims)?;
        if shape.size() > MAX_ELEMENTS {
            self.diagnostics.push(
                Diagnostic::error(
                    Kind::TooLarge,
                    spec.span,
                    phrase::shape_too_large(shape, group_digits(shape.size() as u64)),
                )
                .with_label(phrase::shape_too_large_label(
                    memory(shape.size() as u64 * 4),
                    group_digits(MAX_ELEMENTS as u64),
                )),
            );
            return None;
        }
        Some(shape)
    }

    fn is_second_loss(&mut self, statement: usize) -> bool {
        let first = self
            .file
            .statements
            .iter()
            .position(|s| matches!(s.kind, StatementKind::Loss { .. }));
        match (first, &self.file.statements[statement].kind) {
            (Some(first), StatementKind::Loss { keyword, name, .. }) if first != statement => {
                let first_span = match &self.file.statements[first].kind {
                    StatementKind::Loss { keyword, name, .. } => keyword.to(name.span),
                    _ => Span::default(),
                };
                self.diagnostics.push(
                    Diagnostic::error(
                        Kind::SecondLoss,
                        keyword.to(name.span),
                        phrase::second_loss(),
                    )
                    .with_label(phrase::second_loss_label())
                    .with_note(first_span, phrase::second_loss_note())
                    .with_help(phrase::second_loss_help(&name.text)),
                );
                true
            }
            _ => false,
        }
    }

    /// The optimizer and the training defaults; each may be written once.
    fn settings(&mut self) -> (Option<Optimizer>, Option<Training>) {
        let mut optimizer = None;
        let mut training = None;
        let mut seen_optimizer: Option<Span> = None;
        let mut seen_training: Option<Span> = None;
        let mut ok = true;
        for statement in &self.file.statements {
            let mut settings = Settings {
                scope: &self.scope,
                source: self.source,
                diagnostics: &mut *self.diagnostics,
            };
            match &statement.kind {
                StatementKind::Optimizer { name, arguments } => {
                    if let Some(first) = seen_optimizer {
                        settings
                            .diagnostics
                            .push(second(statement.span, first, "optimizer"));
                        ok = false;
                        continue;
                    }
                    seen_optimizer = Some(statement.span);
                    optimizer = settings.optimizer(name, arguments.as_ref());
                    ok &= optimizer.is_some();
                }
                StatementKind::Train { arguments, .. } => {
                    if let Some(first) = seen_training {
                        settings
                            .diagnostics
                            .push(second(statement.span, first, "train"));
                        ok = false;
                        continue;
                    }
                    seen_training = Some(statement.span);
                    training = settings.training(arguments);
                    ok &= training.is_some();
                }
                _ => {}
            }
        }
        if !ok {
            return (None, None);
        }
        (
            Some(optimizer.unwrap_or_else(default_optimizer)).filter(|_| ok),
            Some(training.unwrap_or_default()),
        )
    }

    fn finish(self, optimizer: Option<Optimizer>, training: Option<Training>) -> Option<Model> {
        let Checker {
            source,
            file,
            symbols,
            diagnostics,
            graph,
            scope,
            dims,
            intermediates,
            loss,
            ..
        } = self;
        let declarations = scope.declarations;
        let has_loss_statement = file
            .statements
            .iter()
            .any(|s| matches!(s.kind, StatementKind::Loss { .. }))
            || file.unparsed.iter().any(|u| u.is_loss);
        if file.statements.is_empty() && file.unparsed.is_empty() {
            diagnostics.push(
                Diagnostic::error(Kind::MissingLoss, Span::at(0), phrase::no_statements())
                    .with_label(phrase::no_statements_label())
                    .with_help(phrase::no_statements_help()),
            );
        } else if !has_loss_statement {
            diagnostics.push(
                Diagnostic::error(Kind::MissingLoss, Span::at(source.len()), phrase::no_loss())
                    .with_label(phrase::no_loss_label())
                    .with_help(phrase::no_loss_help()),
            );
        }
        if diagnostics.has_errors() {
            return None;
        }
        let (loss, optimizer, training) = (loss?, optimizer?, training?);
        let declarations: Vec<Declaration> = declarations.into_iter().collect::<Option<_>>()?;

        // "Used" as the reader sees it, by the names the loss mentions: `cross_entropy(p, y)`
        // uses `p` even though the graph computes it through the logits.
        let mut roots: Vec<usize> = symbols.lookup(&loss.name).into_iter().collect();
        roots.extend(symbols.mentioned_by_settings(file));
        let used = symbols.used_by(&roots);
        let is_used = |name: &str| {
            symbols
                .lookup(name)
                .is_some_and(|s| used.get(s).copied().unwrap_or(true))
        };
        for d in &declarations {
            if is_used(&d.name) {
                continue;
            }
            let diagnostic = match d.kind {
                DeclKind::Param => Diagnostic::warning(
                    Kind::Unused,
                    d.span,
                    phrase::never_used(DeclKind::Param.keyword(), &d.name, &loss.name),
                )
                .with_label(phrase::unused_param_label()),
                kind => Diagnostic::warning(
                    Kind::Unused,
                    d.span,
                    phrase::never_used(kind.keyword(), &d.name, &loss.name),
                )
                .with_label(phrase::declared_here()),
            };
            diagnostics.push(diagnostic);
        }
        for i in &intermediates {
            if !is_used(&i.name) {
                diagnostics.push(
                    Diagnostic::warning(
                        Kind::Unused,
                        i.span,
                        phrase::computed_but_unused(&i.name, &loss.name),
                    )
                    .with_label(phrase::defined_here()),
                );
            }
        }
        // Literal zero divisors were caught while lowering; this keeps the invariant visible.
        debug_assert!(declarations.iter().all(|d| !d.shape.size().is_zero()));
        Some(Model {
            graph,
            declarations,
            dims,
            intermediates,
            loss,
            optimizer,
            optimizer_written: file
                .statements
                .iter()
                .any(|s| matches!(s.kind, StatementKind::Optimizer { .. })),
            training,
        })
    }
}

fn second(span: Span, first: Span, what: &str) -> Diagnostic {
    Diagnostic::error(Kind::Redeclared, span, phrase::second_line(what))
        .with_label(phrase::only_one_allowed())
        .with_note(first, phrase::the_first_is_here())
}

/// `10000000000` as `10,000,000,000`.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A byte count in the unit a person would use, in English (for code comments).
pub fn bytes(n: u64) -> String {
    crate::words::Language::English.say(&memory(n))
}

/// A byte count in the unit a person would use.
pub fn memory(n: u64) -> Message {
    const UNITS: [&str; 5] = ["bytes", "KB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        phrase::bytes(n)
    } else {
        phrase::verbatim(format!("{value:.1} {}", UNITS[unit]))
    }
}
