//! The network of `iris.nabla`, specialised: its parameters, a batch of examples, and the
//! forward and backward passes, with every size a constant. The comment over each
//! statement is the formula it computes, in the notation of `nabla derive`:
//!
//! ```text
//! h = tanh(W1 x + b1)
//! p = softmax(W2 h + b2)
//! L = −sum(y ⊙ log_softmax(W2 h + b2))
//!
//! δp     = p·sum(y) − y
//! ∂L/∂W2 = δp hᵀ
//! ∂L/∂b2 = δp
//! δh     = (W2ᵀ δp) ⊙ (1 − h²)
//! ∂L/∂W1 = δh xᵀ
//! ∂L/∂b1 = δh
//! ```
//!
//! The passes work on a whole batch at once. A value that varies from example to example has a
//! row per example (`f.h[r]` is row `r`'s `h`), and a statement for one example runs for every
//! row, `for r in 0..n`; the products of a parameter with every row's vector are one call of a
//! kernel each. `backward` writes the sum of every row's gradient, and the optimizer divides that
//! sum by the number of rows (the gradient of the batch's mean loss).

// The loops index several arrays with the same `i`, as the formulas do.
#![allow(clippy::needless_range_loop)]
// Numbers and expressions are the file's as written: 3.14159 stays 3.14159, x - x stays x - x.
#![allow(clippy::approx_constant, clippy::eq_op)]

use crate::Real;
use crate::kernels::{self, multiversion};
use crate::rng::Rng;

/// The columns of a data row, in order: each input's elements, then each target's.
pub const COLUMNS: [&str; 7] = ["x[0]", "x[1]", "x[2]", "x[3]", "y[0]", "y[1]", "y[2]"];

/// How many of the columns are inputs.
pub const INPUT_COLUMNS: usize = 4;

/// The target may instead be a single column holding a class, 0 to 2; it becomes one-hot.
pub const CLASSES: usize = 3;

/// The multiply–adds of one example's forward and backward pass (its matrix products).
pub const WORK: usize = 272;

/// The names and shapes of the parameters, in the order the file declares them.
pub const PARAMS: [(&str, &[usize]); 4] = [
    ("W1", &[16, 4]),
    ("b1", &[16]),
    ("W2", &[3, 16]),
    ("b2", &[3]),
];

/// The trainable parameters. The same type holds their gradients and the optimizer's state.
#[derive(Clone)]
pub struct Params {
    /// `W1`, a matrix [16, 4], stored transposed: `w1[k][i]` is W1[i, k]
    pub w1: Box<[[Real; 16]; 4]>,
    /// `b1`, a vector [16]
    pub b1: Box<[Real; 16]>,
    /// `W2`, a matrix [3, 16]
    pub w2: Box<[[Real; 16]; 3]>,
    /// `b2`, a vector [3]
    pub b2: Box<[Real; 3]>,
}

impl Params {
    /// Every value zero.
    pub fn zeros() -> Params {
        Params {
            w1: zeroed([0.0; 16]),
            b1: zeroed(0.0),
            w2: zeroed([0.0; 16]),
            b2: zeroed(0.0),
        }
    }

    /// Each parameter's values as a flat slice (row-major), in the order of `PARAMS`.
    pub fn values(&self) -> [&[Real]; 4] {
        [
            self.w1.as_flattened(),
            &self.b1[..],
            self.w2.as_flattened(),
            &self.b2[..],
        ]
    }

    /// The same, to change them.
    pub fn values_mut(&mut self) -> [&mut [Real]; 4] {
        [
            self.w1.as_flattened_mut(),
            &mut self.b1[..],
            self.w2.as_flattened_mut(),
            &mut self.b2[..],
        ]
    }
}

impl Params {
    /// The starting values, parameter by parameter in the file's order, as `nabla` gives
    /// them: the file's values, or drawn from the seeded generator.
    pub fn initial(seed: u64) -> Params {
        let mut rng = Rng::new(seed);
        let mut p = Params::zeros();
        let mut drawn: Box<[[Real; 4]; 16]> = zeroed([0.0; 4]);
        // W1 ~ xavier: uniform on ±√(6 / (fan_in + fan_out)) = ±√(6 / (4 + 16))
        rng.fill_uniform(
            drawn.as_flattened_mut(),
            -0.5477225575051661,
            0.5477225575051661,
        );
        kernels::transpose(&mut p.w1, &drawn);
        // b1 ~ zeros
        // W2 ~ xavier: uniform on ±√(6 / (fan_in + fan_out)) = ±√(6 / (16 + 3))
        rng.fill_uniform(
            p.w2.as_flattened_mut(),
            -0.5619514869490163,
            0.5619514869490163,
        );
        // b2 ~ zeros
        p
    }
}

