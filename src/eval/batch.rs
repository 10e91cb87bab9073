//! Evaluating the graph on a batch of examples.
//!
//! A node that differs from example to example (it depends on an input or a target) has one
//! value per example; every other node has one value shared by all of them, computed once. An
//! operation on a shared and a per-example operand applies the shared value in every example;
//! `batch_mean` averages a per-example value into a shared one, and `BatchSize` is m.
//!
//! The same walk serves both arithmetics: exact with a float fallback ([`Exact`]), and float64
//! ([`Float`]). A file of one example is the batch of m = 1, where every value is shared.

use num_rational::BigRational;

use super::EvalError;
use super::exact::Value;
use crate::ir::{Graph, NodeId, Op, Unary};
use crate::tensor::Tensor;

/// A node's values over a batch.
#[derive(Clone, Debug, PartialEq)]
pub enum Batched<T> {
    /// One value, the same in every example.
    Shared(T),
    /// A value per example, in the order of the batch.
    Each(Vec<T>),
}

impl<T> Batched<T> {
    /// The value in example `i` (counted from 0).
    pub fn example(&self, i: usize) -> Option<&T> {
        match self {
            Batched::Shared(value) => Some(value),
            Batched::Each(values) => values.get(i),
        }
    }

    /// The shared value; `None` for a value that differs between examples.
    pub fn shared(&self) -> Option<&T> {
        match self {
            Batched::Shared(value) => Some(value),
            Batched::Each(_) => None,
        }
    }

    /// Every value: the shared one once, or each example's.
    pub fn values(&self) -> &[T] {
        match self {
            Batched::Shared(value) => std::slice::from_ref(value),
            Batched::Each(values) => values,
        }
    }

    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> Batched<U> {
        match self {
            Batched::Shared(value) => Batched::Shared(f(value)),
            Batched::Each(values) => Batched::Each(values.iter().map(f).collect()),
        }
    }
}

/// Why evaluation stopped: the error at its node, and the example it happened in (`None` for a
/// shared value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchError {
    pub error: EvalError,
    pub example: Option<usize>,
}

/// An arithmetic the walk computes in.
pub trait Arithmetic {
    type Value: Clone;
    /// `op` of one example's operands (the node is `id`, for errors).
    fn apply(op: &Op, operands: &[&Self::Value], id: NodeId) -> Result<Self::Value, EvalError>;
    /// The mean of the examples' values, in the order of the batch.
    fn mean(values: &[Self::Value]) -> Self::Value;
    /// The number m as a value.
    fn count(m: usize) -> Self::Value;
}

/// Exact rationals while every operation keeps them rational, float64 from the first that
/// cannot (see [`super::exact`]).
pub struct Exact;

/// Float64 throughout (see [`super::float`]).
pub struct Float;

impl Arithmetic for Exact {
    type Value = Value;

    fn apply(op: &Op, operands: &[&Value], id: NodeId) -> Result<Value, EvalError> {
        super::exact::apply(op, operands, id)
    }

    fn mean(values: &[Value]) -> Value {
        let exact: Option<Vec<&Tensor<BigRational>>> = values
            .iter()
            .map(|v| match v {
                Value::Exact(t) => Some(t),
                Value::Approx(_) => None,
            })
            .collect();
        match exact {
            Some(tensors) => Value::Exact(mean_of(&tensors, |sum, m| {
                sum / BigRational::from_integer(m.into())
            })),
            None => {
                let floats: Vec<Tensor<f64>> = values.iter().map(Value::to_f64).collect();
                Value::Approx(Float::mean(&floats))
            }
        }
    }

    fn count(m: usize) -> Value {
        Value::Exact(Tensor::scalar(BigRational::from_integer(m.into())))
    }
}

impl Arithmetic for Float {
    type Value = Tensor<f64>;

    fn apply(op: &Op, operands: &[&Tensor<f64>], _: NodeId) -> Result<Tensor<f64>, EvalError> {
        Ok(super::float::apply(op, operands))
    }

    /// The sum in the order of the batch, divided by m: what a generated trainer computes for a
    /// batch statistic and reports as a batch's gradient, so that its float64 arithmetic is this
    /// one's.
    fn mean(values: &[Tensor<f64>]) -> Tensor<f64> {
        let refs: Vec<&Tensor<f64>> = values.iter().collect();
        mean_of(&refs, |sum, m| sum / m as f64)
    }

    fn count(m: usize) -> Tensor<f64> {
        Tensor::scalar(m as f64)
    }
}

/// The elementwise sum of `values` (example by example, in order), each element then `scale`d by
/// the count.
fn mean_of<T: crate::tensor::Element>(
    values: &[&Tensor<T>],
    scale: impl Fn(T, usize) -> T,
) -> Tensor<T> {
    let Some(first) = values.first() else {
        return Tensor::scalar(T::zero());
    };
    let mut sum: Vec<T> = first.data().to_vec();
    for value in &values[1..] {
        for (total, x) in sum.iter_mut().zip(value.data()) {
            *total = total.add(x);
        }
    }
    let m = values.len();
    Tensor::new(
        first.shape(),
        sum.into_iter().map(|total| scale(total, m)).collect(),
    )
}

