//! The statement of each local derivative rule, as a derivation quotes it the first time it uses
//! the rule: `d/dz σ(z) = σ(z)(1 − σ(z))`.

use super::{Formula, Function, Operator, Symbol};
use crate::autodiff::Rule;
use crate::ir::{Binary, Unary};

/// A rule, stated: where `given` holds, each `lhs = rhs` of `equations`.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub rule: Rule,
    pub given: Vec<Formula>,
    pub equations: Vec<(Formula, Formula)>,
}

fn equals(a: Formula, b: Formula) -> Formula {
    Formula::binary(Operator::Equals, a, b)
}

fn z() -> Formula {
    Formula::symbol("z")
}

fn d_dz(f: Function) -> Formula {
    Formula::Derivative(Symbol::plain("z"), Box::new(Formula::call(f, z())))
}

fn sub(a: Formula, b: Formula) -> Formula {
    Formula::binary(Operator::Sub, a, b)
}

fn mul(a: Formula, b: Formula) -> Formula {
    Formula::binary(Operator::Scale, a, b)
}

fn div(a: Formula, b: Formula) -> Formula {
    Formula::binary(Operator::Div, a, b)
}

fn indexed(name: &str, indices: &[&str]) -> Formula {
    Formula::Symbol(Symbol {
        indices: indices.iter().map(|s| s.to_string()).collect(),
        ..Symbol::plain(name)
    })
}

