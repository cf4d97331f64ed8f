//! LSTM over a whole sequence (Keras: gates i, f, c, o in the 4U columns), forward and BPTT backward.
//!
//!   z = x_t·kernel + h_{t-1}·recKernel + bias;  i, f, o = recAct(z_i, z_f, z_o), g = act(z_c)
//!   c_t = f·c_{t-1} + i·g;  h_t = o·act(c_t)
//!   with peepholes (ONNX's P): z_i += p_i·c_{t-1}, z_f += p_f·c_{t-1}, z_o += p_o·c_t
//!
//! Buffers (B batch, T time, I input, U units, G = 4U). Step s reads input time t = s, or T-1-s
//! when goBackwards (flags bit 0). Rows of x, mask and the cache are indexed by input time t;
//! hs by step s (Keras returns the reversed sequence):
//!   x          [B, T, I]
//!   kernel     [I, G]        recKernel [U, G]        bias [G]        (bias 0: none)
//!              kernel 0: x already holds the input projections x·kernel, [B, T, G] (forward: then x
//!              is scratch, the steps overwrite it, and the cache is not for a backward), or with
//!              ids [B, T] (i32, forward only), a table [V, G] whose row ids[b, t] is row (b, t);
//!              backward: dx receives the gradient of the projections [B, T, G] (dKernel must be 0)
//!   h0, c0     [B, U]        (0: zeros)
//!   peep       [3U]          peephole weights p_i | p_f | p_o (Keras gate order; ONNX's P is
//!              p_i | p_o | p_f); 0: none (the plain cell, its code path unchanged)
//!   mask       [B, T]        1 keep / 0 masked (a masked step carries h and c); 0: none
//!   recMask    [B, U]        multiplies h_{t-1} where it enters h_{t-1}·recKernel; 0: none
//!   hs         [B, T, U]     hT, cT [B, U] (cT 0: skip)
//!   cache      gates [B, T, G] after activation | cs [B, T, U] cell state after the step |
//!              actC [B, T, U] act(cs)              (lstm_cache_floats)
//!   dHs        [B, T, U]     dHT, dCT [B, U]          (each 0: zero)
//!   dx         [B, T, I]     dH0, dC0 [B, U]          (overwritten; each 0: skip)
//!   dKernel    [I, G]        dRecKernel [U, G]        dBias [G]  (accumulated; each 0: skip)
//!   dPeep      [3U]          (accumulated; 0: skip; with peep only)
//!   ws         lstm_ws_floats(B, T, I, U); layouts under "workspace layouts" below
//!
//! Threads (simd-threads flavour): rows of the batch are independent through the whole
//! recurrence, so the pool runs parts of a few rows each, every part the full time loop for its
//! rows (no barrier per step). The weight gradients sum over rows, so the backward splits them by
//! gate column after a join. Elsewhere (and for small batches) the batch is one part.
//!
//! Performance shape: the input projection of every step is one GEMM written straight into the
//! cache's gate rows; each step adds h_{t-1}·recKernel (packed once) into its rows through ldc,
//! then F4 passes per row do the nonlinearities, cell update and h. Backward mirrors it: a fused
//! per-step dgates pass plus one recurrent product per step, and the weight and input gradients
//! as four big GEMMs after the loop. These GEMMs run at the SIMD128 mul+add ceiling, so merging
//! them measured no gain at the seed model's shapes (B64 T50 I64 U64/U32): one product per step
//! over [x_t | h_{t-1}], dx inside each step's product, dKernel with dRecKernel over [x | Hm].
use crate::activations::{apply4, deriv4};
use crate::elementwise::copy;
use crate::gemm::{gemm_impl, gemm_packed_b, pack_b_full, packed_b_floats};
use crate::math::max;
use crate::simd::F4;
use crate::threads;
use crate::recurrent::{
    Seq, WsSplit, at, at_mut, copy_or_zero, copy_rows, load_n, store_n, for_lanes, code, with_acts,
    step_dh, grad_masked_row, rec_masked, gather_hprev, add_masked, add_col_sums_blocked, forward_passes, backward_passes,
    project_inputs, x_rows, ids_rows, recurrent_gemm_floats, GO_BACKWARDS,
};

