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
                            "sgd needs a learning rate",
                        )
                        .with_label("no `lr` given")
                        .with_help("write e.g. `optimizer sgd(lr = 0.1)`"),
                    );
                    return None;
                };
                let lr = self.positive(lr_expr, "the learning rate `lr`");
                let momentum = match momentum {
                    Some(e) => self.fraction(e, "`momentum`"),
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
                          check: fn(&mut Self, &Expr, &'static str) -> Option<BigRational>,
                          what| match value {
                    Some(e) => check(this, e, what),
                    None => Some(default),
                };
                let lr = or(
                    lr,
                    self,
                    ratio(1, 1000),
                    Self::positive,
                    "the learning rate `lr`",
                );
                let beta1 = or(beta1, self, ratio(9, 10), Self::fraction, "`beta1`");
                let beta2 = or(beta2, self, ratio(999, 1000), Self::fraction, "`beta2`");
                let eps = or(eps, self, ratio(1, 100_000_000), Self::positive, "`eps`");
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
                    format!("unknown optimizer `{}`", name.text),
                )
                .with_label("not an optimizer nabla knows");
                diagnostic = match nearest(&name.text, OPTIMIZERS) {
                    Some(best) => diagnostic.with_help(format!("did you mean `{best}`?")),
                    None => diagnostic.with_help(
                        "the optimizers are `sgd(lr, momentum)` and `adam(lr, beta1, beta2, eps)`",
                    ),
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
                    "name each training setting",
                )
                .with_label("which setting is this?")
                .with_help(
                    "write e.g. `train(epochs = 100, batch = 16, shuffle = true, seed = 1)`",
                ),
            );
            return None;
        }
        let ([epochs, batch, shuffle, seed], bound) =
            self.bind("train", arguments, ["epochs", "batch", "shuffle", "seed"]);
        ok &= bound;
        if let Some(e) = epochs {
            training.epochs = self.count(e, "`epochs`", 1);
            ok &= training.epochs.is_some();
        }
        if let Some(e) = batch {
            training.batch = self.count(e, "`batch`", 1);
            ok &= training.batch.is_some();
        }
        if let Some(e) = seed {
            training.seed = self.count(e, "`seed`", 0);
            ok &= training.seed.is_some();
        }
        if let Some(e) = shuffle {
            match e.kind {
                ExprKind::Bool(b) => training.shuffle = Some(b),
                _ => {
                    self.diagnostics.push(
                        Diagnostic::error(Kind::BadArgument, e.span, "`shuffle` is true or false")
                            .with_label("expected `true` or `false`"),
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
                        format!("`{}` takes no arguments", name.text),
                    )
                    .with_label("remove these"),
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
                    self.missing(
                        args.span.to(name.span),
                        "uniform(a, b)",
                        "the interval's ends `a` and `b`",
                    );
                    return None;
                };
                let (low, high) = (self.number(a, "`a`"), self.number(b, "`b`"));
                let (low, high) = (low?, high?);
                if low >= high {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Kind::BadArgument,
                            a.span.to(b.span),
                            "`uniform(a, b)` needs a < b",
                        )
                        .with_label(format!(
                            "{} is not less than {}",
                            exact::display(&low),
                            exact::display(&high)
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
                    self.missing(
                        args.span.to(name.span),
                        "normal(mean, std)",
                        "`mean` and `std`",
                    );
                    return None;
                };
                let (mean, std) = (self.number(mean, "`mean`"), self.positive(std, "`std`"));
                Some(Initializer::Normal {
                    mean: mean?,
                    std: std?,
                })
            }
            _ => {
                let mut diagnostic = Diagnostic::error(
                    Kind::UnknownInitializer,
                    name.span,
                    format!("unknown initializer `{}`", name.text),
                )
                .with_label("not an initializer nabla knows");
                diagnostic = match nearest(&name.text, INITIALIZERS) {
                    Some(best) => diagnostic.with_help(format!("did you mean `{best}`?")),
                    None => diagnostic.with_help(
                        "the initializers are zeros, ones, uniform(a, b), normal(mean, std), xavier and he",
                    ),
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
                        "an argument without a name after named ones",
                    )
                    .with_label("which setting is this?")
                    .with_help(format!(
                        "write arguments in order first, then named ones: `{function}({})`",
                        parameters.join(", ")
                    )),
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
                            format!("`{function}` takes at most {N} arguments"),
                        )
                        .with_label("one too many")
                        .with_help(format!("`{function}({})`", parameters.join(", "))),
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
                            format!("`{function}` has no setting `{}`", name.text),
                        )
                        .with_label("unknown argument");
                        diagnostic = match nearest(&name.text, parameters) {
                            Some(best) => diagnostic.with_help(format!("did you mean `{best}`?")),
                            None => diagnostic.with_help(format!(
                                "`{function}` takes: {}",
                                parameters.join(", ")
                            )),
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
                        format!("`{}` is given twice", parameters[slot]),
                    )
                    .with_label("given again here"),
                );
                ok = false;
                continue;
            }
            bound[slot] = Some(&argument.value);
        }
        (bound, ok)
    }

    fn missing(&mut self, span: Span, form: &str, what: &str) {
        self.diagnostics.push(
            Diagnostic::error(Kind::BadArgument, span, format!("`{form}` needs {what}"))
                .with_label("missing arguments"),
        );
    }

    fn number(&mut self, expr: &Expr, what: &'static str) -> Option<BigRational> {
        constant_scalar(self.scope, expr, what, self.source, self.diagnostics)
    }

    fn positive(&mut self, expr: &Expr, what: &'static str) -> Option<BigRational> {
        let value = self.number(expr, what)?;
        if value.is_positive() {
            return Some(value);
        }
        self.out_of_range(expr, what, &value, "must be greater than 0")
    }

    /// In [0, 1): momentum and Adam's betas.
    fn fraction(&mut self, expr: &Expr, what: &'static str) -> Option<BigRational> {
        let value = self.number(expr, what)?;
        if !value.is_negative() && value < BigRational::one() {
            return Some(value);
        }
        self.out_of_range(expr, what, &value, "must be at least 0 and less than 1")
    }

    fn count(&mut self, expr: &Expr, what: &'static str, least: u64) -> Option<u64> {
        let value = self.number(expr, what)?;
        match exact::to_u64(&value) {
            Some(n) if n >= least => Some(n),
            _ => {
                let rule = if least == 0 {
                    "must be a whole number, 0 or more"
                } else {
                    "must be a whole number, 1 or more"
                };
                self.out_of_range(expr, what, &value, rule)
            }
        }
    }

    fn out_of_range<T>(
        &mut self,
        expr: &Expr,
        what: &str,
        value: &BigRational,
        rule: &str,
    ) -> Option<T> {
        self.diagnostics.push(
            Diagnostic::error(Kind::BadArgument, expr.span, format!("{what} {rule}"))
                .with_label(format!("this is {}", exact::display(value))),
        );
        None
    }
}

fn ratio(n: i64, d: i64) -> BigRational {
    BigRational::new(n.into(), d.into())
}
