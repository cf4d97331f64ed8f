//! GRU over a whole sequence (Keras semantics; gates z, r, h in column blocks of width U).
//!
//! Buffers (row-major, floats; B batch, T time, I input, U units):
//!   x          [B, T, I]      input, indexed by input time
//!   kernel     [I, 3U]        input weights, columns z | r | h; 0: x holds the input
//!                             projections x·kernel [B, T, 3U], or with ids [B, T] (i32, forward
//!                             only) a table [V, 3U] whose row ids[b, t] is row (b, t); backward:
//!                             dx receives their gradient [B, T, 3U] (dKernel must be 0)
//!   recKernel  [U, 3U]        recurrent weights, columns z | r | h
//!   bias       [2, 3U] when resetAfter (row 0 input bias, row 1 recurrent bias), else [3U]; 0 = none
//!   h0         [B, U]         initial state, 0 = zeros
//!   mask       [B, T]         by input time (0 = masked step), 0 = none
//!   recMask    [B, U]         multiplies h(t-1) where it enters the recurrent products, 0 = none
//!   hs         [B, T, U]      h after every step, in processing order
//!   hT         [B, U]         state after the last step
//!   cache      [B*T, 4U]      gates [B*T, 3U] (z, r, hh after activation, rows (b, input time)),
//!                             then rh [B*T, U] (resetAfter: h(t-1)·U_h + b_rh)
//!   ws         gru_ws_floats(B, T, I, U)
//! Backward: dHs [B, T, U], dHT [B, U] (0 = none) -> dx [B, T, I], dH0 [B, U] (overwritten,
//!   0 = skip); dKernel [I, 3U], dRecKernel [U, 3U], dBias (shape of bias) accumulated (each 0 = skip).
//!
//! Threads (simd-threads flavour): a part of the batch runs whole sequences for its rows (rows
//! are independent through the recurrence); the weight gradients, sums over every row, are split
//! by output column after a join. Layouts of ws: see "workspace layouts" below.
//!
//! Forward: all steps' input projections are one GEMM into the cache; each step adds the
//! recurrent product with the recurrent kernel packed once per call, then fused F4 passes per row
//! apply the nonlinearities and the update in place. Backward: per step a fused pass writes the gate gradients
//! into D [B*T, 3U or 4U] (rows by input time), one or two small GEMMs carry dh to the previous
//! step; the weight and input gradients are big GEMMs over D after the time loop.
use crate::activations::{apply4, deriv4, HARD_SIGMOID, SIGMOID, TANH};
use crate::elementwise::{copy, zero};
use crate::gemm::{gemm_impl, gemm_packed_b, pack_b_full, packed_b_floats};
use crate::math::{max, min};
use crate::simd::F4;
use crate::threads;
use crate::recurrent::{
    Seq, WsSplit, RESET_AFTER, at, at_mut, copy_or_zero, copy_rows, load_n, store_n, for_lanes, code, with_acts,
    step_dh, grad_masked_row, mul_rows, rec_masked, gather_hprev, add_masked, add_col_sums_blocked, forward_passes, backward_passes,
    project_inputs, x_rows, ids_rows, recurrent_gemm_floats,
};

// ---- workspace layouts (shared by the kernels and gru_ws_floats) ----
//
// ws = shared part, then one region per thread of the pool (threads.rs) for a part's R rows (R <= B).
//   shared   packed recurrent kernel | forward: zeros [B, U] | bias [6U]
//                                    | backward: D [B*T, 3U or 4U] | Hm [B*T, U] | (r·Hm [B*T, U]) | zeros [B, U]
//   region   forward: hm [R, U] | rec [R, 3U] | gemm;  backward: dh | carry | tmp [R, U] | gemm

/// Packed recurrent kernel: [U, 3U] (forward, resetAfter), [U, 2U] + [U, U] (forward), or the
/// transposes (backward); the sum of round-ups bounds every variant.
fn packed_floats(u: usize) -> usize { max(packed_b_floats(u, 2 * u) + packed_b_floats(u, u), packed_b_floats(3 * u, u)) }

struct FwdWs { packed: usize, zeros: usize, bias: usize }
fn fwd_ws(b: usize, u: usize) -> FwdWs {
    let zeros = packed_floats(u);
    FwdWs { packed: 0, zeros, bias: zeros + b * u }
}