// ---- workspace layouts (shared by the kernels and lstm_ws_floats) ----
//
// ws = shared part, then one region per thread of the pool (threads.rs) for a part's R rows (R <= B).
//   shared   forward: packed recKernel;  backward: packed recKernel^T | dgates [B*T, G] | Hm [B*T, U]
//   region   forward: h0 | c0 | hm [R, U] | gemm;  backward: dh | dc | product | h0 | c0 [R, U] | gemm

fn shared_ws(b: usize, t: usize, u: usize) -> usize {
    let g = 4 * u;
    max(packed_b_floats(u, g), packed_b_floats(g, u) + b * t * g + b * t * u)
}

/// Row scratch of a part of `rows` batch rows: 5 [rows, U] (the backward's five).
fn row_scratch(rows: usize, u: usize) -> usize { 5 * rows * u }

fn split(b: usize, t: usize, i: usize, u: usize) -> WsSplit {
    WsSplit { shared: shared_ws(b, t, u), row: row_scratch(b, u), gemm: recurrent_gemm_floats(b, b, t, i, u, 4 * u) }
}

#[no_mangle]
pub extern "C" fn lstm_cache_floats(b: usize, t: usize, _i: usize, u: usize) -> usize { b * t * 6 * u }

#[no_mangle]
pub extern "C" fn lstm_ws_floats(b: usize, t: usize, i: usize, u: usize) -> usize { split(b, t, i, u).floats() }

// ---- forward ----

/// What every part of a forward call shares.
struct Fwd {
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32, rec_act: i32,
    x: *const f32, ids: *const i32, kernel: *const f32, packed: *const f32, bias: *const f32,
    h0: *const f32, c0: *const f32, mask: *const f32, rec_mask: *const f32, peep: *const f32,
    hs: *mut f32, h_t: *mut f32, c_t: *mut f32, cache: *mut f32, ws: *mut f32,
}

#[no_mangle]
pub unsafe extern "C" fn lstm_forward(
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32, rec_act: i32,
    x: *const f32, kernel: *const f32, rec_kernel: *const f32, bias: *const f32,
    h0: *const f32, c0: *const f32, mask: *const f32, rec_mask: *const f32,
    hs: *mut f32, h_t: *mut f32, c_t: *mut f32, cache: *mut f32, ws: *mut f32, ids: *const i32,
    peep: *const f32,
) {
    let g = 4 * u;
    pack_b_full(false, u, g, rec_kernel, g, ws);
    let job = Fwd { b, t, i, u, flags, act, rec_act, x, ids, kernel, packed: ws, bias, h0, c0, mask, rec_mask, peep, hs, h_t, c_t, cache, ws };
    forward_passes(&job, b, t, i, u, g, forward_part);
}

