//! The f32 trainers write weights with their own number writer
//! (templates/trainer/src/shortest.rs.txt, copied into each f32 trainer). It must write exactly
//! what Rust's `{:?}` writes, the fewest digits that read back as the same `f32`, for every
//! number: here every exponent with its extreme and random fractions, and a million numbers of
//! the size weights have. (Every one of the 2^32 values was compared once by hand, not in CI.)

#[path = "../templates/trainer/src/shortest.rs.txt"]
mod shortest;

use num_bigint::BigUint;

fn written(x: f32) -> String {
    let mut out = String::new();
    shortest::push(&mut out, x);
    out
}

fn assert_written_as_debug(x: f32) {
    let ours = written(x);
    assert_eq!(ours, format!("{x:?}"), "bits {:#010x}", x.to_bits());
    if x.is_finite() {
        assert_eq!(ours.parse::<f32>().map(f32::to_bits), Ok(x.to_bits()));
    }
}

/// xorshift64*: enough randomness to pick bits, with no dependency.
fn random_bits(state: &mut u64) -> u32 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32
}

#[test]
fn every_exponent_is_written_as_debug_writes_it() {
    let mut state = 0x9e37_79b9_7f4a_7c15;
    for sign in [0u32, 1 << 31] {
        for biased in 0..=255u32 {
            let fractions = [0, 1, 2, 3, 0x40_0000, 0x7f_fffe, 0x7f_ffff]
                .into_iter()
                .chain((0..500).map(|_| random_bits(&mut state) & 0x7f_ffff));
            for fraction in fractions {
                assert_written_as_debug(f32::from_bits(sign | biased << 23 | fraction));
            }
        }
    }
}

#[test]
fn numbers_the_size_of_weights_are_written_as_debug_writes_them() {
    let mut state = 0x2545_f491_4f6c_dd1d;
    for _ in 0..1_000_000 {
        // Uniform in [−2, 2): every digit count, ties and round numbers among them.
        let x = (random_bits(&mut state) as f32 / 2f32.powi(30)) - 2.0;
        assert_written_as_debug(x);
    }
    for x in [
        0.1,
        0.2,
        0.3,
        1.0,
        1e-4,
        9.999999e-5,
        1e-5,
        123456.79,
        16777216.0,
        33554430.0,
        1e-35,
        -0.0,
        0.0,
    ] {
        assert_written_as_debug(x);
    }
}

/// The writer takes ⌊e·log₁₀5⌋ as (e·732923) >> 20: true for every exponent it meets (and
/// beyond), checked here against the digits of 5^e.
#[test]
fn the_power_of_ten_estimate_is_exact_where_it_is_used() {
    for e in 0..=200u32 {
        let digits = BigUint::from(5u32).pow(e).to_string().len() as i64;
        assert_eq!((i64::from(e) * 732_923) >> 20, digits - 1, "5^{e}");
    }
}
