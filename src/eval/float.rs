//! Float64 evaluation, and the float kernel of every operation (also used by the exact evaluator
//! once a value is approximate).

use crate::ir::tensor_op::{self, Along, TensorOp};
use crate::ir::{Binary, Graph, Op, Unary};
use crate::tensor::Tensor;

/// Values of every node, given values of the declarations (`None` for a declaration without a
/// value: the nodes that depend on it stay `None`).
pub fn evaluate(graph: &Graph, declared: &[Option<Tensor<f64>>]) -> Vec<Option<Tensor<f64>>> {
    let declared: Vec<_> = declared
        .iter()
        .map(|d| d.clone().map(super::batch::Batched::Shared))
        .collect();
    let needed = vec![true; graph.len()];
    // Float arithmetic has no errors: a domain error is a NaN or an infinity in the value.
    super::batch::evaluate::<super::batch::Float>(graph, &declared, 1, &needed)
        .map(|values| values.into_iter().map(super::exact::one_example).collect())
        .unwrap_or_else(|_| vec![None; graph.len()])
}

/// `op` on float operands, in the order of [`Op::operands`]. The checker guarantees the shapes
/// fit; if they did not, the result would be NaN-filled rather than a panic.
pub fn apply(op: &Op, operands: &[&Tensor<f64>]) -> Tensor<f64> {
    match (op, operands) {
        (Op::Literal(value), _) => value.map(crate::exact::to_f64),
        (Op::Unary(f, _), [a]) => unary(*f, a),
        (Op::Pow(_, p), [a]) => {
            let p = crate::exact::to_f64(p);
            let integer = p.fract() == 0.0 && p.abs() <= i32::MAX as f64;
            a.map(|x| if integer { x.powi(p as i32) } else { x.powf(p) })
        }
        (Op::Broadcast(_, shape), [a]) => {
            Tensor::filled(*shape, a.data().first().copied().unwrap_or(f64::NAN))
        }
        (Op::Binary(op, ..), [a, b]) => binary(*op, a, b),
        (Op::OneHot(_, n), [i]) => index(i)
            .and_then(|i| Tensor::one_hot(i, *n))
            .unwrap_or_else(|| Tensor::filled(crate::shape::Shape::Vector(*n), f64::NAN)),
        (Op::Slice(_, start, shape), [a]) => a
            .slice(*start, *shape)
            .unwrap_or_else(|| Tensor::filled(*shape, f64::NAN)),
        (
            Op::Tensor(TensorOp::Along(along @ (Along::Softmax | Along::LogSoftmax), _, axis)),
            [a],
        ) => along_axis(a, *axis, |line| match along {
            Along::LogSoftmax => log_softmax(line),
            _ => softmax(line),
        }),
        (Op::Tensor(t), [a]) => {
            tensor_op::apply(*t, a, None).unwrap_or_else(|| Tensor::scalar(f64::NAN))
        }
        (Op::Tensor(t), [a, b]) => {
            tensor_op::apply(*t, a, Some(b)).unwrap_or_else(|| Tensor::scalar(f64::NAN))
        }
        (Op::Var(_) | Op::BatchSize, _) | (_, _) => Tensor::scalar(f64::NAN),
    }
}

/// `f` applied to each line of `a` along `axis` (each a vector), the results in their places.
fn along_axis(
    a: &Tensor<f64>,
    axis: usize,
    f: impl Fn(&Tensor<f64>) -> Tensor<f64>,
) -> Tensor<f64> {
    let Some((outer, n, inner)) = tensor_op::lines(a.shape(), axis) else {
        return Tensor::filled(a.shape(), f64::NAN);
    };
    let mut out = a.data().to_vec();
    for o in 0..outer {
        for t in 0..inner {
            let at = |i: usize| (o * n + i) * inner + t;
            let line = Tensor::new(
                crate::shape::Shape::Vector(n),
                (0..n).map(|i| a.data()[at(i)]).collect(),
            );
            for (i, x) in f(&line).data().iter().enumerate() {
                out[at(i)] = *x;
            }
        }
    }
    Tensor::new(a.shape(), out)
}