/// The statement of `rule`, or `None` for the rules too plain to state (sums, differences,
/// negation, transposition, broadcasting).
pub fn statement(rule: Rule, loss: &str) -> Option<Statement> {
    let one = || Formula::number(1);
    let p = || Formula::symbol("p");
    let softmax_z = || equals(p(), Formula::call(Function::Softmax, z()));
    let (given, equations) = match rule {
        Rule::Unary(Unary::Sigmoid) => {
            let s = Formula::call(Function::Sigmoid, z());
            (
                vec![],
                vec![(d_dz(Function::Sigmoid), mul(s.clone(), sub(one(), s)))],
            )
        }
        Rule::Unary(Unary::Tanh) => {
            let t = Formula::call(Function::Tanh, z());
            (
                vec![],
                vec![(
                    d_dz(Function::Tanh),
                    sub(
                        one(),
                        Formula::Pow(Box::new(t), Box::new(Formula::number(2))),
                    ),
                )],
            )
        }
        Rule::Unary(Unary::Relu) => (
            vec![],
            vec![(
                d_dz(Function::Relu),
                Formula::call(Function::ReluPrime, z()),
            )],
        ),
        Rule::Unary(Unary::Exp) => (
            vec![],
            vec![(d_dz(Function::Exp), Formula::call(Function::Exp, z()))],
        ),
        Rule::Unary(Unary::Log) => (vec![], vec![(d_dz(Function::Log), div(one(), z()))]),
        Rule::Unary(Unary::Sqrt) => (
            vec![],
            vec![(
                d_dz(Function::Sqrt),
                div(
                    one(),
                    mul(Formula::number(2), Formula::call(Function::Sqrt, z())),
                ),
            )],
        ),
        Rule::Unary(Unary::Abs) => (
            vec![],
            vec![(d_dz(Function::Abs), Formula::call(Function::Sign, z()))],
        ),
        Rule::Unary(Unary::Softmax) => (
            vec![softmax_z()],
            vec![(
                Formula::partial(indexed("p", &["i"]), indexed("z", &["j"])),
                mul(
                    indexed("p", &["i"]),
                    sub(
                        Formula::Kronecker("i".into(), "j".into()),
                        indexed("p", &["j"]),
                    ),
                ),
            )],
        ),
        Rule::Unary(Unary::LogSoftmax) => (
            vec![
                softmax_z(),
                equals(
                    Formula::symbol("ℓ"),
                    Formula::call(Function::LogSoftmax, z()),
                ),
            ],
            vec![(
                Formula::partial(indexed("ℓ", &["i"]), indexed("z", &["j"])),
                sub(
                    Formula::Kronecker("i".into(), "j".into()),
                    indexed("p", &["j"]),
                ),
            )],
        ),
        Rule::Unary(Unary::Mean) => (
            vec![],
            vec![(
                Formula::partial(
                    Formula::call(Function::Mean, Formula::symbol("v")),
                    indexed("v", &["i"]),
                ),
                div(one(), Formula::symbol("n")),
            )],
        ),
        Rule::Unary(Unary::Sum) => (
            vec![],
            vec![(
                Formula::partial(
                    Formula::call(Function::Sum, Formula::symbol("v")),
                    indexed("v", &["i"]),
                ),
                one(),
            )],
        ),
        Rule::Power => {
            let x = || Formula::symbol("x");
            let n = || Formula::symbol("n");
            (
                vec![],
                vec![(
                    Formula::Derivative(
                        Symbol::plain("x"),
                        Box::new(Formula::Pow(Box::new(x()), Box::new(n()))),
                    ),
                    mul(n(), Formula::Pow(Box::new(x()), Box::new(sub(n(), one())))),
                )],
            )
        }
        Rule::Binary(Binary::Mul) => (
            vec![],
            vec![(
                Formula::partial(
                    mul(Formula::symbol("a"), Formula::symbol("b")),
                    Formula::symbol("a"),
                ),
                Formula::symbol("b"),
            )],
        ),
        Rule::Binary(Binary::Div) => {
            let a = || Formula::symbol("a");
            let b = || Formula::symbol("b");
            (
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
            )
        }
        Rule::Binary(Binary::MatMul) => {
            let u = || Formula::symbol("u");
            let w = || Formula::symbol("W");
            let x = || Formula::symbol("x");
            let e = || Formula::symbol(loss);
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
        Rule::Unary(Unary::BatchMean) => {
            let mu = || Formula::symbol("μ");
            let v = |example: &str| Formula::Symbol(Symbol::plain("v").of_example(example));
            (
                vec![equals(mu(), Formula::batch_mean(v("i")))],
                vec![(
                    Formula::partial(mu(), v("i")),
                    div(one(), Formula::symbol("m")),
                )],
            )
        }
        Rule::Binary(Binary::SigmoidCrossEntropy) => {
            let y = || Formula::symbol("y");
            let l = Formula::Neg(Box::new(Formula::binary(
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
                    equals(Formula::symbol("ℓ"), l),
                ],
                vec![(Formula::partial(Formula::symbol("ℓ"), z()), sub(p(), y()))],
            )
        }
        Rule::SoftmaxCrossEntropy => {
            let y = || Formula::symbol("y");
            let l = Formula::Neg(Box::new(Formula::call(
                Function::Sum,
                Formula::binary(Operator::Hadamard, y(), Formula::call(Function::Log, p())),
            )));
            (
                vec![softmax_z(), equals(Formula::symbol(loss), l)],
                vec![(
                    Formula::partial(Formula::symbol(loss), z()),
                    sub(mul(p(), Formula::call(Function::Sum, y())), y()),
                )],
            )
        }
        Rule::SoftmaxClassCrossEntropy => {
            let y = || Formula::symbol("y");
            let l = Formula::Neg(Box::new(Formula::call(
                Function::Log,
                Formula::Pick(Box::new(p()), Box::new(y())),
            )));
            (
                vec![softmax_z(), equals(Formula::symbol(loss), l)],
                vec![(
                    Formula::partial(Formula::symbol(loss), z()),
                    sub(p(), Formula::call(Function::OneHot, y())),
                )],
            )
        }
        Rule::Unary(Unary::Neg | Unary::Transpose | Unary::Step | Unary::Sign)
        | Rule::Binary(Binary::Add | Binary::Sub | Binary::Outer | Binary::Pick | Binary::Concat)
        | Rule::Broadcast => return None,
    };
    Some(Statement {
        rule,
        given,
        equations,
    })
}