/// Which parameters are stored transposed: a matrix used only in products `W x` is kept as
/// `Wᵀ`, which the products read row by row. Weights files keep the file's layout.
pub const STORED_TRANSPOSED: [bool; 4] = [true, false, false, false];

/// Where element `position` of parameter `index` in the file's layout (row-major in its
/// declared shape) is in its field: the same place, or the transposed one.
pub fn stored_at(index: usize, position: usize) -> usize {
    match (STORED_TRANSPOSED[index], PARAMS[index].1) {
        (true, [rows, columns]) => position % columns * rows + position / columns,
        _ => position,
    }
}

/// A batch of examples: a row per example for each input and target.
pub struct Batch {
    /// input `x`, a vector [4], a row per example
    pub x: Box<[[Real; 4]]>,
    /// target `y`, a vector [3], a row per example
    pub y: Box<[[Real; 3]]>,
    /// How many rows hold examples.
    pub rows: usize,
}

impl Batch {
    /// Room for `capacity` examples.
    pub fn new(capacity: usize) -> Batch {
        Batch {
            x: rows(capacity, [0.0; 4]),
            y: rows(capacity, [0.0; 3]),
            rows: 0,
        }
    }

    /// The examples `indices` of the data rows `data` (each `COLUMNS.len()` values): the inputs'
    /// columns, then the targets'.
    pub fn gather(&mut self, data: &[Real], indices: &[usize]) {
        self.rows = indices.len();
        for (r, &index) in indices.iter().enumerate() {
            let row = &data[index * COLUMNS.len()..(index + 1) * COLUMNS.len()];
            self.x[r].copy_from_slice(&row[0..4]);
            self.y[r].copy_from_slice(&row[4..7]);
        }
    }
}

/// The values the forward pass keeps: what the output, the loss and the backward pass read.
pub struct Forward {
    /// W1 x
    pub w1_x: Box<[[Real; 16]]>,
    /// h = tanh(W1 x + b1)
    pub h: Box<[[Real; 16]]>,
    /// W2 h
    pub w2_h: Box<[[Real; 3]]>,
    /// W2 h + b2
    pub z_p: Box<[[Real; 3]]>,
    /// p = softmax(W2 h + b2)
    pub p: Box<[[Real; 3]]>,
    /// log_softmax(W2 h + b2)
    pub log_softmax_z_p: Box<[[Real; 3]]>,
    /// sum(y ⊙ log_softmax(W2 h + b2))
    pub t1: Box<[Real]>,
    /// L = −sum(y ⊙ log_softmax(W2 h + b2))
    pub l: Box<[Real]>,
}

impl Forward {
    pub fn new(capacity: usize) -> Forward {
        Forward {
            w1_x: rows(capacity, [0.0; 16]),
            h: rows(capacity, [0.0; 16]),
            w2_h: rows(capacity, [0.0; 3]),
            z_p: rows(capacity, [0.0; 3]),
            p: rows(capacity, [0.0; 3]),
            log_softmax_z_p: rows(capacity, [0.0; 3]),
            t1: rows(capacity, 0.0),
            l: rows(capacity, 0.0),
        }
    }
}

/// The gradients the backward pass computes on its way to the parameters.
pub struct Backward {
    /// sum(y)
    pub sum_y: Box<[Real]>,
    /// δp = p·sum(y) − y
    pub delta_p: Box<[[Real; 3]]>,
    /// W2ᵀ δp
    pub w2t_delta_p: Box<[[Real; 16]]>,
    /// δh = (W2ᵀ δp) ⊙ (1 − h²)
    pub delta_h: Box<[[Real; 16]]>,
}

impl Backward {
    pub fn new(capacity: usize) -> Backward {
        Backward {
            sum_y: rows(capacity, 0.0),
            delta_p: rows(capacity, [0.0; 3]),
            w2t_delta_p: rows(capacity, [0.0; 16]),
            delta_h: rows(capacity, [0.0; 16]),
        }
    }
}

multiversion! {
    /// The output for every row of the batch `e`: what `predict` prints.
    pub fn predict[](p: &Params, e: &Batch, f: &mut Forward)
        => predict_rows
}

