//! The statement of each local derivative rule, as a derivation quotes it before it uses the
//! rule: `d/dz σ(z) = σ(z)(1 − σ(z))`. The variables of a rule are placeholders
//! ([`Placeholders`]), never the file's names; the loss keeps its own name.

use super::placeholders::{Placeholders, Role};
use super::{Formula, Function, Operator, Symbol};
use crate::autodiff::Rule;
use crate::ir::{Along, Binary, Pool, TensorKind, Unary};

/// A rule, stated: where `given` holds, each `lhs = rhs` of `equations`.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub rule: Rule,
    pub given: Vec<Formula>,
    pub equations: Vec<(Formula, Formula)>,
    /// What a symbol of the rule means, when it is not plain arithmetic.
    pub note: Option<RuleNote>,
}

/// The definition a rule's statement needs beside it, for a template to put in words.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleNote {
    /// `relu′(z)` is 1 for z > 0 and 0 otherwise, 0 at the kink z = 0 as frameworks take it.
    ReluPrime { argument: Formula },
    /// `sign(z)` is −1, 0 or 1; abs's derivative at its kink z = 0 is taken to be 0.
    Sign { argument: Formula },
    /// The Kronecker delta: `δᵢⱼ` is 1 when i = j and 0 otherwise; `along_axis` when the rule is
    /// softmax's along one axis, which holds within each line along it (and whose gradients
    /// repeat each line's sum along it). The rule's last
    /// equation, `gradient` (`∂L/∂z`) of `argument`, is its first summed over i by the chain
    /// rule, and its elements add up to 0.
    Kronecker {
        delta: Formula,
        i: Formula,
        j: Formula,
        along_axis: Option<Box<Repeat>>,
        gradient: Box<Formula>,
        argument: Box<Formula>,
    },
    /// Softmax and cross-entropy differentiated as one step; for a target that sums to 1,
    /// `p·sum(y) − y` is `p − y`.
    SoftmaxCrossEntropy { general: Formula, one_hot: Formula },
    /// What the words of an operation on tensors mean: `correlate`, `rot180` and `full_conv`
    /// of a convolution's rule, `argmax_mask` and `upsample` of pooling, `repeat` of a sum
    /// along an axis. Which one, and the formulas its sentence names, in the order it names
    /// them.
    Tensor {
        kind: TensorKind,
        formulas: Vec<Formula>,
    },
}

/// `repeat(v, a, n)`: `v` repeated `n` times along axis `a`, as a gradient along an axis puts
/// each line's sum back in every place of the line.
#[derive(Clone, Debug, PartialEq)]
pub struct Repeat {
    pub call: Formula,
    pub value: Formula,
    pub axis: Formula,
    pub times: Formula,
}

impl Repeat {
    fn stated(names: &Placeholders) -> Repeat {
        let (value, axis, times) = (
            names.formula(Role::Repeated),
            names.formula(Role::Axis),
            names.formula(Role::Times),
        );
        Repeat {
            call: Formula::Apply("repeat", vec![value.clone(), axis.clone(), times.clone()]),
            value,
            axis,
            times,
        }
    }
}

fn equals(a: Formula, b: Formula) -> Formula {
    Formula::equals(a, b)
}

fn sub(a: Formula, b: Formula) -> Formula {
    Formula::minus(a, b)
}

fn add(a: Formula, b: Formula) -> Formula {
    Formula::plus(a, b)
}

fn mul(a: Formula, b: Formula) -> Formula {
    Formula::times(a, b)
}

fn hadamard(a: Formula, b: Formula) -> Formula {
    Formula::binary(Operator::Hadamard, a, b)
}

fn div(a: Formula, b: Formula) -> Formula {
    Formula::over(a, b)
}

fn indexed(base: &Symbol, indices: &[&str]) -> Formula {
    Formula::Symbol(Symbol {
        indices: indices.iter().map(|s| s.to_string()).collect(),
        ..base.clone()
    })
}

