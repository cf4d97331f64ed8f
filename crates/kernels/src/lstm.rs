//! LSTM over a whole sequence (Keras: gates i, f, c, o in the 4U columns), forward and BPTT backward.
//!
//!   z = x_t·kernel + h_{t-1}·recKernel + bias;  i, f, o = recAct(z_i, z_f, z_o), g = act(z_c)
//!   c_t = f·c_{t-1} + i·g;  h_t = o·act(c_t)
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
//!   mask       [B, T]        1 keep / 0 masked (a masked step carries h and c); 0: none
//!   recMask    [B, U]        multiplies h_{t-1} where it enters h_{t-1}·recKernel; 0: none
//!   hs         [B, T, U]     hT, cT [B, U] (cT 0: skip)
//!   cache      gates [B, T, G] after activation | cs [B, T, U] cell state after the step |
//!              actC [B, T, U] act(cs)              (lstm_cache_floats)
//!   dHs        [B, T, U]     dHT, dCT [B, U]          (each 0: zero)
//!   dx         [B, T, I]     dH0, dC0 [B, U]          (overwritten; each 0: skip)
//!   dKernel    [I, G]        dRecKernel [U, G]        dBias [G]  (accumulated; each 0: skip)
//!   ws         lstm_ws_floats: shared   forward packed recKernel; backward packed recKernel^T |
//!                                       dgates [B, T, G] | hprev⊙recMask [B, T, U]
//!                              per thread of the pool (threads.rs), for a part's R rows (R <= B):
//!                                       forward h0 | c0 | h_{t-1}⊙recMask [R, U] | gemm;
//!                                       backward dh | dc | product | h0 | c0 [R, U] | gemm
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
//! over [x_t | h_{t-1}], dx inside each step's product, dKernel with dRecKernel over [x | hpm].
use crate::activations::{apply4, deriv4, HARD_SIGMOID, SIGMOID, TANH};
use crate::gemm;
use crate::threads;
use crate::simd::F4;
use crate::lanes::{GO_BACKWARDS, max, load_n, store_n, for_lanes, copy, zero, project_inputs, x_rows, ids_rows, recurrent_gemm_floats, thread_region};

/// Input time read by processing step s.
#[inline(always)]
fn time_of(s: usize, t_len: usize, flags: i32) -> usize {
    if flags & GO_BACKWARDS != 0 { t_len - 1 - s } else { s }
}

#[inline(always)]
unsafe fn keeps(mask: *const f32, b: usize, t: usize, t_len: usize) -> bool {
    mask.is_null() || *mask.add(b * t_len + t) != 0.0
}

/// Copies n floats of `src` (zeros when src is null) into `dst`.
unsafe fn copy_or_zero(src: *const f32, dst: *mut f32, n: usize) {
    if src.is_null() { zero(dst, n) } else { copy(src, dst, n) }
}

// ---- sizes ----
//
// ws = shared part (packed recurrent kernel; backward: dgates and hprev⊙recMask of every row) then
// one region per thread (threads.rs): row scratch for a part's rows and gemm scratch.

fn cache_floats(b: usize, t: usize, u: usize) -> usize { b * t * 6 * u }

/// Shared scratch: forward packed recKernel; backward packed recKernel^T | dgates [B,T,G] | hpm [B,T,U].
fn shared_ws(b: usize, t: usize, u: usize) -> usize {
    let g = 4 * u;
    max(gemm::packed_b_floats(u, g), gemm::packed_b_floats(g, u) + b * t * g + b * t * u)
}

/// Row scratch of a part of `rows` batch rows: forward h0 | c0 | h_{t-1}⊙recMask, backward
/// dh | dc | product | h0 | c0, each [rows, U]; the gemm scratch follows.
fn row_scratch(rows: usize, u: usize) -> usize { 5 * rows * u }

/// (row scratch, gemm scratch) of thread `tid`.
#[inline(always)]
unsafe fn region(ws: *mut f32, tid: usize, b: usize, t: usize, i: usize, u: usize) -> (*mut f32, *mut f32) {
    thread_region(ws, shared_ws(b, t, u), row_scratch(b, u), recurrent_gemm_floats(b, b, t, i, u, 4 * u), tid)
}
#[no_mangle]
pub extern "C" fn lstm_cache_floats(b: usize, t: usize, _i: usize, u: usize) -> usize { cache_floats(b, t, u) }

