//! The optimizer's step from zero state (the first step), worked through: for SGD one line per
//! parameter, with momentum the velocity first, with Adam both moments, their bias-corrected
//! values and then the parameter, each with its numbers.

use std::collections::HashMap;

use num_rational::BigRational;
use num_traits::{One, Zero};

use crate::eval::exact::{self, Value};
use crate::ir::{DeclId, DeclKind, Optimizer};
use crate::notation::from_graph::name_formula;
use crate::notation::placeholders::Placeholders;
use crate::notation::{Formula, Function, Operator, Symbol};
use crate::tensor::Tensor;

use super::chain::{Because, Chain};
use super::explanation::{
    Detail, Equation, Inputs, LineRule, OptimizerKind, Step, Update, UpdateLine, UpdateSymbols,
    update_symbols,
};
use super::number::{Number, elements};
use super::scalar_passes::worked;

fn scale(a: Formula, b: Formula) -> Formula {
    Formula::binary(Operator::Scale, a, b)
}

fn sub(a: Formula, b: Formula) -> Formula {
    Formula::binary(Operator::Sub, a, b)
}

fn add(a: Formula, b: Formula) -> Formula {
    Formula::binary(Operator::Add, a, b)
}

fn div(a: Formula, b: Formula) -> Formula {
    Formula::binary(Operator::Div, a, b)
}

fn square(a: Formula) -> Formula {
    Formula::Pow(Box::new(a), Box::new(Formula::number(2)))
}

fn updated(f: &Formula) -> Formula {
    match f {
        Formula::Symbol(s) => Formula::Symbol(s.clone().updated()),
        other => other.clone(),
    }
}

fn corrected(f: &Formula) -> Formula {
    match f {
        Formula::Symbol(s) => Formula::Symbol(s.clone().corrected()),
        other => other.clone(),
    }
}

/// The update rule of `optimizer` in the placeholders' names, and its settings.
fn rule_and_settings(
    optimizer: &Optimizer,
    s: &UpdateSymbols,
    digits: usize,
) -> (OptimizerKind, Vec<Equation>, Vec<Equation>) {
    let setting = |lhs: &Formula, value: &BigRational| Equation {
        lhs: lhs.clone(),
        rhs: Number::Exact(value.clone()).written(digits),
    };
    let one = || Formula::number(1);
    match optimizer {
        Optimizer::Sgd { lr, momentum } if momentum.is_zero() => (
            OptimizerKind::Sgd,
            vec![setting(&s.learning_rate, lr)],
            vec![Equation {
                lhs: updated(&s.weight),
                rhs: sub(
                    s.weight.clone(),
                    scale(s.learning_rate.clone(), s.gradient.clone()),
                ),
            }],
        ),
        Optimizer::Sgd { lr, momentum } => (
            OptimizerKind::Momentum,
            vec![
                setting(&s.learning_rate, lr),
                setting(&s.momentum, momentum),
            ],
            vec![
                Equation {
                    lhs: updated(&s.velocity),
                    rhs: add(
                        scale(s.momentum.clone(), s.velocity.clone()),
                        s.gradient.clone(),
                    ),
                },
                Equation {
                    lhs: updated(&s.weight),
                    rhs: sub(
                        s.weight.clone(),
                        scale(s.learning_rate.clone(), updated(&s.velocity)),
                    ),
                },
            ],
        ),
        Optimizer::Adam {
            lr,
            beta1,
            beta2,
            eps,
        } => (
            OptimizerKind::Adam,
            vec![
                setting(&s.learning_rate, lr),
                setting(&s.beta1, beta1),
                setting(&s.beta2, beta2),
                setting(&s.epsilon, eps),
            ],
            vec![
                Equation {
                    lhs: updated(&s.first_moment),
                    rhs: add(
                        scale(s.beta1.clone(), s.first_moment.clone()),
                        scale(sub(one(), s.beta1.clone()), s.gradient.clone()),
                    ),
                },
                Equation {
                    lhs: updated(&s.second_moment),
                    rhs: add(
                        scale(s.beta2.clone(), s.second_moment.clone()),
                        scale(sub(one(), s.beta2.clone()), square(s.gradient.clone())),
                    ),
                },
                Equation {
                    lhs: corrected(&s.first_moment),
                    rhs: div(updated(&s.first_moment), sub(one(), s.beta1.clone())),
                },
                Equation {
                    lhs: corrected(&s.second_moment),
                    rhs: div(updated(&s.second_moment), sub(one(), s.beta2.clone())),
                },
                Equation {
                    lhs: updated(&s.weight),
                    rhs: sub(
                        s.weight.clone(),
                        scale(
                            s.learning_rate.clone(),
                            div(
                                corrected(&s.first_moment),
                                add(
                                    Formula::call(Function::Sqrt, corrected(&s.second_moment)),
                                    s.epsilon.clone(),
                                ),
                            ),
                        ),
                    ),
                },
            ],
        ),
    }
}