struct BwdWs { packed: usize, d: usize, hm: usize, rhm: usize, zeros: usize }
fn bwd_ws(b: usize, t: usize, u: usize, reset_after: bool) -> BwdWs {
    let bt = b * t;
    let dcols = if reset_after { 4 * u } else { 3 * u };
    let d = packed_floats(u);
    // D [B*T, dcols], Hm [B*T, U], then (not resetAfter) r·Hm [B*T, U]: 5U per row either way
    let hm = d + bt * dcols;
    BwdWs { packed: 0, d, hm, rhm: hm + bt * u, zeros: d + bt * 5 * u }
}

fn shared_ws(b: usize, t: usize, u: usize) -> usize {
    packed_floats(u) + max(b * u + 6 * u, b * t * 5 * u + b * u)
}

/// Row scratch of a part of `rows` batch rows (forward hm | rec, backward dh | carry | tmp).
fn row_scratch(rows: usize, u: usize) -> usize { 4 * rows * u }

fn split(b: usize, t: usize, i: usize, u: usize) -> WsSplit {
    WsSplit { shared: shared_ws(b, t, u), row: row_scratch(b, u), gemm: recurrent_gemm_floats(b, b, t, i, u, 3 * u) }
}

#[no_mangle]
pub extern "C" fn gru_cache_floats(b: usize, t: usize, _i: usize, u: usize) -> usize { b * t * 4 * u }

#[no_mangle]
pub extern "C" fn gru_ws_floats(b: usize, t: usize, i: usize, u: usize) -> usize { split(b, t, i, u).floats() }

/// [a, b) ∩ [lo, hi) as (start, len), len 0 when empty.
#[inline(always)]
fn overlap(a: usize, b: usize, lo: usize, hi: usize) -> (usize, usize) {
    let (s, e) = (max(a, lo), min(b, hi));
    if e > s { (s, e - s) } else { (s, 0) }
}

// ---- forward ----

/// What every part of a forward call shares.
struct Fwd {
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32, rec_act: i32,
    x: *const f32, ids: *const i32, kernel: *const f32, packed: *const f32, bv: *const f32, zeros: *const f32,
    h0: *const f32, mask: *const f32, rec_mask: *const f32, hs: *mut f32, h_t: *mut f32,
    cache: *mut f32, ws: *mut f32,
}

#[no_mangle]
pub unsafe extern "C" fn gru_forward(
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32, rec_act: i32,
    x: *const f32, kernel: *const f32, rec_kernel: *const f32, bias: *const f32, h0: *const f32,
    mask: *const f32, rec_mask: *const f32, hs: *mut f32, h_t: *mut f32, cache: *mut f32, ws: *mut f32,
    ids: *const i32,
) {
    let reset_after = flags & RESET_AFTER != 0;
    let l = fwd_ws(b, u);
    let g3 = 3 * u;
    let zeros = ws.add(l.zeros);
    zero(zeros, b * u);
    // bias (or zeros) as [input 3U | recurrent 3U]
    let bv = ws.add(l.bias);
    zero(bv, 6 * u);
    if !bias.is_null() { copy(bias, bv, if reset_after { 6 * u } else { 3 * u }); }
    let packed = ws.add(l.packed);
    if reset_after {
        pack_b_full(false, u, g3, rec_kernel, g3, packed);
    } else {
        pack_b_full(false, u, 2 * u, rec_kernel, g3, packed);
        pack_b_full(false, u, u, rec_kernel.add(2 * u), g3, packed.add(packed_b_floats(u, 2 * u)));
    }
    let job = Fwd { b, t, i, u, flags, act, rec_act, x, ids, kernel, packed, bv, zeros, h0, mask, rec_mask, hs, h_t, cache, ws };
    forward_passes(&job, b, t, i, u, g3, forward_part);
}

