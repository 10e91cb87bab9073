//! The numeric kernels of the model: small loops over arrays whose sizes are compile-time
//! constants, so the compiler can unroll and vectorize them and drop every bounds check.
//!
//! Each kernel computes exactly the float operations nabla's evaluator computes, in the same
//! order (sums accumulate from 0 in index order), so a float64 trainer agrees with
//! `nabla`'s own numbers to the last bits.

use crate::Real;

/// out = W x: out[i] = Σₖ W[i][k] x[k].
pub fn matvec<const M: usize, const K: usize>(
    out: &mut [Real; M],
    w: &[[Real; K]; M],
    x: &[Real; K],
) {
    for (out, row) in out.iter_mut().zip(w) {
        let mut total = 0.0;
        for (w, x) in row.iter().zip(x) {
            total += w * x;
        }
        *out = total;
    }
}

/// out = Wᵀ x without forming Wᵀ: out[j] = Σₖ W[k][j] x[k], summed over k in order.
pub fn matvec_transposed<const M: usize, const K: usize>(
    out: &mut [Real; K],
    w: &[[Real; K]; M],
    x: &[Real; M],
) {
    out.fill(0.0);
    for (row, x) in w.iter().zip(x) {
        for (out, w) in out.iter_mut().zip(row) {
            *out += w * x;
        }
    }
}

/// sum += u vᵀ: adds one example's gradient of a weight matrix to the batch's sum.
pub fn outer_add<const M: usize, const N: usize>(
    sum: &mut [[Real; N]; M],
    u: &[Real; M],
    v: &[Real; N],
) {
    for (sum, u) in sum.iter_mut().zip(u) {
        for (sum, v) in sum.iter_mut().zip(v) {
            *sum += u * v;
        }
    }
}

/// out = softmax(z) = exp(z − max z) / Σ exp(z − max z): shifted by the largest element, so no
/// `exp` overflows.
pub fn softmax<const N: usize>(out: &mut [Real; N], z: &[Real; N]) {
    let max = z.iter().fold(Real::NEG_INFINITY, |m, &x| m.max(x));
    for (out, z) in out.iter_mut().zip(z) {
        *out = (z - max).exp();
    }
    let total: Real = out.iter().sum();
    for out in out.iter_mut() {
        *out /= total;
    }
}

/// out = log(softmax(z)) = z − max − log Σ exp(z − max): finite for any finite logits.
pub fn log_softmax<const N: usize>(out: &mut [Real; N], z: &[Real; N]) {
    let max = z.iter().fold(Real::NEG_INFINITY, |m, &x| m.max(x));
    let total: Real = z.iter().map(|x| (x - max).exp()).sum();
    let log_total = total.ln();
    for (out, z) in out.iter_mut().zip(z) {
        *out = z - max - log_total;
    }
}

/// The index of the largest element (the first of equal ones): a predicted class.
pub fn argmax(values: &[Real]) -> usize {
    let mut best = 0;
    for (i, &x) in values.iter().enumerate() {
        if x > values[best] {
            best = i;
        }
    }
    best
}