/// The forward pass of batch rows [b0, b1) (part p of `parts`, on thread `tid`).
unsafe fn forward_part(j: &Fwd, p: usize, parts: usize, tid: usize) {
    let (b0, b1) = threads::span(j.b, parts, p, 1);
    if b0 >= b1 { return; }
    let (b, t, i, u) = (b1 - b0, j.t, j.i, j.u);
    let g = 4 * u;
    // Rows b0.. of every batch-major buffer.
    let x = x_rows(j.x, j.ids, j.kernel, b0, t, i, g);
    let ids = ids_rows(j.ids, b0, t);
    // Projected inputs given as rows (no kernel, no ids) are the gate rows themselves: x is the
    // caller's scratch then, so the steps work in place instead of copying 4U floats per row first.
    let in_place = j.kernel.is_null() && ids.is_null();
    let gates = if in_place { x as *mut f32 } else { j.cache.add(b0 * t * g) };
    let cs = j.cache.add(j.b * t * g + b0 * t * u);
    let actc = j.cache.add(j.b * t * (g + u) + b0 * t * u);
    let (h0, c0, rec_mask) = (at(j.h0, b0 * u), at(j.c0, b0 * u), at(j.rec_mask, b0 * u));
    let (h_t, c_t) = (at_mut(j.h_t, b0 * u), at_mut(j.c_t, b0 * u));
    let (scratch, gemm_ws) = split(j.b, t, i, u).region(j.ws, tid);
    let (h0b, c0b, hm_buf) = (scratch, scratch.add(b * u), scratch.add(2 * b * u));
    copy_or_zero(h0, h0b, b * u);
    copy_or_zero(c0, c0b, b * u);
    let q = Seq::part(b0, b, t, u, j.flags, j.mask, h0b, j.hs);
    let hs = j.hs.add(b0 * t * u);
    // Every step's input projection at once, straight into the gate rows (bias added in the fused pass).
    if !in_place && t > 0 { project_inputs(b * t, g, i, x, ids, j.kernel, gates, gemm_ws); }
    for s in 0..t {
        let t_in = q.time(s);
        // h(t-1) and c(t-1) of row bi are at hp, cp + bi*ldh (both strides are U or T·U)
        let (hp, ldh) = q.hprev(s);
        let (cp, _) = q.prev_by_time(s, c0b, cs);
        // with no h0 the first step's recurrent product is zero
        if s > 0 || !h0.is_null() {
            let (hm, ldm) = rec_masked(b, u, hp, ldh, rec_mask, hm_buf);
            gemm_packed_b(false, b, g, u, 1.0, hm, ldm, j.packed, 1.0, gates.add(t_in * g), t * g, gemm_ws);
        }
        let step = FwdStep { s, t_in, bias: j.bias, peep: j.peep, gates, cs, actc, hs, hp, cp, ldh };
        with_acts!(j.act, j.rec_act, forward_cells(&q, &step, j.act, j.rec_act));
    }
    // the state after the last step (h0, c0 when T = 0)
    let (hl, ldh) = q.hprev(t);
    if !h_t.is_null() { copy_rows(b, u, hl, ldh, h_t); }
    let (cl, ldc) = q.prev_by_time(t, c0b, cs);
    if !c_t.is_null() { copy_rows(b, u, cl, ldc, c_t); }
}

/// What one step's fused pass reads and writes (row bi of h(t-1), c(t-1) at hp, cp + bi*ldh).
struct FwdStep {
    s: usize, t_in: usize, bias: *const f32, peep: *const f32,
    gates: *mut f32, cs: *mut f32, actc: *mut f32, hs: *mut f32,
    hp: *const f32, cp: *const f32, ldh: usize,
}

/// The fused pass over every row of one step (activation pair fixed by `with_acts!`): kept rows
/// get gates, cell and h; masked rows carry h and c.
#[inline(never)]
unsafe fn forward_cells<const A: i32, const R: i32>(q: &Seq, st: &FwdStep, act: i32, rec_act: i32) {
    let (act, rec_act) = (code::<A>(act), code::<R>(rec_act));
    let (t, u, g) = (q.t, q.u, 4 * q.u);
    for bi in 0..q.b {
        let row = bi * t + st.t_in;
        let h_out = st.hs.add((bi * t + st.s) * u);
        let c_out = st.cs.add(row * u);
        if !q.kept(bi, st.t_in) {
            copy(st.hp.add(bi * st.ldh), h_out, u);
            copy(st.cp.add(bi * st.ldh), c_out, u);
        } else if st.peep.is_null() {
            forward_row(u, act, rec_act, st.gates.add(row * g), st.bias, st.cp.add(bi * st.ldh), c_out, st.actc.add(row * u), h_out);
        } else {
            forward_row_peep(u, act, rec_act, st.gates.add(row * g), st.bias, st.peep, st.cp.add(bi * st.ldh), c_out, st.actc.add(row * u), h_out);
        }
    }
}