/// The statement of `rule` with `names`' placeholders, or `None` for the rules with nothing to
/// state (broadcasting, and the derivatives of step functions, which only gradients contain).
pub fn statement(rule: Rule, loss: &str, names: &Placeholders) -> Option<Statement> {
    let one = || Formula::number(1);
    let z = || names.formula(Role::Argument);
    let d_dz = |f: Formula| Formula::Derivative(names.symbol(Role::Argument), Box::new(f));
    let a = || names.formula(Role::Left);
    let b = || names.formula(Role::Right);
    let p = || names.formula(Role::Probability);
    let y = || names.formula(Role::Target);
    let (i, j) = (names.name(Role::Index), names.name(Role::OtherIndex));
    let e = || Formula::symbol(loss);
    let softmax_z = || equals(p(), Formula::call(Function::Softmax, z()));
    let mut note = None;
    let (given, equations) = match rule {
        Rule::Unary(Unary::Sigmoid) => {
            let s = Formula::call(Function::Sigmoid, z());
            (
                vec![],
                vec![(
                    d_dz(Formula::call(Function::Sigmoid, z())),
                    mul(s.clone(), sub(one(), s)),
                )],
            )
        }
        Rule::Unary(Unary::Tanh) => {
            let t = Formula::call(Function::Tanh, z());
            (
                vec![],
                vec![(
                    d_dz(t.clone()),
                    sub(
                        one(),
                        Formula::Pow(Box::new(t), Box::new(Formula::number(2))),
                    ),
                )],
            )
        }
        Rule::Unary(Unary::Relu) => {
            note = Some(RuleNote::ReluPrime { argument: z() });
            (
                vec![],
                vec![(
                    d_dz(Formula::call(Function::Relu, z())),
                    Formula::call(Function::ReluPrime, z()),
                )],
            )
        }
        Rule::Unary(Unary::Exp) => (
            vec![],
            vec![(
                d_dz(Formula::call(Function::Exp, z())),
                Formula::call(Function::Exp, z()),
            )],
        ),
        Rule::Unary(Unary::Log) => (
            vec![],
            vec![(d_dz(Formula::call(Function::Log, z())), div(one(), z()))],
        ),
        Rule::Unary(Unary::Sqrt) => (
            vec![],
            vec![(
                d_dz(Formula::call(Function::Sqrt, z())),
                div(
                    one(),
                    mul(Formula::number(2), Formula::call(Function::Sqrt, z())),
                ),
            )],
        ),
        Rule::Unary(Unary::Abs) => {
            note = Some(RuleNote::Sign { argument: z() });
            (
                vec![],
                vec![(
                    d_dz(Formula::call(Function::Abs, z())),
                    Formula::call(Function::Sign, z()),
                )],
            )
        }
        Rule::Unary(Unary::Neg) => (
            vec![],
            vec![(d_dz(Formula::Neg(Box::new(z()))), Formula::number(-1))],
        ),
        Rule::Unary(Unary::Softmax) => {
            let p = names.symbol(Role::Probability);
            let zs = names.symbol(Role::Argument);
            let kronecker = Formula::Kronecker(i.into(), j.into());
            note = Some(RuleNote::Kronecker {
                delta: kronecker.clone(),
                i: Formula::symbol(i),
                j: Formula::symbol(j),
                along_axis: None,
                gradient: Box::new(Formula::partial(e(), z())),
                argument: Box::new(z()),
            });
            (
                vec![softmax_z()],
                vec![
                    (
                        Formula::partial(indexed(&p, &[i]), indexed(&zs, &[j])),
                        mul(indexed(&p, &[i]), sub(kronecker, indexed(&p, &[j]))),
                    ),
                    // Summed over i by the chain rule: the product a backward pass computes.
                    (
                        Formula::partial(e(), z()),
                        hadamard(
                            Formula::Symbol(p.clone()),
                            sub(
                                Formula::partial(e(), Formula::Symbol(p.clone())),
                                Formula::call(
                                    Function::Sum,
                                    hadamard(
                                        Formula::partial(e(), Formula::Symbol(p.clone())),
                                        Formula::Symbol(p.clone()),
                                    ),
                                ),
                            ),
                        ),
                    ),
                ],
            )
        }
        Rule::Unary(Unary::LogSoftmax) => {
            let p = names.symbol(Role::Probability);
            let zs = names.symbol(Role::Argument);
            let l = names.symbol(Role::LogProbability);
            let kronecker = Formula::Kronecker(i.into(), j.into());
            note = Some(RuleNote::Kronecker {
                delta: kronecker.clone(),
                i: Formula::symbol(i),
                j: Formula::symbol(j),
                along_axis: None,
                gradient: Box::new(Formula::partial(e(), z())),
                argument: Box::new(z()),
            });
            (
                vec![
                    softmax_z(),
                    equals(
                        Formula::Symbol(l.clone()),
                        Formula::call(Function::LogSoftmax, z()),
                    ),
                ],
                vec![
                    (
                        Formula::partial(indexed(&l, &[i]), indexed(&zs, &[j])),
                        sub(kronecker, indexed(&p, &[j])),
                    ),
                    // Summed over i by the chain rule: the product a backward pass computes.
                    (
                        Formula::partial(e(), z()),
                        sub(
                            Formula::partial(e(), Formula::Symbol(l.clone())),
                            mul(
                                Formula::Symbol(p.clone()),
                                Formula::call(
                                    Function::Sum,
                                    Formula::partial(e(), Formula::Symbol(l.clone())),
                                ),
                            ),
                        ),
                    ),
                ],
            )
        }
        Rule::Unary(f @ (Unary::Mean | Unary::Sum)) => {
            let v = names.symbol(Role::Vector);
            let function = if f == Unary::Mean {
                Function::Mean
            } else {
                Function::Sum
            };
            let value = if f == Unary::Mean {
                div(one(), names.formula(Role::Count))
            } else {
                one()
            };
            (
                vec![],
                vec![(
                    Formula::partial(
                        Formula::call(function, Formula::Symbol(v.clone())),
                        indexed(&v, &[i]),
                    ),
                    value,
                )],
            )
        }
        Rule::Unary(Unary::Transpose) => {
            let (u, w) = (names.formula(Role::Product), names.formula(Role::Matrix));
            (
                vec![equals(u.clone(), Formula::Transpose(Box::new(w.clone())))],
                vec![(
                    Formula::partial(e(), w),
                    Formula::Transpose(Box::new(Formula::partial(e(), u))),
                )],
            )
        }
        Rule::Power => {
            let x = || names.formula(Role::Base);
            let n = || names.formula(Role::Exponent);
            (
                vec![],
                vec![(
                    Formula::Derivative(
                        names.symbol(Role::Base),
                        Box::new(Formula::Pow(Box::new(x()), Box::new(n()))),
                    ),
                    mul(n(), Formula::Pow(Box::new(x()), Box::new(sub(n(), one())))),
                )],
            )
        }
        Rule::Binary(Binary::Add) => (
            vec![],
            vec![
                (Formula::partial(add(a(), b()), a()), one()),
                (Formula::partial(add(a(), b()), b()), one()),
            ],
        ),
        Rule::Binary(Binary::Sub) => (
            vec![],
            vec![
                (Formula::partial(sub(a(), b()), a()), one()),
                (Formula::partial(sub(a(), b()), b()), Formula::number(-1)),
            ],
        ),
        Rule::Binary(Binary::Mul) => (
            vec![],
            vec![
                (Formula::partial(mul(a(), b()), a()), b()),
                (Formula::partial(mul(a(), b()), b()), a()),
            ],
        ),
        Rule::Binary(Binary::Div) => (
            vec![],
            vec![
                (Formula::partial(div(a(), b()), a()), div(one(), b())),
                (
                    Formula::partial(div(a(), b()), b()),
                    Formula::Neg(Box::new(div(
                        a(),
                        Formula::Pow(Box::new(b()), Box::new(Formula::number(2))),
                    ))),
                ),
            ],
        ),
        Rule::Binary(Binary::MatMul) => {
            let u = || names.formula(Role::Product);
            let w = || names.formula(Role::Matrix);
            let x = || names.formula(Role::Operand);
            (
                vec![equals(u(), Formula::binary(Operator::MatMul, w(), x()))],
                vec![
                    (
                        Formula::partial(e(), w()),
                        Formula::binary(
                            Operator::MatMul,
                            Formula::partial(e(), u()),
                            Formula::Transpose(Box::new(x())),
                        ),
                    ),
                    (
                        Formula::partial(e(), x()),
                        Formula::binary(
                            Operator::MatMul,
                            Formula::Transpose(Box::new(w())),
                            Formula::partial(e(), u()),
                        ),
                    ),
                ],
            )
        }
        Rule::SoftmaxCrossEntropy => {
            let l = Formula::Neg(Box::new(Formula::call(
                Function::Sum,
                Formula::binary(Operator::Hadamard, y(), Formula::call(Function::Log, p())),
            )));
            let general = sub(mul(p(), Formula::call(Function::Sum, y())), y());
            note = Some(RuleNote::SoftmaxCrossEntropy {
                general: general.clone(),
                one_hot: sub(p(), y()),
            });
            (
                vec![softmax_z(), equals(e(), l)],
                vec![(Formula::partial(e(), z()), general)],
            )
        }
        Rule::Unary(Unary::BatchMean) => {
            let mu = || names.formula(Role::Mean);
            let v = |example: &str| Formula::Symbol(names.symbol(Role::Vector).of_example(example));
            (
                vec![equals(mu(), Formula::batch_mean(v("i")))],
                vec![(
                    Formula::partial(mu(), v("i")),
                    div(one(), Formula::symbol("m")),
                )],
            )
        }
        Rule::Binary(Binary::SigmoidCrossEntropy) => {
            let l = || names.formula(Role::LogProbability);
            let cross_entropy = Formula::Neg(Box::new(Formula::binary(
                Operator::Add,
                mul(y(), Formula::call(Function::Log, p())),
                mul(
                    sub(one(), y()),
                    Formula::call(Function::Log, sub(one(), p())),
                ),
            )));
            (
                vec![
                    equals(p(), Formula::call(Function::Sigmoid, z())),
                    equals(l(), cross_entropy),
                ],
                vec![(Formula::partial(l(), z()), sub(p(), y()))],
            )
        }
        Rule::SoftmaxClassCrossEntropy => {
            let l = Formula::Neg(Box::new(Formula::call(
                Function::Log,
                Formula::Pick(Box::new(p()), Box::new(y())),
            )));
            (
                vec![softmax_z(), equals(e(), l)],
                vec![(
                    Formula::partial(e(), z()),
                    sub(p(), Formula::call(Function::OneHot, y())),
                )],
            )
        }
        Rule::Tensor(kind) => return tensor_statement(rule, kind, loss, names),
        Rule::Unary(Unary::Step | Unary::Sign)
        | Rule::Binary(Binary::Outer | Binary::Pick | Binary::Concat)
        | Rule::Broadcast => return None,
    };
    Some(Statement {
        rule,
        given,
        equations,
        note,
    })
}

