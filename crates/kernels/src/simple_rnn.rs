//! SimpleRNN over a whole sequence: h(t) = act(x(t)·kernel + (h(t-1)·recMask)·recKernel + bias).
//!
//! Buffers (row-major, floats; B batch, T time, I input, U units):
//!   x          [B, T, I]      input, indexed by input time
//!   kernel     [I, U]         0: x holds the input projections x·kernel [B, T, U], or with ids
//!                             [B, T] (i32, forward only) a table [V, U] whose row ids[b, t] is row
//!                             (b, t); backward: dx receives their gradient [B, T, U] (dKernel 0)
//!   recKernel  [U, U]
//!   bias       [U]            0 = none
//!   h0         [B, U]         initial state, 0 = zeros
//!   mask       [B, T]         by input time (0 = masked step), 0 = none
//!   recMask    [B, U]         multiplies h(t-1) where it enters the recurrent product, 0 = none
//!   hs         [B, T, U]      h after every step, in processing order
//!   hT         [B, U]         state after the last step
//!   cache      none (simple_rnn_cache_floats = 0): the backward takes act' from hs and h(t-1) from hs/h0
//!   ws         simple_rnn_ws_floats(B, T, I, U)
//! Backward: dHs [B, T, U], dHT [B, U] (0 = none) -> dx [B, T, I], dH0 [B, U] (overwritten,
//!   0 = skip); dKernel [I, U], dRecKernel [U, U], dBias [U] accumulated (each 0 = skip).
//!
//! Threads (simd-threads flavour): a part of the batch runs whole sequences for its rows; the
//! weight gradients, sums over every row, are split by output column after a join.
//!
//! Forward: one GEMM projects every step's input into P [B*T, U] (rows by input time); each step
//! adds h(t-1)·recKernel into its P rows with the recurrent kernel packed once, then a fused F4 pass
//! applies bias and activation. Backward: per step a fused pass writes dA [B*T, U] (gradient of the
//! pre-activation, rows by input time) and one GEMM carries dh back; weight and input gradients are
//! GEMMs over dA after the time loop.
use crate::activations::{apply4, deriv4, TANH};
use crate::elementwise::{copy, zero};
use crate::gemm::{gemm_impl, gemm_packed_b, pack_b_full, packed_b_floats};
use crate::math::max;
use crate::simd::F4;
use crate::threads;
use crate::recurrent::{
    Seq, WsSplit, at, at_mut, copy_or_zero, copy_rows, load_n, store_n, for_lanes, code,
    step_dh, rec_masked, gather_hprev, add_masked, add_col_sums, forward_passes, backward_passes,
    project_inputs, x_rows, ids_rows, recurrent_gemm_floats,
};

// ---- workspace layouts (shared by the kernels and simple_rnn_ws_floats) ----
//
// ws = shared part, then one region per thread of the pool (threads.rs) for a part's R rows (R <= B).
//   shared   packed recKernel | forward: P [B*T, U] | zeros [B, U] | bias [U]
//                             | backward: dA [B*T, U] | Hm [B*T, U] | zeros [B, U]
//   region   forward: hm [R, U] | gemm;  backward: dh | carry | tmp [R, U] | gemm

struct FwdWs { packed: usize, p: usize, zeros: usize, bias: usize }
fn fwd_ws(b: usize, t: usize, u: usize) -> FwdWs {
    let p = packed_b_floats(u, u);
    let zeros = p + b * t * u;
    FwdWs { packed: 0, p, zeros, bias: zeros + b * u }
}

struct BwdWs { packed: usize, da: usize, hm: usize, zeros: usize }
fn bwd_ws(b: usize, t: usize, u: usize) -> BwdWs {
    let da = packed_b_floats(u, u);
    let hm = da + b * t * u;
    BwdWs { packed: 0, da, hm, zeros: hm + b * t * u }
}

fn shared_ws(b: usize, t: usize, u: usize) -> usize {
    packed_b_floats(u, u) + max(b * t * u + b * u + u, 2 * b * t * u + b * u)
}

/// Row scratch of a part of `rows` batch rows (forward hm, backward dh | carry | tmp).
fn row_scratch(rows: usize, u: usize) -> usize { 3 * rows * u }

fn split(b: usize, t: usize, i: usize, u: usize) -> WsSplit {
    WsSplit { shared: shared_ws(b, t, u), row: row_scratch(b, u), gemm: recurrent_gemm_floats(b, b, t, i, u, u) }
}

#[no_mangle]
pub extern "C" fn simple_rnn_cache_floats(_b: usize, _t: usize, _i: usize, _u: usize) -> usize { 0 }

#[no_mangle]
pub extern "C" fn simple_rnn_ws_floats(b: usize, t: usize, i: usize, u: usize) -> usize { split(b, t, i, u).floats() }

