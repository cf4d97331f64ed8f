//! SimpleRNN over a whole sequence: h(t) = act(x(t)·kernel + (h(t-1)·recMask)·recKernel + bias).
//!
//! Buffers (row-major, floats; B batch, T time, I input, U units):
//!   x          [B, T, I]      input, indexed by input time
//!   kernel     [I, U]
//!   recKernel  [U, U]
//!   bias       [U]            0 = none
//!   h0         [B, U]         initial state, 0 = zeros
//!   mask       [B, T]         by input time (0 = masked step), 0 = none
//!   recMask    [B, U]         multiplies h(t-1) where it enters the recurrent product, 0 = none
//!   hs         [B, T, U]      h after every step, in processing order
//!   hT         [B, U]         state after the last step
//!   cache      none (rnn_cache_floats = 0): the backward takes act' from hs and h(t-1) from hs/h0
//!   ws         rnn_ws_floats(B, T, I, U)
//! Backward: dHs [B, T, U], dHT [B, U] (0 = none) -> dx [B, T, I], dH0 [B, U] (overwritten,
//!   0 = skip); dKernel [I, U], dRecKernel [U, U], dBias [U] (0 = skip) accumulated.
//!
//! Forward: one GEMM projects every step's input into P [B*T, U] (rows by input time); each step
//! adds h(t-1)·recKernel into its P rows with the recurrent kernel packed once, then a fused F4 pass
//! applies bias and activation. Backward: per step a fused pass writes dA [B*T, U] (gradient of the
//! pre-activation, rows by input time) and one GEMM carries dh back; weight and input gradients are
//! GEMMs over dA after the time loop.
use crate::activations::{apply4, deriv4, TANH};
use crate::gemm::{gemm_impl, gemm_packed_b, pack_b_full, packed_b_floats, ws_floats};
use crate::simd::F4;

const GO_BACKWARDS: i32 = 1;

#[inline(always)]
fn max(a: usize, b: usize) -> usize { if a > b { a } else { b } }

/// Loads `n` <= 4 floats (the rest zero), so row tails share the F4 code path.
#[inline(always)]
unsafe fn load_n(p: *const f32, n: usize) -> F4 {
    if n == 4 { return F4::load(p); }
    let mut t = [0.0f32; 4];
    for k in 0..n { t[k] = *p.add(k); }
    F4::load(t.as_ptr())
}

/// Stores the first `n` <= 4 lanes.
#[inline(always)]
unsafe fn store_n(v: F4, p: *mut f32, n: usize) {
    if n == 4 { return v.store(p); }
    let mut t = [0.0f32; 4];
    v.store(t.as_mut_ptr());
    for k in 0..n { *p.add(k) = t[k]; }
}

/// Calls `f(j, n)` over the lane groups of a row of `u` floats: full groups first (n = 4, a constant
/// once inlined, so loads and stores are plain v128), then one partial group.
#[inline(always)]
unsafe fn for_lanes(u: usize, mut f: impl FnMut(usize, usize)) {
    let mut j = 0;
    while j + 4 <= u { f(j, 4); j += 4; }
    if j < u { f(j, u - j); }
}

/// An activation code fixed at compile time (C >= 0) or the runtime one (C = -1), so tanh gets
/// passes without per-lane dispatch.
#[inline(always)]
fn code<const C: i32>(runtime: i32) -> i32 { if C >= 0 { C } else { runtime } }

#[inline(always)]
unsafe fn copy(src: *const f32, dst: *mut f32, n: usize) { core::ptr::copy_nonoverlapping(src, dst, n) }
#[inline(always)]
unsafe fn zero(dst: *mut f32, n: usize) { core::ptr::write_bytes(dst, 0, n) }

/// Step bookkeeping shared by forward and backward.
struct Seq { b: usize, t: usize, u: usize, back: bool, mask: *const f32, h0: *const f32, hs: *const f32 }

impl Seq {
    /// Input time read by processing step s.
    #[inline(always)]
    fn time(&self, s: usize) -> usize { if self.back { self.t - 1 - s } else { s } }
    #[inline(always)]
    unsafe fn kept(&self, bi: usize, t_in: usize) -> bool {
        self.mask.is_null() || *self.mask.add(bi * self.t + t_in) != 0.0
    }
    /// h(t-1) of step s as (pointer, row stride): h0 (or zeros) for s = 0, else hs at step s-1.
    #[inline(always)]
    unsafe fn hprev(&self, s: usize) -> (*const f32, usize) {
        if s == 0 { (self.h0, self.u) } else { (self.hs.add((s - 1) * self.u), self.t * self.u) }
    }
}

// ---- workspace layouts (shared by the kernels and rnn_ws_floats) ----

