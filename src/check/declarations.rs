//! Declarations: `input x[2] = …`, `param W[2, 3] ~ xavier`, `target y : index(3) = each […]`.
//!
//! A declaration's shape, its kind of value (a number, or an index: a whole number that picks a
//! row or names a class), and its value — one for every example of a batch with `each` — are
//! checked here; [`Checker::examples`] then checks that every `each` gives the same number of
//! examples.

use num_rational::BigRational;

use super::{Checker, article};
use crate::diagnostic::{Diagnostic, Kind};
use crate::exact;
use crate::ir::{DeclId, DeclKind, Declaration, Init, Initializer};
use crate::shape::Shape;
use crate::span::Span;
use crate::syntax::ast::{self, DeclInit, ExprKind, IndexSpec, StatementKind};
use crate::tensor::Tensor;

use super::settings::Settings;

impl Checker<'_> {
    pub(super) fn declaration(&mut self, d: &ast::Declaration, id: DeclId) -> Option<Declaration> {
        let declared = d.shape.as_ref().map(|spec| self.shape(spec));
        let index = match &d.index {
            Some(spec) => Some(self.index_spec(d, spec)?),
            None => None,
        };
        let declared = match declared {
            Some(None) => return None,
            Some(Some(shape)) => Some(shape),
            None => index.map(|_| Shape::Scalar),
        };
        let init = match &d.init {
            None => {
                let needed = match d.kind {
                    DeclKind::Param => Some((
                        "a starting value",
                        "`param W[2, 2] = [[…], […]]` or `param W[2, 2] ~ xavier`",
                    )),
                    DeclKind::Const => Some(("a value", "`const c = 0.5`")),
                    DeclKind::Input | DeclKind::Target => None,
                };
                if let Some((what, example)) = needed {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Kind::BadDeclaration,
                            d.name.span,
                            format!("{} `{}` needs {what}", d.kind.keyword(), d.name.text),
                        )
                        .with_label(format!("no {what} given"))
                        .with_help(format!("for example {example}")),
                    );
                    return None;
                }
                None
            }
            Some(DeclInit::Value(expr)) => {
                let value = self.constant(expr, "a declared value")?;
                if let Some(count) = index {
                    self.index_value(&d.name.text, &value, count, expr.span)?;
                }
                Some(Init::Value(value))
            }
            Some(DeclInit::Each { keyword, values }) => {
                Some(Init::Each(self.each(d, *keyword, values, declared, index)?))
            }
            Some(DeclInit::Distribution {
                name,
                arguments,
                span,
            }) => {
                if d.kind != DeclKind::Param {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Kind::BadDeclaration,
                            *span,
                            format!(
                                "only a param is drawn at random, but `{}` is {} {}",
                                d.name.text,
                                article(d.kind.keyword()),
                                d.kind.keyword()
                            ),
                        )
                        .with_label("an initializer here")
                        .with_help(format!("give {} a value with `= …`", d.name.text)),
                    );
                    return None;
                }
                let initializer = Settings {
                    scope: &self.scope,
                    source: self.source,
                    diagnostics: &mut *self.diagnostics,
                }
                .initializer(name, arguments.as_ref())?;
                Some(Init::Random(initializer))
            }
        };
        let shape = match (&init, declared) {
            (Some(Init::Value(value)), Some(shape)) if value.shape() != shape => {
                let value_span = match &d.init {
                    Some(DeclInit::Value(expr)) => expr.span,
                    _ => d.name.span,
                };
                let mut diagnostic = Diagnostic::error(
                    Kind::ValueShape,
                    value_span,
                    format!(
                        "the value of `{}` does not fit its declared shape {shape}",
                        d.name.text
                    ),
                )
                .with_label(format!("this is {}", value.shape().describe()))
                .with_note(
                    d.shape.as_ref().map_or(d.name.span, |s| s.span),
                    format!("declared {shape}"),
                );
                if value.shape().is_scalar() {
                    diagnostic = diagnostic.with_help(
                        "write every element; a parameter can start from `~ zeros` or `~ ones`",
                    );
                }
                self.diagnostics.push(diagnostic);
                return None;
            }
            (_, Some(shape)) => shape,
            (Some(Init::Value(value)), None) => value.shape(),
            (Some(Init::Each(values)), None) => values.first().map_or(Shape::Scalar, Tensor::shape),
            _ => Shape::Scalar,
        };
        if let Some(Init::Random(Initializer::Xavier | Initializer::He)) = &init
            && !matches!(shape, Shape::Matrix(..))
        {
            self.diagnostics.push(
                Diagnostic::error(
                    Kind::BadDeclaration,
                    d.name.span,
                    format!(
                        "xavier and he need a matrix, but `{}` is {}",
                        d.name.text,
                        shape.describe()
                    ),
                )
                .with_label("no fan-in and fan-out to scale by")
                .with_help("a bias vector usually starts from `~ zeros`"),
            );
            return None;
        }
        let per_example = matches!(d.kind, DeclKind::Input | DeclKind::Target);
        let node = self.graph.var(id, shape, per_example, d.name.span);
        Some(Declaration {
            kind: d.kind,
            name: d.name.text.clone(),
            shape,
            init,
            index,
            span: d.name.span,
            node,
        })
    }

    /// `: index(N)`: the number of values N, for an input or a target.
    fn index_spec(&mut self, d: &ast::Declaration, spec: &IndexSpec) -> Option<usize> {
        if spec.name.text != "index" {
            self.diagnostics.push(
                Diagnostic::error(
                    Kind::BadDeclaration,
                    spec.name.span,
                    format!("unknown kind of value `{}`", spec.name.text),
                )
                .with_label("expected `index`")
                .with_help(format!(
                    "`{} : index(N)` declares a whole number 0 … N−1; for numbers, give a shape: `{}[n]`",
                    d.name.text, d.name.text
                )),
            );
            return None;
        }
        if !matches!(d.kind, DeclKind::Input | DeclKind::Target) {
            self.diagnostics.push(
                Diagnostic::error(
                    Kind::BadDeclaration,
                    spec.span,
                    format!(
                        "only an input or a target can be an index, but `{}` is {} {}",
                        d.name.text,
                        article(d.kind.keyword()),
                        d.kind.keyword()
                    ),
                )
                .with_label("an index comes with each example")
                .with_help(
                    "declare the class or token number as `input c : index(N)` or `target y : index(N)`",
                ),
            );
            return None;
        }
        let arguments = &spec.arguments.items;
        let [argument] = arguments.as_slice() else {
            self.diagnostics.push(
                Diagnostic::error(
                    Kind::BadArgument,
                    spec.arguments.span,
                    format!(
                        "`index` takes 1 argument, but {} were given",
                        arguments.len()
                    ),
                )
                .with_label("expected `index(N)`: how many values the index can take"),
            );
            return None;
        };
        if let Some(name) = &argument.name {
            self.diagnostics.push(
                Diagnostic::error(
                    Kind::BadArgument,
                    name.span,
                    "`index` takes its argument without a name",
                )
                .with_label("remove this name and its `=`"),
            );
            return None;
        }
        self.dimension(&argument.value, "the number of values of an index")
    }

    /// `each [v₁, v₂, …]`: the value of every example, each checked against the declaration.
    fn each(
        &mut self,
        d: &ast::Declaration,
        keyword: Span,
        values: &ast::Expr,
        declared: Option<Shape>,
        index: Option<usize>,
    ) -> Option<Vec<Tensor<BigRational>>> {
        if !matches!(d.kind, DeclKind::Input | DeclKind::Target) {
            self.diagnostics.push(
                Diagnostic::error(
                    Kind::BadDeclaration,
                    keyword,
                    format!(
                        "`each` gives one value per example, but `{}` is {} {}: one value shared by every example",
                        d.name.text,
                        article(d.kind.keyword()),
                        d.kind.keyword()
                    ),
                )
                .with_label("only inputs and targets differ from example to example")
                .with_help(format!("give `{}` one value: `= …`", d.name.text)),
            );
            return None;
        }
        let items = match &values.kind {
            ExprKind::Array(items) if !items.is_empty() => items,
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Kind::ValueShape,
                        values.span,
                        "`each` is followed by a list of the examples' values",
                    )
                    .with_label("expected `[v₁, v₂, …]`, one value per example")
                    .with_help(format!(
                        "for example `{} {}{} = each [[0, 1], [1, 0]]` for two examples",
                        d.kind.keyword(),
                        d.name.text,
                        d.shape
                            .as_ref()
                            .map_or(String::new(), |s| s.span.text(self.source).to_string())
                    )),
                );
                return None;
            }
        };
        let mut examples = Vec::with_capacity(items.len());
        let mut failed = false;
        for item in items {
            match self.constant(item, "an example's value") {
                Some(value) => examples.push((value, item.span)),
                None => failed = true,
            }
        }
        if failed {
            return None;
        }
        let expected = declared.unwrap_or_else(|| examples[0].0.shape());
        for (number, (value, span)) in examples.iter().enumerate() {
            if value.shape() != expected {
                let mut diagnostic = Diagnostic::error(
                    Kind::ValueShape,
                    *span,
                    format!(
                        "example {} of `{}` does not fit its shape {}",
                        number + 1,
                        d.name.text,
                        expected
                    ),
                )
                .with_label(format!("this is {}", value.shape().describe()));
                diagnostic = match (&d.shape, declared) {
                    (Some(spec), Some(_)) => {
                        diagnostic.with_note(spec.span, format!("declared {expected}"))
                    }
                    _ => diagnostic.with_note(
                        examples[0].1,
                        format!("example 1 is {}", expected.describe()),
                    ),
                };
                self.diagnostics.push(diagnostic);
                return None;
            }
            if let Some(count) = index {
                self.index_value(&d.name.text, value, count, *span)?;
            }
        }
        Some(examples.into_iter().map(|(value, _)| value).collect())
    }

    /// Refuses a value an index cannot hold: anything but a whole number 0 … count − 1.
    fn index_value(
        &mut self,
        name: &str,
        value: &Tensor<BigRational>,
        count: usize,
        span: Span,
    ) -> Option<()> {
        let number = value.as_scalar();
        let whole = number.and_then(exact::to_u64);
        if whole.is_some_and(|n| n < count as u64) {
            return Some(());
        }
        let this = match number {
            Some(x) => exact::display(x),
            None => value.shape().describe(),
        };
        let why = match (number, whole) {
            (None, _) => "an index is one whole number",
            (Some(_), None) => "not a whole number 0 or more",
            (Some(_), Some(_)) => "out of range",
        };
        self.diagnostics.push(
            Diagnostic::error(
                Kind::ValueShape,
                span,
                format!(
                    "`{name}` is an index({count}), a whole number 0 … {}, but this is {this}",
                    count - 1
                ),
            )
            .with_label(why),
        );
        None
    }

    /// Checks that the inputs and targets with values give them for the same number of
    /// examples — every `each` list as long as the first, and no plain value beside one — and
    /// that a batch statistic has more than one example to look across.
    pub(super) fn examples(&mut self) {
        let mut given: Vec<(String, usize, Span, bool)> = Vec::new();
        for statement in &self.file.statements {
            let StatementKind::Declaration(d) = &statement.kind else {
                continue;
            };
            if !matches!(d.kind, DeclKind::Input | DeclKind::Target) {
                continue;
            }
            let checked = self
                .scope
                .declarations
                .iter()
                .flatten()
                .find(|x| x.name == d.name.text);
            match (&d.init, checked.and_then(|x| x.init.as_ref())) {
                (Some(DeclInit::Each { values, .. }), Some(Init::Each(list))) => {
                    given.push((d.name.text.clone(), list.len(), values.span, true))
                }
                (Some(DeclInit::Value(value)), Some(Init::Value(_))) => {
                    given.push((d.name.text.clone(), 1, value.span, false))
                }
                _ => {}
            }
        }
        let first = given.iter().find(|g| g.3).or(given.first()).cloned();
        let Some((first, m, first_span, _)) = first else {
            return;
        };
        for (name, count, span, each) in &given {
            if *count == m && (*each || m == 1) {
                continue;
            }
            let diagnostic = if *each {
                Diagnostic::error(
                    Kind::ValueShape,
                    *span,
                    format!(
                        "`{name}` gives {} but `{first}` gives {}",
                        plural(*count, "example"),
                        plural(m, "example")
                    ),
                )
                .with_label(format!("{} here", plural(*count, "value")))
                .with_note(first_span, plural(m, "example"))
                .with_help("every `each` lists the same examples, one value for each")
            } else {
                Diagnostic::error(
                    Kind::ValueShape,
                    *span,
                    format!(
                        "`{name}` gives the value of one example, but `{first}` gives {}",
                        plural(m, "example")
                    ),
                )
                .with_label("one example")
                .with_note(first_span, plural(m, "example"))
                .with_help(format!("give `{name}` a value per example: `= each […]`"))
            };
            self.diagnostics.push(diagnostic);
        }
        if m == 1
            && let Some(node) = self.graph.nodes().iter().find(|n| {
                matches!(
                    n.op,
                    crate::ir::Op::Unary(crate::ir::Unary::BatchMean, _) | crate::ir::Op::BatchSize
                )
            })
        {
            self.diagnostics.push(
                Diagnostic::error(
                    Kind::BadArgument,
                    node.span,
                    "a batch statistic over a single example",
                )
                .with_label("looks across the examples of a batch")
                .with_note(
                    first_span,
                    "the file gives the values of one example: over one example a variance is 0, \
                     and normalizing by it divides by zero",
                )
                .with_help(
                    "give several examples with `each`: `input x[2] = each [[…], […], […]]`",
                ),
            );
        }
    }
}

/// `3 examples`, `1 example`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
