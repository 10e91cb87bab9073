//! Starting values of parameters: the file's exact values, or seeded random draws.
//!
//! This module is the single definition of how `~ INIT` is drawn. Generated trainers carry a copy
//! of [`Rng`] (their `src/rng.rs`) and draw in the same order with the same arithmetic, so
//! `nabla` and a trainer given the same seed start from bit-identical weights (a test checks it).
//!
//! The algorithm, in full:
//!
//! - One generator per run, [`Rng::new`]`(seed)`: xoshiro256** whose four words of state are the
//!   first four outputs of SplitMix64 started at `seed`.
//! - Parameters are drawn in declaration order, each parameter's elements in row-major order.
//!   `zeros`, `ones` and exact values take no draws.
//! - A uniform number on [0, 1) is the top 53 bits of one output divided by 2⁵³
//!   ([`Rng::uniform`]). `uniform(a, b)` is `a + (b − a)·u`.
//! - A standard normal number takes two uniforms, u₁ then u₂, and is
//!   `sqrt(−2 ln(1 − u₁)) · cos(2π u₂)` (Box–Muller, cosine half; `1 − u₁` lies in (0, 1]).
//!   `normal(m, s)` is `m + s·z`.
//! - For a matrix `W[m, n]` (used as `W @ x`), fan_in = n and fan_out = m. `xavier` is
//!   `uniform(−l, l)` with `l = sqrt(6 / (fan_in + fan_out))`; `he` is `normal(0, sqrt(2 / fan_in))`.
//!
//! All arithmetic is in f64; a float32 trainer rounds each drawn value to f32 afterwards.

use crate::ir::{DeclKind, Init, Initializer, Model};
use crate::shape::Shape;
use crate::tensor::Tensor;

/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64.
#[derive(Clone, Debug)]
pub struct Rng {
    state: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut splitmix = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Rng {
            state: [splitmix(), splitmix(), splitmix(), splitmix()],
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform on [0, 1): the top 53 bits of one output, as a fraction of 2⁵³.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Standard normal, by the cosine half of Box–Muller.
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Uniform on `0..n` without bias (rejection below 2⁶⁴ mod n); `n` must be at least 1.
    pub fn below(&mut self, n: u64) -> u64 {
        let threshold = n.wrapping_neg() % n;
        loop {
            let x = self.next_u64();
            if x >= threshold {
                return x % n;
            }
        }
    }

    /// Fisher–Yates, from the last position down: position i swaps with `below(i + 1)`.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// How one parameter's elements are drawn, with the distribution's arguments in f64.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Draw {
    /// Every element this value (`zeros`, `ones`): no draws.
    Constant(f64),
    /// `low + (high − low)·u`, one uniform per element.
    Uniform { low: f64, high: f64 },
    /// `mean + std·z`, one standard normal (two uniforms) per element.
    Normal { mean: f64, std: f64 },
}

/// The draw an initializer makes for a parameter of `shape`. `xavier` and `he` of a shape
/// without fan-in (the checker refuses them) fall back to fan-in 1.
pub fn draw_of(initializer: &Initializer, shape: Shape) -> Draw {
    let (fan_out, fan_in) = match shape {
        Shape::Matrix(m, n) => (m as f64, n as f64),
        Shape::Vector(n) => (n as f64, 1.0),
        Shape::Scalar => (1.0, 1.0),
        // A kernel [F, C, kh, kw]: each output sees C·kh·kw inputs (PyTorch's rule).
        Shape::Tensor3(..) | Shape::Tensor4(..) => {
            let dims = shape.dims();
            let field: usize = dims[2..].iter().product();
            ((dims[0] * field) as f64, (dims[1] * field) as f64)
        }
    };
    let exact = crate::exact::to_f64;
    match initializer {
        Initializer::Zeros => Draw::Constant(0.0),
        Initializer::Ones => Draw::Constant(1.0),
        Initializer::Uniform { low, high } => Draw::Uniform {
            low: exact(low),
            high: exact(high),
        },
        Initializer::Normal { mean, std } => Draw::Normal {
            mean: exact(mean),
            std: exact(std),
        },
        Initializer::Xavier => {
            let limit = (6.0 / (fan_in + fan_out)).sqrt();
            Draw::Uniform {
                low: -limit,
                high: limit,
            }
        }
        Initializer::He => Draw::Normal {
            mean: 0.0,
            std: (2.0 / fan_in).sqrt(),
        },
    }
}

impl Draw {
    /// The next element.
    pub fn sample(self, rng: &mut Rng) -> f64 {
        match self {
            Draw::Constant(value) => value,
            Draw::Uniform { low, high } => low + (high - low) * rng.uniform(),
            Draw::Normal { mean, std } => mean + std * rng.normal(),
        }
    }
}

/// The starting value of every declaration, in declaration order: `Some` for each parameter
/// (an exact value rounded to f64, or drawn with `seed`), `None` for everything else.
pub fn initial_values(model: &Model, seed: u64) -> Vec<Option<Tensor<f64>>> {
    let mut rng = Rng::new(seed);
    model
        .declarations
        .iter()
        .map(|declaration| {
            if declaration.kind != DeclKind::Param {
                return None;
            }
            let shape = declaration.shape;
            match &declaration.init {
                Some(Init::Value(value)) => Some(value.map(crate::exact::to_f64)),
                Some(Init::Random(initializer)) => {
                    let draw = draw_of(initializer, shape);
                    let data = (0..shape.size()).map(|_| draw.sample(&mut rng)).collect();
                    Some(Tensor::new(shape, data))
                }
                // Never a parameter's: `each` gives examples' values.
                None | Some(Init::Each(_)) => Some(Tensor::filled(shape, 0.0)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_and_xoshiro_match_the_reference_outputs() {
        // SplitMix64 from 0 gives 0xe220a8397b1dcdaf first (Vigna's reference implementation).
        let rng = Rng::new(0);
        assert_eq!(rng.state[0], 0xe220_a839_7b1d_cdaf);
        let mut rng = Rng {
            state: [1, 2, 3, 4],
        };
        // xoshiro256** reference: the first outputs from state {1, 2, 3, 4}.
        assert_eq!(rng.next_u64(), 11520);
        assert_eq!(rng.next_u64(), 0);
        assert_eq!(rng.next_u64(), 1509978240);
    }

    #[test]
    fn uniform_stays_in_the_unit_interval_and_below_is_in_range() {
        let mut rng = Rng::new(7);
        for _ in 0..10_000 {
            let u = rng.uniform();
            assert!((0.0..1.0).contains(&u));
            assert!(rng.below(3) < 3);
        }
    }

    #[test]
    fn a_shuffle_is_a_permutation() {
        let mut rng = Rng::new(1);
        let mut items: Vec<usize> = (0..100).collect();
        rng.shuffle(&mut items);
        let mut sorted = items.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
        assert_ne!(items, sorted);
    }
}