/// `forward_row` with peepholes (peep [3U]: p_i, p_f, p_o): the bias and p_i·c(t-1), p_f·c(t-1)
/// join the i, f pre-activations, p_o·c_t the o pre-activation once c_t is known.
#[inline(always)]
unsafe fn forward_row_peep(
    u: usize, act: i32, rec_act: i32, z: *mut f32, bias: *const f32, peep: *const f32,
    c_prev: *const f32, c_out: *mut f32, ac_out: *mut f32, h_out: *mut f32,
) {
    if !bias.is_null() { for_lanes(4 * u, |j, n| store_n(load_n(z.add(j), n).add(load_n(bias.add(j), n)), z.add(j), n)); }
    for_lanes(u, |j, n| {
        let cp = load_n(c_prev.add(j), n);
        store_n(load_n(peep.add(j), n).mul_add(cp, load_n(z.add(j), n)), z.add(j), n);
        store_n(load_n(peep.add(u + j), n).mul_add(cp, load_n(z.add(u + j), n)), z.add(u + j), n);
    });
    activate(rec_act, z, core::ptr::null(), 2 * u);
    activate(act, z.add(2 * u), core::ptr::null(), u);
    for_lanes(u, |j, n| {
        let i = load_n(z.add(j), n);
        let f = load_n(z.add(u + j), n);
        let g = load_n(z.add(2 * u + j), n);
        let c = f.mul_add(load_n(c_prev.add(j), n), i.mul(g));
        let o = apply4(rec_act, load_n(peep.add(2 * u + j), n).mul_add(c, load_n(z.add(3 * u + j), n)));
        let ac = apply4(act, c);
        store_n(o, z.add(3 * u + j), n);
        store_n(c, c_out.add(j), n);
        store_n(ac, ac_out.add(j), n);
        store_n(o.mul(ac), h_out.add(j), n);
    });
}

/// One row's gates, cell and h for an unmasked step (z holds pre-activations; overwritten with
/// the activated gates). The gate activations as short loops of one exp or tanh chain per
/// iteration (the CPU overlaps iterations), then the cell update: measured 3-5% faster per
/// forward than one fused pass, whose iteration is five ~30-op chains.
#[inline(always)]
unsafe fn forward_row(
    u: usize, act: i32, rec_act: i32, z: *mut f32, bias: *const f32,
    c_prev: *const f32, c_out: *mut f32, ac_out: *mut f32, h_out: *mut f32,
) {
    // Gates i, f (contiguous), then c, then o.
    activate(rec_act, z, bias, 2 * u);
    activate(act, z.add(2 * u), at(bias, 2 * u), u);
    activate(rec_act, z.add(3 * u), at(bias, 3 * u), u);
    // c = f·c(t-1) + i·g, h = o·act(c)
    for_lanes(u, |j, n| {
        let i = load_n(z.add(j), n);
        let f = load_n(z.add(u + j), n);
        let g = load_n(z.add(2 * u + j), n);
        let o = load_n(z.add(3 * u + j), n);
        let c = f.mul_add(load_n(c_prev.add(j), n), i.mul(g));
        let ac = apply4(act, c);
        store_n(c, c_out.add(j), n);
        store_n(ac, ac_out.add(j), n);
        store_n(o.mul(ac), h_out.add(j), n);
    });
}

/// z[0..len] = act(z + bias) (bias 0: none).
#[inline(always)]
unsafe fn activate(code: i32, z: *mut f32, bias: *const f32, len: usize) {
    if bias.is_null() {
        for_lanes(len, |j, n| store_n(apply4(code, load_n(z.add(j), n)), z.add(j), n));
    } else {
        for_lanes(len, |j, n| store_n(apply4(code, load_n(z.add(j), n).add(load_n(bias.add(j), n))), z.add(j), n));
    }
}

// ---- backward ----

/// What every part of a backward call shares (dg, hm: shared scratch [B*T, G], [B*T, U]).
struct Bwd {
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32, rec_act: i32,
    x: *const f32, kernel: *const f32, packed: *const f32, h0: *const f32, c0: *const f32,
    mask: *const f32, rec_mask: *const f32, peep: *const f32, hs: *const f32, cache: *const f32,
    d_hs: *const f32, d_h_t: *const f32, d_c_t: *const f32,
    dx: *mut f32, d_kernel: *mut f32, d_rec_kernel: *mut f32, d_bias: *mut f32,
    d_h0: *mut f32, d_c0: *mut f32, dg: *mut f32, hm: *mut f32, ws: *mut f32,
}

