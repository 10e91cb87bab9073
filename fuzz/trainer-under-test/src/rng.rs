//! The seeded random number generator: xoshiro256** seeded through SplitMix64, exactly as
//! nabla's `src/init.rs` defines it, so that `nabla` and this program draw the same starting
//! weights from the same seed. Starting values are drawn in f64 and then rounded to `Real`.

use crate::Real;

pub struct Rng {
    state: [u64; 4],
}

impl Rng {
    /// The generator for `seed`: its state is the first four outputs of SplitMix64 from `seed`.
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

    /// The next 64 random bits (xoshiro256**).
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

    /// Uniform on `0..n` without bias (outputs below 2⁶⁴ mod n are rejected); `n` is at
    /// least 1.
    fn below(&mut self, n: u64) -> u64 {
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

    /// Fills `values` with `low + (high − low)·u`, one uniform u per element, in order.
    pub fn fill_uniform(&mut self, values: &mut [Real], low: f64, high: f64) {
        for value in values {
            *value = (low + (high - low) * self.uniform()) as Real;
        }
    }
}