/// The forward pass of batch rows [b0, b1) (part p of `parts`, on thread `tid`).
unsafe fn forward_part(j: &Fwd, p: usize, parts: usize, tid: usize) {
    let (b0, b1) = threads::span(j.b, parts, p, 1);
    if b0 >= b1 { return; }
    let (b, t, i, u, act, rec_act) = (b1 - b0, j.t, j.i, j.u, j.act, j.rec_act);
    let reset_after = j.flags & RESET_AFTER != 0;
    let g3 = 3 * u;
    let h0 = at(j.h0, b0 * u);
    let rec_mask = at(j.rec_mask, b0 * u);
    let q = Seq::part(b0, b, t, u, j.flags, j.mask, if h0.is_null() { j.zeros } else { h0 }, j.hs);
    let (hs, h_t, bv) = (j.hs.add(b0 * t * u), at_mut(j.h_t, b0 * u), j.bv);
    let cache = j.cache.add(b0 * t * g3);
    let rh_all = j.cache.add(j.b * t * g3 + b0 * t * u);
    let (scratch, gemm_ws) = split(j.b, t, i, u).region(j.ws, tid);
    let packed = j.packed;
    let packed_h = packed.add(packed_b_floats(u, 2 * u));
    // input projections of every step: gates [R*T, 3U] = x [R*T, I] · kernel
    project_inputs(b * t, g3, i, x_rows(j.x, j.ids, j.kernel, b0, t, i, g3), ids_rows(j.ids, b0, t), j.kernel, cache, gemm_ws);
    // rec: the recurrent products [R, 3U] (resetAfter) or r·hm [R, U]
    let (hm_buf, rec) = (scratch, scratch.add(b * u));
    for s in 0..t {
        let t_in = q.time(s);
        let (hp, ldh) = q.hprev(s);
        // with no h0 the first step's recurrent products are zero
        let rec_zero = s == 0 && h0.is_null();
        let (hm, ldm) = rec_masked(b, u, hp, ldh, rec_mask, hm_buf);
        let gates = cache.add(t_in * g3);
        let out = hs.add(s * u);
        if reset_after {
            if rec_zero { zero(rec, b * g3); } else {
                gemm_packed_b(false, b, g3, u, 1.0, hm, ldm, packed, 0.0, rec, g3, gemm_ws);
            }
            with_acts!(act, rec_act, step_reset_after(&q, t_in, act, rec_act, gates, rh_all.add(t_in * u), rec, bv, hp, ldh, out));
        } else {
            // z, r columns: gates += h·[U_z U_r]; then r·h; then h column: gates += (r·h)·U_h
            if !rec_zero {
                gemm_packed_b(false, b, 2 * u, u, 1.0, hm, ldm, packed, 1.0, gates, t * g3, gemm_ws);
            }
            match rec_act {
                SIGMOID => step_zr::<SIGMOID>(&q, rec_act, gates, bv, hm, ldm, rec),
                HARD_SIGMOID => step_zr::<HARD_SIGMOID>(&q, rec_act, gates, bv, hm, ldm, rec),
                _ => step_zr::<-1>(&q, rec_act, gates, bv, hm, ldm, rec),
            }
            if !rec_zero {
                gemm_packed_b(false, b, u, u, 1.0, rec, u, packed_h, 1.0, gates.add(2 * u), t * g3, gemm_ws);
            }
            if act == TANH {
                step_update::<TANH>(&q, t_in, act, gates, bv.add(2 * u), hp, ldh, out);
            } else {
                step_update::<-1>(&q, t_in, act, gates, bv.add(2 * u), hp, ldh, out);
            }
        }
    }
    // the state after the last step (h0 when T = 0)
    let (last, ld) = q.hprev(t);
    if !h_t.is_null() { copy_rows(b, u, last, ld, h_t); }
}

