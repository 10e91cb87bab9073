//! Softmax and log-softmax worked a line at a time, as attention computes a row of its weights
//! and a sequence's classifier a row of its log-probabilities: in the forward pass each line's
//! values (log-softmax by its definition, `z − log(exp(z₁) + …)`), and after the gradient of the
//! result each line's gradient at its inputs by the rule's Jacobian–vector product, with values.

use crate::eval::exact::Value;
use crate::ir::tensor_op::lines as axis_lines;
use crate::ir::{Along, NodeId, Op, TensorOp, Unary};
use crate::notation::from_graph::{Names, name_formula};
use crate::notation::{Formula, Function, Operator, Symbol};
use crate::shape::Shape;

use super::chain::{Because, Chain};
use super::explanation::{BackwardItem, Inputs, LineRule, Step};
use super::number::{Number, elements};
use super::vector_passes::{gradient_of, named};

/// A softmax or log-softmax small enough to work line by line has at most this many elements.
const LINE_ELEMENTS: usize = 36;

/// `A = softmax(Z, axis)` or `P = log_softmax(Z, axis)` of named values (a vector's
/// `log_softmax(z)` is one line): the names and shape, the values of `Z` and of the result,
/// and each line along the axis (offsets, in order).
struct SoftmaxLines {
    along: Along,
    output: Symbol,
    input: Symbol,
    shape: Shape,
    input_node: NodeId,
    input_value: Vec<Number>,
    output_value: Vec<Number>,
    lines: Vec<Vec<usize>>,
}

impl SoftmaxLines {
    fn of(inputs: &Inputs, names: &Names, node: NodeId) -> Option<SoftmaxLines> {
        let graph = &inputs.gradient.graph;
        let (along, z, axis) = match graph[node].op {
            Op::Tensor(TensorOp::Along(along @ (Along::Softmax | Along::LogSoftmax), z, axis)) => {
                (along, z, axis)
            }
            Op::Unary(Unary::LogSoftmax, z) => (Along::LogSoftmax, z, 0),
            _ => return None,
        };
        let (output, input) = named(names, node, z)?;
        let shape = graph[node].shape;
        if shape.size() > LINE_ELEMENTS {
            return None;
        }
        let value = |id: NodeId| inputs.values.get(id.index()).cloned().flatten();
        let (outer, n, inner) = axis_lines(shape, axis)?;
        let lines = (0..outer)
            .flat_map(|o| {
                (0..inner).map(move |t| (0..n).map(|i| (o * n + i) * inner + t).collect())
            })
            .collect();
        Some(SoftmaxLines {
            along,
            output,
            input,
            shape,
            input_node: z,
            input_value: elements(&value(z)?),
            output_value: elements(&value(node)?),
            lines,
        })
    }

    /// A vector's log-softmax: one line, written by the vector's names.
    fn is_vector(&self) -> bool {
        matches!(self.shape, Shape::Vector(_))
    }

    fn element(&self, symbol: &Symbol, index: usize) -> Formula {
        Formula::Symbol(symbol.clone().at(self.shape, index))
    }

    /// The elements of one line of `symbol`, as a list: `[A₁₁, A₁₂, A₁₃]`.
    fn line(&self, line: &[usize], element: impl Fn(usize) -> Formula) -> Formula {
        Formula::Array(line.iter().map(|&e| element(e)).collect())
    }

    /// One line of the input, named: `[Z₁₁, Z₁₂, Z₁₃]`, or the vector's own name.
    fn input_line(&self, line: &[usize]) -> Formula {
        if self.is_vector() {
            Formula::Symbol(self.input.clone())
        } else {
            self.line(line, |e| self.element(&self.input, e))
        }
    }

    fn values(&self, line: &[usize], of: &[Number]) -> Vec<Number> {
        line.iter().map(|&e| of[e].clone()).collect()
    }
}

/// The values of a line as a vector value.
fn line_value(numbers: &[Number]) -> Value {
    super::update::value_of(Shape::Vector(numbers.len()), numbers)
}

/// A list of numbers as they are put into a formula (an exact one exactly: `1/3`).
fn written(numbers: &[Number], digits: usize) -> Formula {
    Formula::Array(numbers.iter().map(|n| n.written(digits)).collect())
}

/// `a + b + …`
fn sum_of(terms: Vec<Formula>) -> Formula {
    terms
        .into_iter()
        .reduce(Formula::plus)
        .unwrap_or_else(|| Formula::number(0))
}

/// `log(exp(z₁) + … + exp(zₙ))` of a line: exactly z₁ for a line of one exact element (the log
/// undoes the exp), else float64, shifted by the largest element as the evaluator computes it.
fn log_sum_exp(line: &[Number]) -> Number {
    match line {
        [only @ Number::Exact(_)] => only.clone(),
        _ => {
            let max = line
                .iter()
                .map(Number::f64)
                .fold(f64::NEG_INFINITY, f64::max);
            let total: f64 = line.iter().map(|x| (x.f64() - max).exp()).sum();
            Number::Approx(max + total.ln())
        }
    }
}