struct FwdWs { packed: usize, p: usize, zeros: usize, hm: usize, bias: usize, gemm: usize, total: usize }
fn fwd_ws(b: usize, t: usize, i: usize, u: usize) -> FwdWs {
    let packed = 0;
    let p = packed + packed_b_floats(u, u);
    let zeros = p + b * t * u;
    let hm = zeros + b * u;
    let bias = hm + b * u;
    let gemm = bias + u;
    FwdWs { packed, p, zeros, hm, bias, gemm, total: gemm + max(ws_floats(b * t, u, i), ws_floats(b, u, u)) }
}

struct BwdWs { packed: usize, da: usize, hm: usize, zeros: usize, dh: usize, carry: usize, tmp: usize, gemm: usize, total: usize }
fn bwd_ws(b: usize, t: usize, i: usize, u: usize) -> BwdWs {
    let bt = b * t;
    let packed = 0;
    let da = packed + packed_b_floats(u, u);
    let hm = da + bt * u;
    let zeros = hm + bt * u;
    let dh = zeros + b * u;
    let carry = dh + b * u;
    let tmp = carry + b * u;
    let gemm = tmp + b * u;
    let gemm_floats = max(max(ws_floats(b, u, u), ws_floats(u, u, bt)), max(ws_floats(i, u, bt), ws_floats(bt, i, u)));
    BwdWs { packed, da, hm, zeros, dh, carry, tmp, gemm, total: gemm + gemm_floats }
}

#[no_mangle]
pub extern "C" fn rnn_cache_floats(_b: usize, _t: usize, _i: usize, _u: usize) -> usize { 0 }

#[no_mangle]
pub extern "C" fn rnn_ws_floats(b: usize, t: usize, i: usize, u: usize) -> usize {
    max(fwd_ws(b, t, i, u).total, bwd_ws(b, t, i, u).total)
}

#[no_mangle]
pub unsafe extern "C" fn rnn_forward(
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32,
    x: *const f32, kernel: *const f32, rec_kernel: *const f32, bias: *const f32, h0: *const f32,
    mask: *const f32, rec_mask: *const f32, hs: *mut f32, h_t: *mut f32, _cache: *mut f32, ws: *mut f32,
) {
    let l = fwd_ws(b, t, i, u);
    let zeros = ws.add(l.zeros);
    zero(zeros, b * u);
    let q = Seq { b, t, u, back: flags & GO_BACKWARDS != 0, mask, h0: if h0.is_null() { zeros } else { h0 }, hs };
    let bv = ws.add(l.bias);
    if bias.is_null() { zero(bv, u); } else { copy(bias, bv, u); }
    let (gemm_ws, packed, p, hm_buf) = (ws.add(l.gemm), ws.add(l.packed), ws.add(l.p), ws.add(l.hm));
    pack_b_full(false, u, u, rec_kernel, u, packed);
    gemm_impl(false, false, b * t, u, i, 1.0, x, i, kernel, u, 0.0, p, u, gemm_ws);
    for s in 0..t {
        let t_in = q.time(s);
        let (hp, ldh) = q.hprev(s);
        let rows = p.add(t_in * u);
        if !(s == 0 && h0.is_null()) {
            let (hm, ldm) = if rec_mask.is_null() { (hp, ldh) } else {
                for bi in 0..b {
                    let (src, rm, dst) = (hp.add(bi * ldh), rec_mask.add(bi * u), hm_buf.add(bi * u));
                    for j in 0..u { *dst.add(j) = *src.add(j) * *rm.add(j); }
                }
                (hm_buf as *const f32, u)
            };
            gemm_packed_b(false, b, u, u, 1.0, hm, ldm, packed, 1.0, rows, t * u, gemm_ws);
        }
        if act == TANH {
            step::<TANH>(&q, t_in, act, rows, bv, hp, ldh, hs.add(s * u));
        } else {
            step::<-1>(&q, t_in, act, rows, bv, hp, ldh, hs.add(s * u));
        }
    }
    if !h_t.is_null() {
        let (last, ld) = if t == 0 { (q.h0, u) } else { (hs.add((t - 1) * u) as *const f32, t * u) };
        for bi in 0..b { copy(last.add(bi * ld), h_t.add(bi * u), u); }
    }
}

/// h = act(rows + bias) for kept rows, the carried h(t-1) for masked ones.
#[inline(never)]
unsafe fn step<const A: i32>(q: &Seq, t_in: usize, act: i32, rows: *const f32, bv: *const f32, hp: *const f32, ldh: usize, out: *mut f32) {
    let act = code::<A>(act);
    let (u, tu) = (q.u, q.t * q.u);
    for bi in 0..q.b {
        let out_b = out.add(bi * tu);
        if !q.kept(bi, t_in) { copy(hp.add(bi * ldh), out_b, u); continue; }
        let row = rows.add(bi * tu);
        for_lanes(u, |j, n| store_n(apply4(act, load_n(row.add(j), n).add(load_n(bv.add(j), n))), out_b.add(j), n));
    }
}