/// resetAfter step: z, r, hh from projections (gates rows), recurrent products `rec` [B, 3U] and
/// biases; writes z, r, hh back into the gate rows, rh into `rh_rows`, and h into `out`.
#[inline(never)]
unsafe fn step_reset_after<const A: i32, const R: i32>(
    q: &Seq, t_in: usize, act: i32, rec_act: i32, gates: *mut f32, rh_rows: *mut f32, rec: *const f32,
    bv: *const f32, hp: *const f32, ldh: usize, out: *mut f32,
) {
    let (act, rec_act) = (code::<A>(act), code::<R>(rec_act));
    let (u, g3, tu) = (q.u, 3 * q.u, q.t * q.u);
    let (b_in, b_rec) = (bv, bv.add(g3));
    for bi in 0..q.b {
        let (hp_b, out_b) = (hp.add(bi * ldh), out.add(bi * tu));
        if !q.kept(bi, t_in) { copy(hp_b, out_b, u); continue; }
        let g = gates.add(bi * q.t * g3);
        let rc = rec.add(bi * g3);
        let rh_row = rh_rows.add(bi * q.t * u);
        // z and r first, then hh and h: short independent chains per loop keep the CPU's
        // out-of-order window full (one fused body is latency-bound on sigmoid -> tanh)
        for_lanes(2 * u, |j, n| {
            let a = load_n(g.add(j), n).add(load_n(b_in.add(j), n)).add(load_n(rc.add(j), n)).add(load_n(b_rec.add(j), n));
            store_n(apply4(rec_act, a), g.add(j), n);
        });
        for_lanes(u, |j, n| {
            let z = load_n(g.add(j), n);
            let r = load_n(g.add(u + j), n);
            let rh = load_n(rc.add(2 * u + j), n).add(load_n(b_rec.add(2 * u + j), n));
            let hh = apply4(act, r.mul_add(rh, load_n(g.add(2 * u + j), n).add(load_n(b_in.add(2 * u + j), n))));
            let h_prev = load_n(hp_b.add(j), n);
            // h = z·h(t-1) + (1-z)·hh = hh + z·(h(t-1) - hh)
            store_n(hh, g.add(2 * u + j), n);
            store_n(rh, rh_row.add(j), n);
            store_n(z.mul_add(h_prev.sub(hh), hh), out_b.add(j), n);
        });
    }
}

/// Not resetAfter, first half: z, r = recAct(gates + bias) in place (recurrent parts already
/// added), and rhm [B, U] = r·hm for the h column's recurrent product. Every row, masked or not,
/// so the next product never reads stale scratch.
#[inline(never)]
unsafe fn step_zr<const R: i32>(q: &Seq, rec_act: i32, gates: *mut f32, bv: *const f32, hm: *const f32, ldm: usize, rhm: *mut f32) {
    let rec_act = code::<R>(rec_act);
    let (u, g3) = (q.u, 3 * q.u);
    for bi in 0..q.b {
        let g = gates.add(bi * q.t * g3);
        let (hm_b, rhm_b) = (hm.add(bi * ldm), rhm.add(bi * u));
        // z and r columns are adjacent: one loop over 2U
        for_lanes(2 * u, |j, n| {
            store_n(apply4(rec_act, load_n(g.add(j), n).add(load_n(bv.add(j), n))), g.add(j), n);
        });
        mul_rows(u, g.add(u), hm_b, rhm_b);
    }
}

/// Not resetAfter, second half: hh = act(gates_h + b_h) in place, h = z·h(t-1) + (1-z)·hh.
#[inline(never)]
unsafe fn step_update<const A: i32>(q: &Seq, t_in: usize, act: i32, gates: *mut f32, bh: *const f32, hp: *const f32, ldh: usize, out: *mut f32) {
    let act = code::<A>(act);
    let (u, g3, tu) = (q.u, 3 * q.u, q.t * q.u);
    for bi in 0..q.b {
        let (hp_b, out_b) = (hp.add(bi * ldh), out.add(bi * tu));
        if !q.kept(bi, t_in) { copy(hp_b, out_b, u); continue; }
        let g = gates.add(bi * q.t * g3);
        for_lanes(u, |j, n| {
            let z = load_n(g.add(j), n);
            let hh = apply4(act, load_n(g.add(2 * u + j), n).add(load_n(bh.add(j), n)));
            let h_prev = load_n(hp_b.add(j), n);
            store_n(hh, g.add(2 * u + j), n);
            store_n(z.mul_add(h_prev.sub(hh), hh), out_b.add(j), n);
        });
    }
}

// ---- backward ----

/// What every part of a backward call shares (d, hm, rhm: shared scratch by (row, input time)).
struct Bwd {
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32, rec_act: i32,
    x: *const f32, kernel: *const f32, packed: *const f32, h0: *const f32, zeros: *const f32,
    mask: *const f32, rec_mask: *const f32, hs: *const f32, cache: *const f32, d_hs: *const f32,
    d_h_t: *const f32, dx: *mut f32, d_kernel: *mut f32, d_rec_kernel: *mut f32, d_bias: *mut f32,
    d_h0: *mut f32, d: *mut f32, hm: *mut f32, rhm: *mut f32, ws: *mut f32,
}