/// The update step of the optimizer, from zero optimizer state (the first step), and the
/// parameters after it.
pub(super) fn update(
    inputs: &Inputs,
    detail: Detail,
    placeholders: &Placeholders,
) -> (Option<Update>, Vec<(String, Value)>) {
    let model = inputs.model;
    let digits = inputs.digits;
    let params: Vec<_> = inputs
        .gradient
        .wrt
        .iter()
        .filter(|(decl, _)| model.declaration(*decl).kind == DeclKind::Param)
        .collect();
    if params.is_empty() {
        return (None, Vec::new());
    }
    let symbols = update_symbols(placeholders);
    let (kind, settings, rule) = rule_and_settings(&model.optimizer, &symbols, digits);
    let element_gradients = match (detail, inputs.scalar) {
        (Detail::Scalar, Some(scalar)) => scalar_gradients(inputs, scalar),
        _ => HashMap::new(),
    };

    let mut groups = Vec::new();
    let mut updated = Vec::new();
    // Parameters in the file's order.
    let mut params = params;
    params.sort_by_key(|(decl, _)| decl.index());
    for (decl, gradient_node) in params {
        let declaration = model.declaration(*decl);
        let Some(current) = inputs.declared[decl.index()].as_ref() else {
            continue;
        };
        let Some(gradient) = inputs.values.get(gradient_node.index()).cloned().flatten() else {
            continue;
        };
        let w = elements(current);
        let g: Vec<Number> = elements(&gradient)
            .into_iter()
            .enumerate()
            .map(|(index, n)| element_gradients.get(&(*decl, index)).cloned().unwrap_or(n))
            .collect();
        let steps: Vec<Moments> = w
            .iter()
            .zip(&g)
            .map(|(w, g)| Moments::of(&model.optimizer, w, g))
            .collect();
        let shape = declaration.shape;
        let loss = name_formula(&model.loss.name);
        match detail {
            Detail::Scalar => {
                for (index, moments) in steps.iter().enumerate() {
                    let element = Formula::Symbol(Symbol::element(&declaration.name, shape, index));
                    let gradient = Formula::partial(loss.clone(), element.clone());
                    groups.push(element_lines(
                        &model.optimizer,
                        &symbols,
                        &element,
                        &gradient,
                        (&w[index], &g[index]),
                        moments,
                        digits,
                    ));
                }
            }
            Detail::Vector => {
                let parameter = name_formula(&declaration.name);
                let gradient = Formula::partial(loss.clone(), parameter.clone());
                groups.push(tensor_lines(
                    &model.optimizer,
                    &symbols,
                    &parameter,
                    &gradient,
                    shape,
                    &steps,
                    digits,
                ));
            }
        }
        let new: Vec<Number> = steps.iter().map(|m| m.parameter.clone()).collect();
        updated.push((declaration.name.clone(), value_of(shape, &new)));
    }
    let first_step = first_step(kind, &symbols);
    (
        Some(Update {
            optimizer: kind,
            settings,
            rule,
            groups,
            first_step,
            symbols,
        }),
        updated,
    )
}