fn unary(f: Unary, a: &Tensor<f64>) -> Tensor<f64> {
    match f {
        Unary::Neg => a.map(|x| -x),
        Unary::Sigmoid => a.map(|&x| sigmoid(x)),
        Unary::Tanh => a.map(|x| x.tanh()),
        Unary::Relu => a.map(|&x| if x > 0.0 { x } else { 0.0 }),
        Unary::Exp => a.map(|x| x.exp()),
        Unary::Log => a.map(|x| x.ln()),
        Unary::Sqrt => a.map(|x| x.sqrt()),
        Unary::Abs => a.map(|x| x.abs()),
        Unary::Step => a.map(|&x| if x > 0.0 { 1.0 } else { 0.0 }),
        Unary::Sign => a.map(|&x| {
            if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                0.0
            }
        }),
        Unary::Transpose => a.transpose(),
        Unary::Sum => Tensor::scalar(a.sum()),
        Unary::Mean => Tensor::scalar(a.mean()),
        Unary::Softmax => softmax(a),
        Unary::LogSoftmax => log_softmax(a),
        // Of a value shared by every example (a batch's values are the evaluator's concern).
        Unary::BatchMean => a.clone(),
    }
}

fn binary(op: Binary, a: &Tensor<f64>, b: &Tensor<f64>) -> Tensor<f64> {
    let result = match op {
        Binary::Add => a
            .zip_with(b, |x, y| Ok::<_, ()>(x + y))
            .and_then(Result::ok),
        Binary::Sub => a
            .zip_with(b, |x, y| Ok::<_, ()>(x - y))
            .and_then(Result::ok),
        Binary::Mul => a
            .zip_with(b, |x, y| Ok::<_, ()>(x * y))
            .and_then(Result::ok),
        Binary::Div => a
            .zip_with(b, |x, y| Ok::<_, ()>(x / y))
            .and_then(Result::ok),
        Binary::MatMul => a.matmul(b),
        Binary::Outer => a.outer(b),
        Binary::Pick => index(b).and_then(|i| a.pick(i)),
        Binary::Concat => a.concat(b),
        Binary::SigmoidCrossEntropy => a
            .zip_with(b, |&z, &y| Ok::<_, ()>(sigmoid_cross_entropy(z, y)))
            .and_then(Result::ok),
    };
    result.unwrap_or_else(|| Tensor::scalar(f64::NAN))
}

/// The whole number an index holds; `None` for anything else.
pub fn index(value: &Tensor<f64>) -> Option<usize> {
    let &x = value.as_scalar()?;
    (x >= 0.0 && x.fract() == 0.0 && x < usize::MAX as f64).then_some(x as usize)
}

/// −(y log σ(z) + (1 − y) log(1 − σ(z))) without overflow for any z: written as
/// max(z, 0) − z·y + log(1 + exp(−|z|)), where exp is only taken of a non-positive number.
pub fn sigmoid_cross_entropy(z: f64, y: f64) -> f64 {
    z.max(0.0) - z * y + (-z.abs()).exp().ln_1p()
}

/// σ(x) without overflow for any x: exp is only taken of a non-positive number.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Shifted by the largest element, so that no exp overflows.
pub fn softmax(a: &Tensor<f64>) -> Tensor<f64> {
    let max = a.data().iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps = a.map(|x| (x - max).exp());
    let total: f64 = exps.data().iter().sum();
    exps.map(|e| e / total)
}

/// z − max − log Σ exp(z − max): finite for any finite logits.
pub fn log_softmax(a: &Tensor<f64>) -> Tensor<f64> {
    let max = a.data().iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = a.data().iter().map(|x| (x - max).exp()).sum();
    let log_total = total.ln();
    a.map(|x| x - max - log_total)
}