#[no_mangle]
pub unsafe extern "C" fn gru_backward(
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32, rec_act: i32,
    x: *const f32, kernel: *const f32, rec_kernel: *const f32, h0: *const f32, mask: *const f32,
    rec_mask: *const f32, hs: *const f32, cache: *const f32, d_hs: *const f32, d_h_t: *const f32,
    dx: *mut f32, d_kernel: *mut f32, d_rec_kernel: *mut f32, d_bias: *mut f32, d_h0: *mut f32, ws: *mut f32,
) {
    let reset_after = flags & RESET_AFTER != 0;
    let l = bwd_ws(b, t, u, reset_after);
    let g3 = 3 * u;
    let zeros = ws.add(l.zeros);
    zero(zeros, b * u);
    // op(B) = recKernel^T blocks, so dh(t-1) = D_rec · recKernel^T
    let packed = ws.add(l.packed);
    if reset_after {
        pack_b_full(true, g3, u, rec_kernel, g3, packed);
    } else {
        pack_b_full(true, u, u, rec_kernel.add(2 * u), g3, packed);
        pack_b_full(true, 2 * u, u, rec_kernel, g3, packed.add(packed_b_floats(u, u)));
    }
    let job = Bwd {
        b, t, i, u, flags, act, rec_act, x, kernel, packed, h0, zeros, mask, rec_mask, hs, cache, d_hs, d_h_t,
        dx, d_kernel, d_rec_kernel, d_bias, d_h0, d: ws.add(l.d), hm: ws.add(l.hm), rhm: ws.add(l.rhm), ws,
    };
    let weights = !(d_kernel.is_null() && d_rec_kernel.is_null() && d_bias.is_null());
    backward_passes(&job, b, t, i, u, g3, weights, backward_rows, backward_cols);
}