#[no_mangle]
pub unsafe extern "C" fn lstm_backward(
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32, rec_act: i32,
    x: *const f32, kernel: *const f32, rec_kernel: *const f32, h0: *const f32, c0: *const f32,
    mask: *const f32, rec_mask: *const f32, hs: *const f32, cache: *const f32,
    d_hs: *const f32, d_h_t: *const f32, d_c_t: *const f32,
    dx: *mut f32, d_kernel: *mut f32, d_rec_kernel: *mut f32, d_bias: *mut f32,
    d_h0: *mut f32, d_c0: *mut f32, ws: *mut f32, peep: *const f32, d_peep: *mut f32,
) {
    let (g, bt) = (4 * u, b * t);
    // op(B) = recKernel^T, so dh(t-1) = dgates · recKernel^T
    let packed = ws;
    let dg = packed.add(packed_b_floats(g, u));
    let hm = dg.add(bt * g);
    pack_b_full(true, g, u, rec_kernel, g, packed);
    let job = Bwd {
        b, t, i, u, flags, act, rec_act, x, kernel, packed, h0, c0, mask, rec_mask, peep,
        hs, cache, d_hs, d_h_t, d_c_t, dx, d_kernel, d_rec_kernel, d_bias, d_h0, d_c0, dg, hm, ws,
    };
    let weights = !(d_kernel.is_null() && d_rec_kernel.is_null() && d_bias.is_null());
    backward_passes(&job, b, t, i, u, g, weights, backward_rows, backward_cols);
    if !peep.is_null() && !d_peep.is_null() { peephole_grads(&job, d_peep); }
}

/// dPeep += Σ over (b, t) of dz_i·c(t-1), dz_f·c(t-1), dz_o·c_t, from the dgates every part wrote
/// (masked steps' rows are zero). After the join, on the calling thread: 3·B·T·U multiply-adds.
unsafe fn peephole_grads(j: &Bwd, d_peep: *mut f32) {
    let (t, u, g) = (j.t, j.u, 4 * j.u);
    let cs = j.cache.add(j.b * t * g);
    let back = j.flags & GO_BACKWARDS != 0;
    let time = |s: usize| if back { t - 1 - s } else { s };
    for bi in 0..j.b {
        for s in 0..t {
            let row = bi * t + time(s);
            let dz = j.dg.add(row * g) as *const f32;
            let c = cs.add(row * u);
            // c(t-1): the state after the previous step, or c0 (absent: zeros, no i, f terms)
            let cp = if s > 0 { cs.add((bi * t + time(s - 1)) * u) } else { at(j.c0, bi * u) };
            for_lanes(u, |k, n| {
                if !cp.is_null() {
                    let cpv = load_n(cp.add(k), n);
                    store_n(load_n(dz.add(k), n).mul_add(cpv, load_n(d_peep.add(k), n)), d_peep.add(k), n);
                    store_n(load_n(dz.add(u + k), n).mul_add(cpv, load_n(d_peep.add(u + k), n)), d_peep.add(u + k), n);
                }
                let o = d_peep.add(2 * u + k);
                store_n(load_n(dz.add(3 * u + k), n).mul_add(load_n(c.add(k), n), load_n(o, n)), o, n);
            });
        }
    }
}