/// What the rule becomes on the first step, from zero state: `v⁺ = g` with momentum; with Adam
/// `m̂ = g`, `v̂ = g²` and the step `η·m̂/(√v̂ + ε) = η·g/(|g| + ε)`, about η.
fn first_step(kind: OptimizerKind, s: &UpdateSymbols) -> Vec<Formula> {
    let equals = |a: Formula, b: Formula| Formula::binary(Operator::Equals, a, b);
    match kind {
        OptimizerKind::Sgd => Vec::new(),
        OptimizerKind::Momentum => vec![equals(updated(&s.velocity), s.gradient.clone())],
        OptimizerKind::Adam => vec![
            equals(corrected(&s.first_moment), s.gradient.clone()),
            equals(corrected(&s.second_moment), square(s.gradient.clone())),
            equals(
                scale(
                    s.learning_rate.clone(),
                    div(
                        corrected(&s.first_moment),
                        add(
                            Formula::call(Function::Sqrt, corrected(&s.second_moment)),
                            s.epsilon.clone(),
                        ),
                    ),
                ),
                scale(
                    s.learning_rate.clone(),
                    div(
                        s.gradient.clone(),
                        add(
                            Formula::call(Function::Abs, s.gradient.clone()),
                            s.epsilon.clone(),
                        ),
                    ),
                ),
            ),
        ],
    }
}

/// A tensor of numbers: exact when every one is.
fn value_of(shape: crate::shape::Shape, numbers: &[Number]) -> Value {
    if numbers.iter().all(Number::is_exact) {
        Value::Exact(Tensor::new(
            shape,
            numbers
                .iter()
                .map(|n| match n {
                    Number::Exact(r) => r.clone(),
                    Number::Approx(_) => BigRational::zero(),
                })
                .collect(),
        ))
    } else {
        Value::Approx(Tensor::new(
            shape,
            numbers.iter().map(Number::f64).collect(),
        ))
    }
}

/// The values of one element's first step.
#[derive(Clone, Debug)]
struct Moments {
    velocity: Number,
    first: Number,
    second: Number,
    first_corrected: Number,
    second_corrected: Number,
    parameter: Number,
}

impl Moments {
    fn of(optimizer: &Optimizer, w: &Number, g: &Number) -> Moments {
        let exact = |r: &BigRational| Number::Exact(r.clone());
        let zero = Number::Exact(BigRational::zero());
        let one = Number::Exact(BigRational::one());
        match optimizer {
            Optimizer::Sgd { lr, momentum } => {
                let velocity = exact(momentum).mul(&zero).add(g);
                Moments {
                    parameter: w.sub(&exact(lr).mul(&velocity)),
                    velocity,
                    first: zero.clone(),
                    second: zero.clone(),
                    first_corrected: zero.clone(),
                    second_corrected: zero,
                }
            }
            Optimizer::Adam {
                lr,
                beta1,
                beta2,
                eps,
            } => {
                let first = exact(beta1).mul(&zero).add(&one.sub(&exact(beta1)).mul(g));
                let second = exact(beta2)
                    .mul(&zero)
                    .add(&one.sub(&exact(beta2)).mul(&g.mul(g)));
                let first_corrected = first.div(&one.sub(&exact(beta1)));
                let second_corrected = second.div(&one.sub(&exact(beta2)));
                let denominator = second_corrected.sqrt().add(&exact(eps));
                Moments {
                    parameter: w.sub(&exact(lr).mul(&first_corrected.div(&denominator))),
                    velocity: zero,
                    first,
                    second,
                    first_corrected,
                    second_corrected,
                }
            }
        }
    }
}

