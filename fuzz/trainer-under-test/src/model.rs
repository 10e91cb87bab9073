//! The network of `iris.nabla`, specialised: its parameters, one example's values, and the
//! forward and backward passes, with every size a constant. The comment over each statement is
//! the formula it computes, in the notation of `nabla derive`.
//!
//! A training step runs `forward` and `backward` for each example of a batch; `backward` adds
//! the example's gradient to a sum, and the optimizer divides that sum by the batch size (the
//! gradient of the batch's mean loss).

// The loops index several arrays with the same `i`, as the formulas do.
#![allow(clippy::needless_range_loop)]
// Numbers and expressions are the file's as written: 3.14159 stays 3.14159, x - x stays x - x.
#![allow(clippy::approx_constant, clippy::eq_op)]

use crate::Real;
use crate::kernels;
use crate::rng::Rng;

/// The columns of a data row, in order: each input's elements, then each target's.
pub const COLUMNS: [&str; 7] = ["x[0]", "x[1]", "x[2]", "x[3]", "y[0]", "y[1]", "y[2]"];

/// How many of the columns are inputs.
pub const INPUT_COLUMNS: usize = 4;

/// The target may instead be a single column holding a class, 0 to 2; it becomes one-hot.
pub const CLASSES: usize = 3;

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
    /// `W1`, a matrix [16, 4]
    pub w1: Box<[[Real; 4]; 16]>,
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
            w1: zeroed([0.0; 4]),
            b1: zeroed(0.0),
            w2: zeroed([0.0; 16]),
            b2: zeroed(0.0),
        }
    }

    /// The starting values: the file's, or drawn from the seeded generator, parameter by
    /// parameter in the file's order, as `nabla` draws them.
    pub fn initial(seed: u64) -> Params {
        let mut rng = Rng::new(seed);
        let mut p = Params::zeros();
        // W1 ~ xavier: uniform on ±√(6 / (fan_in + fan_out)) = ±√(6 / (4 + 16))
        rng.fill_uniform(
            p.w1.as_flattened_mut(),
            -0.5477225575051661,
            0.5477225575051661,
        );
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

/// One example: a row of data.
pub struct Example {
    /// input `x`, a vector [4]
    pub x: [Real; 4],
    /// target `y`, a vector [3]
    pub y: [Real; 3],
}

impl Example {
    /// The example a data row holds: the inputs' columns, then the targets'.
    pub fn from_row(row: &[Real]) -> Example {
        let mut example = Example {
            x: [0.0; 4],
            y: [0.0; 3],
        };
        example.x.copy_from_slice(&row[0..4]);
        example.y.copy_from_slice(&row[4..7]);
        example
    }
}

/// The values the forward pass keeps: what the output, the loss and the backward pass read.
pub struct Forward {
    /// W1 x
    pub w1_x: Box<[Real; 16]>,
    /// h = tanh(W1 x + b1)
    pub h: Box<[Real; 16]>,
    /// W2 h
    pub w2_h: Box<[Real; 3]>,
    /// W2 h + b2
    pub z_p: Box<[Real; 3]>,
    /// p = softmax(W2 h + b2)
    pub p: Box<[Real; 3]>,
    /// log_softmax(W2 h + b2)
    pub log_softmax_z_p: Box<[Real; 3]>,
    /// sum(y ⊙ log_softmax(W2 h + b2))
    pub t1: Real,
    /// L = −sum(y ⊙ log_softmax(W2 h + b2))
    pub l: Real,
}

impl Forward {
    pub fn zeros() -> Forward {
        Forward {
            w1_x: zeroed(0.0),
            h: zeroed(0.0),
            w2_h: zeroed(0.0),
            z_p: zeroed(0.0),
            p: zeroed(0.0),
            log_softmax_z_p: zeroed(0.0),
            t1: 0.0,
            l: 0.0,
        }
    }
}

/// The gradients the backward pass computes on its way to the parameters.
pub struct Backward {
    /// sum(y)
    pub sum_y: Real,
    /// δp = p·sum(y) − y
    pub delta_p: Box<[Real; 3]>,
    /// W2ᵀ δp
    pub w2t_delta_p: Box<[Real; 16]>,
    /// δh = (W2ᵀ δp) ⊙ (1 − h²)
    pub delta_h: Box<[Real; 16]>,
}

impl Backward {
    pub fn zeros() -> Backward {
        Backward {
            sum_y: 0.0,
            delta_p: zeroed(0.0),
            w2t_delta_p: zeroed(0.0),
            delta_h: zeroed(0.0),
        }
    }
}

/// The output for example `e`: what `predict` prints.
pub fn predict(p: &Params, e: &Example, f: &mut Forward) {
    // W1 x
    kernels::matvec(&mut f.w1_x, &p.w1, &e.x);
    // h = tanh(W1 x + b1)
    for i in 0..16 {
        f.h[i] = (f.w1_x[i] + p.b1[i]).tanh();
    }
    // W2 h
    kernels::matvec(&mut f.w2_h, &p.w2, &f.h);
    // W2 h + b2
    for i in 0..3 {
        f.z_p[i] = f.w2_h[i] + p.b2[i];
    }
    // p = softmax(W2 h + b2)
    kernels::softmax(&mut f.p, &f.z_p);
}

/// The whole forward pass for example `e`; returns its loss.
pub fn forward(p: &Params, e: &Example, f: &mut Forward) -> Real {
    predict(p, e, f);
    // log_softmax(W2 h + b2)
    kernels::log_softmax(&mut f.log_softmax_z_p, &f.z_p);
    // sum(y ⊙ log_softmax(W2 h + b2))
    f.t1 = 0.0;
    for i in 0..3 {
        f.t1 += e.y[i] * f.log_softmax_z_p[i];
    }
    // L = −sum(y ⊙ log_softmax(W2 h + b2))
    f.l = -f.t1;
    f.l
}

/// The backward pass for example `e`, after `forward`: adds ∂loss/∂parameter to `g`.
pub fn backward(p: &Params, e: &Example, f: &Forward, b: &mut Backward, g: &mut Params) {
    // sum(y)
    b.sum_y = 0.0;
    for i in 0..3 {
        b.sum_y += e.y[i];
    }
    // δp = p·sum(y) − y
    for i in 0..3 {
        b.delta_p[i] = f.p[i] * b.sum_y - e.y[i];
    }
    // ∂L/∂b2 = δp
    for i in 0..3 {
        g.b2[i] += b.delta_p[i];
    }
    // ∂L/∂W2 = δp hᵀ
    kernels::outer_add(&mut g.w2, &b.delta_p, &f.h);
    // W2ᵀ δp
    kernels::matvec_transposed(&mut b.w2t_delta_p, &p.w2, &b.delta_p);
    // δh = (W2ᵀ δp) ⊙ (1 − h²)
    for i in 0..16 {
        b.delta_h[i] = b.w2t_delta_p[i] * (1.0 - f.h[i].powi(2));
    }
    // ∂L/∂b1 = δh
    for i in 0..16 {
        g.b1[i] += b.delta_h[i];
    }
    // ∂L/∂W1 = δh xᵀ
    kernels::outer_add(&mut g.w1, &b.delta_h, &e.x);
}

/// The class the network predicts, after `predict`.
pub fn predicted_class(f: &Forward) -> usize {
    kernels::argmax(&f.p[..])
}

/// The class an example belongs to, by its target.
pub fn true_class(e: &Example) -> usize {
    kernels::argmax(&e.y[..])
}

/// A zero-filled array on the heap, where large layers fit.
fn zeroed<T: Copy, const N: usize>(value: T) -> Box<[T; N]> {
    match vec![value; N].into_boxed_slice().try_into() {
        Ok(array) => array,
        Err(_) => unreachable!("a vector of N elements is an array of N"),
    }
}