/// What every part of a forward call shares.
struct Fwd {
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32,
    x: *const f32, ids: *const i32, kernel: *const f32, packed: *const f32, bv: *const f32, zeros: *const f32,
    h0: *const f32, mask: *const f32, rec_mask: *const f32, hs: *mut f32, h_t: *mut f32,
    p: *mut f32, ws: *mut f32,
}

#[no_mangle]
pub unsafe extern "C" fn simple_rnn_forward(
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32,
    x: *const f32, kernel: *const f32, rec_kernel: *const f32, bias: *const f32, h0: *const f32,
    mask: *const f32, rec_mask: *const f32, hs: *mut f32, h_t: *mut f32, _cache: *mut f32, ws: *mut f32,
    ids: *const i32,
) {
    let l = fwd_ws(b, t, u);
    let zeros = ws.add(l.zeros);
    zero(zeros, b * u);
    let bv = ws.add(l.bias);
    if bias.is_null() { zero(bv, u); } else { copy(bias, bv, u); }
    let packed = ws.add(l.packed);
    pack_b_full(false, u, u, rec_kernel, u, packed);
    let job = Fwd { b, t, i, u, flags, act, x, ids, kernel, packed, bv, zeros, h0, mask, rec_mask, hs, h_t, p: ws.add(l.p), ws };
    forward_passes(&job, b, t, i, u, u, forward_part);
}

/// The forward pass of batch rows [b0, b1) (part p of `parts`, on thread `tid`).
unsafe fn forward_part(j: &Fwd, part: usize, parts: usize, tid: usize) {
    let (b0, b1) = threads::span(j.b, parts, part, 1);
    if b0 >= b1 { return; }
    let (b, t, i, u, act) = (b1 - b0, j.t, j.i, j.u, j.act);
    let h0 = at(j.h0, b0 * u);
    let rec_mask = at(j.rec_mask, b0 * u);
    let q = Seq::part(b0, b, t, u, j.flags, j.mask, if h0.is_null() { j.zeros } else { h0 }, j.hs);
    let (hs, h_t, bv, packed) = (j.hs.add(b0 * t * u), at_mut(j.h_t, b0 * u), j.bv, j.packed);
    let p = j.p.add(b0 * t * u);
    let (hm_buf, gemm_ws) = split(j.b, t, i, u).region(j.ws, tid);
    project_inputs(b * t, u, i, x_rows(j.x, j.ids, j.kernel, b0, t, i, u), ids_rows(j.ids, b0, t), j.kernel, p, gemm_ws);
    for s in 0..t {
        let t_in = q.time(s);
        let (hp, ldh) = q.hprev(s);
        let rows = p.add(t_in * u);
        if !(s == 0 && h0.is_null()) {
            let (hm, ldm) = rec_masked(b, u, hp, ldh, rec_mask, hm_buf);
            gemm_packed_b(false, b, u, u, 1.0, hm, ldm, packed, 1.0, rows, t * u, gemm_ws);
        }
        if act == TANH {
            step::<TANH>(&q, t_in, act, rows, bv, hp, ldh, hs.add(s * u));
        } else {
            step::<-1>(&q, t_in, act, rows, bv, hp, ldh, hs.add(s * u));
        }
    }
    // the state after the last step (h0 when T = 0)
    let (last, ld) = q.hprev(t);
    if !h_t.is_null() { copy_rows(b, u, last, ld, h_t); }
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

/// What every part of a backward call shares (da, hm: shared scratch by (row, input time)).
struct Bwd {
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32,
    x: *const f32, kernel: *const f32, packed: *const f32, h0: *const f32, zeros: *const f32,
    mask: *const f32, rec_mask: *const f32, hs: *const f32, d_hs: *const f32, d_h_t: *const f32,
    dx: *mut f32, d_kernel: *mut f32, d_rec_kernel: *mut f32, d_bias: *mut f32, d_h0: *mut f32,
    da: *mut f32, hm: *mut f32, ws: *mut f32,
}

#[no_mangle]
pub unsafe extern "C" fn simple_rnn_backward(
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32,
    x: *const f32, kernel: *const f32, rec_kernel: *const f32, h0: *const f32, mask: *const f32,
    rec_mask: *const f32, hs: *const f32, _cache: *const f32, d_hs: *const f32, d_h_t: *const f32,
    dx: *mut f32, d_kernel: *mut f32, d_rec_kernel: *mut f32, d_bias: *mut f32, d_h0: *mut f32, ws: *mut f32,
) {
    let l = bwd_ws(b, t, u);
    let zeros = ws.add(l.zeros);
    zero(zeros, b * u);
    // op(B) = recKernel^T, so dh(t-1) = dA · recKernel^T
    let packed = ws.add(l.packed);
    pack_b_full(true, u, u, rec_kernel, u, packed);
    let job = Bwd {
        b, t, i, u, flags, act, x, kernel, packed, h0, zeros, mask, rec_mask, hs, d_hs, d_h_t,
        dx, d_kernel, d_rec_kernel, d_bias, d_h0, da: ws.add(l.da), hm: ws.add(l.hm), ws,
    };
    let weights = !(d_kernel.is_null() && d_rec_kernel.is_null() && d_bias.is_null());
    backward_passes(&job, b, t, i, u, u, weights, backward_rows, backward_cols);
}

/// Batch rows [b0, b1) (part p of `parts`, on thread `tid`): dA rows of every step, dH0, Hm rows, dx.
unsafe fn backward_rows(j: &Bwd, part: usize, parts: usize, tid: usize) {
    let (b0, b1) = threads::span(j.b, parts, part, 1);
    if b0 >= b1 { return; }
    let (b, t, i, u, act) = (b1 - b0, j.t, j.i, j.u, j.act);
    let h0 = at(j.h0, b0 * u);
    let q = Seq::part(b0, b, t, u, j.flags, j.mask, if h0.is_null() { j.zeros } else { h0 }, j.hs);
    let (hs, d_hs, d_h_t, rec_mask) = (j.hs.add(b0 * t * u), at(j.d_hs, b0 * t * u), at(j.d_h_t, b0 * u), at(j.rec_mask, b0 * u));
    let projected = j.kernel.is_null();
    let (d_h0, dx) = (at_mut(j.d_h0, b0 * u), at_mut(j.dx, b0 * t * if projected { u } else { i }));
    let da = j.da.add(b0 * t * u);
    let (scratch, gemm_ws) = split(j.b, t, i, u).region(j.ws, tid);
    let (mut dh, mut carry, tmp) = (scratch, scratch.add(b * u), scratch.add(2 * b * u));
    let packed = j.packed;
    copy_or_zero(d_h_t, dh, b * u);
    for s in (0..t).rev() {
        let t_in = q.time(s);
        let dhs = at(d_hs, s * u);
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
                add_masked(b * u, tmp, rec_mask, carry);
            }
        }
        core::mem::swap(&mut dh, &mut carry);
    }
    if !d_h0.is_null() { copy(dh, d_h0, b * u); }
    let rt = b * t;
    if rt == 0 { return; }

    // Hm rows by input time: what entered the recurrent product at each step
    gather_hprev(&q, rec_mask, j.hm.add(b0 * t * u));
    if dx.is_null() { return; }
    // dx = dA · kernel^T, or with projected inputs their gradient dA itself
    if projected { copy(da, dx, rt * u) } else { gemm_impl(false, true, rt, i, u, 1.0, da, u, j.kernel, u, 0.0, dx, i, gemm_ws) }
}

