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
use crate::notation::{Formula, Function, Symbol};
use crate::tensor::Tensor;

use super::chain::{Because, Chain};
use super::explanation::{
    Detail, Equation, Inputs, LineRule, OptimizerKind, Step, Update, UpdateLine, UpdateSymbols,
    update_symbols,
};
use super::number::{Number, elements};
use super::scalar_passes::worked;

use Formula as F;

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

/// One line of an update rule: the quantity it defines, its formula, and which line it is.
struct RuleLine {
    lhs: Formula,
    rhs: Formula,
    part: UpdateLine,
}

/// The lines of `optimizer`'s update of the weight `w`, whose gradient is `g`; `of` names a
/// quantity of this weight (`m⁺(W2₁₁)`, or `m⁺` itself in the rule).
fn rule_lines(
    optimizer: &Optimizer,
    s: &UpdateSymbols,
    w: &Formula,
    g: &Formula,
    of: &dyn Fn(Formula) -> Formula,
) -> Vec<RuleLine> {
    let one = || Formula::number(1);
    let line = |lhs: Formula, rhs: Formula, part| RuleLine { lhs, rhs, part };
    let parameter = |step: Formula| {
        line(
            updated(w),
            F::minus(w.clone(), F::times(s.learning_rate.clone(), step)),
            UpdateLine::Parameter,
        )
    };
    match optimizer {
        Optimizer::Sgd { momentum, .. } if momentum.is_zero() => vec![parameter(g.clone())],
        Optimizer::Sgd { .. } => vec![
            line(
                of(updated(&s.velocity)),
                F::plus(
                    F::times(s.momentum.clone(), of(s.velocity.clone())),
                    g.clone(),
                ),
                UpdateLine::Velocity,
            ),
            parameter(of(updated(&s.velocity))),
        ],
        Optimizer::Adam { .. } => {
            // m⁺ = β₁·m + (1 − β₁)·g and v⁺ = β₂·v + (1 − β₂)·g²: a moment's running mean.
            let moment = |moment: &Formula, beta: &Formula, of_g: Formula, part| {
                line(
                    of(updated(moment)),
                    F::plus(
                        F::times(beta.clone(), of(moment.clone())),
                        F::times(F::minus(one(), beta.clone()), of_g),
                    ),
                    part,
                )
            };
            vec![
                moment(
                    &s.first_moment,
                    &s.beta1,
                    g.clone(),
                    UpdateLine::FirstMoment,
                ),
                moment(
                    &s.second_moment,
                    &s.beta2,
                    F::squared(g.clone()),
                    UpdateLine::SecondMoment,
                ),
                line(
                    of(corrected(&s.first_moment)),
                    F::over(
                        of(updated(&s.first_moment)),
                        F::minus(one(), s.beta1.clone()),
                    ),
                    UpdateLine::CorrectedFirstMoment,
                ),
                line(
                    of(corrected(&s.second_moment)),
                    F::over(
                        of(updated(&s.second_moment)),
                        F::minus(one(), s.beta2.clone()),
                    ),
                    UpdateLine::CorrectedSecondMoment,
                ),
                parameter(F::over(
                    of(corrected(&s.first_moment)),
                    F::plus(
                        Formula::call(Function::Sqrt, of(corrected(&s.second_moment))),
                        s.epsilon.clone(),
                    ),
                )),
            ]
        }
    }
}