/// Batch rows [b0, b1) (part p of `parts`, on thread `tid`): dgates and Hm rows of every step,
/// dH0, dC0, dx.
unsafe fn backward_rows(j: &Bwd, p: usize, parts: usize, tid: usize) {
    let (b0, b1) = threads::span(j.b, parts, p, 1);
    if b0 >= b1 { return; }
    let (b, t, i, u) = (b1 - b0, j.t, j.i, j.u);
    let g = 4 * u;
    // Rows b0.. of every batch-major buffer.
    let gates = j.cache.add(b0 * t * g);
    let cs = j.cache.add(j.b * t * g + b0 * t * u);
    let actc = j.cache.add(j.b * t * (g + u) + b0 * t * u);
    let (dg, hm) = (j.dg.add(b0 * t * g), j.hm.add(b0 * t * u));
    let d_hs = at(j.d_hs, b0 * t * u);
    let (h0, c0, d_h_t, d_c_t) = (at(j.h0, b0 * u), at(j.c0, b0 * u), at(j.d_h_t, b0 * u), at(j.d_c_t, b0 * u));
    let rec_mask = at(j.rec_mask, b0 * u);
    let projected = j.kernel.is_null();
    let (d_h0, d_c0, dx) = (at_mut(j.d_h0, b0 * u), at_mut(j.d_c0, b0 * u), at_mut(j.dx, b0 * t * if projected { g } else { i }));
    let (scratch, gemm_ws) = split(j.b, t, i, u).region(j.ws, tid);
    let (dh, dc, prod) = (scratch, scratch.add(b * u), scratch.add(2 * b * u));
    let (h0b, c0b) = (scratch.add(3 * b * u), scratch.add(4 * b * u));
    copy_or_zero(d_h_t, dh, b * u);
    copy_or_zero(d_c_t, dc, b * u);
    copy_or_zero(h0, h0b, b * u);
    copy_or_zero(c0, c0b, b * u);
    let q = Seq::part(b0, b, t, u, j.flags, j.mask, h0b, j.hs);

    // h(t-1)·recMask of every step, in the gate rows' (b, t) order: dRecKernel is then one GEMM.
    gather_hprev(&q, rec_mask, hm);
    for s in (0..t).rev() {
        let t_in = q.time(s);
        let (cp, ld_cp) = q.prev_by_time(s, c0b, cs);
        let step = BwdStep { t_in, gates, actc, peep: j.peep, cp, ld_cp, d_hs: at(d_hs, s * u), dh, dc, dg };
        with_acts!(j.act, j.rec_act, backward_cells(&q, &step, j.act, j.rec_act));
        // dh(t-1) is only needed for dH0 after the first step
        if s > 0 || !d_h0.is_null() {
            let a = dg.add(t_in * g);
            if rec_mask.is_null() {
                gemm_packed_b(false, b, u, g, 1.0, a, t * g, j.packed, 1.0, dh, u, gemm_ws);
            } else {
                gemm_packed_b(false, b, u, g, 1.0, a, t * g, j.packed, 0.0, prod, u, gemm_ws);
                add_masked(b * u, prod, rec_mask, dh);
            }
        }
    }
    if !d_h0.is_null() { copy(dh, d_h0, b * u); }
    if !d_c0.is_null() { copy(dc, d_c0, b * u); }
    if !dx.is_null() && t > 0 {
        // dx = dgates · kernel^T, or with projected inputs their gradient: dgates itself
        if projected { copy(dg, dx, b * t * g) } else { gemm_impl(false, true, b * t, i, g, 1.0, dg, g, j.kernel, g, 0.0, dx, i, gemm_ws) }
    }
}

/// What one step's backward pass reads and writes (row bi of c(t-1) at cp + bi*ld_cp; dHs rows
/// of step s at d_hs + bi*T*U).
struct BwdStep {
    t_in: usize,
    gates: *const f32, actc: *const f32, peep: *const f32, cp: *const f32, ld_cp: usize,
    d_hs: *const f32, dh: *mut f32, dc: *mut f32, dg: *mut f32,
}

/// Gate gradients of every row of one step (activation pair fixed by `with_acts!`). Kept rows:
/// from dh (plus dHs) and dc of the state after the step, writes dgates, leaves dc = gradient of
/// c(t-1) and dh = 0 (the recurrent product adds h(t-1)'s gradient after). A masked step is the
/// identity on (h, c): dgates zero, the gradients pass straight through.
#[inline(never)]
unsafe fn backward_cells<const A: i32, const R: i32>(q: &Seq, st: &BwdStep, act: i32, rec_act: i32) {
    let (act, rec_act) = (code::<A>(act), code::<R>(rec_act));
    let (t, u, g) = (q.t, q.u, 4 * q.u);
    for bi in 0..q.b {
        let row = bi * t + st.t_in;
        let dhs_b = at(st.d_hs, bi * t * u);
        let (dh_b, dc_b, dz) = (st.dh.add(bi * u), st.dc.add(bi * u), st.dg.add(row * g));
        if !q.kept(bi, st.t_in) { grad_masked_row(u, g, dh_b, dhs_b, dz, dh_b); continue; }
        let (gt, ac, c_prev) = (st.gates.add(row * g), st.actc.add(row * u), st.cp.add(bi * st.ld_cp));
        if !st.peep.is_null() {
            backward_row_peep(u, act, rec_act, gt, ac, c_prev, st.peep, dh_b, dhs_b, dc_b, dz);
            continue;
        }
        for_lanes(u, |j, n| {
            let i = load_n(gt.add(j), n);
            let f = load_n(gt.add(u + j), n);
            let gg = load_n(gt.add(2 * u + j), n);
            let o = load_n(gt.add(3 * u + j), n);
            let acv = load_n(ac.add(j), n);
            let dhv = step_dh(dh_b, dhs_b, j, n);
            let dcs = dhv.mul(o).mul(deriv4(act, acv)).add(load_n(dc_b.add(j), n));
            store_n(dcs.mul(gg).mul(deriv4(rec_act, i)), dz.add(j), n);
            store_n(dcs.mul(load_n(c_prev.add(j), n)).mul(deriv4(rec_act, f)), dz.add(u + j), n);
            store_n(dcs.mul(i).mul(deriv4(act, gg)), dz.add(2 * u + j), n);
            store_n(dhv.mul(acv).mul(deriv4(rec_act, o)), dz.add(3 * u + j), n);
            store_n(dcs.mul(f), dc_b.add(j), n);
            store_n(F4::zero(), dh_b.add(j), n);
        });
    }
}