/// Output columns [c0, c1) of U (part p of `parts`, on thread `tid`): dKernel, dRecKernel, dBias over every step.
unsafe fn backward_cols(j: &Bwd, part: usize, parts: usize, tid: usize) {
    let (u, i, bt) = (j.u, j.i, j.b * j.t);
    let (c0, c1) = threads::span(u, parts, part, 8);
    if c0 >= c1 { return; }
    let nc = c1 - c0;
    let (_, gemm_ws) = split(j.b, j.t, i, u).region(j.ws, tid);
    let da = j.da.add(c0) as *const f32;
    if !j.d_rec_kernel.is_null() { gemm_impl(true, false, u, nc, bt, 1.0, j.hm, u, da, u, 1.0, j.d_rec_kernel.add(c0), u, gemm_ws); }
    if !j.d_kernel.is_null() { gemm_impl(true, false, i, nc, bt, 1.0, j.x, i, da, u, 1.0, j.d_kernel.add(c0), u, gemm_ws); }
    if !j.d_bias.is_null() { add_col_sums(bt, nc, da, u, j.d_bias.add(c0)); }
}

/// dA rows = (dh + dHs)·act'(h) for kept rows with carry = 0; masked rows: dA row 0, carry = dh.
#[inline(never)]
unsafe fn grad_step<const A: i32>(q: &Seq, t_in: usize, act: i32, h: *const f32, dh: *const f32, dhs: *const f32, rows: *mut f32, carry: *mut f32) {
    let act = code::<A>(act);
    let (u, tu) = (q.u, q.t * q.u);
    for bi in 0..q.b {
        let (dh_b, c_b, row, h_b) = (dh.add(bi * u), carry.add(bi * u), rows.add(bi * tu), h.add(bi * tu));
        let dhs_b = at(dhs, bi * tu);
        let kept = q.kept(bi, t_in);
        for_lanes(u, |j, n| {
            let d = step_dh(dh_b, dhs_b, j, n);
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