/// The optimizer's kind and settings (`η = 0.5`).
fn settings(
    optimizer: &Optimizer,
    s: &UpdateSymbols,
    digits: usize,
) -> (OptimizerKind, Vec<Equation>) {
    let setting = |lhs: &Formula, value: &BigRational| Equation {
        lhs: lhs.clone(),
        rhs: Number::Exact(value.clone()).written(digits),
    };
    match optimizer {
        Optimizer::Sgd { lr, momentum } if momentum.is_zero() => {
            (OptimizerKind::Sgd, vec![setting(&s.learning_rate, lr)])
        }
        Optimizer::Sgd { lr, momentum } => (
            OptimizerKind::Momentum,
            vec![
                setting(&s.learning_rate, lr),
                setting(&s.momentum, momentum),
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
    let (kind, settings) = settings(&model.optimizer, &symbols, digits);
    let rule = rule_lines(
        &model.optimizer,
        &symbols,
        &symbols.weight,
        &symbols.gradient,
        &|quantity| quantity,
    )
    .into_iter()
    .map(|line| Equation {
        lhs: line.lhs,
        rhs: line.rhs,
    })
    .collect();
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
            .map(|(w, g)| Moments::first_step(&model.optimizer, w, g))
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
    let equals = F::equals;
    match kind {
        OptimizerKind::Sgd => Vec::new(),
        OptimizerKind::Momentum => vec![equals(updated(&s.velocity), s.gradient.clone())],
        OptimizerKind::Adam => vec![
            equals(corrected(&s.first_moment), s.gradient.clone()),
            equals(corrected(&s.second_moment), F::squared(s.gradient.clone())),
            equals(
                F::times(
                    s.learning_rate.clone(),
                    F::over(
                        corrected(&s.first_moment),
                        F::plus(
                            Formula::call(Function::Sqrt, corrected(&s.second_moment)),
                            s.epsilon.clone(),
                        ),
                    ),
                ),
                F::times(
                    s.learning_rate.clone(),
                    F::over(
                        s.gradient.clone(),
                        F::plus(
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
pub(super) fn value_of(shape: crate::shape::Shape, numbers: &[Number]) -> Value {
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
    /// The value a line of the update computes.
    fn of(&self, part: UpdateLine) -> &Number {
        match part {
            UpdateLine::Velocity => &self.velocity,
            UpdateLine::FirstMoment => &self.first,
            UpdateLine::SecondMoment => &self.second,
            UpdateLine::CorrectedFirstMoment => &self.first_corrected,
            UpdateLine::CorrectedSecondMoment => &self.second_corrected,
            UpdateLine::Parameter => &self.parameter,
        }
    }

    fn first_step(optimizer: &Optimizer, w: &Number, g: &Number) -> Moments {
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

/// The lines of one element's update, each with its numbers: the rule's formula, then the
/// same with the values put in (the settings, the gradient, zero state, the lines above).
fn element_lines(
    optimizer: &Optimizer,
    s: &UpdateSymbols,
    element: &Formula,
    gradient: &Formula,
    (w, g): (&Number, &Number),
    m: &Moments,
    digits: usize,
) -> Vec<Step> {
    let of = |quantity: Formula| Formula::of(quantity, element.clone());
    let n = |x: &Number| x.written(digits);
    let exact = |r: &BigRational| Number::Exact(r.clone()).written(digits);
    let zero = Formula::number(0);
    let mut values: Vec<(Formula, Formula)> = vec![
        (element.clone(), n(w)),
        (gradient.clone(), n(g)),
        (of(s.velocity.clone()), zero.clone()),
        (of(s.first_moment.clone()), zero.clone()),
        (of(s.second_moment.clone()), zero),
        (of(updated(&s.velocity)), n(&m.velocity)),
        (of(updated(&s.first_moment)), n(&m.first)),
        (of(updated(&s.second_moment)), n(&m.second)),
        (of(corrected(&s.first_moment)), n(&m.first_corrected)),
        (of(corrected(&s.second_moment)), n(&m.second_corrected)),
    ];
    match optimizer {
        Optimizer::Sgd { lr, momentum } => {
            values.push((s.learning_rate.clone(), exact(lr)));
            values.push((s.momentum.clone(), exact(momentum)));
        }
        Optimizer::Adam {
            lr,
            beta1,
            beta2,
            eps,
        } => {
            values.push((s.learning_rate.clone(), exact(lr)));
            values.push((s.beta1.clone(), exact(beta1)));
            values.push((s.beta2.clone(), exact(beta2)));
            values.push((s.epsilon.clone(), exact(eps)));
        }
    }
    let put_in = |formula: &Formula| {
        crate::notation::simplify::replace(formula, &|part| {
            values
                .iter()
                .find(|(name, _)| name == part)
                .map(|(_, value)| value.clone())
        })
    };
    rule_lines(optimizer, s, element, gradient, &of)
        .into_iter()
        .map(|line| {
            let value = m.of(line.part);
            Step::new(
                worked(
                    Chain::of_number(line.lhs, value).then(Because::Definition, line.rhs.clone()),
                    put_in(&line.rhs),
                    value,
                    digits,
                ),
                LineRule::Update(line.part),
            )
        })
        .collect()
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
    rule_lines(optimizer, s, parameter, gradient, &of)
        .into_iter()
        .map(|line| {
            let numbers: Vec<Number> = steps.iter().map(|m| m.of(line.part).clone()).collect();
            Step::new(
                Chain::of(line.lhs)
                    .then(Because::Definition, line.rhs)
                    .tensor(&value_of(shape, &numbers), digits),
                LineRule::Update(line.part),
            )
        })
        .collect()
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
