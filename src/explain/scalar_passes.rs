//! The worked step element by element: every named element's value in the forward pass, the
//! loss term by term, and in the backward pass each local derivative on a line of its own the
//! first time it is used, before the chain-rule product that uses it.

use crate::eval::exact;
use crate::ir::{Binary, NodeId, Op, Unary};
use crate::notation::from_graph::{Names, definition, formula, name_formula};
use crate::notation::{Formula, Function, simplify};

use super::chain::{Because, Chain};
use super::explanation::{BackwardItem, Inputs, Kink, LineRule, Note, Passes, Step, note_rules};
use super::number::{Number, elements};
use super::scalar::ScalarDerivation;

/// The passes element by element; `loss_definition` is the loss as the file writes it (over
/// whole tensors), the first stage of the loss's line.
pub(super) fn passes(
    inputs: &Inputs,
    scalar: &ScalarDerivation,
    loss_definition: &Formula,
) -> Passes {
    let digits = inputs.digits;
    let graph = &scalar.graph;
    let leaf_values = scalar.leaf_values(inputs.declared);
    let values = exact::evaluate_needed(graph, &leaf_values, &scalar.needed()).unwrap_or_default();
    let number = |id: NodeId| {
        values
            .get(id.index())
            .and_then(Option::as_ref)
            .and_then(|v| elements(v).into_iter().next())
    };

    // Named elements written by name in formulas, by value in substitutions.
    let mut by_name = Names::default();
    let mut by_value = Names::default();
    for (&id, name) in &scalar.named {
        by_name.insert(id, name.clone());
        if let Some(n) = number(id) {
            by_value.insert(id, n.written(digits));
        }
    }
    for &(log_p, p) in &scalar.logs_of_probabilities {
        if let Some(name) = scalar.named.get(&p) {
            by_name.insert(log_p, Formula::call(Function::Log, name.clone()));
        }
        if let Some(n) = number(p) {
            by_value.insert(log_p, Formula::call(Function::Log, n.written(digits)));
        }
    }
    let loss = scalar.loss_node;
    // Each named element's symbol with its written value, for formulas built outside the graph.
    let values_of_names: Vec<(Formula, Formula)> = scalar
        .named
        .iter()
        .filter_map(|(id, name)| Some((name.clone(), by_value.get(*id)?.clone())))
        .chain(
            scalar
                .logs_of_probabilities
                .iter()
                .filter_map(|&(log_p, _)| {
                    Some((by_name.get(log_p)?.clone(), by_value.get(log_p)?.clone()))
                }),
        )
        .collect();

    // Forward pass.
    let mut forward = Vec::new();
    let mut kinks: Vec<(Formula, Kink)> = Vec::new();
    let mut ordered: Vec<NodeId> = scalar.named.keys().copied().collect();
    ordered.sort();
    for id in ordered {
        if matches!(graph[id].op, Op::Var(_) | Op::Literal(_))
            || id == loss
            || !scalar.feeds_loss(id)
        {
            continue;
        }
        let Some(value) = number(id) else { continue };
        if let Op::Unary(f @ (Unary::Relu | Unary::Abs), argument) = graph[id].op
            && number(argument).is_some_and(|n| n.f64() == 0.0)
        {
            let kink = if f == Unary::Relu {
                Kink::Relu
            } else {
                Kink::Abs
            };
            kinks.push((formula(graph, &by_name, argument), kink));
        }
        let lhs = scalar.named[&id].clone();
        let chain = worked(
            Chain::of_number(lhs, &value)
                .then(Because::Definition, definition(graph, &by_name, id)),
            definition(graph, &by_value, id),
            &value,
            digits,
        );
        forward.push(with_approximation_note(Step::new(chain, LineRule::Forward)));
    }

    // The loss, with a one-hot target's zero terms dropped, then term by term.
    let loss_value = number(loss).unwrap_or(Number::Exact(num_traits::Zero::zero()));
    let loss_name = name_formula(&inputs.model.loss.name);
    let symbolic = definition(graph, &by_name, loss);
    // The file's formula first (`E = mean((o − y)²)`), then element by element
    // (`= (o₁ − y₁)²`), so that a mean of one value or a sum written out is a step of its own.
    let mut builder = Chain::of_number(loss_name, &loss_value)
        .then(Because::Definition, loss_definition.clone())
        .then(Because::ElementByElement, symbolic.clone());
    let known = known_targets(inputs, scalar, &number);
    let simplified = simplify::with_known(&symbolic, &|symbol| {
        known
            .iter()
            .find(|(name, _)| name == &Formula::Symbol(symbol.clone()))
            .map(|(_, value)| value.clone())
    });
    let substituted = if simplified != symbolic && !known.is_empty() {
        builder = builder.then(Because::KnownValues, simplified.clone());
        substitute(&simplified, &values_of_names)
    } else {
        definition(graph, &by_value, loss)
    };
    builder = builder.then(Because::Substitution, substituted);
    let terms = sum_terms(graph, loss);
    if terms.len() > 1 && simplified == symbolic {
        let term_values: Option<Vec<Formula>> = terms
            .iter()
            .map(|t| number(*t).map(|n| n.written(digits)))
            .collect();
        if let Some(term_values) = term_values {
            builder = builder.then(Because::TermByTerm, Formula::Sum(term_values));
        }
    }
    let loss_step = with_approximation_note(Step::new(
        finish(builder, &loss_value, digits),
        LineRule::Loss,
    ));

    // Backward pass.
    let local_step = |factor: &super::scalar::Factor, value: &Number| {
        let substituted = formula(graph, &by_value, factor.node);
        let mut step = factor_step(factor, value, substituted, &values_of_names, digits);
        step.notes.extend(kink_notes(&kinks, factor));
        step
    };
    let mut backward = Vec::new();
    let mut rules_used = Vec::new();
    let mut shown: Vec<Formula> = Vec::new();
    for line in &scalar.lines {
        for factor in line.terms.iter().flatten() {
            let refers_to_a_line = matches!(factor.expression, Formula::Partial(..));
            if refers_to_a_line || factor.symbolic == line.lhs || shown.contains(&factor.symbolic) {
                continue;
            }
            let Some(value) = number(factor.node) else {
                continue;
            };
            shown.push(factor.symbolic.clone());
            note_rules(&mut rules_used, &factor.rules);
            backward.push(BackwardItem::Factor(local_step(factor, &value)));
        }
        let Some(value) = number(line.node) else {
            continue;
        };
        let factors: Vec<_> = line.terms.iter().flatten().collect();
        if let [factor] = factors.as_slice()
            && factor.symbolic == line.lhs
        {
            // A value the loss uses directly: its gradient is its local derivative, worked out.
            note_rules(&mut rules_used, &factor.rules);
            backward.push(BackwardItem::Gradient(local_step(factor, &value)));
            continue;
        }
        let (chain, _) = line.chain_and_product();
        let rule = if line.terms.len() > 1 {
            LineRule::ChainRuleSum
        } else {
            LineRule::ChainRule
        };
        let mut builder =
            Chain::of_number(line.lhs.clone(), &value).then(Because::ChainRule, chain);
        if factors.len() > 1
            && let Some(numbers) =
                sum_of_products(line, |node| number(node).map(|n| n.written(digits)))
        {
            builder = builder.then(Because::Substitution, numbers);
        }
        backward.push(BackwardItem::Gradient(Step::new(
            finish(builder, &value, digits),
            rule,
        )));
    }
    Passes {
        forward,
        loss: loss_step,
        backward,
        rules: rules_used,
    }
}

