//! Optimizer updates and gradient-norm helpers (Keras 3 formulas, see `ts/backend/abi.ts`).
//!
//! Buffers (all [n], one float per parameter):
//!   sgd_update      p (updated), g, v (velocity; 0 when momentum is unused)
//!   rmsprop_update  p (updated), g, ms (mean square), mom (0: no momentum), mg (mean grad; centered only)
//!   adam_update     p (updated), g, m (first moment), v (second moment)
//!   sum_squares     x -> Σ x² in f64
//!   scale_inplace   x (x *= s)
//!   clip_inplace    x (x = clamp(x, lo, hi); NaN stays NaN, values inside keep their bits)
//!
//! Each update is one pass over its buffers: four lanes at a time, then a one-lane tail that runs
//! the same F4 step on splatted values. Long passes are split in ranges over the pool.
use crate::elementwise::{load_w, store_w};
use crate::math::sqrtf;
use crate::simd::F4;
use crate::threads;

#[no_mangle]
pub unsafe extern "C" fn sgd_update(n: usize, lr: f32, momentum: f32, nesterov: i32, p: *mut f32, g: *const f32, v: *mut f32) {
    let lr4 = F4::splat(lr);
    let mo4 = F4::splat(momentum);
    if v.is_null() {
        // no velocity buffer (momentum 0): p -= lr·g
        #[inline(always)]
        unsafe fn plain<const W: usize>(i: usize, lr4: F4, p: *mut f32, g: *const f32) {
            let pi = load_w::<W>(p.add(i));
            store_w::<W>(pi.sub(lr4.mul(load_w::<W>(g.add(i)))), p.add(i));
        }
        let step = |i: usize, w4: bool| if w4 { plain::<4>(i, lr4, p, g) } else { plain::<1>(i, lr4, p, g) };
        run(n, step);
        return;
    }
    #[inline(always)]
    unsafe fn with_momentum<const W: usize, const NESTEROV: bool>(i: usize, lr4: F4, mo4: F4, p: *mut f32, g: *const f32, v: *mut f32) {
        let lg = lr4.mul(load_w::<W>(g.add(i)));
        let vi = mo4.mul(load_w::<W>(v.add(i))).sub(lg);
        store_w::<W>(vi, v.add(i));
        let delta = if NESTEROV { mo4.mul(vi).sub(lg) } else { vi };
        store_w::<W>(load_w::<W>(p.add(i)).add(delta), p.add(i));
    }
    if nesterov != 0 {
        run(n, |i, w4| if w4 { with_momentum::<4, true>(i, lr4, mo4, p, g, v) } else { with_momentum::<1, true>(i, lr4, mo4, p, g, v) });
    } else {
        run(n, |i, w4| if w4 { with_momentum::<4, false>(i, lr4, mo4, p, g, v) } else { with_momentum::<1, false>(i, lr4, mo4, p, g, v) });
    }
}

/// Calls `step(i, true)` per block of four and `step(i, false)` per tail element, in ranges over
/// the pool for long passes (every element is computed alike whatever the split).
#[inline(always)]
unsafe fn run(n: usize, step: impl Fn(usize, bool)) {
    threads::for_range(n, 4 * threads::STREAM_FLOPS, |_, lo, hi| {
        let mut i = lo;
        while i + 4 <= hi {
            step(i, true);
            i += 4;
        }
        while i < hi {
            step(i, false);
            i += 1;
        }
    });
}

