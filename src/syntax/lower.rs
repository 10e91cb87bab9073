//! pest's parse tree to the AST.
//!
//! The grammar already guarantees the structure, so a pair that is not where the grammar puts it
//! is a bug in this file, not a user error; such places return [`Malformed`] rather than panic, and
//! the caller reports them as an internal error on that statement. Expression chains are folded
//! into binary trees here, iteratively, with their height checked against
//! [`MAX_EXPR_HEIGHT`](super::ast::MAX_EXPR_HEIGHT).

use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::grammar::Rule;
use super::number::{MAX_DECIMAL_EXPONENT, parse_decimal};
use crate::diagnostic::{Diagnostic, Kind};
use crate::span::Span;
use crate::words::phrase;

/// Why a statement could not be lowered.
pub enum LowerError {
    /// A user error, already phrased.
    User(Diagnostic),
    /// The parse tree did not have the grammar's shape (a bug here).
    Malformed,
}

pub use LowerError::Malformed;

type Result<T> = std::result::Result<T, LowerError>;

pub struct Lowerer {
    /// Byte offset of the statement in the file: pest's positions are relative to the statement.
    offset: usize,
}

impl Lowerer {
    pub fn new(offset: usize) -> Lowerer {
        Lowerer { offset }
    }

    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.offset + s.start(), self.offset + s.end())
    }

    pub fn statement(&self, mut pairs: Pairs<Rule>) -> Result<Statement> {
        let pair = pairs.next().ok_or(Malformed)?;
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let kind = match rule {
            Rule::dim_decl => {
                next(&mut inner, Rule::kw_dim)?;
                let name = self.ident(next(&mut inner, Rule::name)?);
                next(&mut inner, Rule::assign)?;
                let value = self.expr(next(&mut inner, Rule::expr)?)?;
                StatementKind::Dim { name, value }
            }
            Rule::declaration => StatementKind::Declaration(self.declaration(inner)?),
            Rule::loss_def => {
                let keyword = self.span(&next(&mut inner, Rule::kw_loss)?);
                let name = self.ident(next(&mut inner, Rule::name)?);
                next(&mut inner, Rule::assign)?;
                let value = self.expr(next(&mut inner, Rule::expr)?)?;
                StatementKind::Loss {
                    keyword,
                    name,
                    value,
                }
            }
            Rule::optimizer_decl => {
                next(&mut inner, Rule::kw_optimizer)?;
                let name = self.ident(next(&mut inner, Rule::name)?);
                let arguments = match inner.next() {
                    Some(pair) => Some(self.arguments(pair)?),
                    None => None,
                };
                StatementKind::Optimizer { name, arguments }
            }
            Rule::train_decl => {
                let keyword = self.span(&next(&mut inner, Rule::kw_train)?);
                let arguments = self.arguments(next(&mut inner, Rule::arguments)?)?;
                StatementKind::Train { keyword, arguments }
            }
            Rule::definition => {
                let name = self.ident(next(&mut inner, Rule::name)?);
                next(&mut inner, Rule::assign)?;
                let value = self.expr(next(&mut inner, Rule::expr)?)?;
                StatementKind::Definition { name, value }
            }
            _ => return Err(Malformed),
        };
        Ok(Statement { kind, span })
    }

    fn declaration(&self, mut inner: Pairs<Rule>) -> Result<Declaration> {
        let kind_pair = next(&mut inner, Rule::decl_kind)?;
        let keyword = self.span(&kind_pair);
        let kind = match kind_pair.into_inner().next().map(|p| p.as_rule()) {
            Some(Rule::kw_input) => DeclKind::Input,
            Some(Rule::kw_target) => DeclKind::Target,
            Some(Rule::kw_param) => DeclKind::Param,
            Some(Rule::kw_const) => DeclKind::Const,
            _ => return Err(Malformed),
        };
        let name = self.ident(next(&mut inner, Rule::name)?);
        let mut shape = None;
        let mut index = None;
        let mut init = None;
        for pair in inner {
            match pair.as_rule() {
                Rule::index_type => {
                    let span = self.span(&pair);
                    let mut parts = pair.into_inner();
                    next(&mut parts, Rule::colon)?;
                    let name = self.ident(next(&mut parts, Rule::name)?);
                    let arguments = self.arguments(next(&mut parts, Rule::arguments)?)?;
                    index = Some(IndexSpec {
                        name,
                        arguments,
                        span,
                    });
                }
                Rule::shape => {
                    let span = self.span(&pair);
                    let dims = pair
                        .into_inner()
                        .filter(|p| p.as_rule() == Rule::expr)
                        .map(|p| self.expr(p))
                        .collect::<Result<Vec<_>>>()?;
                    shape = Some(ShapeSpec { dims, span });
                }
                Rule::value_init => {
                    let mut parts = pair.into_inner();
                    next(&mut parts, Rule::assign)?;
                    let part = parts.next().ok_or(Malformed)?;
                    init = Some(match part.as_rule() {
                        Rule::kw_each => DeclInit::Each {
                            keyword: self.span(&part),
                            values: self.expr(next(&mut parts, Rule::expr)?)?,
                        },
                        Rule::expr => DeclInit::Value(self.expr(part)?),
                        _ => return Err(Malformed),
                    });
                }
                Rule::distribution_init => {
                    let mut parts = pair.into_inner();
                    next(&mut parts, Rule::tilde)?;
                    let initializer = next(&mut parts, Rule::initializer)?;
                    let span = self.span(&initializer);
                    let mut parts = initializer.into_inner();
                    let name = self.ident(next(&mut parts, Rule::name)?);
                    let arguments = match parts.next() {
                        Some(pair) => Some(self.arguments(pair)?),
                        None => None,
                    };
                    init = Some(DeclInit::Distribution {
                        name,
                        arguments,
                        span,
                    });
                }
                _ => return Err(Malformed),
            }
        }
        Ok(Declaration {
            kind,
            keyword,
            name,
            shape,
            index,
            init,
        })
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident {
            text: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn arguments(&self, pair: Pair<Rule>) -> Result<Arguments> {
        let span = self.span(&pair);
        let mut items = Vec::new();
        for argument in pair.into_inner().filter(|p| p.as_rule() == Rule::argument) {
            let mut parts = argument.into_inner().peekable();
            let name = match parts.peek().map(|p| p.as_rule()) {
                Some(Rule::name) => {
                    let name = self.ident(parts.next().ok_or(Malformed)?);
                    parts.next(); // `=`
                    Some(name)
                }
                _ => None,
            };
            let value = self.expr(parts.next().ok_or(Malformed)?)?;
            items.push(Argument { name, value });
        }
        Ok(Arguments { items, span })
    }

    /// `expr = term (add_op term)*` and `term = factor (mul_op factor)*`: left-associative chains.
    pub fn expr(&self, pair: Pair<Rule>) -> Result<Expr> {
        let mut parts = pair.into_inner();
        let mut acc = self.operand(parts.next().ok_or(Malformed)?)?;
        while let Some(op) = parts.next() {
            let op_span = self.span(&op);
            let op = match op.as_str() {
                "+" => BinaryOp::Add,
                "-" => BinaryOp::Sub,
                "*" => BinaryOp::Mul,
                "/" => BinaryOp::Div,
                "@" => BinaryOp::MatMul,
                _ => return Err(Malformed),
            };
            let rhs = self.operand(parts.next().ok_or(Malformed)?)?;
            acc = self.binary(op, op_span, acc, rhs)?;
        }
        Ok(acc)
    }

    fn operand(&self, pair: Pair<Rule>) -> Result<Expr> {
        match pair.as_rule() {
            Rule::term => self.expr(pair),
            Rule::factor => {
                let (minus_signs, operand) = self.signed(pair)?;
                self.negate(minus_signs, operand)
            }
            _ => Err(Malformed),
        }
    }

    /// `factor = neg* power` and `exponent = neg* postfix`: the minus signs and the operand, apart.
    fn signed(&self, pair: Pair<Rule>) -> Result<(Vec<Span>, Expr)> {
        let mut minus_signs = Vec::new();
        let mut operand = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::neg => minus_signs.push(self.span(&part)),
                Rule::power => operand = Some(self.power(part)?),
                Rule::postfix => operand = Some(self.postfix(part)?),
                _ => return Err(Malformed),
            }
        }
        Ok((minus_signs, operand.ok_or(Malformed)?))
    }

    fn negate(&self, minus_signs: Vec<Span>, mut expr: Expr) -> Result<Expr> {
        for minus in minus_signs.into_iter().rev() {
            let span = minus.to(expr.span);
            let height = expr.height + 1;
            self.check_height(height, span)?;
            expr = Expr {
                kind: ExprKind::Neg(Box::new(expr)),
                span,
                height,
            };
        }
        Ok(expr)
    }

    /// `power = postfix (^ exponent)*`, right-associative: `2^3^2` is `2^(3^2)`. A minus sign in
    /// an exponent applies to the whole power after it: `2^-3^2` is `2^(-(3^2))`.
    fn power(&self, pair: Pair<Rule>) -> Result<Expr> {
        let mut base = None;
        let mut exponents = Vec::new();
        let mut caret = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::postfix => base = Some(self.postfix(part)?),
                Rule::pow_op => caret = Some(self.span(&part)),
                Rule::exponent => {
                    let (minus_signs, operand) = self.signed(part)?;
                    exponents.push((caret.take().ok_or(Malformed)?, minus_signs, operand));
                }
                _ => return Err(Malformed),
            }
        }
        let base = base.ok_or(Malformed)?;
        let Some((mut caret, minus_signs, operand)) = exponents.pop() else {
            return Ok(base);
        };
        let mut exponent = self.negate(minus_signs, operand)?;
        while let Some((previous_caret, minus_signs, operand)) = exponents.pop() {
            let powered = self.binary(BinaryOp::Pow, caret, operand, exponent)?;
            exponent = self.negate(minus_signs, powered)?;
            caret = previous_caret;
        }
        self.binary(BinaryOp::Pow, caret, base, exponent)
    }

    fn postfix(&self, pair: Pair<Rule>) -> Result<Expr> {
        let mut parts = pair.into_inner();
        let mut expr = self.primary(parts.next().ok_or(Malformed)?)?;
        for part in parts {
            let span = expr.span.to(self.span(&part));
            expr = match part.as_rule() {
                Rule::transpose_op => {
                    let height = expr.height + 1;
                    self.check_height(height, span)?;
                    Expr {
                        kind: ExprKind::Transpose(Box::new(expr)),
                        span,
                        height,
                    }
                }
                Rule::pick => {
                    let index = self.expr(part.into_inner().next().ok_or(Malformed)?)?;
                    let height = 1 + expr.height.max(index.height);
                    self.check_height(height, span)?;
                    Expr {
                        kind: ExprKind::Pick {
                            value: Box::new(expr),
                            index: Box::new(index),
                        },
                        span,
                        height,
                    }
                }
                _ => return Err(Malformed),
            };
        }
        Ok(expr)
    }

    fn primary(&self, pair: Pair<Rule>) -> Result<Expr> {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::number => match parse_decimal(pair.as_str()) {
                Ok(value) => Ok(Expr::leaf(ExprKind::Number(value), span)),
                Err(_) => Err(LowerError::User(
                    Diagnostic::error(Kind::BadNumber, span, phrase::exponent_out_of_range())
                        .with_label(phrase::exponent_out_of_range_label(MAX_DECIMAL_EXPONENT)),
                )),
            },
            Rule::boolean => Ok(Expr::leaf(ExprKind::Bool(pair.as_str() == "true"), span)),
            Rule::name => Ok(Expr::leaf(ExprKind::Name(self.ident(pair)), span)),
            Rule::call => {
                let mut parts = pair.into_inner();
                let function = self.ident(next(&mut parts, Rule::name)?);
                let arguments = self.arguments(next(&mut parts, Rule::arguments)?)?;
                let height = 1 + arguments
                    .items
                    .iter()
                    .map(|a| a.value.height)
                    .max()
                    .unwrap_or(0);
                self.check_height(height, span)?;
                Ok(Expr {
                    kind: ExprKind::Call {
                        function,
                        arguments,
                    },
                    span,
                    height,
                })
            }
            Rule::group => {
                let inner = pair.into_inner().next().ok_or(Malformed)?;
                let mut expr = self.expr(inner)?;
                expr.span = span;
                Ok(expr)
            }
            Rule::array => {
                let elements = pair
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::expr)
                    .map(|p| self.expr(p))
                    .collect::<Result<Vec<_>>>()?;
                let height = 1 + elements.iter().map(|e| e.height).max().unwrap_or(0);
                self.check_height(height, span)?;
                Ok(Expr {
                    kind: ExprKind::Array(elements),
                    span,
                    height,
                })
            }
            _ => Err(Malformed),
        }
    }

    fn binary(&self, op: BinaryOp, op_span: Span, lhs: Expr, rhs: Expr) -> Result<Expr> {
        let span = lhs.span.to(rhs.span);
        let height = 1 + lhs.height.max(rhs.height);
        self.check_height(height, span)?;
        Ok(Expr {
            kind: ExprKind::Binary {
                op,
                op_span,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            span,
            height,
        })
    }

    fn check_height(&self, height: u32, span: Span) -> Result<()> {
        if height > MAX_EXPR_HEIGHT {
            return Err(LowerError::User(
                Diagnostic::error(
                    Kind::TooDeep,
                    span,
                    phrase::chain_too_long(MAX_EXPR_HEIGHT - 1),
                )
                .with_help(phrase::chain_too_long_help()),
            ));
        }
        Ok(())
    }
}

fn next<'i>(pairs: &mut Pairs<'i, Rule>, rule: Rule) -> Result<Pair<'i, Rule>> {
    match pairs.next() {
        Some(pair) if pair.as_rule() == rule => Ok(pair),
        _ => Err(Malformed),
    }
}