/// The rules of operations on tensors. A convolution's gradients are convolutions: the kernel's
/// is the correlation of the input with the upstream gradient, the input's the full convolution
/// of the upstream gradient with the flipped kernel. Max pooling sends each window's gradient
/// to its first maximum; average pooling shares it equally. Along an axis, each line is a
/// vector, and the vector's rule holds for it.
fn tensor_statement(
    rule: Rule,
    kind: TensorKind,
    loss: &str,
    names: &Placeholders,
) -> Option<Statement> {
    let e = || Formula::symbol(loss);
    let u = || names.formula(Role::Product);
    let x = || names.formula(Role::Operand);
    let k = || names.formula(Role::Count);
    let upstream = || Formula::partial(e(), u());
    let apply = |name: &'static str, arguments: Vec<Formula>| Formula::Apply(name, arguments);
    let note;
    let (given, equations) = match kind {
        TensorKind::Conv => {
            let w = || names.formula(Role::Matrix);
            let flipped = apply("rot180", vec![w()]);
            note = Some(RuleNote::Tensor {
                kind,
                formulas: vec![
                    apply("correlate", vec![x(), upstream()]),
                    upstream(),
                    x(),
                    flipped.clone(),
                    w(),
                    apply("full_conv", vec![upstream(), flipped]),
                ],
            });
            (
                vec![equals(u(), apply("conv2d", vec![x(), w()]))],
                vec![
                    (
                        Formula::partial(e(), w()),
                        apply("correlate", vec![x(), upstream()]),
                    ),
                    (
                        Formula::partial(e(), x()),
                        apply("full_conv", vec![upstream(), apply("rot180", vec![w()])]),
                    ),
                ],
            )
        }
        TensorKind::Pool(Pool::Max) => {
            note = Some(RuleNote::Tensor {
                kind,
                formulas: vec![
                    apply("argmax_mask", vec![x(), k()]),
                    k(),
                    apply("upsample", vec![upstream(), k()]),
                ],
            });
            (
                vec![equals(u(), apply("max_pool", vec![x(), k()]))],
                vec![(
                    Formula::partial(e(), x()),
                    Formula::binary(
                        Operator::Hadamard,
                        apply("argmax_mask", vec![x(), k()]),
                        apply("upsample", vec![upstream(), k()]),
                    ),
                )],
            )
        }
        TensorKind::Pool(Pool::Mean) => {
            note = Some(RuleNote::Tensor {
                kind,
                formulas: vec![apply("upsample", vec![upstream(), k()]), k()],
            });
            (
                vec![equals(u(), apply("avg_pool", vec![x(), k()]))],
                vec![(
                    Formula::partial(e(), x()),
                    div(
                        apply("upsample", vec![upstream(), k()]),
                        Formula::Pow(Box::new(k()), Box::new(Formula::number(2))),
                    ),
                )],
            )
        }
        TensorKind::Along(Along::Sum) => {
            let a = || names.formula(Role::Index);
            note = Some(RuleNote::Tensor {
                kind,
                formulas: vec![apply("repeat", vec![upstream(), a()]), a()],
            });
            (
                vec![equals(u(), apply("sum", vec![x(), a()]))],
                vec![(
                    Formula::partial(e(), x()),
                    apply("repeat", vec![upstream(), a()]),
                )],
            )
        }
        // Each line along the axis is a vector: the vector's rule, line by line.
        TensorKind::Along(along @ (Along::Softmax | Along::LogSoftmax)) => {
            let vector = if along == Along::Softmax {
                Unary::Softmax
            } else {
                Unary::LogSoftmax
            };
            return statement(Rule::Unary(vector), loss, names).map(|s| Statement {
                rule,
                note: match s.note {
                    Some(RuleNote::Kronecker {
                        delta,
                        i,
                        j,
                        gradient,
                        argument,
                        ..
                    }) => Some(RuleNote::Kronecker {
                        delta,
                        i,
                        j,
                        along_axis: Some(Box::new(Repeat::stated(names))),
                        gradient,
                        argument,
                    }),
                    other => other,
                },
                ..s
            });
        }
        // Rearrangements, and what only gradients contain.
        TensorKind::Pool(Pool::ArgMax)
        | TensorKind::Upsample
        | TensorKind::Expand
        | TensorKind::Reshape => return None,
    };
    Some(Statement {
        rule,
        given,
        equations,
        note,
    })
}