/// The lines of one element's update, each with its numbers.
fn element_lines(
    optimizer: &Optimizer,
    s: &UpdateSymbols,
    element: &Formula,
    gradient: &Formula,
    (w, g): (&Number, &Number),
    m: &Moments,
    digits: usize,
) -> Vec<Step> {
    let n = |x: &Number| x.written(digits);
    let exact = |r: &BigRational| Number::Exact(r.clone()).written(digits);
    let zero = || Formula::number(0);
    let one = || Formula::number(1);
    let of = |quantity: Formula| Formula::of(quantity, element.clone());
    let line = |lhs: Formula, definition: Formula, numbers: Formula, value: &Number, part| {
        Step::new(
            worked(
                Chain::of_number(lhs, value).then(Because::Definition, definition),
                numbers,
                value,
                digits,
            ),
            LineRule::Update(part),
        )
    };
    match optimizer {
        Optimizer::Sgd { lr, momentum } if momentum.is_zero() => vec![line(
            updated(element),
            sub(
                element.clone(),
                scale(s.learning_rate.clone(), gradient.clone()),
            ),
            sub(n(w), scale(exact(lr), n(g))),
            &m.parameter,
            UpdateLine::Parameter,
        )],
        Optimizer::Sgd { lr, momentum } => vec![
            line(
                of(updated(&s.velocity)),
                add(
                    scale(s.momentum.clone(), of(s.velocity.clone())),
                    gradient.clone(),
                ),
                add(scale(exact(momentum), zero()), n(g)),
                &m.velocity,
                UpdateLine::Velocity,
            ),
            line(
                updated(element),
                sub(
                    element.clone(),
                    scale(s.learning_rate.clone(), of(updated(&s.velocity))),
                ),
                sub(n(w), scale(exact(lr), n(&m.velocity))),
                &m.parameter,
                UpdateLine::Parameter,
            ),
        ],
        Optimizer::Adam {
            lr,
            beta1,
            beta2,
            eps,
        } => vec![
            line(
                of(updated(&s.first_moment)),
                add(
                    scale(s.beta1.clone(), of(s.first_moment.clone())),
                    scale(sub(one(), s.beta1.clone()), gradient.clone()),
                ),
                add(
                    scale(exact(beta1), zero()),
                    scale(sub(one(), exact(beta1)), n(g)),
                ),
                &m.first,
                UpdateLine::FirstMoment,
            ),
            line(
                of(updated(&s.second_moment)),
                add(
                    scale(s.beta2.clone(), of(s.second_moment.clone())),
                    scale(sub(one(), s.beta2.clone()), square(gradient.clone())),
                ),
                add(
                    scale(exact(beta2), zero()),
                    scale(sub(one(), exact(beta2)), square(n(g))),
                ),
                &m.second,
                UpdateLine::SecondMoment,
            ),
            line(
                of(corrected(&s.first_moment)),
                div(of(updated(&s.first_moment)), sub(one(), s.beta1.clone())),
                div(n(&m.first), sub(one(), exact(beta1))),
                &m.first_corrected,
                UpdateLine::CorrectedFirstMoment,
            ),
            line(
                of(corrected(&s.second_moment)),
                div(of(updated(&s.second_moment)), sub(one(), s.beta2.clone())),
                div(n(&m.second), sub(one(), exact(beta2))),
                &m.second_corrected,
                UpdateLine::CorrectedSecondMoment,
            ),
            line(
                updated(element),
                sub(
                    element.clone(),
                    scale(
                        s.learning_rate.clone(),
                        div(
                            of(corrected(&s.first_moment)),
                            add(
                                Formula::call(Function::Sqrt, of(corrected(&s.second_moment))),
                                s.epsilon.clone(),
                            ),
                        ),
                    ),
                ),
                sub(
                    n(w),
                    scale(
                        exact(lr),
                        div(
                            n(&m.first_corrected),
                            add(
                                Formula::call(Function::Sqrt, n(&m.second_corrected)),
                                exact(eps),
                            ),
                        ),
                    ),
                ),
                &m.parameter,
                UpdateLine::Parameter,
            ),
        ],
    }
}