#[no_mangle]
pub unsafe extern "C" fn rnn_backward(
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32,
    x: *const f32, kernel: *const f32, rec_kernel: *const f32, h0: *const f32, mask: *const f32,
    rec_mask: *const f32, hs: *const f32, _cache: *const f32, d_hs: *const f32, d_h_t: *const f32,
    dx: *mut f32, d_kernel: *mut f32, d_rec_kernel: *mut f32, d_bias: *mut f32, d_h0: *mut f32, ws: *mut f32,
) {
    let l = bwd_ws(b, t, i, u);
    let bt = b * t;
    let zeros = ws.add(l.zeros);
    zero(zeros, b * u);
    let q = Seq { b, t, u, back: flags & GO_BACKWARDS != 0, mask, h0: if h0.is_null() { zeros } else { h0 }, hs };
    let (gemm_ws, packed, da) = (ws.add(l.gemm), ws.add(l.packed), ws.add(l.da));
    let (mut dh, mut carry, tmp) = (ws.add(l.dh), ws.add(l.carry), ws.add(l.tmp));
    // op(B) = recKernel^T, so dh(t-1) = dA · recKernel^T
    pack_b_full(true, u, u, rec_kernel, u, packed);
    if d_h_t.is_null() { zero(dh, b * u); } else { copy(d_h_t, dh, b * u); }
    for s in (0..t).rev() {
        let t_in = q.time(s);
        let dhs = if d_hs.is_null() { d_hs } else { d_hs.add(s * u) };
        let rows = da.add(t_in * u);
        if act == TANH {
            grad_step::<TANH>(&q, t_in, act, hs.add(s * u), dh, dhs, rows, carry);
        } else {
            grad_step::<-1>(&q, t_in, act, hs.add(s * u), dh, dhs, rows, carry);
        }
        // dh(t-1) is only needed for dH0 after the first step
        if s > 0 || !d_h0.is_null() {
            if rec_mask.is_null() {
                gemm_packed_b(false, b, u, u, 1.0, rows, t * u, packed, 1.0, carry, u, gemm_ws);
            } else {
                gemm_packed_b(false, b, u, u, 1.0, rows, t * u, packed, 0.0, tmp, u, gemm_ws);
                for_lanes(b * u, |j, w| {
                    let v = load_n(carry.add(j), w).add(load_n(tmp.add(j), w).mul(load_n(rec_mask.add(j), w)));
                    store_n(v, carry.add(j), w);
                });
            }
        }
        core::mem::swap(&mut dh, &mut carry);
    }
    if !d_h0.is_null() { copy(dh, d_h0, b * u); }
    if bt == 0 { return; }

    // Hm [B*T, U] by input time: what entered the recurrent product at each step
    let hm = ws.add(l.hm);
    for s in 0..t {
        let t_in = q.time(s);
        let (hp, ldh) = q.hprev(s);
        for bi in 0..b {
            let (src, dst) = (hp.add(bi * ldh), hm.add((bi * t + t_in) * u));
            if rec_mask.is_null() { copy(src, dst, u); } else {
                let rm = rec_mask.add(bi * u);
                for j in 0..u { *dst.add(j) = *src.add(j) * *rm.add(j); }
            }
        }
    }
    gemm_impl(true, false, u, u, bt, 1.0, hm, u, da, u, 1.0, d_rec_kernel, u, gemm_ws);
    gemm_impl(true, false, i, u, bt, 1.0, x, i, da, u, 1.0, d_kernel, u, gemm_ws);
    if !dx.is_null() { gemm_impl(false, true, bt, i, u, 1.0, da, u, kernel, u, 0.0, dx, i, gemm_ws); }
    if !d_bias.is_null() {
        for r in 0..bt {
            let row = da.add(r * u);
            for_lanes(u, |j, n| store_n(load_n(d_bias.add(j), n).add(load_n(row.add(j), n)), d_bias.add(j), n));
        }
    }
}

/// dA rows = (dh + dHs)·act'(h) for kept rows with carry = 0; masked rows: dA row 0, carry = dh.
#[inline(never)]
unsafe fn grad_step<const A: i32>(q: &Seq, t_in: usize, act: i32, h: *const f32, dh: *const f32, dhs: *const f32, rows: *mut f32, carry: *mut f32) {
    let act = code::<A>(act);
    let (u, tu) = (q.u, q.t * q.u);
    for bi in 0..q.b {
        let (dh_b, c_b, row, h_b) = (dh.add(bi * u), carry.add(bi * u), rows.add(bi * tu), h.add(bi * tu));
        let dhs_b = if dhs.is_null() { dhs } else { dhs.add(bi * tu) };
        let kept = q.kept(bi, t_in);
        for_lanes(u, |j, n| {
            let mut d = load_n(dh_b.add(j), n);
            if !dhs_b.is_null() { d = d.add(load_n(dhs_b.add(j), n)); }
            if kept {
                store_n(d.mul(deriv4(act, load_n(h_b.add(j), n))), row.add(j), n);
                store_n(F4::zero(), c_b.add(j), n);
            } else {
                store_n(F4::zero(), row.add(j), n);
                store_n(d, c_b.add(j), n);
            }
        });
    }
}
