//! Activation functions by code, shared by every kernel family. Codes (same in TypeScript's `ActivationCode` (ts/backend/abi.ts)):
//! 0 linear, 1 relu, 2 tanh, 3 sigmoid, 4 hardSigmoid (TF.js/Keras 2: clamp(0.2x + 0.5, 0, 1)),
//! 5 softmax (over the last axis; dense and activation layers only), 6 hardSigmoidKeras3 (Keras 3:
//! relu6(x + 3)/6 = clamp(x/6 + 0.5, 0, 1)).
//! Derivatives are taken from the *output* y, which is what the forward passes keep.
use crate::math::{exp4, sigmoid4, tanh4, expf};
use crate::simd::F4;

pub const LINEAR: i32 = 0;
pub const RELU: i32 = 1;
pub const TANH: i32 = 2;
pub const SIGMOID: i32 = 3;
pub const HARD_SIGMOID: i32 = 4;
pub const SOFTMAX: i32 = 5;
pub const HARD_SIGMOID_KERAS3: i32 = 6;

/// y = act(x) per lane (softmax is not element-wise: use `softmax_row`).
#[inline(always)]
pub fn apply4(code: i32, x: F4) -> F4 {
    match code {
        RELU => x.max(F4::zero()),
        TANH => tanh4(x),
        SIGMOID => sigmoid4(x),
        HARD_SIGMOID => x.mul_add(F4::splat(0.2), F4::splat(0.5)).max(F4::zero()).min(F4::splat(1.0)),
        HARD_SIGMOID_KERAS3 => x.mul_add(F4::splat(1.0 / 6.0), F4::splat(0.5)).max(F4::zero()).min(F4::splat(1.0)),
        _ => x,
    }
}

/// dy/dx per lane, from y = act(x).
#[inline(always)]
pub fn deriv4(code: i32, y: F4) -> F4 {
    let one = F4::splat(1.0);
    match code {
        RELU => F4::select(y.gt(F4::zero()), one, F4::zero()),
        TANH => one.sub(y.mul(y)),
        SIGMOID => y.mul(one.sub(y)),
        HARD_SIGMOID => F4::select(y.gt(F4::zero()), F4::select(y.lt(one), F4::splat(0.2), F4::zero()), F4::zero()),
        HARD_SIGMOID_KERAS3 => F4::select(y.gt(F4::zero()), F4::select(y.lt(one), F4::splat(1.0 / 6.0), F4::zero()), F4::zero()),
        _ => one,
    }
}

#[inline(always)]
pub fn apply(code: i32, x: f32) -> f32 { apply4(code, F4::splat(x)).first() }
#[inline(always)]
pub fn deriv(code: i32, y: f32) -> f32 { deriv4(code, F4::splat(y)).first() }

/// Applies `code` in place over n floats (n any size; tail handled one lane at a time).
pub unsafe fn apply_slice(code: i32, x: *mut f32, n: usize) {
    if code == LINEAR { return; }
    let mut i = 0;
    while i + 4 <= n {
        apply4(code, F4::load(x.add(i))).store(x.add(i));
        i += 4;
    }
    while i < n {
        *x.add(i) = apply(code, *x.add(i));
        i += 1;
    }
}

/// In-place softmax over one row of `cols` floats, max-subtracted for stability.
pub unsafe fn softmax_row(x: *mut f32, cols: usize) {
    let mut mx = f32::NEG_INFINITY;
    for j in 0..cols {
        let v = *x.add(j);
        if v > mx || v != v { mx = v; }
    }
    let mut sum = 0.0f32;
    let mut j = 0;
    let m4 = F4::splat(mx);
    let mut s4 = F4::zero();
    while j + 4 <= cols {
        let e = exp4(F4::load(x.add(j)).sub(m4));
        e.store(x.add(j));
        s4 = s4.add(e);
        j += 4;
    }
    while j < cols {
        let e = expf(*x.add(j) - mx);
        *x.add(j) = e;
        sum += e;
        j += 1;
    }
    sum += s4.sum();
    let inv = 1.0 / sum;
    for j in 0..cols {
        *x.add(j) *= inv;
    }
}