/// The values of the nodes marked `needed` on a batch of `m` examples, given the
/// declarations' values (`None` where a declaration has none: what depends on it stays `None`).
pub fn evaluate<A: Arithmetic>(
    graph: &Graph,
    declared: &[Option<Batched<A::Value>>],
    m: usize,
    needed: &[bool],
) -> Result<Vec<Option<Batched<A::Value>>>, BatchError> {
    let mut values: Vec<Option<Batched<A::Value>>> = Vec::with_capacity(graph.len());
    for (id, node) in graph.ids().zip(graph.nodes()) {
        if !needed.get(id.index()).copied().unwrap_or(false) {
            values.push(None);
            continue;
        }
        let value = match &node.op {
            Op::Var(decl) => declared.get(decl.index()).cloned().flatten(),
            Op::BatchSize => Some(Batched::Shared(A::count(m))),
            Op::Unary(Unary::BatchMean, a) => values[a.index()].as_ref().map(|v| match v {
                Batched::Shared(shared) => Batched::Shared(shared.clone()),
                Batched::Each(each) => Batched::Shared(A::mean(each)),
            }),
            op => {
                let operands: Option<Vec<&Batched<A::Value>>> =
                    op.operands().map(|o| values[o.index()].as_ref()).collect();
                match operands {
                    Some(operands) => Some(apply::<A>(op, &operands, id, m)?),
                    None => None,
                }
            }
        };
        values.push(value);
    }
    Ok(values)
}

/// `op` once on shared operands, else once in every example.
fn apply<A: Arithmetic>(
    op: &Op,
    operands: &[&Batched<A::Value>],
    id: NodeId,
    m: usize,
) -> Result<Batched<A::Value>, BatchError> {
    if operands.iter().all(|o| matches!(o, Batched::Shared(_))) {
        let shared: Vec<&A::Value> = operands.iter().filter_map(|o| o.shared()).collect();
        return A::apply(op, &shared, id)
            .map(Batched::Shared)
            .map_err(|error| BatchError {
                error,
                example: None,
            });
    }
    let mut each = Vec::with_capacity(m);
    for i in 0..m {
        let example: Option<Vec<&A::Value>> = operands.iter().map(|o| o.example(i)).collect();
        // Every per-example value has m values: the declarations are checked to agree.
        let Some(example) = example else {
            break;
        };
        each.push(A::apply(op, &example, id).map_err(|error| BatchError {
            error,
            example: Some(i),
        })?);
    }
    Ok(Batched::Each(each))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Binary, DeclId};
    use crate::shape::Shape;
    use crate::span::Span;

    fn exact(x: i64) -> Value {
        Value::Exact(Tensor::scalar(BigRational::from_integer(x.into())))
    }

    #[test]
    fn a_shared_operand_is_applied_in_every_example_and_a_batch_mean_shares_the_mean() {
        let mut graph = Graph::default();
        let span = Span::default();
        let x = graph.var(DeclId(0), Shape::Scalar, true, span);
        let w = graph.var(DeclId(1), Shape::Scalar, false, span);
        let product = graph.add(Op::Binary(Binary::Mul, w, x), span).unwrap();
        let mean = graph
            .add(Op::Unary(Unary::BatchMean, product), span)
            .unwrap();
        let m = graph.add(Op::BatchSize, span).unwrap();
        let declared = vec![
            Some(Batched::Each(vec![exact(1), exact(2), exact(6)])),
            Some(Batched::Shared(exact(3))),
        ];
        let values = evaluate::<Exact>(&graph, &declared, 3, &vec![true; graph.len()]).unwrap();
        assert_eq!(
            values[product.index()],
            Some(Batched::Each(vec![exact(3), exact(6), exact(18)]))
        );
        assert_eq!(values[mean.index()], Some(Batched::Shared(exact(9))));
        assert_eq!(values[m.index()], Some(Batched::Shared(exact(3))));
        assert!(!graph[mean].per_example && graph[product].per_example);
    }

    #[test]
    fn an_error_names_the_example_it_happened_in() {
        let mut graph = Graph::default();
        let span = Span::default();
        let x = graph.var(DeclId(0), Shape::Scalar, true, span);
        let one = graph
            .add(
                Op::Literal(Tensor::scalar(BigRational::from_integer(1.into()))),
                span,
            )
            .unwrap();
        let quotient = graph.add(Op::Binary(Binary::Div, one, x), span).unwrap();
        let declared = vec![Some(Batched::Each(vec![exact(2), exact(0)]))];
        let error = evaluate::<Exact>(&graph, &declared, 2, &vec![true; graph.len()]).unwrap_err();
        assert_eq!(
            error,
            BatchError {
                error: EvalError::DivisionByZero(quotient),
                example: Some(1)
            }
        );
    }
}