/// A local derivative's line: the chain rule inside its expression (when that says more than
/// the result), the result, the values put in, and the value.
fn factor_step(
    factor: &super::scalar::Factor,
    value: &Number,
    substituted: Formula,
    values: &[(Formula, Formula)],
    digits: usize,
) -> Step {
    let mut builder = Chain::of_number(factor.symbolic.clone(), value);
    let substituted = match &factor.expanded {
        Some(expanded) if !same_written(expanded, &factor.expression) => {
            builder = builder.then(Because::LocalRules, expanded.clone());
            // The simplified form, when it is short or much shorter; else the values go into
            // the expansion (the simplifier's form of a long expression is no easier to read).
            let shorter = size(&factor.expression);
            if shorter <= SHORT_FORMULA || 2 * shorter <= size(expanded) {
                builder = builder.then(Because::Simplification, factor.expression.clone());
                substituted
            } else {
                substitute(expanded, values)
            }
        }
        _ => {
            builder = builder.then(Because::LocalRules, factor.expression.clone());
            substituted
        }
    };
    Step::new(
        worked(builder, substituted, value, digits),
        LineRule::Local {
            rules: factor.rules.clone(),
        },
    )
}

/// A formula of at most this many parts reads at a glance (`o₁(1 − o₁)` has five).
const SHORT_FORMULA: usize = 12;

/// How many parts a formula has: a measure of how much a reader reads.
fn size(formula: &Formula) -> usize {
    let mut count = 0;
    let mut pending = vec![formula];
    while let Some(f) = pending.pop() {
        count += 1;
        pending.extend(f.parts());
    }
    count
}

/// Whether two formulas are the same product (or sum) written two ways: `Product[a, b]` and
/// `a·b`.
fn same_written(a: &Formula, b: &Formula) -> bool {
    fn factors(f: &Formula, out: &mut Vec<Formula>) {
        match f {
            Formula::Product(items) => items.iter().for_each(|item| factors(item, out)),
            Formula::Binary(crate::notation::Operator::Scale, x, y) => {
                factors(x, out);
                factors(y, out);
            }
            other => out.push(other.clone()),
        }
    }
    let (mut left, mut right) = (Vec::new(), Vec::new());
    factors(a, &mut left);
    factors(b, &mut right);
    left == right
}

