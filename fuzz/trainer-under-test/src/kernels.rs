//! The numeric kernels of the model. The kernels of one example are small loops over arrays
//! whose sizes are compile-time constants, so the compiler unrolls and vectorizes them and drops
//! every bounds check; they are written into the passes that call them (`#[inline(always)]`), to
//! be compiled with the passes' vector instructions. The kernels of a batch (`…_rows`) compute a
//! product for every row at once, in register tiles the compiler turns into vector instructions:
//! AVX-512 or AVX2 when the processor has them (checked at each call), plain arithmetic
//! otherwise.
//!
//! Each kernel adds its terms in the evaluator's order (sums from 0, index by index), so an f64
//! trainer's numbers are `nabla`'s own to the last bit. An f32 trainer trades that for speed: it
//! fuses each multiply–add into one instruction (one rounding instead of two), and `matvec_rows`
//! sums each dot product in vector-wide parts.

use crate::Real;

/// Elements of one 512-bit vector register.
const LANES: usize = 64 / std::mem::size_of::<Real>();

/// Columns of one register tile: two vectors.
const WIDE: usize = 2 * LANES;

/// Asks the processor to bring the cache lines of `values` (at most 64 bytes apart) into the
/// cache, without waiting for them.
#[inline(always)]
fn prefetch(values: &[Real]) {
    #[cfg(target_arch = "x86_64")]
    for line in values.chunks(64 / std::mem::size_of::<Real>()) {
        // SAFETY: prefetching is a hint that never faults, and the address is inside a slice.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>(line.as_ptr().cast());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = values;
}

/// Whether multiply–adds are fused: in an f32 trainer, where the processor has the instruction.
const FUSED: bool = std::mem::size_of::<Real>() == 4;

/// `a b + c`: one fused multiply–add in an f32 trainer on a processor with them (`FMA`), else a
/// product and a sum, as the evaluator computes it.
#[inline(always)]
fn mul_add<const FMA: bool>(a: Real, b: Real, c: Real) -> Real {
    if FMA && FUSED {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// Defines a kernel `$name` that runs `$body::<…, FMA>`, compiled three times: for AVX-512, for
/// AVX2 with FMA, and for any processor; each call takes the best its processor supports. The
/// kernel's constant sizes are listed in brackets: `matvec_rows[M, K]`.
macro_rules! multiversion {
    (
        $(#[$doc:meta])*
        pub fn $name:ident[$($c:ident),*]($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?
            => $body:ident
    ) => {
        $(#[$doc])*
        pub fn $name<$(const $c: usize),*>($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx2,fma")]
                fn avx512<$(const $c: usize),*>($($arg: $ty),*) $(-> $ret)? {
                    $body::<$($c,)* true>($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                fn avx2<$(const $c: usize),*>($($arg: $ty),*) $(-> $ret)? {
                    $body::<$($c,)* true>($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the processor has AVX-512 (and so AVX2 and FMA).
                    return unsafe { avx512::<$($c),*>($($arg),*) };
                }
                if std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                {
                    // SAFETY: the processor has AVX2 and FMA.
                    return unsafe { avx2::<$($c),*>($($arg),*) };
                }
            }
            $body::<$($c,)* false>($($arg),*)
        }
    };
}

pub(crate) use multiversion;

multiversion! {
    /// SGD's step on one tensor θ, from the sum s of the batch's gradients: θ ← θ − lr·(s / n),
    /// with s / n computed as s · (1/n). Returns whether every θ is finite.
    pub fn sgd_step[](p: &mut [Real], s: &[Real], n: Real, lr: Real) -> bool => sgd_step_body
}

#[inline(always)]
fn sgd_step_body<const FMA: bool>(p: &mut [Real], s: &[Real], n: Real, lr: Real) -> bool {
    let mut finite = true;
    let mean = 1.0 / n;
    for (p, s) in p.iter_mut().zip(s) {
        *p -= lr * (s * mean);
        finite &= p.is_finite();
    }
    finite
}

/// eˣ, from the standard library: an f64 trainer computes what the evaluator computes.
#[inline(always)]
fn exp(x: Real) -> Real {
    x.exp()
}

/// out = W x: out[i] = Σₖ W[i][k] x[k].
#[inline(always)]
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

multiversion! {
    /// out = Aᵀ, in blocks of 8 × 8 so that reads and writes stay within a few cache lines.
    pub fn transpose[M, N](out: &mut [[Real; M]; N], a: &[[Real; N]; M]) => transpose_body
}

#[inline(always)]
fn transpose_body<const M: usize, const N: usize, const FMA: bool>(
    out: &mut [[Real; M]; N],
    a: &[[Real; N]; M],
) {
    const B: usize = 8;
    let (blocks, rest) = a.as_chunks::<B>();
    for (block, rows) in blocks.iter().enumerate() {
        let i = B * block;
        let (columns, tail) = out.as_chunks_mut::<B>();
        for (c, out) in columns.iter_mut().enumerate() {
            for (j, out) in out.iter_mut().enumerate() {
                for (b, row) in rows.iter().enumerate() {
                    out[i + b] = row[B * c + j];
                }
            }
        }
        for (j, out) in tail.iter_mut().enumerate() {
            for (b, row) in rows.iter().enumerate() {
                out[i + b] = row[B * columns.len() + j];
            }
        }
    }
    for (b, row) in rest.iter().enumerate() {
        for (j, value) in row.iter().enumerate() {
            out[j][B * blocks.len() + b] = *value;
        }
    }
}

multiversion! {
    /// out[r] = Aᵀ d[r] for every row r: out[r][k] = Σᵢ A[i][k] d[r][i], summed over i in
    /// order. With A = W it is Wᵀ δ; with A = Wᵀ (a transposed copy), W x.
    pub fn matvec_transposed_rows[M, K](
        out: &mut [[Real; K]],
        a: &[[Real; K]; M],
        d: &[[Real; M]],
    ) => matvec_transposed_rows_body
}

/// Rows of A a register tile reads before the next tile. Read column strip by column strip, A's
/// rows are often a power of two apart in memory, where they share few of the first-level
/// cache's sets: 48 rows of two vectors still stay in it (256 did not, and ran 20% slower).
const SPAN: usize = 48;

/// The most bytes of A for which a tile reads all of A's rows at once: a matrix this small stays
/// in the first-level cache whatever its rows' addresses, and each tile's sums are then loaded
/// and stored once instead of once per span. (digits' `W1ᵀ`, 64 rows of 128: 92.3 → 93.9 GFLOP/s
/// in the loop, ten runs each, side by side; 94.5 → 95.9 in six others.)
const WHOLE_SPAN_BYTES: usize = 32 * 1024;

#[inline(always)]
fn matvec_transposed_rows_body<const M: usize, const K: usize, const FMA: bool>(
    out: &mut [[Real; K]],
    a: &[[Real; K]; M],
    d: &[[Real; M]],
) {
    let n = out.len().min(d.len());
    let (out, d) = (&mut out[..n], &d[..n]);
    let wide = K / WIDE;
    let half = (K % WIDE) / LANES;
    let span = if size_of::<[[Real; K]; M]>() <= WHOLE_SPAN_BYTES {
        M
    } else {
        SPAN
    };
    let mut start = 0;
    while start < M {
        let end = (start + span).min(M);
        let (rows, next) = (&a[start..end], &a[end..(end + span).min(M)]);
        for c in 0..wide {
            let k = c * WIDE;
            // The same columns of the next rows, on their way to the cache while these are
            // computed: read column strip by column strip, rows a power of two apart are
            // found too late by the processor's own prefetching.
            for row in next {
                prefetch(&row[k..k + WIDE]);
            }
            transposed_columns::<WIDE, M, K, FMA>(out, rows, d, k, start, start > 0);
        }
        if half == 1 {
            transposed_columns::<LANES, M, K, FMA>(out, rows, d, wide * WIDE, start, start > 0);
        }
        for k in wide * WIDE + half * LANES..K {
            transposed_columns::<1, M, K, FMA>(out, rows, d, k, start, start > 0);
        }
        start = end;
    }
}

/// Columns k .. k + C of every row of `out`, from the rows `a` of A, rows `start …` of it
/// (added to what `out` holds if `add`), in tiles of 8 rows of `out`, then 4, then single rows.
#[inline(always)]
fn transposed_columns<const C: usize, const M: usize, const K: usize, const FMA: bool>(
    out: &mut [[Real; K]],
    a: &[[Real; K]],
    d: &[[Real; M]],
    k: usize,
    start: usize,
    add: bool,
) {
    let (out_tiles, out_rest) = out.as_chunks_mut::<8>();
    let (d_tiles, d_rest) = d.as_chunks::<8>();
    for (out, d) in out_tiles.iter_mut().zip(d_tiles) {
        transposed_tile::<8, C, M, K, FMA>(out, d, a, k, start, add);
    }
    let (out_tiles, out_rest) = out_rest.as_chunks_mut::<4>();
    let (d_tiles, d_rest) = d_rest.as_chunks::<4>();
    for (out, d) in out_tiles.iter_mut().zip(d_tiles) {
        transposed_tile::<4, C, M, K, FMA>(out, d, a, k, start, add);
    }
    for (out, d) in out_rest.iter_mut().zip(d_rest) {
        let (out, d) = (std::array::from_mut(out), std::array::from_ref(d));
        transposed_tile::<1, C, M, K, FMA>(out, d, a, k, start, add);
    }
}

/// R rows by C columns of out[r][k] = Σᵢ A[i][k] d[r][i], over the rows of `a` (rows
/// `start…` of A), added to what `out` holds if `add`.
#[inline(always)]
fn transposed_tile<
    const R: usize,
    const C: usize,
    const M: usize,
    const K: usize,
    const FMA: bool,
>(
    out: &mut [[Real; K]; R],
    d: &[[Real; M]; R],
    a: &[[Real; K]],
    k: usize,
    start: usize,
    add: bool,
) {
    let mut sums = [[0.0; C]; R];
    if add {
        for (sums, out) in sums.iter_mut().zip(out.iter()) {
            sums.copy_from_slice(&out[k..k + C]);
        }
    }
    // Each row's d[start…], cut to the length of `a`, so that the loop's indices need no checks.
    let d: [&[Real]; R] = std::array::from_fn(|r| &d[r][start..start + a.len()]);
    for (i, a) in a.iter().enumerate() {
        let a: &[Real; C] = a[k..k + C].try_into().unwrap_or(&[0.0; C]);
        for (sums, d) in sums.iter_mut().zip(d) {
            let d = d[i];
            for l in 0..C {
                sums[l] = mul_add::<FMA>(d, a[l], sums[l]);
            }
        }
    }
    for (out, sums) in out.iter_mut().zip(&sums) {
        out[k..k + C].copy_from_slice(sums);
    }
}

multiversion! {
    /// sum += Σ_r u[r] v[r]ᵀ for the rows `first …` of the sum (as many as `sum` has):
    /// sum[i − first][k] += u[r][i] v[r][k], batch row after batch row. Adds a batch's gradient of
    /// a few rows of a weight matrix to their sum; or, unless `add`, writes it over what `sum`
    /// holds (the same numbers as adding it to zeros, without reading them).
    pub fn outer_add_rows[M, K](
        sum: &mut [[Real; K]],
        first: usize,
        u: &[[Real; M]],
        v: &[[Real; K]],
        add: bool,
    ) => outer_add_rows_body
}

#[inline(always)]
fn outer_add_rows_body<const M: usize, const K: usize, const FMA: bool>(
    sum: &mut [[Real; K]],
    first: usize,
    u: &[[Real; M]],
    v: &[[Real; K]],
    add: bool,
) {
    let n = u.len().min(v.len());
    let (u, v) = (&u[..n], &v[..n]);
    // At most the rows u has, so that the tiles' indices need no checks.
    let rows = sum.len().min(M.saturating_sub(first));
    let sum = &mut sum[..rows];
    // The columns of u the next rows of the sum will read, on their way to the cache: each
    // batch row's are in a cache line of their own.
    let next = (first + rows).min(M)..(first + 2 * rows).min(M);
    for u in u {
        prefetch(&u[next.clone()]);
    }
    let wide = K / WIDE;
    let half = (K % WIDE) / LANES;
    for c in 0..wide {
        outer_columns::<WIDE, M, K, FMA>(sum, first, u, v, c * WIDE, add);
    }
    if half == 1 {
        outer_columns::<LANES, M, K, FMA>(sum, first, u, v, wide * WIDE, add);
    }
    for k in wide * WIDE + half * LANES..K {
        outer_columns::<1, M, K, FMA>(sum, first, u, v, k, add);
    }
}

/// Columns k .. k + C of every row of `sum` (rows `first …` of the whole sum), in tiles of 12
/// rows, then 6, 4 and 2, then single rows. (A tile of one row has too few sums to keep the
/// multiply–add units busy: W1's 64 rows in digits, or an output layer's 10, end in whole tiles.)
#[inline(always)]
fn outer_columns<const C: usize, const M: usize, const K: usize, const FMA: bool>(
    sum: &mut [[Real; K]],
    first: usize,
    u: &[[Real; M]],
    v: &[[Real; K]],
    k: usize,
    add: bool,
) {
    let (tiles, rest) = sum.as_chunks_mut::<12>();
    for (t, sum) in tiles.iter_mut().enumerate() {
        outer_tile::<12, C, M, K, FMA>(sum, first + 12 * t, u, v, k, add);
    }
    let i = first + 12 * tiles.len();
    let (tiles, rest) = rest.as_chunks_mut::<6>();
    for (t, sum) in tiles.iter_mut().enumerate() {
        outer_tile::<6, C, M, K, FMA>(sum, i + 6 * t, u, v, k, add);
    }
    let i = i + 6 * tiles.len();
    let (tiles, rest) = rest.as_chunks_mut::<4>();
    for (t, sum) in tiles.iter_mut().enumerate() {
        outer_tile::<4, C, M, K, FMA>(sum, i + 4 * t, u, v, k, add);
    }
    let i = i + 4 * tiles.len();
    let (tiles, rest) = rest.as_chunks_mut::<2>();
    for (t, sum) in tiles.iter_mut().enumerate() {
        outer_tile::<2, C, M, K, FMA>(sum, i + 2 * t, u, v, k, add);
    }
    let i = i + 2 * tiles.len();
    for (j, sum) in rest.iter_mut().enumerate() {
        let sum = std::array::from_mut(sum);
        outer_tile::<1, C, M, K, FMA>(sum, i + j, u, v, k, add);
    }
}

/// Rows i .. i + R, columns k .. k + C of the sum, over every row of the batch (added to what
/// the sum holds if `add`).
#[inline(always)]
fn outer_tile<const R: usize, const C: usize, const M: usize, const K: usize, const FMA: bool>(
    sum: &mut [[Real; K]; R],
    i: usize,
    u: &[[Real; M]],
    v: &[[Real; K]],
    k: usize,
    add: bool,
) {
    let mut sums = [[0.0; C]; R];
    if add {
        for (sums, sum) in sums.iter_mut().zip(sum.iter()) {
            sums.copy_from_slice(&sum[k..k + C]);
        }
    }
    for (u, v) in u.iter().zip(v) {
        let v: &[Real; C] = v[k..k + C].try_into().unwrap_or(&[0.0; C]);
        let u: &[Real; R] = u[i..i + R].try_into().unwrap_or(&[0.0; R]);
        for (sums, u) in sums.iter_mut().zip(u) {
            for l in 0..C {
                sums[l] = mul_add::<FMA>(*u, v[l], sums[l]);
            }
        }
    }
    for (sum, sums) in sum.iter_mut().zip(&sums) {
        sum[k..k + C].copy_from_slice(sums);
    }
}

/// p = softmax(z) and l = log_softmax(z) of every row of z at once, from the same exponentials:
/// the numbers `softmax` and `log_softmax` each give, for half the work. The exponentials of all
/// the rows are one loop, which becomes vector instructions where a row's few do not (digits'
/// ten outputs: 87.7 → 94.7 GFLOP/s in the loop, six runs each, side by side).
#[inline(always)]
pub fn softmax_and_log_softmax_rows<const N: usize>(
    p: &mut [[Real; N]],
    l: &mut [[Real; N]],
    z: &[[Real; N]],
) {
    let n = p.len().min(l.len()).min(z.len());
    let (p, l, z) = (&mut p[..n], &mut l[..n], &z[..n]);
    // l = z − max first, row by row; the log of the row's total is taken off below.
    for (l, z) in l.iter_mut().zip(z) {
        let max = z.iter().fold(Real::NEG_INFINITY, |m, &x| m.max(x));
        for (l, z) in l.iter_mut().zip(z) {
            *l = z - max;
        }
    }
    for (p, l) in p.as_flattened_mut().iter_mut().zip(l.as_flattened()) {
        *p = exp(*l);
    }
    for (p, l) in p.iter_mut().zip(l.iter_mut()) {
        let total: Real = p.iter().sum();
        let log_total = total.ln();
        for (p, l) in p.iter_mut().zip(l.iter_mut()) {
            *l -= log_total;
            *p /= total;
        }
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