/// Each line of a softmax along an axis, as attention computes a row of its weights:
/// `[A₁₁, A₁₂, A₁₃] = softmax([net_A₁₁, net_A₁₂, net_A₁₃]) = softmax([0.18, 0.27, 0.35]) ≈ …`;
/// each line of a log-softmax by its definition: `[P₁₁, P₁₂] = log_softmax([S₁₁, S₁₂])
/// = [S₁₁, S₁₂] − log(exp(S₁₁) + exp(S₁₂)) = [1, 2] − log(exp(1) + exp(2)) ≈ [1, 2] − 2.31326169
/// ≈ …`. A vector's log-softmax has its one line in the vector form's line of the layer (see
/// [`vector_line`]), not here.
pub(super) fn forward_lines(inputs: &Inputs, names: &Names, node: NodeId) -> Vec<Step> {
    let Some(s) = SoftmaxLines::of(inputs, names, node) else {
        return Vec::new();
    };
    if s.is_vector() {
        return Vec::new();
    }
    s.lines
        .iter()
        .map(|line| {
            let lhs = s.line(line, |e| s.element(&s.output, e));
            Step::new(line_chain(inputs, &s, line, lhs), LineRule::Forward)
        })
        .collect()
}

/// The vector form's line of a layer `l = log_softmax(net_l)` of a vector, worked by the
/// definition: `l = log_softmax(net_l) = net_l − log(exp(net_l₁) + …) = [0.5, 1] − log(exp(0.5)
/// + exp(1)) ≈ [0.5, 1] − 1.47407698 ≈ …`; `None` for any other line.
pub(super) fn vector_line(inputs: &Inputs, names: &Names, node: NodeId) -> Option<Chain> {
    let s = SoftmaxLines::of(inputs, names, node)?;
    let line = s.lines.first().filter(|_| s.is_vector())?;
    Some(line_chain(
        inputs,
        &s,
        line,
        Formula::Symbol(s.output.clone()),
    ))
}

/// The worked chain of one line of `s` whose left-hand side is `lhs`.
fn line_chain(inputs: &Inputs, s: &SoftmaxLines, line: &[usize], lhs: Formula) -> Chain {
    let digits = inputs.digits;
    let z = s.values(line, &s.input_value);
    let value = line_value(&s.values(line, &s.output_value));
    let function = match s.along {
        Along::LogSoftmax => Function::LogSoftmax,
        _ => Function::Softmax,
    };
    let chain = Chain::of(lhs).then(
        Because::Definition,
        Formula::call(function, s.input_line(line)),
    );
    let chain = match s.along {
        Along::LogSoftmax => {
            // z − log(exp(z₁) + … + exp(zₙ))
            let definition = |zs: Formula, elements: Vec<Formula>| {
                let exps = elements
                    .into_iter()
                    .map(|z| Formula::call(Function::Exp, z))
                    .collect();
                Formula::minus(zs, Formula::call(Function::Log, sum_of(exps)))
            };
            let symbols = line.iter().map(|&e| s.element(&s.input, e)).collect();
            let numbers = z.iter().map(|n| n.written(digits)).collect();
            chain
                .then(Because::Definition, definition(s.input_line(line), symbols))
                .then(
                    Because::Substitution,
                    definition(written(&z, digits), numbers),
                )
                .then(
                    Because::TermByTerm,
                    Formula::minus(written(&z, digits), log_sum_exp(&z).written(digits)),
                )
        }
        _ => chain.then(
            Because::Substitution,
            Formula::call(function, written(&z, digits)),
        ),
    };
    chain.tensor(&value, digits)
}

/// After the gradient `∂L/∂A` of a softmax or log-softmax along an axis, each line's gradient at
/// its inputs by the rule's Jacobian–vector product: `A ⊙ (∂L/∂A − sum(∂L/∂A ⊙ A))` for softmax,
/// `∂L/∂P − softmax(Z)·sum(∂L/∂P)` for log-softmax, of the line's elements; then with the
/// values put in and worked out.
pub(super) fn backward_lines(
    inputs: &Inputs,
    names: &Names,
    lhs: &Formula,
    gradient: &Value,
) -> Vec<BackwardItem> {
    let Some(s) = gradient_of(inputs, names, lhs).and_then(|u| SoftmaxLines::of(inputs, names, u))
    else {
        return Vec::new();
    };
    let upstream = elements(gradient);
    // A line's left-hand side is the gradient at its inputs: the whole of it only when the loss
    // depends on the inputs through this operation alone.
    if upstream.len() != s.output_value.len() || s.is_vector() || !only_user(inputs, s.input_node) {
        return Vec::new();
    }
    // The gradient at the inputs, as the backward pass computed it.
    let downstream = inputs
        .gradient
        .adjoint(s.input_node)
        .and_then(|id| inputs.values.get(id.index()).cloned().flatten())
        .map(|v| elements(&v))
        .filter(|v| v.len() == upstream.len());
    let rule = crate::autodiff::Rule::Tensor(crate::ir::TensorKind::Along(s.along));
    s.lines
        .iter()
        .map(|line| {
            let chain = match s.along {
                Along::LogSoftmax => {
                    log_softmax_product(inputs, &s, line, &upstream, downstream.as_deref())
                }
                _ => softmax_product(inputs, &s, line, &upstream),
            };
            BackwardItem::Factor(Step::new(chain, LineRule::Local { rules: vec![rule] }))
        })
        .collect()
}