/// Batch rows [b0, b1) (part p of `parts`, on thread `tid`): D rows of every step, dH0, Hm (and r·Hm) rows, dx.
unsafe fn backward_rows(j: &Bwd, p: usize, parts: usize, tid: usize) {
    let (b0, b1) = threads::span(j.b, parts, p, 1);
    if b0 >= b1 { return; }
    let (b, t, i, u, act, rec_act) = (b1 - b0, j.t, j.i, j.u, j.act, j.rec_act);
    let reset_after = j.flags & RESET_AFTER != 0;
    let g3 = 3 * u;
    let dc = if reset_after { 4 * u } else { 3 * u };
    let h0 = at(j.h0, b0 * u);
    let q = Seq::part(b0, b, t, u, j.flags, j.mask, if h0.is_null() { j.zeros } else { h0 }, j.hs);
    let (d_hs, d_h_t, rec_mask) = (at(j.d_hs, b0 * t * u), at(j.d_h_t, b0 * u), at(j.rec_mask, b0 * u));
    let projected = j.kernel.is_null();
    let (d_h0, dx) = (at_mut(j.d_h0, b0 * u), at_mut(j.dx, b0 * t * if projected { g3 } else { i }));
    let cache = j.cache.add(b0 * t * g3);
    let rh_all = j.cache.add(j.b * t * g3 + b0 * t * u);
    let d = j.d.add(b0 * t * dc);
    let (scratch, gemm_ws) = split(j.b, t, i, u).region(j.ws, tid);
    let (mut dh, mut carry, tmp) = (scratch, scratch.add(b * u), scratch.add(2 * b * u));
    let packed = j.packed;
    let packed_zr = packed.add(packed_b_floats(u, u));
    copy_or_zero(d_h_t, dh, b * u);
    for s in (0..t).rev() {
        let t_in = q.time(s);
        let (hp, ldh) = q.hprev(s);
        let dhs = at(d_hs, s * u);
        let gates = cache.add(t_in * g3);
        let drows = d.add(t_in * dc);
        // dh(t-1) is only needed for dH0 after the first step
        let need_prev = s > 0 || !d_h0.is_null();
        if reset_after {
            with_acts!(act, rec_act, grad_reset_after(&q, t_in, act, rec_act, gates, rh_all.add(t_in * u), hp, ldh, dh, dhs, drows, carry));
            if need_prev {
                let beta = if rec_mask.is_null() { 1.0 } else { 0.0 };
                let c = if rec_mask.is_null() { carry } else { tmp };
                gemm_packed_b(false, b, u, g3, 1.0, drows, t * dc, packed, beta, c, u, gemm_ws);
            }
        } else {
            with_acts!(act, rec_act, grad_z_h(&q, t_in, act, rec_act, gates, hp, ldh, dh, dhs, drows, carry));
            // d(r·hm) = dah · U_h^T, needed for dr even at the first step
            gemm_packed_b(false, b, u, u, 1.0, drows.add(2 * u), t * dc, packed, 0.0, tmp, u, gemm_ws);
            match rec_act {
                SIGMOID => grad_r::<SIGMOID>(&q, t_in, rec_act, gates, hp, ldh, rec_mask, tmp, drows, carry),
                HARD_SIGMOID => grad_r::<HARD_SIGMOID>(&q, t_in, rec_act, gates, hp, ldh, rec_mask, tmp, drows, carry),
                _ => grad_r::<-1>(&q, t_in, rec_act, gates, hp, ldh, rec_mask, tmp, drows, carry),
            }
            if need_prev {
                // tmp holds d(r·hm)·r with a recurrent mask (else already in carry); add D_zr · [U_z U_r]^T
                let c = if rec_mask.is_null() { carry } else { tmp };
                gemm_packed_b(false, b, u, 2 * u, 1.0, drows, t * dc, packed_zr, 1.0, c, u, gemm_ws);
            }
        }
        if need_prev && !rec_mask.is_null() {
            add_masked(b * u, tmp, rec_mask, carry);
        }
        core::mem::swap(&mut dh, &mut carry);
    }
    if !d_h0.is_null() { copy(dh, d_h0, b * u); }
    let rt = b * t;
    if rt == 0 { return; }

    // what entered the recurrent products, by (row, input time), for the weight gradients
    let hm = j.hm.add(b0 * t * u);
    gather_hprev(&q, rec_mask, hm);
    if reset_after {
        // D columns: daz | dar | dah·r (recurrent form) | dah (input form of the h column)
        if !dx.is_null() && projected {
            // the projections' gradient: daz | dar | dah
            for row in 0..rt {
                copy(d.add(row * dc), dx.add(row * g3), 2 * u);
                copy(d.add(row * dc + 3 * u), dx.add(row * g3 + 2 * u), u);
            }
        } else if !dx.is_null() {
            gemm_impl(false, true, rt, i, 2 * u, 1.0, d, dc, j.kernel, g3, 0.0, dx, i, gemm_ws);
            gemm_impl(false, true, rt, i, u, 1.0, d.add(3 * u), dc, j.kernel.add(2 * u), g3, 1.0, dx, i, gemm_ws);
        }
    } else {
        // the h column's recurrent input is r·hm
        let rhm = j.rhm.add(b0 * t * u);
        for row in 0..rt { mul_rows(u, cache.add(row * g3 + u), hm.add(row * u), rhm.add(row * u)); }
        if !dx.is_null() && projected {
            copy(d, dx, rt * g3);
        } else if !dx.is_null() {
            gemm_impl(false, true, rt, i, g3, 1.0, d, dc, j.kernel, g3, 0.0, dx, i, gemm_ws);
        }
    }
}