/// `backward_cells`' row with peepholes (peep [3U]: p_i, p_f, p_o): z_o also reads c_t, so dz_o
/// joins c_t's gradient; z_i, z_f read c(t-1), so their p-weighted gradients join c(t-1)'s.
#[inline(always)]
unsafe fn backward_row_peep(
    u: usize, act: i32, rec_act: i32, gt: *const f32, ac: *const f32, c_prev: *const f32,
    peep: *const f32, dh_b: *mut f32, dhs_b: *const f32, dc_b: *mut f32, dz: *mut f32,
) {
    for_lanes(u, |j, n| {
        let i = load_n(gt.add(j), n);
        let f = load_n(gt.add(u + j), n);
        let gg = load_n(gt.add(2 * u + j), n);
        let o = load_n(gt.add(3 * u + j), n);
        let acv = load_n(ac.add(j), n);
        let dhv = step_dh(dh_b, dhs_b, j, n);
        let dzo = dhv.mul(acv).mul(deriv4(rec_act, o));
        let dcs = dhv.mul(o).mul(deriv4(act, acv)).add(load_n(dc_b.add(j), n)).add(dzo.mul(load_n(peep.add(2 * u + j), n)));
        let dzi = dcs.mul(gg).mul(deriv4(rec_act, i));
        let dzf = dcs.mul(load_n(c_prev.add(j), n)).mul(deriv4(rec_act, f));
        store_n(dzi, dz.add(j), n);
        store_n(dzf, dz.add(u + j), n);
        store_n(dcs.mul(i).mul(deriv4(act, gg)), dz.add(2 * u + j), n);
        store_n(dzo, dz.add(3 * u + j), n);
        let dcp = dcs.mul(f).add(dzi.mul(load_n(peep.add(j), n))).add(dzf.mul(load_n(peep.add(u + j), n)));
        store_n(dcp, dc_b.add(j), n);
        store_n(F4::zero(), dh_b.add(j), n);
    });
}

/// Gate columns [c0, c1) of the weight gradients (part p of `parts`, on thread `tid`): dKernel,
/// dRecKernel, dBias over every step at once.
unsafe fn backward_cols(j: &Bwd, p: usize, parts: usize, tid: usize) {
    let g = 4 * j.u;
    let (c0, c1) = threads::span(g, parts, p, 8);
    if c0 >= c1 { return; }
    let (nc, bt, i, u) = (c1 - c0, j.b * j.t, j.i, j.u);
    let (_, gemm_ws) = split(j.b, j.t, i, u).region(j.ws, tid);
    let dg = j.dg.add(c0) as *const f32;
    if !j.d_kernel.is_null() { gemm_impl(true, false, i, nc, bt, 1.0, j.x, i, dg, g, 1.0, j.d_kernel.add(c0), g, gemm_ws); }
    if !j.d_rec_kernel.is_null() { gemm_impl(true, false, u, nc, bt, 1.0, j.hm, u, dg, g, 1.0, j.d_rec_kernel.add(c0), g, gemm_ws); }
    if !j.d_bias.is_null() { add_col_sums_blocked(bt, nc, dg, g, j.d_bias.add(c0)); }
}