#[inline(always)]
fn predict_rows<const FMA: bool>(p: &Params, e: &Batch, f: &mut Forward) {
    let n = e.rows;
    // W1 x
    kernels::matvec_transposed_rows(&mut f.w1_x[..n], &p.w1, &e.x[..n]);
    // h = tanh(W1 x + b1)
    for r in 0..n {
        for i in 0..16 {
            f.h[r][i] = (f.w1_x[r][i] + p.b1[i]).tanh();
        }
    }
    // W2 h
    for r in 0..n {
        kernels::matvec(&mut f.w2_h[r], &p.w2, &f.h[r]);
    }
    // W2 h + b2
    for r in 0..n {
        for i in 0..3 {
            f.z_p[r][i] = f.w2_h[r][i] + p.b2[i];
        }
    }
    // p = softmax(W2 h + b2)
    kernels::softmax_and_log_softmax_rows(&mut f.p[..n], &mut f.log_softmax_z_p[..n], &f.z_p[..n]);
}

multiversion! {
    /// The whole forward pass for the batch `e`; returns the sum of its rows' losses.
    pub fn forward[](p: &Params, e: &Batch, f: &mut Forward) -> Real
        => forward_rows
}

#[inline(always)]
fn forward_rows<const FMA: bool>(p: &Params, e: &Batch, f: &mut Forward) -> Real {
    let n = e.rows;
    predict(p, e, f);
    // log_softmax(W2 h + b2)
    // (computed with f.p, from the same exponentials)
    // sum(y ⊙ log_softmax(W2 h + b2))
    for r in 0..n {
        f.t1[r] = 0.0;
        for i in 0..3 {
            f.t1[r] += e.y[r][i] * f.log_softmax_z_p[r][i];
        }
    }
    // L = −sum(y ⊙ log_softmax(W2 h + b2))
    for r in 0..n {
        f.l[r] = -f.t1[r];
    }
    f.l[..n].iter().sum()
}

multiversion! {
    /// The backward pass for the batch `e`, after `forward`: writes the sum of every row's
    /// ∂loss/∂parameter into `g`.
    pub fn backward[](p: &Params, e: &Batch, f: &Forward, b: &mut Backward, g: &mut Params)
        => backward_rows
}

#[inline(always)]
fn backward_rows<const FMA: bool>(
    p: &Params,
    e: &Batch,
    f: &Forward,
    b: &mut Backward,
    g: &mut Params,
) {
    let n = e.rows;
    // sum(y)
    for r in 0..n {
        b.sum_y[r] = 0.0;
        for i in 0..3 {
            b.sum_y[r] += e.y[r][i];
        }
    }
    // δp = p·sum(y) − y
    for r in 0..n {
        for i in 0..3 {
            b.delta_p[r][i] = f.p[r][i] * b.sum_y[r] - e.y[r][i];
        }
    }
    // ∂L/∂b2 = δp
    g.b2.fill(0.0);
    for r in 0..n {
        for i in 0..3 {
            g.b2[i] += b.delta_p[r][i];
        }
    }
    // ∂L/∂W2 = δp hᵀ
    kernels::outer_add_rows(&mut g.w2[..], 0, &b.delta_p[..n], &f.h[..n], false);
    // W2ᵀ δp
    kernels::matvec_transposed_rows(&mut b.w2t_delta_p[..n], &p.w2, &b.delta_p[..n]);
    // δh = (W2ᵀ δp) ⊙ (1 − h²)
    for r in 0..n {
        for i in 0..16 {
            b.delta_h[r][i] = b.w2t_delta_p[r][i] * (1.0 - f.h[r][i].powi(2));
        }
    }
    // ∂L/∂b1 = δh
    g.b1.fill(0.0);
    for r in 0..n {
        for i in 0..16 {
            g.b1[i] += b.delta_h[r][i];
        }
    }
    // ∂L/∂W1 = δh xᵀ
    kernels::outer_add_rows(&mut g.w1[..], 0, &e.x[..n], &b.delta_h[..n], false);
}

/// The class the network predicts for row `r`, after `predict`.
pub fn predicted_class(f: &Forward, r: usize) -> usize {
    kernels::argmax(&f.p[r][..])
}

/// The class row `r` of a batch belongs to, by its target.
pub fn true_class(e: &Batch, r: usize) -> usize {
    kernels::argmax(&e.y[r][..])
}

/// A zero-filled row for each of `capacity` examples.
fn rows<T: Copy>(capacity: usize, zero: T) -> Box<[T]> {
    vec![zero; capacity].into_boxed_slice()
}

/// A zero-filled array on the heap, where large layers fit.
fn zeroed<T: Copy, const N: usize>(value: T) -> Box<[T; N]> {
    match vec![value; N].into_boxed_slice().try_into() {
        Ok(array) => array,
        Err(_) => unreachable!("a vector of N elements is an array of N"),
    }
}