/// The lines of one parameter's update in vector form: the rule with the parameter's names,
/// and the values.
fn tensor_lines(
    optimizer: &Optimizer,
    s: &UpdateSymbols,
    parameter: &Formula,
    gradient: &Formula,
    shape: crate::shape::Shape,
    steps: &[Moments],
    digits: usize,
) -> Vec<Step> {
    let of = |quantity: Formula| Formula::of(quantity, parameter.clone());
    let one = || Formula::number(1);
    let values =
        |pick: fn(&Moments) -> Number| value_of(shape, &steps.iter().map(pick).collect::<Vec<_>>());
    let line = |lhs: Formula, definition: Formula, value: Value, part| {
        Step::new(
            Chain::of(lhs)
                .then(Because::Definition, definition)
                .tensor(&value, digits),
            LineRule::Update(part),
        )
    };
    let parameter_line = |definition: Formula| {
        line(
            updated(parameter),
            definition,
            values(|m| m.parameter.clone()),
            UpdateLine::Parameter,
        )
    };
    match optimizer {
        Optimizer::Sgd { momentum, .. } if momentum.is_zero() => vec![parameter_line(sub(
            parameter.clone(),
            scale(s.learning_rate.clone(), gradient.clone()),
        ))],
        Optimizer::Sgd { .. } => vec![
            line(
                of(updated(&s.velocity)),
                add(
                    scale(s.momentum.clone(), of(s.velocity.clone())),
                    gradient.clone(),
                ),
                values(|m| m.velocity.clone()),
                UpdateLine::Velocity,
            ),
            parameter_line(sub(
                parameter.clone(),
                scale(s.learning_rate.clone(), of(updated(&s.velocity))),
            )),
        ],
        Optimizer::Adam { .. } => vec![
            line(
                of(updated(&s.first_moment)),
                add(
                    scale(s.beta1.clone(), of(s.first_moment.clone())),
                    scale(sub(one(), s.beta1.clone()), gradient.clone()),
                ),
                values(|m| m.first.clone()),
                UpdateLine::FirstMoment,
            ),
            line(
                of(updated(&s.second_moment)),
                add(
                    scale(s.beta2.clone(), of(s.second_moment.clone())),
                    scale(
                        sub(one(), s.beta2.clone()),
                        Formula::binary(Operator::Hadamard, gradient.clone(), gradient.clone()),
                    ),
                ),
                values(|m| m.second.clone()),
                UpdateLine::SecondMoment,
            ),
            line(
                of(corrected(&s.first_moment)),
                div(of(updated(&s.first_moment)), sub(one(), s.beta1.clone())),
                values(|m| m.first_corrected.clone()),
                UpdateLine::CorrectedFirstMoment,
            ),
            line(
                of(corrected(&s.second_moment)),
                div(of(updated(&s.second_moment)), sub(one(), s.beta2.clone())),
                values(|m| m.second_corrected.clone()),
                UpdateLine::CorrectedSecondMoment,
            ),
            parameter_line(sub(
                parameter.clone(),
                scale(
                    s.learning_rate.clone(),
                    div(
                        of(corrected(&s.first_moment)),
                        add(
                            Formula::call(Function::Sqrt, of(corrected(&s.second_moment))),
                            s.epsilon.clone(),
                        ),
                    ),
                ),
            )),
        ],
    }
}

/// The gradient of each parameter element as the scalar form computes it: exact where that
/// element's arithmetic is (a tensor's value is approximate as a whole once one element is).
fn scalar_gradients(
    inputs: &Inputs,
    scalar: &super::scalar::ScalarDerivation,
) -> HashMap<(DeclId, usize), Number> {
    let leaf_values = scalar.leaf_values(inputs.declared);
    let Ok(values) = exact::evaluate_needed(&scalar.graph, &leaf_values, &scalar.needed()) else {
        return HashMap::new();
    };
    scalar
        .lines
        .iter()
        .filter_map(|line| {
            let element = line.element?;
            let value = values.get(line.node.index())?.as_ref()?;
            Some((element, elements(value).into_iter().next()?))
        })
        .collect()
}
