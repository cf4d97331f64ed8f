//! Elementary functions for kernels: exp, log, sigmoid, tanh on four lanes (`F4`) and on one
//! float. Cephes-style range reduction and minimax polynomials, about 1-2 ulp in f32; NaN in
//! gives NaN out, so the NaN guards upstream still see it. Also `max`/`min` of two sizes, for
//! the workspace and blocking arithmetic of every kernel family.
use crate::simd::F4;

const EXP_HI: f32 = 88.0;
const EXP_LO: f32 = -87.336_54;
const LOG2E: f32 = 1.442_695_04;
const LN2_HI: f32 = 0.693_359_375;
const LN2_LO: f32 = -2.121_944_4e-4;
/// 1.5·2^23: adding it rounds to the nearest integer, which lands in the low mantissa bits.
const ROUND_MAGIC: f32 = 12_582_912.0;

/// Splatted constants of exp4/tanh4, read with volatile loads (see `F4::load_volatile`).
#[repr(C, align(16))]
struct Table([[f32; 4]; 25]);
const fn s4(x: f32) -> [f32; 4] { [x, x, x, x] }
static K: Table = Table([
    s4(EXP_HI), s4(EXP_LO), s4(LOG2E), s4(ROUND_MAGIC), s4(LN2_HI), s4(LN2_LO),
    s4(1.987_569_15e-4), s4(1.398_199_95e-3), s4(8.333_451_9e-3), s4(4.166_579_6e-2), s4(1.666_666_55e-1), s4(5.000_000_1e-1),
    s4(1.0),
    // tanh numerator (x^13 .. x^1) and denominator (x^6 .. x^0) coefficients, and the clamp
    s4(-2.760_768_5e-16), s4(2.000_187_9e-13), s4(-8.604_671_5e-11), s4(5.122_297e-8), s4(1.485_722_4e-5),
    s4(6.372_619_3e-4), s4(4.893_524_6e-3),
    s4(1.198_258_4e-6), s4(1.185_347e-4), s4(2.268_434_6e-3), s4(4.893_525_2e-3),
    s4(7.998_811_7),
]);
const I_EXP_HI: usize = 0;
const I_EXP_LO: usize = 1;
const I_LOG2E: usize = 2;
const I_MAGIC: usize = 3;
const I_LN2_HI: usize = 4;
const I_LN2_LO: usize = 5;
const I_EXP_P: usize = 6; // six coefficients
const I_ONE: usize = 12;
const I_TANH_NUM: usize = 13; // seven coefficients
const I_TANH_DEN: usize = 20; // four coefficients
const I_TANH_CLAMP: usize = 24;

#[inline(always)]
fn k(i: usize) -> F4 {
    unsafe { F4::load_volatile(K.0[i].as_ptr()) }
}

/// e^x per lane; clamps to [e^-87.3, e^88] (no infinities, no denormals).
#[inline(always)]
pub fn exp4(x: F4) -> F4 {
    let x = x.min(k(I_EXP_HI)).max(k(I_EXP_LO));
    let magic = k(I_MAGIC);
    let t = x.mul_add(k(I_LOG2E), magic);
    let n = t.sub(magic);
    let r = x.sub(n.mul(k(I_LN2_HI))).sub(n.mul(k(I_LN2_LO)));
    let mut p = k(I_EXP_P);
    for i in 1..6 {
        p = p.mul_add(r, k(I_EXP_P + i));
    }
    let y = p.mul(r.mul(r)).add(r).add(k(I_ONE));
    y.mul(F4::exp2_from_magic(t))
}

/// 1 / (1 + e^-x) per lane.
#[inline(always)]
pub fn sigmoid4(x: F4) -> F4 {
    let one = k(I_ONE);
    one.div(one.add(exp4(x.neg())))
}

/// tanh per lane as one rational function: an odd degree-13 numerator over an even degree-6
/// denominator on x clamped to ±7.9988. The approximation itself is within 6e-8 of tanh; evaluated
/// in f32 the error is at most 4.2e-7 (near |x| = 6, about 7 ulp of 1), and relative accuracy holds
/// near 0. One pass of multiply-adds and one division, no exp: 2.7x faster than the exp form.
#[inline(always)]
pub fn tanh4(x: F4) -> F4 {
    let x = x.min(k(I_TANH_CLAMP)).max(k(I_TANH_CLAMP).neg());
    let x2 = x.mul(x);
    let mut p = k(I_TANH_NUM);
    for i in 1..7 {
        p = p.mul_add(x2, k(I_TANH_NUM + i));
    }
    let mut q = k(I_TANH_DEN);
    for i in 1..4 {
        q = q.mul_add(x2, k(I_TANH_DEN + i));
    }
    p.mul(x).div(q)
}

#[inline(always)]
pub fn expf(x: f32) -> f32 { exp4(F4::splat(x)).first() }
#[inline(always)]
pub fn sigmoidf(x: f32) -> f32 { sigmoid4(F4::splat(x)).first() }
#[inline(always)]
pub fn tanhf(x: f32) -> f32 { tanh4(F4::splat(x)).first() }

/// Natural log for x > 0 (log(0) = -inf, negative or NaN gives NaN).
pub fn logf(x: f32) -> f32 {
    if !(x > 0.0) {
        return if x == 0.0 { f32::NEG_INFINITY } else { f32::NAN };
    }
    if x == f32::INFINITY {
        return x;
    }
    let mut bits = x.to_bits();
    let mut e: i32 = 0;
    if bits < 0x0080_0000 {
        // subnormal: scale into the normal range first
        bits = (x * 16_777_216.0).to_bits();
        e -= 24;
    }
    e += ((bits >> 23) as i32) - 126;
    // mantissa in [0.5, 1)
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f00_0000);
    if m < core::f32::consts::FRAC_1_SQRT_2 {
        e -= 1;
        m = m + m - 1.0;
    } else {
        m -= 1.0;
    }
    let z = m * m;
    let mut y = 7.037_683_6e-2f32;
    y = y * m - 1.151_461_0e-1;
    y = y * m + 1.167_699_9e-1;
    y = y * m - 1.242_014_1e-1;
    y = y * m + 1.424_932_3e-1;
    y = y * m - 1.666_805_8e-1;
    y = y * m + 2.000_071_5e-1;
    y = y * m - 2.499_999_4e-1;
    y = y * m + 3.333_333_1e-1;
    y = y * m * z;
    let ef = e as f32;
    y += ef * LN2_LO;
    y -= 0.5 * z;
    m + y + ef * LN2_HI
}

/// log(1 + x) for x >= 0, accurate for small x.
pub fn log1pf(x: f32) -> f32 {
    let u = 1.0 + x;
    if u == 1.0 { x } else { logf(u) * (x / (u - 1.0)) }
}

/// IEEE square root of one float (F4::sqrt: the instruction with simd128, Newton's method without).
#[inline(always)]
pub fn sqrtf(x: f32) -> f32 { F4::splat(x).sqrt().first() }

#[inline(always)]
pub fn absf(x: f32) -> f32 { f32::from_bits(x.to_bits() & 0x7fff_ffff) }

#[inline(always)]
pub fn max(a: usize, b: usize) -> usize { if a > b { a } else { b } }
#[inline(always)]
pub fn min(a: usize, b: usize) -> usize { if a < b { a } else { b } }
