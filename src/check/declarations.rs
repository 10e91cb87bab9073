//! Declarations: `input x[2] = …`, `param W[2, 3] ~ xavier`, `target y : index(3) = each […]`.
//!
//! A declaration's shape, its kind of value (a number, or an index: a whole number that picks a
//! row or names a class), and its value — one for every example of a batch with `each` — are
//! checked here; [`Checker::examples`] then checks that every `each` gives the same number of
//! examples.

use num_rational::BigRational;

use super::Checker;
use crate::diagnostic::{Diagnostic, Kind};
use crate::exact;
use crate::ir::{DeclId, DeclKind, Declaration, Init, Initializer};
use crate::shape::Shape;
use crate::span::Span;
use crate::syntax::ast::{self, DeclInit, ExprKind, IndexSpec, StatementKind};
use crate::tensor::Tensor;
use crate::words::phrase;

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
                        phrase::param_needs_a_value(&d.name.text),
                        phrase::no_starting_value(),
                        phrase::param_needs_a_value_help(),
                    )),
                    DeclKind::Const => Some((
                        phrase::const_needs_a_value(&d.name.text),
                        phrase::no_value(),
                        phrase::const_needs_a_value_help(),
                    )),
                    DeclKind::Input | DeclKind::Target => None,
                };
                if let Some((message, label, help)) = needed {
                    self.diagnostics.push(
                        Diagnostic::error(Kind::BadDeclaration, d.name.span, message)
                            .with_label(label)
                            .with_help(help),
                    );
                    return None;
                }
                None
            }
            Some(DeclInit::Value(expr)) => {
                let value = self.constant(expr, phrase::what_a_declared_value())?;
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
                            phrase::only_params_are_drawn(
                                &d.name.text,
                                phrase::declared_kind(d.kind.keyword()),
                            ),
                        )
                        .with_label(phrase::an_initializer_here())
                        .with_help(phrase::only_params_are_drawn_help(&d.name.text)),
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
                    phrase::value_does_not_fit(&d.name.text, shape),
                )
                .with_label(phrase::this_is(value.shape().noun()))
                .with_note(
                    d.shape.as_ref().map_or(d.name.span, |s| s.span),
                    phrase::declared_shape(shape),
                );
                if value.shape().is_scalar() {
                    diagnostic = diagnostic.with_help(phrase::value_does_not_fit_help());
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
            && shape.rank() < 2
        {
            self.diagnostics.push(
                Diagnostic::error(
                    Kind::BadDeclaration,
                    d.name.span,
                    phrase::xavier_needs_a_matrix(&d.name.text, shape.noun()),
                )
                .with_label(phrase::xavier_needs_a_matrix_label())
                .with_help(phrase::xavier_needs_a_matrix_help()),
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
                    phrase::unknown_kind_of_value(&spec.name.text),
                )
                .with_label(phrase::expected_form("index"))
                .with_help(phrase::unknown_kind_of_value_help(&d.name.text)),
            );
            return None;
        }
        if !matches!(d.kind, DeclKind::Input | DeclKind::Target) {
            self.diagnostics.push(
                Diagnostic::error(
                    Kind::BadDeclaration,
                    spec.span,
                    phrase::only_inputs_are_indices(
                        &d.name.text,
                        phrase::declared_kind(d.kind.keyword()),
                    ),
                )
                .with_label(phrase::only_inputs_are_indices_label())
                .with_help(phrase::only_inputs_are_indices_help()),
            );
            return None;
        }
        let arguments = &spec.arguments.items;
        let [argument] = arguments.as_slice() else {
            self.diagnostics.push(
                Diagnostic::error(
                    Kind::BadArgument,
                    spec.arguments.span,
                    phrase::wrong_argument_count(
                        "index",
                        phrase::arguments_exactly(1),
                        arguments.len(),
                    ),
                )
                .with_label(phrase::index_takes_a_count()),
            );
            return None;
        };
        if let Some(name) = &argument.name {
            self.diagnostics.push(
                Diagnostic::error(
                    Kind::BadArgument,
                    name.span,
                    phrase::arguments_without_names("index"),
                )
                .with_label(phrase::arguments_without_names_label()),
            );
            return None;
        }
        self.dimension(&argument.value, phrase::what_an_index_count())
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
                    phrase::each_is_for_inputs(
                        &d.name.text,
                        phrase::declared_kind(d.kind.keyword()),
                    ),
                )
                .with_label(phrase::each_is_for_inputs_label())
                .with_help(phrase::each_is_for_inputs_help(&d.name.text)),
            );
            return None;
        }
        let items = match &values.kind {
            ExprKind::Array(items) if !items.is_empty() => items,
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(Kind::ValueShape, values.span, phrase::each_needs_a_list())
                        .with_label(phrase::each_needs_a_list_label())
                        .with_help(phrase::each_needs_a_list_help(format!(
                            "{} {}{} = each [[0, 1], [1, 0]]",
                            d.kind.keyword(),
                            d.name.text,
                            d.shape
                                .as_ref()
                                .map_or(String::new(), |s| s.span.text(self.source).to_string())
                        ))),
                );
                return None;
            }
        };
        let mut examples = Vec::with_capacity(items.len());
        let mut failed = false;
        for item in items {
            match self.constant(item, phrase::what_an_example_value()) {
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
                    phrase::example_does_not_fit(number + 1, &d.name.text, expected),
                )
                .with_label(phrase::this_is(value.shape().noun()));
                diagnostic = match (&d.shape, declared) {
                    (Some(spec), Some(_)) => {
                        diagnostic.with_note(spec.span, phrase::declared_shape(expected))
                    }
                    _ => diagnostic.with_note(examples[0].1, phrase::example_1_is(expected.noun())),
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
            Some(x) => phrase::verbatim(exact::display(x)),
            None => value.shape().noun(),
        };
        let why = match (number, whole) {
            (None, _) => phrase::an_index_is_one_number(),
            (Some(_), None) => phrase::not_a_whole_number(),
            (Some(_), Some(_)) => phrase::out_of_range(),
        };
        self.diagnostics.push(
            Diagnostic::error(
                Kind::ValueShape,
                span,
                phrase::index_value_out_of_range(name, count, count - 1, this),
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
                    phrase::examples_disagree(
                        name,
                        phrase::examples(*count),
                        &first,
                        phrase::examples(m),
                    ),
                )
                .with_label(phrase::values_here(*count))
                .with_note(first_span, phrase::examples(m))
                .with_help(phrase::examples_disagree_help())
            } else {
                Diagnostic::error(
                    Kind::ValueShape,
                    *span,
                    phrase::one_example_beside_each(name, &first, phrase::examples(m)),
                )
                .with_label(phrase::one_example())
                .with_note(first_span, phrase::examples(m))
                .with_help(phrase::one_example_beside_each_help(name))
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
                    phrase::statistic_of_one_example(),
                )
                .with_label(phrase::statistic_of_one_example_label())
                .with_note(first_span, phrase::statistic_of_one_example_note())
                .with_help(phrase::statistic_of_one_example_help()),
            );
        }
    }
}