#[no_mangle]
pub unsafe extern "C" fn rmsprop_update(
    n: usize, lr: f32, rho: f32, momentum: f32, eps: f32, centered: i32,
    p: *mut f32, g: *const f32, ms: *mut f32, mom: *mut f32, mg: *mut f32,
) {
    let c = Consts { lr: F4::splat(lr), rho: F4::splat(rho), one_m_rho: F4::splat(1.0 - rho), momentum: F4::splat(momentum), eps: F4::splat(eps) };
    let bufs = RmsBufs { p, g, ms, mom, mg };
    // momentum 0 with a buffer gives mom = inc, p -= inc: the same update, so the buffer decides.
    match (centered != 0 && !mg.is_null(), !mom.is_null()) {
        (false, false) => run(n, |i, w4| if w4 { rms_step::<4, false, false>(i, &c, &bufs) } else { rms_step::<1, false, false>(i, &c, &bufs) }),
        (false, true) => run(n, |i, w4| if w4 { rms_step::<4, false, true>(i, &c, &bufs) } else { rms_step::<1, false, true>(i, &c, &bufs) }),
        (true, false) => run(n, |i, w4| if w4 { rms_step::<4, true, false>(i, &c, &bufs) } else { rms_step::<1, true, false>(i, &c, &bufs) }),
        (true, true) => run(n, |i, w4| if w4 { rms_step::<4, true, true>(i, &c, &bufs) } else { rms_step::<1, true, true>(i, &c, &bufs) }),
    }
}

struct Consts { lr: F4, rho: F4, one_m_rho: F4, momentum: F4, eps: F4 }
struct RmsBufs { p: *mut f32, g: *const f32, ms: *mut f32, mom: *mut f32, mg: *mut f32 }

#[inline(always)]
unsafe fn rms_step<const W: usize, const CENTERED: bool, const MOMENTUM: bool>(i: usize, c: &Consts, b: &RmsBufs) {
    let g = load_w::<W>(b.g.add(i));
    let ms = c.rho.mul(load_w::<W>(b.ms.add(i))).add(c.one_m_rho.mul(g.mul(g)));
    store_w::<W>(ms, b.ms.add(i));
    let denom = if CENTERED {
        let mg = c.rho.mul(load_w::<W>(b.mg.add(i))).add(c.one_m_rho.mul(g));
        store_w::<W>(mg, b.mg.add(i));
        ms.sub(mg.mul(mg))
    } else {
        ms
    };
    let inc = c.lr.mul(g).div(denom.add(c.eps).sqrt());
    let delta = if MOMENTUM {
        let m = c.momentum.mul(load_w::<W>(b.mom.add(i))).add(inc);
        store_w::<W>(m, b.mom.add(i));
        m
    } else {
        inc
    };
    store_w::<W>(load_w::<W>(b.p.add(i)).sub(delta), b.p.add(i));
}

#[no_mangle]
pub unsafe extern "C" fn adam_update(
    n: usize, lr: f32, beta1: f32, beta2: f32, eps: f32, b1pow: f32, b2pow: f32, weight_decay: f32,
    p: *mut f32, g: *const f32, m: *mut f32, v: *mut f32,
) {
    // bias corrections folded into one step size
    let alpha = F4::splat(lr * sqrtf(1.0 - b2pow) / (1.0 - b1pow));
    let decay = F4::splat(lr * weight_decay);
    let one_m_b1 = F4::splat(1.0 - beta1);
    let one_m_b2 = F4::splat(1.0 - beta2);
    let eps4 = F4::splat(eps);
    let decays = weight_decay != 0.0;
    #[inline(always)]
    unsafe fn step<const W: usize>(i: usize, decays: bool, k: &[F4; 5], p: *mut f32, g: *const f32, m: *mut f32, v: *mut f32) {
        let [alpha, decay, one_m_b1, one_m_b2, eps4] = *k;
        let mut pi = load_w::<W>(p.add(i));
        if decays {
            pi = pi.sub(decay.mul(pi));
        }
        let gi = load_w::<W>(g.add(i));
        let mi = load_w::<W>(m.add(i));
        let mi = mi.add(gi.sub(mi).mul(one_m_b1));
        let vi = load_w::<W>(v.add(i));
        let vi = vi.add(gi.mul(gi).sub(vi).mul(one_m_b2));
        store_w::<W>(mi, m.add(i));
        store_w::<W>(vi, v.add(i));
        store_w::<W>(pi.sub(alpha.mul(mi).div(vi.sqrt().add(eps4))), p.add(i));
    }
    let k = [alpha, decay, one_m_b1, one_m_b2, eps4];
    run(n, |i, w4| if w4 { step::<4>(i, decays, &k, p, g, m, v) } else { step::<1>(i, decays, &k, p, g, m, v) });
}