#[no_mangle]
pub extern "C" fn lstm_ws_floats(b: usize, t: usize, i: usize, u: usize) -> usize {
    shared_ws(b, t, u) + threads::threads() * (row_scratch(b, u) + recurrent_gemm_floats(b, b, t, i, u, 4 * u))
}

/// p + n when p is present (0 stays 0): row offsets into optional buffers.
#[inline(always)]
unsafe fn at(p: *const f32, n: usize) -> *const f32 { if p.is_null() { p } else { p.add(n) } }
#[inline(always)]
unsafe fn at_mut(p: *mut f32, n: usize) -> *mut f32 { if p.is_null() { p } else { p.add(n) } }

/// The flops of one sequence pass (input projection plus recurrent products), for `parts_for`.
fn pass_flops(b: usize, t: usize, i: usize, u: usize) -> usize { 2 * b * t * 4 * u * (i + u) }

// ---- forward ----

/// One row's gates, cell and h for an unmasked step (z holds pre-activations; overwritten with
/// the activated gates). The gate activations as short loops of one exp or tanh chain per
/// iteration (the CPU overlaps iterations), then the cell update: measured 3-5% faster per
/// forward than one fused pass, whose iteration is five ~30-op chains.
#[inline(always)]
unsafe fn forward_row(
    u_len: usize, act: i32, rec_act: i32, z: *mut f32, bias: *const f32,
    c_prev: *const f32, c_out: *mut f32, ac_out: *mut f32, h_out: *mut f32,
) {
    // Gates i, f (contiguous), then c, then o.
    activate(rec_act, z, bias, 2 * u_len);
    activate(act, z.add(2 * u_len), at(bias, 2 * u_len), u_len);
    activate(rec_act, z.add(3 * u_len), at(bias, 3 * u_len), u_len);
    let mut u = 0;
    while u + 4 <= u_len {
        cell_lanes(u_len, act, z, c_prev, c_out, ac_out, h_out, u, 4);
        u += 4;
    }
    if u < u_len { cell_lanes(u_len, act, z, c_prev, c_out, ac_out, h_out, u, u_len - u); }
}

/// z[0..len] = act(z + bias) (bias 0: none), F4 lanes.
#[inline(always)]
unsafe fn activate(code: i32, z: *mut f32, bias: *const f32, len: usize) {
    let mut j = 0;
    if bias.is_null() {
        while j + 4 <= len {
            apply4(code, F4::load(z.add(j))).store(z.add(j));
            j += 4;
        }
    } else {
        while j + 4 <= len {
            apply4(code, F4::load(z.add(j)).add(F4::load(bias.add(j)))).store(z.add(j));
            j += 4;
        }
    }
    if j < len {
        let n = len - j;
        let mut v = load_n(z.add(j), n);
        if !bias.is_null() { v = v.add(load_n(bias.add(j), n)); }
        store_n(apply4(code, v), z.add(j), n);
    }
}

/// Lanes u..u+n of the cell update from activated gates: c = f·c_prev + i·g, h = o·act(c).
#[inline(always)]
unsafe fn cell_lanes(
    u_len: usize, act: i32, z: *const f32, c_prev: *const f32, c_out: *mut f32, ac_out: *mut f32,
    h_out: *mut f32, u: usize, n: usize,
) {
    let i = load_n(z.add(u), n);
    let f = load_n(z.add(u_len + u), n);
    let g = load_n(z.add(2 * u_len + u), n);
    let o = load_n(z.add(3 * u_len + u), n);
    let c = f.mul_add(load_n(c_prev.add(u), n), i.mul(g));
    let ac = apply4(act, c);
    store_n(c, c_out.add(u), n);
    store_n(ac, ac_out.add(u), n);
    store_n(o.mul(ac), h_out.add(u), n);
}

