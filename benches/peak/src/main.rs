//! The f32 peak of this machine: fused multiply–adds on independent registers, as fast as the
//! processor retires them, on one core and then on every core at once. Prints two lines,
//! `one-core GFLOP/s` and `all-cores GFLOP/s threads` (a multiply–add counts as two operations).
//!
//! Each thread runs 24 independent chains of vector multiply–adds (more than the processor's
//! multiply–add units times their latency, so no chain waits for another), using the widest
//! instructions it has: AVX-512 (16 lanes), AVX2 with FMA (8 lanes), or plain code.

use std::time::Instant;

/// Multiply–adds per chain and round.
const ROUNDS: usize = 2_000_000;

fn main() {
    let one = run(1);
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let all = run(threads);
    println!("one-core {one:.1}");
    println!("all-cores {all:.1} {threads}");
}

/// The best of three timings of `threads` threads running the chains at once, in GFLOP/s.
fn run(threads: usize) -> f64 {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let flops: f64 = std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads).map(|_| scope.spawn(chains)).collect();
                handles.into_iter().map(|h| h.join().unwrap_or(0.0)).sum()
            });
            flops / start.elapsed().as_secs_f64() / 1e9
        })
        .fold(0.0, f64::max)
}

/// Runs the chains on this thread; returns the operations done.
fn chains() -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the processor has AVX-512.
            return unsafe { x86::avx512() };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the processor has AVX2 and FMA.
            return unsafe { x86::avx2() };
        }
    }
    portable()
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::ROUNDS;
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx512f")]
    pub fn avx512() -> f64 {
        let a = _mm512_set1_ps(0.999_999);
        let b = _mm512_set1_ps(1e-7);
        let mut acc = [_mm512_set1_ps(1.0); 24];
        for _ in 0..ROUNDS {
            for x in acc.iter_mut() {
                *x = _mm512_fmadd_ps(*x, a, b);
            }
        }
        let mut total = _mm512_setzero_ps();
        for x in acc {
            total = _mm512_add_ps(total, x);
        }
        std::hint::black_box(total);
        (ROUNDS * 24 * 16 * 2) as f64
    }

    #[target_feature(enable = "avx2,fma")]
    pub fn avx2() -> f64 {
        let a = _mm256_set1_ps(0.999_999);
        let b = _mm256_set1_ps(1e-7);
        let mut acc = [_mm256_set1_ps(1.0); 12];
        for _ in 0..ROUNDS {
            for x in acc.iter_mut() {
                *x = _mm256_fmadd_ps(*x, a, b);
            }
        }
        let mut total = _mm256_setzero_ps();
        for x in acc {
            total = _mm256_add_ps(total, x);
        }
        std::hint::black_box(total);
        (ROUNDS * 12 * 8 * 2) as f64
    }
}

/// Without vector instructions known at run time: what the compiler makes of 16 chains.
fn portable() -> f64 {
    let mut acc = [1.0f32; 16];
    for _ in 0..ROUNDS {
        for x in acc.iter_mut() {
            *x = x.mul_add(0.999_999, 1e-7);
        }
    }
    std::hint::black_box(acc);
    (ROUNDS * 16 * 2) as f64
}