/// The kink notes that belong beside the line of `factor`: those whose argument the factor's
/// formula takes relu′ or sign of.
fn kink_notes(kinks: &[(Formula, Kink)], factor: &super::scalar::Factor) -> Vec<Note> {
    kinks
        .iter()
        .filter(|(argument, kink)| {
            let function = match kink {
                Kink::Relu => Function::ReluPrime,
                Kink::Abs => Function::Sign,
            };
            let call = Formula::call(function, argument.clone());
            contains(&factor.expression, &call)
                || factor.expanded.as_ref().is_some_and(|e| contains(e, &call))
        })
        .map(|(argument, kink)| Note::Kink {
            argument: argument.clone(),
            function: *kink,
        })
        .collect()
}

fn contains(formula: &Formula, part: &Formula) -> bool {
    let mut pending = vec![formula];
    while let Some(f) = pending.pop() {
        if f == part {
            return true;
        }
        pending.extend(f.parts());
    }
    false
}

/// A line that is approximate although computed from exact numbers says why, beside it.
pub(super) fn with_approximation_note(mut step: Step) -> Step {
    if let Some(expression) = step.chain.first_approximation() {
        step.notes.push(Note::NoExactValue(expression.clone()));
    }
    step
}

/// `builder` continued with the numbers put in, the exact fraction of a computed result
/// (`151/400 = 0.3775`), and the value.
pub(super) fn worked(
    builder: super::chain::ChainBuilder,
    substituted: Formula,
    value: &Number,
    digits: usize,
) -> Chain {
    let computed = !matches!(substituted, Formula::Decimal(_) | Formula::Number(_));
    let builder = builder.then(Because::Substitution, substituted);
    fraction_and_value(builder, value, digits, computed)
}

/// `builder` ended with the exact fraction (when it says more than the decimal) and the value.
fn finish(builder: super::chain::ChainBuilder, value: &Number, digits: usize) -> Chain {
    fraction_and_value(builder, value, digits, true)
}

fn fraction_and_value(
    mut builder: super::chain::ChainBuilder,
    value: &Number,
    digits: usize,
    computed: bool,
) -> Chain {
    // The exact fraction of a computed result (151/400 = 0.3775), not of a value merely named
    // (W2₁₁ = 0.4, not 2/5 = 0.4), unless its decimals do not end.
    if let Some(fraction) = value.fraction()
        && (computed || value.decimal(digits).rounded)
        && Formula::Decimal(value.decimal(digits)) != fraction
    {
        builder = builder.then(Because::Arithmetic, fraction);
    }
    builder.value(value, digits)
}

/// The target's elements with exact values, when the loss is a cross-entropy against a target
/// with a zero somewhere: those zeros cancel terms of the loss.
fn known_targets(
    inputs: &Inputs,
    scalar: &ScalarDerivation,
    number: &dyn Fn(NodeId) -> Option<Number>,
) -> Vec<(Formula, num_rational::BigRational)> {
    let _ = inputs;
    let Some(target) = &scalar.fused_target else {
        return Vec::new();
    };
    let known: Vec<(Formula, num_rational::BigRational)> = target
        .iter()
        .filter_map(|&y| match number(y)? {
            Number::Exact(r) => Some((scalar.named.get(&y)?.clone(), r)),
            Number::Approx(_) => None,
        })
        .collect();
    let has_zero = known.iter().any(|(_, r)| num_traits::Zero::is_zero(r));
    if known.len() == target.len() && has_zero {
        known
    } else {
        Vec::new()
    }
}

/// `formula` with each of `values`' names replaced by its value.
fn substitute(formula: &Formula, values: &[(Formula, Formula)]) -> Formula {
    simplify::replace(formula, &|part| {
        values
            .iter()
            .find(|(name, _)| name == part)
            .map(|(_, value)| value.clone())
    })
}

/// The top-level terms of a sum node (`a + b + c`), or the node alone.
fn sum_terms(graph: &crate::ir::Graph, node: NodeId) -> Vec<NodeId> {
    let mut terms = Vec::new();
    let mut current = node;
    while let Op::Binary(Binary::Add, rest, last) = graph[current].op {
        terms.push(last);
        current = rest;
    }
    terms.push(current);
    terms.reverse();
    terms
}

fn sum_of_products(
    line: &super::scalar::ScalarLine,
    value: impl Fn(NodeId) -> Option<Formula>,
) -> Option<Formula> {
    let mut terms = Vec::new();
    for factors in &line.terms {
        let numbers: Option<Vec<Formula>> = factors.iter().map(|f| value(f.node)).collect();
        let numbers = numbers?;
        terms.push(if numbers.len() == 1 {
            numbers.into_iter().next()?
        } else {
            Formula::Product(numbers)
        });
    }
    Some(if terms.len() == 1 {
        terms.into_iter().next()?
    } else {
        Formula::Sum(terms)
    })
}
