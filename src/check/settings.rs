//! Arguments of `optimizer …(…)`, `train(…)` and `~ initializer(…)`: bound to their parameters by
//! position or by name, each checked for range.

use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use super::lower::{Scope, constant_scalar};
use super::suggest::nearest;
use crate::diagnostic::{Diagnostic, Diagnostics, Kind};
use crate::exact;
use crate::ir::{Initializer, Optimizer, Training};
use crate::span::Span;
use crate::syntax::ast::{Arguments, Expr, ExprKind, Ident};
use crate::words::{Message, phrase};

pub const OPTIMIZERS: [&str; 2] = ["sgd", "adam"];
pub const INITIALIZERS: [&str; 6] = ["zeros", "ones", "uniform", "normal", "xavier", "he"];

/// The optimizer used when a file names none.
pub fn default_optimizer() -> Optimizer {
    Optimizer::Sgd {
        lr: BigRational::new(1.into(), 10.into()),
        momentum: BigRational::zero(),
    }
}

pub struct Settings<'a> {
    pub scope: &'a Scope<'a>,
    pub source: &'a str,
    pub diagnostics: &'a mut Diagnostics,
}

impl Settings<'_> {
    pub fn optimizer(&mut self, name: &Ident, arguments: Option<&Arguments>) -> Option<Optimizer> {
        let empty = Arguments {
            items: vec![],
            span: Span::at(name.span.end as usize),
        };
        let arguments = arguments.unwrap_or(&empty);
        match name.text.as_str() {
            "sgd" => {
                let ([lr, momentum], bound) = self.bind("sgd", arguments, ["lr", "momentum"]);
                let Some(lr_expr) = lr else {
                    if !bound {
                        // The arguments are broken already; `lr` may be among them.
                        return None;
                    }
                    self.diagnostics.push(
                        Diagnostic::error(
                            Kind::BadArgument,
                            arguments.span.to(name.span),
                            phrase::sgd_needs_lr(),
                        )
                        .with_label(phrase::sgd_needs_lr_label())
                        .with_help(phrase::sgd_needs_lr_help()),
                    );
                    return None;
                };
                let lr = self.positive(lr_expr, phrase::setting_learning_rate());
                let momentum = match momentum {
                    Some(e) => self.fraction(e, phrase::code("momentum")),
                    None => Some(BigRational::zero()),
                };
                let (lr, momentum) = (lr?, momentum?);
                bound.then_some(Optimizer::Sgd { lr, momentum })
            }
            "adam" => {
                let ([lr, beta1, beta2, eps], bound) =
                    self.bind("adam", arguments, ["lr", "beta1", "beta2", "eps"]);
                let or = |value: Option<&Expr>,
                          this: &mut Self,
                          default: BigRational,
                          check: fn(&mut Self, &Expr, Message) -> Option<BigRational>,
                          what| match value {
                    Some(e) => check(this, e, what),
                    None => Some(default),
                };
                let lr = or(
                    lr,
                    self,
                    ratio(1, 1000),
                    Self::positive,
                    phrase::setting_learning_rate(),
                );
                let beta1 = or(
                    beta1,
                    self,
                    ratio(9, 10),
                    Self::fraction,
                    phrase::code("beta1"),
                );
                let beta2 = or(
                    beta2,
                    self,
                    ratio(999, 1000),
                    Self::fraction,
                    phrase::code("beta2"),
                );
                let eps = or(
                    eps,
                    self,
                    ratio(1, 100_000_000),
                    Self::positive,
                    phrase::code("eps"),
                );
                let (lr, beta1, beta2, eps) = (lr?, beta1?, beta2?, eps?);
                bound.then_some(Optimizer::Adam {
                    lr,
                    beta1,
                    beta2,
                    eps,
                })
            }
            _ => {
                let mut diagnostic = Diagnostic::error(
                    Kind::UnknownOptimizer,
                    name.span,
                    phrase::unknown_optimizer(&name.text),
                )
                .with_label(phrase::unknown_optimizer_label());
                diagnostic = match nearest(&name.text, OPTIMIZERS) {
                    Some(best) => diagnostic.with_help(phrase::did_you_mean(best)),
                    None => diagnostic.with_help(phrase::unknown_optimizer_help()),
                };
                self.diagnostics.push(diagnostic);
                None
            }
        }
    }

    pub fn training(&mut self, arguments: &Arguments) -> Option<Training> {
        let mut training = Training::default();
        let mut ok = true;
        if let Some(unnamed) = arguments.items.iter().find(|a| a.name.is_none()) {
            self.diagnostics.push(
                Diagnostic::error(
                    Kind::BadArgument,
                    unnamed.value.span,
                    phrase::unnamed_training_setting(),
                )
                .with_label(phrase::which_setting())
                .with_help(phrase::unnamed_training_setting_help()),
            );
            return None;
        }
        let ([epochs, batch, shuffle, seed], bound) =
            self.bind("train", arguments, ["epochs", "batch", "shuffle", "seed"]);
        ok &= bound;
        if let Some(e) = epochs {
            training.epochs = self.count(e, phrase::code("epochs"), 1);
            ok &= training.epochs.is_some();
        }
        if let Some(e) = batch {
            training.batch = self.count(e, phrase::code("batch"), 1);
            ok &= training.batch.is_some();
        }
        if let Some(e) = seed {
            training.seed = self.count(e, phrase::code("seed"), 0);
            ok &= training.seed.is_some();
        }
        if let Some(e) = shuffle {
            match e.kind {
                ExprKind::Bool(b) => training.shuffle = Some(b),
                _ => {
                    self.diagnostics.push(
                        Diagnostic::error(Kind::BadArgument, e.span, phrase::shuffle_is_a_switch())
                            .with_label(phrase::shuffle_is_a_switch_label()),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(training)
    }

    pub fn initializer(
        &mut self,
        name: &Ident,
        arguments: Option<&Arguments>,
    ) -> Option<Initializer> {
        let empty = Arguments {
            items: vec![],
            span: Span::at(name.span.end as usize),
        };
        let args = arguments.unwrap_or(&empty);
        let no_arguments = |this: &mut Self, init: Initializer| {
            if let Some(first) = args.items.first() {
                this.diagnostics.push(
                    Diagnostic::error(
                        Kind::BadArgument,
                        first
                            .span()
                            .to(args.items.last().map_or(first.span(), |a| a.span())),
                        phrase::takes_no_arguments(&name.text),
                    )
                    .with_label(phrase::takes_no_arguments_label()),
                );
                return None;
            }
            Some(init)
        };
        match name.text.as_str() {
            "zeros" => no_arguments(self, Initializer::Zeros),
            "ones" => no_arguments(self, Initializer::Ones),
            "xavier" => no_arguments(self, Initializer::Xavier),
            "he" => no_arguments(self, Initializer::He),
            "uniform" => {
                let ([a, b], bound) = self.bind("uniform", args, ["a", "b"]);
                if !bound {
                    return None;
                }
                let (Some(a), Some(b)) = (a, b) else {
                    self.missing(args.span.to(name.span), phrase::uniform_needs_ends());
                    return None;
                };
                let (low, high) = (
                    self.number(a, phrase::code("a")),
                    self.number(b, phrase::code("b")),
                );
                let (low, high) = (low?, high?);
                if low >= high {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Kind::BadArgument,
                            a.span.to(b.span),
                            phrase::uniform_needs_order(),
                        )
                        .with_label(phrase::is_not_less_than(
                            exact::display(&low),
                            exact::display(&high),
                        )),
                    );
                    return None;
                }
                Some(Initializer::Uniform { low, high })
            }
            "normal" => {
                let ([mean, std], bound) = self.bind("normal", args, ["mean", "std"]);
                if !bound {
                    return None;
                }
                let (Some(mean), Some(std)) = (mean, std) else {
                    self.missing(args.span.to(name.span), phrase::normal_needs_arguments());
                    return None;
                };
                let (mean, std) = (
                    self.number(mean, phrase::code("mean")),
                    self.positive(std, phrase::code("std")),
                );
                Some(Initializer::Normal {
                    mean: mean?,
                    std: std?,
                })
            }
            _ => {
                let mut diagnostic = Diagnostic::error(
                    Kind::UnknownInitializer,
                    name.span,
                    phrase::unknown_initializer(&name.text),
                )
                .with_label(phrase::unknown_initializer_label());
                diagnostic = match nearest(&name.text, INITIALIZERS) {
                    Some(best) => diagnostic.with_help(phrase::did_you_mean(best)),
                    None => diagnostic.with_help(phrase::unknown_initializer_help()),
                };
                self.diagnostics.push(diagnostic);
                None
            }
        }
    }

    /// Matches arguments to `parameters`: positional ones in order, then named ones.
    fn bind<'e, const N: usize>(
        &mut self,
        function: &str,
        arguments: &'e Arguments,
        parameters: [&str; N],
    ) -> ([Option<&'e Expr>; N], bool) {
        let mut bound: [Option<&Expr>; N] = [None; N];
        let mut ok = true;
        let mut seen_named = false;
        for (position, argument) in arguments.items.iter().enumerate() {
            if argument.name.is_none() && seen_named {
                self.diagnostics.push(
                    Diagnostic::error(
                        Kind::BadArgument,
                        argument.value.span,
                        phrase::unnamed_after_named(),
                    )
                    .with_label(phrase::which_setting())
                    .with_help(phrase::unnamed_after_named_help(format!(
                        "{function}({})",
                        parameters.join(", ")
                    ))),
                );
                ok = false;
                continue;
            }
            seen_named |= argument.name.is_some();
            let slot = match &argument.name {
                None if position < N => position,
                None => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Kind::BadArgument,
                            argument.value.span,
                            phrase::takes_at_most_arguments(function, N),
                        )
                        .with_label(phrase::one_too_many())
                        .with_help(phrase::code(format!(
                            "{function}({})",
                            parameters.join(", ")
                        ))),
                    );
                    ok = false;
                    continue;
                }
                Some(name) => match parameters.iter().position(|p| *p == name.text) {
                    Some(slot) => slot,
                    None => {
                        let mut diagnostic = Diagnostic::error(
                            Kind::BadArgument,
                            name.span,
                            phrase::no_such_setting(function, &name.text),
                        )
                        .with_label(phrase::unknown_argument());
                        diagnostic = match nearest(&name.text, parameters) {
                            Some(best) => diagnostic.with_help(phrase::did_you_mean(best)),
                            None => diagnostic
                                .with_help(phrase::settings_are(function, parameters.join(", "))),
                        };
                        self.diagnostics.push(diagnostic);
                        ok = false;
                        continue;
                    }
                },
            };
            if bound[slot].is_some() {
                self.diagnostics.push(
                    Diagnostic::error(
                        Kind::BadArgument,
                        argument.span(),
                        phrase::given_twice(parameters[slot]),
                    )
                    .with_label(phrase::given_again_here()),
                );
                ok = false;
                continue;
            }
            bound[slot] = Some(&argument.value);
        }
        (bound, ok)
    }

    fn missing(&mut self, span: Span, message: Message) {
        self.diagnostics.push(
            Diagnostic::error(Kind::BadArgument, span, message)
                .with_label(phrase::missing_arguments()),
        );
    }

    fn number(&mut self, expr: &Expr, what: Message) -> Option<BigRational> {
        constant_scalar(self.scope, expr, what, self.source, self.diagnostics)
    }

    fn positive(&mut self, expr: &Expr, what: Message) -> Option<BigRational> {
        let value = self.number(expr, what.clone())?;
        if value.is_positive() {
            return Some(value);
        }
        self.out_of_range(expr, phrase::must_be_positive(what), &value)
    }

    /// In [0, 1): momentum and Adam's betas.
    fn fraction(&mut self, expr: &Expr, what: Message) -> Option<BigRational> {
        let value = self.number(expr, what.clone())?;
        if !value.is_negative() && value < BigRational::one() {
            return Some(value);
        }
        self.out_of_range(expr, phrase::must_be_a_fraction(what), &value)
    }

    fn count(&mut self, expr: &Expr, what: Message, least: u64) -> Option<u64> {
        let value = self.number(expr, what.clone())?;
        match exact::to_u64(&value) {
            Some(n) if n >= least => Some(n),
            _ => self.out_of_range(expr, phrase::must_be_a_count(what, least), &value),
        }
    }

    fn out_of_range<T>(&mut self, expr: &Expr, message: Message, value: &BigRational) -> Option<T> {
        self.diagnostics.push(
            Diagnostic::error(Kind::BadArgument, expr.span, message)
                .with_label(phrase::this_is(exact::display(value))),
        );
        None
    }
}

fn ratio(n: i64, d: i64) -> BigRational {
    BigRational::new(n.into(), d.into())
}