/// Σ x² in f64: each lane is widened to f64 before squaring, so the sum neither overflows
/// f32 nor loses the low bits of small squares.
#[no_mangle]
pub unsafe extern "C" fn sum_squares(n: usize, x: *const f32) -> f64 {
    // Parts' sums added in part order: one part (one thread) is the plain pass.
    let mut partial = [0.0f64; threads::MAX_THREADS];
    let out = partial.as_mut_ptr();
    let parts = threads::for_range(n, threads::STREAM_FLOPS, |p, lo, hi| *out.add(p) = sum_squares_of(hi - lo, x.add(lo)));
    partial[..parts].iter().sum()
}

unsafe fn sum_squares_of(n: usize, x: *const f32) -> f64 {
    let mut acc = Acc64::new();
    let mut i = 0;
    while i + 4 <= n {
        acc.add_squares(F4::load(x.add(i)));
        i += 4;
    }
    let mut s = acc.total();
    while i < n {
        let v = *x.add(i) as f64;
        s += v * v;
        i += 1;
    }
    s
}

/// Four f64 partial sums of squares (two f64x2 under simd128).
#[cfg(target_feature = "simd128")]
struct Acc64(core::arch::wasm32::v128, core::arch::wasm32::v128);
#[cfg(target_feature = "simd128")]
impl Acc64 {
    #[inline(always)]
    fn new() -> Self { Acc64(core::arch::wasm32::f64x2_splat(0.0), core::arch::wasm32::f64x2_splat(0.0)) }
    #[inline(always)]
    fn add_squares(&mut self, v: F4) {
        use core::arch::wasm32::*;
        let lo = f64x2_promote_low_f32x4(v.0);
        let hi = f64x2_promote_low_f32x4(i32x4_shuffle::<2, 3, 0, 1>(v.0, v.0));
        self.0 = f64x2_add(self.0, f64x2_mul(lo, lo));
        self.1 = f64x2_add(self.1, f64x2_mul(hi, hi));
    }
    #[inline(always)]
    fn total(&self) -> f64 {
        use core::arch::wasm32::*;
        let s = f64x2_add(self.0, self.1);
        f64x2_extract_lane::<0>(s) + f64x2_extract_lane::<1>(s)
    }
}

#[cfg(not(target_feature = "simd128"))]
struct Acc64([f64; 4]);
#[cfg(not(target_feature = "simd128"))]
impl Acc64 {
    #[inline(always)]
    fn new() -> Self { Acc64([0.0; 4]) }
    #[inline(always)]
    fn add_squares(&mut self, v: F4) {
        for l in 0..4 {
            let w = v.0[l] as f64;
            self.0[l] += w * w;
        }
    }
    #[inline(always)]
    fn total(&self) -> f64 { (self.0[0] + self.0[2]) + (self.0[1] + self.0[3]) }
}

#[no_mangle]
pub unsafe extern "C" fn scale_inplace(n: usize, s: f32, x: *mut f32) {
    let s4 = F4::splat(s);
    #[inline(always)]
    unsafe fn step<const W: usize>(i: usize, s4: F4, x: *mut f32) {
        store_w::<W>(load_w::<W>(x.add(i)).mul(s4), x.add(i));
    }
    run(n, |i, w4| if w4 { step::<4>(i, s4, x) } else { step::<1>(i, s4, x) });
}

#[no_mangle]
pub unsafe extern "C" fn clip_inplace(n: usize, lo: f32, hi: f32, x: *mut f32) {
    let (lo4, hi4) = (F4::splat(lo), F4::splat(hi));
    // F4 max/min are `x < lo ? lo : x` and `hi < x ? hi : x`: NaN passes through unchanged.
    #[inline(always)]
    unsafe fn step<const W: usize>(i: usize, lo4: F4, hi4: F4, x: *mut f32) {
        store_w::<W>(load_w::<W>(x.add(i)).max(lo4).min(hi4), x.add(i));
    }
    run(n, |i, w4| if w4 { step::<4>(i, lo4, hi4, x) } else { step::<1>(i, lo4, hi4, x) });
}