/// Output columns [c0, c1) of the 3U gate columns (part p of `parts`, on thread `tid`): dKernel, dRecKernel and
/// dBias over every step at once.
unsafe fn backward_cols(j: &Bwd, p: usize, parts: usize, tid: usize) {
    let (u, i, g3, bt) = (j.u, j.i, 3 * j.u, j.b * j.t);
    let (c0, c1) = threads::span(g3, parts, p, 8);
    if c0 >= c1 { return; }
    let (_, gemm_ws) = split(j.b, j.t, i, u).region(j.ws, tid);
    let (x, d, hm) = (j.x, j.d as *const f32, j.hm as *const f32);
    let (d_kernel, d_rec_kernel, d_bias) = (j.d_kernel, j.d_rec_kernel, j.d_bias);
    // z, r columns and the h column come from different D columns / recurrent inputs. dBias
    // sums D's columns in registers (`add_col_sums_blocked`): GRU forward+backward ~1% faster at
    // the seed shapes than summing into dBias row after row (paired A/B, B64 T50 I64 U64/U32).
    let (zr, nzr) = overlap(c0, c1, 0, 2 * u);
    let (hc, nh) = overlap(c0, c1, 2 * u, g3);
    let (rec, inp) = (!d_rec_kernel.is_null(), !d_kernel.is_null());
    if j.flags & RESET_AFTER != 0 {
        // D columns: daz | dar | dah·r (recurrent form) | dah (input form of the h column)
        let dc = 4 * u;
        if rec { gemm_impl(true, false, u, c1 - c0, bt, 1.0, hm, u, d.add(c0), dc, 1.0, d_rec_kernel.add(c0), g3, gemm_ws); }
        if inp && nzr > 0 { gemm_impl(true, false, i, nzr, bt, 1.0, x, i, d.add(zr), dc, 1.0, d_kernel.add(zr), g3, gemm_ws); }
        if inp && nh > 0 { gemm_impl(true, false, i, nh, bt, 1.0, x, i, d.add(hc + u), dc, 1.0, d_kernel.add(hc), g3, gemm_ws); }
        if !d_bias.is_null() {
            if nzr > 0 { add_col_sums_blocked(bt, nzr, d.add(zr), dc, d_bias.add(zr)); }
            if nh > 0 { add_col_sums_blocked(bt, nh, d.add(hc + u), dc, d_bias.add(hc)); }
            add_col_sums_blocked(bt, c1 - c0, d.add(c0), dc, d_bias.add(g3 + c0));
        }
    } else {
        // D columns: daz | dar | dah; the h column's recurrent input is r·hm
        let dc = g3;
        if rec && nzr > 0 { gemm_impl(true, false, u, nzr, bt, 1.0, hm, u, d.add(zr), dc, 1.0, d_rec_kernel.add(zr), g3, gemm_ws); }
        if rec && nh > 0 { gemm_impl(true, false, u, nh, bt, 1.0, j.rhm, u, d.add(hc), dc, 1.0, d_rec_kernel.add(hc), g3, gemm_ws); }
        if inp { gemm_impl(true, false, i, c1 - c0, bt, 1.0, x, i, d.add(c0), dc, 1.0, d_kernel.add(c0), g3, gemm_ws); }
        if !d_bias.is_null() { add_col_sums_blocked(bt, c1 - c0, d.add(c0), dc, d_bias.add(c0)); }
    }
}

/// resetAfter gate gradients of one step into D rows [daz | dar | dah·r | dah], carry = dh·z
/// (masked rows: D row zero, carry = dh).
#[inline(never)]
unsafe fn grad_reset_after<const A: i32, const R: i32>(
    q: &Seq, t_in: usize, act: i32, rec_act: i32, gates: *const f32, rh_rows: *const f32,
    hp: *const f32, ldh: usize, dh: *const f32, dhs: *const f32, drows: *mut f32, carry: *mut f32,
) {
    let (act, rec_act) = (code::<A>(act), code::<R>(rec_act));
    let (u, g3, tu) = (q.u, 3 * q.u, q.t * q.u);
    let one = F4::splat(1.0);
    for bi in 0..q.b {
        let dh_b = dh.add(bi * u);
        let dhs_b = at(dhs, bi * tu);
        let c_b = carry.add(bi * u);
        let dr = drows.add(bi * q.t * 4 * u);
        if !q.kept(bi, t_in) { grad_masked_row(u, 4 * u, dh_b, dhs_b, dr, c_b); continue; }
        let g = gates.add(bi * q.t * g3);
        let rh_b = rh_rows.add(bi * q.t * u);
        let hp_b = hp.add(bi * ldh);
        for_lanes(u, |j, n| {
            let dhv = step_dh(dh_b, dhs_b, j, n);
            let z = load_n(g.add(j), n);
            let r = load_n(g.add(u + j), n);
            let hh = load_n(g.add(2 * u + j), n);
            let rh = load_n(rh_b.add(j), n);
            let daz = dhv.mul(load_n(hp_b.add(j), n).sub(hh)).mul(deriv4(rec_act, z));
            let dah = dhv.mul(one.sub(z)).mul(deriv4(act, hh));
            let dar = dah.mul(rh).mul(deriv4(rec_act, r));
            store_n(daz, dr.add(j), n);
            store_n(dar, dr.add(u + j), n);
            store_n(dah.mul(r), dr.add(2 * u + j), n);
            store_n(dah, dr.add(3 * u + j), n);
            store_n(dhv.mul(z), c_b.add(j), n);
        });
    }
}