/// Whether `node`'s value is used by one operation only (so its gradient is what that operation
/// sends it).
fn only_user(inputs: &Inputs, node: NodeId) -> bool {
    let graph = &inputs.gradient.graph;
    graph
        .ids()
        .take(inputs.gradient.forward_len)
        .filter(|&id| graph[id].op.operands().any(|o| o == node))
        .count()
        == 1
}

/// `[∂L/∂net_A₁₁, …] = A ⊙ (∂L/∂A − sum(∂L/∂A ⊙ A))` of one line, with its values.
fn softmax_product(
    inputs: &Inputs,
    s: &SoftmaxLines,
    line: &[usize],
    upstream: &[Number],
) -> Chain {
    let digits = inputs.digits;
    let loss = name_formula(&inputs.model.loss.name);
    let partial = |symbol: &Symbol, e: usize| Formula::partial(loss.clone(), s.element(symbol, e));
    let a = |e: usize| s.element(&s.output, e);
    let jvp = |p: Formula, g: Formula| {
        Formula::binary(
            Operator::Hadamard,
            p.clone(),
            Formula::minus(
                g.clone(),
                Formula::call(Function::Sum, Formula::binary(Operator::Hadamard, g, p)),
            ),
        )
    };
    let symbols = jvp(s.line(line, a), s.line(line, |e| partial(&s.output, e)));
    let dot: f64 = line
        .iter()
        .map(|&e| upstream[e].f64() * s.output_value[e].f64())
        .sum();
    // The values put in, the sum of products worked out.
    let numbers = Formula::binary(
        Operator::Hadamard,
        s.line(line, |e| s.output_value[e].formula(digits)),
        Formula::minus(
            s.line(line, |e| upstream[e].written(digits)),
            Number::Approx(dot).formula(digits),
        ),
    );
    let value: Vec<Number> = line
        .iter()
        .map(|&e| Number::Approx(s.output_value[e].f64() * (upstream[e].f64() - dot)))
        .collect();
    Chain::of(s.line(line, |e| partial(&s.input, e)))
        .then(Because::ChainRule, symbols)
        .then(Because::Substitution, numbers)
        .tensor(&line_value(&value), digits)
}

/// `[∂L/∂S₁₁, …] = [∂L/∂P₁₁, …] − softmax([S₁₁, …])·sum([∂L/∂P₁₁, …])` of one line; the values
/// put in (the upstream gradient exactly where it is exact), then the softmax and the sum
/// worked out, then the line's gradient.
fn log_softmax_product(
    inputs: &Inputs,
    s: &SoftmaxLines,
    line: &[usize],
    upstream: &[Number],
    downstream: Option<&[Number]>,
) -> Chain {
    let digits = inputs.digits;
    let loss = name_formula(&inputs.model.loss.name);
    let partial = |symbol: &Symbol, e: usize| Formula::partial(loss.clone(), s.element(symbol, e));
    let product = |g: Formula, softmax: Formula, total: Formula| {
        Formula::minus(g, Formula::times(softmax, total))
    };
    let g_line = s.line(line, |e| partial(&s.output, e));
    let symbols = product(
        g_line.clone(),
        Formula::call(Function::Softmax, s.input_line(line)),
        Formula::call(Function::Sum, g_line),
    );
    let g = s.values(line, upstream);
    let z = s.values(line, &s.input_value);
    let substituted = product(
        written(&g, digits),
        Formula::call(Function::Softmax, written(&z, digits)),
        Formula::call(Function::Sum, written(&g, digits)),
    );
    let total = g
        .iter()
        .fold(Number::Exact(num_traits::Zero::zero()), |acc, x| acc.add(x));
    // softmax of a line of one element is exactly 1.
    let p: Vec<Number> = if z.len() == 1 {
        vec![Number::Exact(num_traits::One::one())]
    } else {
        let line =
            crate::tensor::Tensor::new(Shape::Vector(z.len()), z.iter().map(Number::f64).collect());
        crate::eval::float::softmax(&line)
            .data()
            .iter()
            .copied()
            .map(Number::Approx)
            .collect()
    };
    let worked = product(
        written(&g, digits),
        written(&p, digits),
        total.written(digits),
    );
    let value: Vec<Number> = match downstream {
        Some(d) => s.values(line, d),
        None => g
            .iter()
            .zip(&p)
            .map(|(g, p)| g.sub(&p.mul(&total)))
            .collect(),
    };
    Chain::of(s.line(line, |e| partial(&s.input, e)))
        .then(Because::ChainRule, symbols)
        .then(Because::Substitution, substituted)
        .then(Because::TermByTerm, worked)
        .tensor(&line_value(&value), digits)
}