/// What one step's fused pass reads and writes (row b of h_{t-1}, c_{t-1} at hp, cp + b*ldh).
struct FwdStep {
    bl: usize, tl: usize, ul: usize, s: usize, t: usize,
    mask: *const f32, bias: *const f32,
    gates: *mut f32, cs: *mut f32, actc: *mut f32, hs: *mut f32,
    hp: *const f32, cp: *const f32, ldh: usize,
}

/// The fused pass over every row of one step. Inlined into `lstm_forward`'s match with constant
/// activation codes, so the usual pairs get their `apply4` dispatch folded away.
#[inline(always)]
unsafe fn forward_cells(st: &FwdStep, act: i32, rec_act: i32) {
    let (tl, ul, g) = (st.tl, st.ul, 4 * st.ul);
    for b in 0..st.bl {
        let row = b * tl + st.t;
        let h_out = st.hs.add((b * tl + st.s) * ul);
        let c_out = st.cs.add(row * ul);
        if keeps(st.mask, b, st.t, tl) {
            forward_row(ul, act, rec_act, st.gates.add(row * g), st.bias, st.cp.add(b * st.ldh), c_out, st.actc.add(row * ul), h_out);
        } else {
            copy(st.hp.add(b * st.ldh), h_out, ul);
            copy(st.cp.add(b * st.ldh), c_out, ul);
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn lstm_forward(
    b_len: usize, t_len: usize, i_len: usize, u_len: usize, flags: i32, act: i32, rec_act: i32,
    x: *const f32, kernel: *const f32, rec_kernel: *const f32, bias: *const f32,
    h0: *const f32, c0: *const f32, mask: *const f32, rec_mask: *const f32,
    hs: *mut f32, h_t: *mut f32, c_t: *mut f32, cache: *mut f32, ws: *mut f32, ids: *const i32,
) {
    let g = 4 * u_len;
    gemm::pack_b_full(false, u_len, g, rec_kernel, g, ws);
    let job = Fwd {
        b: b_len, t: t_len, i: i_len, u: u_len, flags, act, rec_act, x, ids, kernel, packed: ws, bias,
        h0, c0, mask, rec_mask, hs, h_t, c_t, cache, ws,
    };
    // The recurrence is independent per batch row: a part runs whole sequences for its rows.
    let plan = threads::row_plan(b_len, pass_flops(b_len, t_len, i_len, u_len));
    threads::parallel(plan.parts, plan.pool, &job, forward_part);
}

/// What every part of a forward call shares.
struct Fwd {
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32, rec_act: i32,
    x: *const f32, ids: *const i32, kernel: *const f32, packed: *const f32, bias: *const f32,
    h0: *const f32, c0: *const f32, mask: *const f32, rec_mask: *const f32,
    hs: *mut f32, h_t: *mut f32, c_t: *mut f32, cache: *mut f32, ws: *mut f32,
}

/// The forward pass of batch rows [b0, b1) (part p of `parts`, on thread `tid`).
unsafe fn forward_part(j: &Fwd, p: usize, parts: usize, tid: usize) {
    let (b0, b1) = threads::span(j.b, parts, p, 1);
    if b0 >= b1 { return; }
    let (bl, tl, il, ul) = (b1 - b0, j.t, j.i, j.u);
    let g = 4 * ul;
    let flags = j.flags;
    // Rows b0.. of every batch-major buffer.
    let x = x_rows(j.x, j.ids, j.kernel, b0, tl, il, g);
    let ids = ids_rows(j.ids, b0, tl);
    // Projected inputs given as rows (no kernel, no ids) are the gate rows themselves: x is the
    // caller's scratch then, so the steps work in place instead of copying 4U floats per row first.
    let in_place = j.kernel.is_null() && ids.is_null();
    let gates = if in_place { x as *mut f32 } else { j.cache.add(b0 * tl * g) };
    let cs = j.cache.add(j.b * tl * g + b0 * tl * ul);
    let actc = j.cache.add(j.b * tl * (g + ul) + b0 * tl * ul);
    let (h0, c0) = (at(j.h0, b0 * ul), at(j.c0, b0 * ul));
    let (mask, rec_mask) = (at(j.mask, b0 * tl), at(j.rec_mask, b0 * ul));
    let hs = j.hs.add(b0 * tl * ul);
    let (h_t, c_t) = (j.h_t.add(b0 * ul), at_mut(j.c_t, b0 * ul));
    let (bias, packed) = (j.bias, j.packed);
    let (scratch, gws) = region(j.ws, tid, j.b, tl, il, ul);
    let h0b = scratch;
    let c0b = h0b.add(bl * ul);
    let hm = c0b.add(bl * ul);

    copy_or_zero(h0, h0b, bl * ul);
    copy_or_zero(c0, c0b, bl * ul);
    if tl == 0 {
        copy(h0b, h_t, bl * ul);
        if !c_t.is_null() { copy(c0b, c_t, bl * ul); }
        return;
    }
    // Every step's input projection at once, straight into the gate rows (bias added in the fused pass).
    if !in_place { project_inputs(bl * tl, g, il, x, ids, j.kernel, gates, gws); }

    for s in 0..tl {
        let t = time_of(s, tl, flags);
        // h_{t-1} and c_{t-1} of row b are at hp + b*ldh, cp + b*ldh.
        let (hp, cp, ldh): (*const f32, *const f32, usize) = if s == 0 {
            (h0b, c0b, ul)
        } else {
            (hs.add((s - 1) * ul), cs.add(time_of(s - 1, tl, flags) * ul), tl * ul)
        };
        if s > 0 || !h0.is_null() {
            let (a, lda) = if rec_mask.is_null() {
                (hp, ldh)
            } else {
                for b in 0..bl {
                    mul_rows(hp.add(b * ldh), rec_mask.add(b * ul), hm.add(b * ul), ul);
                }
                (hm as *const f32, ul)
            };
            gemm::gemm_packed_b(false, bl, g, ul, 1.0, a, lda, packed, 1.0, gates.add(t * g), tl * g, gws);
        }
        let step = FwdStep { bl, tl, ul, s, t, mask, bias, gates, cs, actc, hs, hp, cp, ldh };
        match (j.act, j.rec_act) {
            (TANH, SIGMOID) => forward_cells(&step, TANH, SIGMOID),
            (TANH, HARD_SIGMOID) => forward_cells(&step, TANH, HARD_SIGMOID),
            (act, rec_act) => forward_cells(&step, act, rec_act),
        }
    }
    let t_last = time_of(tl - 1, tl, flags);
    for b in 0..bl {
        copy(hs.add((b * tl + tl - 1) * ul), h_t.add(b * ul), ul);
        if !c_t.is_null() { copy(cs.add((b * tl + t_last) * ul), c_t.add(b * ul), ul); }
    }
}

/// out[0..n] = a ⊙ m.
#[inline(always)]
unsafe fn mul_rows(a: *const f32, m: *const f32, out: *mut f32, n: usize) {
    for_lanes(n, |u, k| store_n(load_n(a.add(u), k).mul(load_n(m.add(u), k)), out.add(u), k));
}

// ---- backward ----

/// One row's gate gradients for an unmasked step: from dh (plus dHs when given) and dc of the
/// state after the step, writes dz [G], leaves dc = gradient of c_{t-1} and dh = 0 (the
/// recurrent product adds h_{t-1}'s gradient after).
#[inline(always)]
unsafe fn backward_row(
    u_len: usize, act: i32, rec_act: i32, gates: *const f32, ac: *const f32, c_prev: *const f32,
    d_hs: *const f32, dh: *mut f32, dc: *mut f32, dz: *mut f32,
) {
    for_lanes(u_len, |u, n| {
        let i = load_n(gates.add(u), n);
        let f = load_n(gates.add(u_len + u), n);
        let g = load_n(gates.add(2 * u_len + u), n);
        let o = load_n(gates.add(3 * u_len + u), n);
        let acv = load_n(ac.add(u), n);
        let mut dhv = load_n(dh.add(u), n);
        if !d_hs.is_null() { dhv = dhv.add(load_n(d_hs.add(u), n)); }
        let dcs = dhv.mul(o).mul(deriv4(act, acv)).add(load_n(dc.add(u), n));
        store_n(dcs.mul(g).mul(deriv4(rec_act, i)), dz.add(u), n);
        store_n(dcs.mul(load_n(c_prev.add(u), n)).mul(deriv4(rec_act, f)), dz.add(u_len + u), n);
        store_n(dcs.mul(i).mul(deriv4(act, g)), dz.add(2 * u_len + u), n);
        store_n(dhv.mul(acv).mul(deriv4(rec_act, o)), dz.add(3 * u_len + u), n);
        store_n(dcs.mul(f), dc.add(u), n);
        store_n(F4::zero(), dh.add(u), n);
    });
}

/// dh += m ⊙ p over n floats.
#[inline(always)]
unsafe fn add_masked(dh: *mut f32, m: *const f32, p: *const f32, n: usize) {
    for_lanes(n, |u, k| store_n(load_n(m.add(u), k).mul_add(load_n(p.add(u), k), load_n(dh.add(u), k)), dh.add(u), k));
}

/// dh += d over n floats.
#[inline(always)]
unsafe fn add_rows(dh: *mut f32, d: *const f32, n: usize) {
    for_lanes(n, |u, k| store_n(load_n(dh.add(u), k).add(load_n(d.add(u), k)), dh.add(u), k));
}

/// db [cols] += column sums of d [rows, ld] (cols a multiple of 4). 32 columns at a time in
/// register accumulators, row after row: every cache line of d is read once (column by column
/// re-read each line four times, from memory once d outgrew L2: 0.6 ms for the seed LSTM's dgates).
unsafe fn add_column_sums(d: *const f32, rows: usize, ld: usize, cols: usize, db: *mut f32) {
    let mut j = 0;
    while j + 32 <= cols {
        column_sums::<8>(d.add(j), rows, ld, db.add(j));
        j += 32;
    }
    while j < cols {
        column_sums::<1>(d.add(j), rows, ld, db.add(j));
        j += 4;
    }
}

/// db [4W] += column sums of d's first 4W columns.
#[inline(always)]
unsafe fn column_sums<const W: usize>(d: *const f32, rows: usize, ld: usize, db: *mut f32) {
    let mut acc = [F4::zero(); W];
    let mut p = d;
    for _ in 0..rows {
        for v in 0..W { acc[v] = acc[v].add(F4::load(p.add(4 * v))); }
        p = p.add(ld);
    }
    for v in 0..W { F4::load(db.add(4 * v)).add(acc[v]).store(db.add(4 * v)); }
}

/// What one step's fused backward pass reads and writes (row b of c_{t-1} at cp + b*ld_cp).
struct BwdStep {
    bl: usize, tl: usize, ul: usize, s: usize, t: usize,
    mask: *const f32, gates: *const f32, actc: *const f32, cp: *const f32, ld_cp: usize,
    d_hs: *const f32, dh: *mut f32, dc: *mut f32, dg: *mut f32,
}

/// Gate gradients of every row of one step (specialised like `forward_cells`).
#[inline(always)]
unsafe fn backward_cells(st: &BwdStep, act: i32, rec_act: i32) {
    let (tl, ul, g) = (st.tl, st.ul, 4 * st.ul);
    for b in 0..st.bl {
        let row = b * tl + st.t;
        let dhs_row = if st.d_hs.is_null() { st.d_hs } else { st.d_hs.add((b * tl + st.s) * ul) };
        let (dhb, dcb) = (st.dh.add(b * ul), st.dc.add(b * ul));
        if keeps(st.mask, b, st.t, tl) {
            backward_row(ul, act, rec_act, st.gates.add(row * g), st.actc.add(row * ul), st.cp.add(b * st.ld_cp), dhs_row, dhb, dcb, st.dg.add(row * g));
        } else {
            // A masked step is the identity on (h, c): its gradients pass straight through.
            zero(st.dg.add(row * g), g);
            if !dhs_row.is_null() { add_rows(dhb, dhs_row, ul); }
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn lstm_backward(
    b_len: usize, t_len: usize, i_len: usize, u_len: usize, flags: i32, act: i32, rec_act: i32,
    x: *const f32, kernel: *const f32, rec_kernel: *const f32, h0: *const f32, c0: *const f32,
    mask: *const f32, rec_mask: *const f32, hs: *const f32, cache: *const f32,
    d_hs: *const f32, d_ht: *const f32, d_ct: *const f32,
    dx: *mut f32, d_kernel: *mut f32, d_rec_kernel: *mut f32, d_bias: *mut f32,
    d_h0: *mut f32, d_c0: *mut f32, ws: *mut f32,
) {
    let g = 4 * u_len;
    let bt = b_len * t_len;
    let packed = ws;
    let dg = packed.add(gemm::packed_b_floats(g, u_len));
    let hpm = dg.add(bt * g);
    gemm::pack_b_full(true, g, u_len, rec_kernel, g, packed);
    let job = Bwd {
        b: b_len, t: t_len, i: i_len, u: u_len, flags, act, rec_act, x, kernel, packed, h0, c0, mask, rec_mask,
        hs, cache, d_hs, d_ht, d_ct, dx, d_kernel, d_rec_kernel, d_bias, d_h0, d_c0, dg, hpm, ws,
    };
    // Rows: BPTT of whole sequences per batch row, and their dx. Then columns of G: the weight
    // gradients sum over every row, so they are split by output column instead.
    let plan = threads::row_plan(b_len, pass_flops(b_len, t_len, i_len, u_len));
    threads::parallel(plan.parts, plan.pool, &job, backward_rows);
    // A frozen layer passes no weight gradients (each pointer 0 skips its product).
    if bt == 0 || (d_kernel.is_null() && d_rec_kernel.is_null() && d_bias.is_null()) { return; }
    let col_parts = threads::parts_for(g / 8, 2 * bt * g * (i_len + u_len));
    threads::parallel(col_parts, true, &job, backward_cols);
}

/// What every part of a backward call shares (dg, hpm: shared scratch [B,T,G], [B,T,U]).
struct Bwd {
    b: usize, t: usize, i: usize, u: usize, flags: i32, act: i32, rec_act: i32,
    x: *const f32, kernel: *const f32, packed: *const f32, h0: *const f32, c0: *const f32,
    mask: *const f32, rec_mask: *const f32, hs: *const f32, cache: *const f32,
    d_hs: *const f32, d_ht: *const f32, d_ct: *const f32,
    dx: *mut f32, d_kernel: *mut f32, d_rec_kernel: *mut f32, d_bias: *mut f32,
    d_h0: *mut f32, d_c0: *mut f32, dg: *mut f32, hpm: *mut f32, ws: *mut f32,
}

/// Batch rows [b0, b1) (part p of `parts`, on thread `tid`): dgates and hprev⊙recMask of every
/// step, dH0, dC0, dx.
unsafe fn backward_rows(j: &Bwd, p: usize, parts: usize, tid: usize) {
    let (b0, b1) = threads::span(j.b, parts, p, 1);
    if b0 >= b1 { return; }
    let (bl, tl, il, ul, flags) = (b1 - b0, j.t, j.i, j.u, j.flags);
    let g = 4 * ul;
    // Rows b0.. of every batch-major buffer.
    let gates = j.cache.add(b0 * tl * g);
    let cs = j.cache.add(j.b * tl * g + b0 * tl * ul);
    let actc = j.cache.add(j.b * tl * (g + ul) + b0 * tl * ul);
    let (dg, hpm) = (j.dg.add(b0 * tl * g), j.hpm.add(b0 * tl * ul));
    let hs = j.hs.add(b0 * tl * ul);
    let d_hs = at(j.d_hs, b0 * tl * ul);
    let (h0, c0, d_ht, d_ct) = (at(j.h0, b0 * ul), at(j.c0, b0 * ul), at(j.d_ht, b0 * ul), at(j.d_ct, b0 * ul));
    let (mask, rec_mask) = (at(j.mask, b0 * tl), at(j.rec_mask, b0 * ul));
    let projected = j.kernel.is_null();
    let (d_h0, d_c0, dx) = (at_mut(j.d_h0, b0 * ul), at_mut(j.d_c0, b0 * ul), at_mut(j.dx, b0 * tl * if projected { g } else { il }));
    let packed = j.packed;
    let (scratch, gws) = region(j.ws, tid, j.b, tl, il, ul);
    let dh = scratch;
    let dc = dh.add(bl * ul);
    let prod = dc.add(bl * ul);
    let h0b = prod.add(bl * ul);
    let c0b = h0b.add(bl * ul);

    copy_or_zero(d_ht, dh, bl * ul);
    copy_or_zero(d_ct, dc, bl * ul);
    copy_or_zero(h0, h0b, bl * ul);
    copy_or_zero(c0, c0b, bl * ul);

    // h_{t-1} ⊙ recMask for every step, in the gate rows' (b, t) order: dRecKernel is then one GEMM.
    for b in 0..bl {
        for s in 0..tl {
            let src = if s == 0 { h0b.add(b * ul) as *const f32 } else { hs.add((b * tl + s - 1) * ul) };
            let dst = hpm.add((b * tl + time_of(s, tl, flags)) * ul);
            if rec_mask.is_null() { copy(src, dst, ul) } else { mul_rows(src, rec_mask.add(b * ul), dst, ul) }
        }
    }

    let mut s = tl;
    while s > 0 {
        s -= 1;
        let t = time_of(s, tl, flags);
        let (cp, ld_cp): (*const f32, usize) = if s == 0 {
            (c0b, ul)
        } else {
            (cs.add(time_of(s - 1, tl, flags) * ul), tl * ul)
        };
        let step = BwdStep { bl, tl, ul, s, t, mask, gates, actc, cp, ld_cp, d_hs, dh, dc, dg };
        match (j.act, j.rec_act) {
            (TANH, SIGMOID) => backward_cells(&step, TANH, SIGMOID),
            (TANH, HARD_SIGMOID) => backward_cells(&step, TANH, HARD_SIGMOID),
            (act, rec_act) => backward_cells(&step, act, rec_act),
        }
        if s > 0 || !d_h0.is_null() {
            let a = dg.add(t * g);
            if rec_mask.is_null() {
                gemm::gemm_packed_b(false, bl, ul, g, 1.0, a, tl * g, packed, 1.0, dh, ul, gws);
            } else {
                gemm::gemm_packed_b(false, bl, ul, g, 1.0, a, tl * g, packed, 0.0, prod, ul, gws);
                for b in 0..bl {
                    add_masked(dh.add(b * ul), rec_mask.add(b * ul), prod.add(b * ul), ul);
                }
            }
        }
    }
    if !d_h0.is_null() { copy(dh, d_h0, bl * ul); }
    if !d_c0.is_null() { copy(dc, d_c0, bl * ul); }
    if !dx.is_null() && tl > 0 {
        // dx = dgates · kernel^T, or with projected inputs their gradient: dgates itself
        if projected { copy(dg, dx, bl * tl * g) } else { gemm::gemm_impl(false, true, bl * tl, il, g, 1.0, dg, g, j.kernel, g, 0.0, dx, il, gws) }
    }
}

/// Gate columns [c0, c1) of the weight gradients (part p of `parts`, on thread `tid`): dKernel,
/// dRecKernel, dBias.
unsafe fn backward_cols(j: &Bwd, p: usize, parts: usize, tid: usize) {
    let g = 4 * j.u;
    let (c0, c1) = threads::span(g, parts, p, 8);
    if c0 >= c1 { return; }
    let (nc, bt, il, ul) = (c1 - c0, j.b * j.t, j.i, j.u);
    let (_, gws) = region(j.ws, tid, j.b, j.t, il, ul);
    let dg = j.dg.add(c0);
    if !j.d_kernel.is_null() { gemm::gemm_impl(true, false, il, nc, bt, 1.0, j.x, il, dg, g, 1.0, j.d_kernel.add(c0), g, gws); }
    if !j.d_rec_kernel.is_null() { gemm::gemm_impl(true, false, ul, nc, bt, 1.0, j.hpm, ul, dg, g, 1.0, j.d_rec_kernel.add(c0), g, gws); }
    if !j.d_bias.is_null() { add_column_sums(dg, bt, g, nc, j.d_bias.add(c0)); }
}