/// Not resetAfter, first pass: D rows' daz and dah columns, carry = dh·z (masked rows: D row
/// zero, carry = dh).
#[inline(never)]
unsafe fn grad_z_h<const A: i32, const R: i32>(
    q: &Seq, t_in: usize, act: i32, rec_act: i32, gates: *const f32, hp: *const f32, ldh: usize,
    dh: *const f32, dhs: *const f32, drows: *mut f32, carry: *mut f32,
) {
    let (act, rec_act) = (code::<A>(act), code::<R>(rec_act));
    let (u, g3, tu) = (q.u, 3 * q.u, q.t * q.u);
    let one = F4::splat(1.0);
    for bi in 0..q.b {
        let dh_b = dh.add(bi * u);
        let dhs_b = at(dhs, bi * tu);
        let c_b = carry.add(bi * u);
        let dr = drows.add(bi * q.t * g3);
        if !q.kept(bi, t_in) { grad_masked_row(u, g3, dh_b, dhs_b, dr, c_b); continue; }
        let g = gates.add(bi * q.t * g3);
        let hp_b = hp.add(bi * ldh);
        for_lanes(u, |j, n| {
            let dhv = step_dh(dh_b, dhs_b, j, n);
            let z = load_n(g.add(j), n);
            let hh = load_n(g.add(2 * u + j), n);
            let daz = dhv.mul(load_n(hp_b.add(j), n).sub(hh)).mul(deriv4(rec_act, z));
            let dah = dhv.mul(one.sub(z)).mul(deriv4(act, hh));
            store_n(daz, dr.add(j), n);
            store_n(dah, dr.add(2 * u + j), n);
            store_n(dhv.mul(z), c_b.add(j), n);
        });
    }
}

/// Not resetAfter, second pass: with drhm [B, U] = d(r·hm) in `tmp`, writes dar into D and the
/// r-path of dh(t-1): d(hm) = drhm·r, added to carry directly (no recurrent mask) or left in tmp
/// for the caller to mask (masked rows keep tmp's zeros from the product of zero D rows).
#[inline(never)]
unsafe fn grad_r<const R: i32>(
    q: &Seq, t_in: usize, rec_act: i32, gates: *const f32, hp: *const f32, ldh: usize,
    rec_mask: *const f32, tmp: *mut f32, drows: *mut f32, carry: *mut f32,
) {
    let rec_act = code::<R>(rec_act);
    let (u, g3) = (q.u, 3 * q.u);
    for bi in 0..q.b {
        if !q.kept(bi, t_in) { continue; }
        let g = gates.add(bi * q.t * g3);
        let dr = drows.add(bi * q.t * g3);
        let (hp_b, tmp_b, c_b) = (hp.add(bi * ldh), tmp.add(bi * u), carry.add(bi * u));
        if rec_mask.is_null() {
            for_lanes(u, |j, n| {
                let r = load_n(g.add(u + j), n);
                let drhm = load_n(tmp_b.add(j), n);
                store_n(drhm.mul(load_n(hp_b.add(j), n)).mul(deriv4(rec_act, r)), dr.add(u + j), n);
                store_n(load_n(c_b.add(j), n).add(drhm.mul(r)), c_b.add(j), n);
            });
        } else {
            let rm_b = rec_mask.add(bi * u);
            for_lanes(u, |j, n| {
                let r = load_n(g.add(u + j), n);
                let drhm = load_n(tmp_b.add(j), n);
                let hm = load_n(hp_b.add(j), n).mul(load_n(rm_b.add(j), n));
                store_n(drhm.mul(hm).mul(deriv4(rec_act, r)), dr.add(u + j), n);
                store_n(drhm.mul(r), tmp_b.add(j), n);
            });
        }
    }
}
