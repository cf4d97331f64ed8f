//! The sequence helpers the three recurrent families (lstm.rs, gru.rs, simple_rnn.rs) share, so
//! they read alike: flag bits, step bookkeeping (`Seq`: direction, mask, h(t-1)), rows in F4
//! lanes with an exact tail (`for_lanes`, `load_n`, `store_n`), activation pairs fixed at compile
//! time (`code`, `with_acts!`), the recurrent mask, the bias column sums, the input projections,
//! and the workspace split (shared part, then one region per thread of the pool).
//!
//! Buffers the helpers read, as the family files name them (B batch rows of the part, T time,
//! U units, G gate columns):
//!   h0 [B, U]   hs [B, T, U] by step   mask [B, T] by input time   recMask [B, U]
//!   Hm [B*T, U] rows (b, input time): h(t-1)·recMask of the step that read that time
use crate::elementwise::{copy, zero};
use crate::math::max;
use crate::simd::F4;

/// Recurrent flag bits (TypeScript `RecurrentFlags`).
pub const GO_BACKWARDS: i32 = 1;
pub const RESET_AFTER: i32 = 2;

/// p + n when p is present (0 stays 0): row offsets into optional buffers.
#[inline(always)]
pub unsafe fn at(p: *const f32, n: usize) -> *const f32 { if p.is_null() { p } else { p.add(n) } }
#[inline(always)]
pub unsafe fn at_mut(p: *mut f32, n: usize) -> *mut f32 { if p.is_null() { p } else { p.add(n) } }

/// Copies n floats of `src` (zeros when src is null) into `dst`.
#[inline(always)]
pub unsafe fn copy_or_zero(src: *const f32, dst: *mut f32, n: usize) {
    if src.is_null() { zero(dst, n) } else { copy(src, dst, n) }
}

/// Copies `rows` rows of n floats, row r from src + r*ld, to dst [rows, n].
#[inline(always)]
pub unsafe fn copy_rows(rows: usize, n: usize, src: *const f32, ld: usize, dst: *mut f32) {
    for r in 0..rows { copy(src.add(r * ld), dst.add(r * n), n); }
}

/// Loads `n` <= 4 floats (the rest zero), so a row's tail shares the F4 code path and never reads
/// past the row's end.
#[inline(always)]
pub unsafe fn load_n(p: *const f32, n: usize) -> F4 {
    if n == 4 { return F4::load(p); }
    let mut t = [0.0f32; 4];
    for k in 0..n { t[k] = *p.add(k); }
    F4::load(t.as_ptr())
}

/// Stores the first `n` <= 4 lanes.
#[inline(always)]
pub unsafe fn store_n(v: F4, p: *mut f32, n: usize) {
    if n == 4 { return v.store(p); }
    let mut t = [0.0f32; 4];
    v.store(t.as_mut_ptr());
    for k in 0..n { *p.add(k) = t[k]; }
}

/// Calls `f(j, n)` over the lane groups of a row of `len` floats: full groups first (n = 4, a
/// constant once inlined, so loads and stores are plain v128), then one partial group.
#[inline(always)]
pub unsafe fn for_lanes(len: usize, mut f: impl FnMut(usize, usize)) {
    let mut j = 0;
    while j + 4 <= len { f(j, 4); j += 4; }
    if j < len { f(j, len - j); }
}

/// An activation code fixed at compile time (C >= 0) or the runtime one (C = -1), so the common
/// activation pairs get passes without per-lane dispatch.
#[inline(always)]
pub fn code<const C: i32>(runtime: i32) -> i32 { if C >= 0 { C } else { runtime } }

/// Calls `$f::<ACT, REC_ACT>(args)` with the pair fixed at compile time when it is a common one.
macro_rules! with_acts {
    ($act:expr, $rec:expr, $f:ident ( $($arg:expr),* )) => {
        match ($act, $rec) {
            (crate::activations::TANH, crate::activations::SIGMOID) => $f::<{ crate::activations::TANH }, { crate::activations::SIGMOID }>($($arg),*),
            (crate::activations::TANH, crate::activations::HARD_SIGMOID) => $f::<{ crate::activations::TANH }, { crate::activations::HARD_SIGMOID }>($($arg),*),
            _ => $f::<-1, -1>($($arg),*),
        }
    };
}
pub(crate) use with_acts;

/// dh entering step s's gradient for lanes j..j+n of one row: the carried dh plus the dHs row
/// (null: none).
#[inline(always)]
pub unsafe fn step_dh(dh_b: *const f32, dhs_b: *const f32, j: usize, n: usize) -> F4 {
    let v = load_n(dh_b.add(j), n);
    if dhs_b.is_null() { v } else { v.add(load_n(dhs_b.add(j), n)) }
}

/// A masked row's backward: no gate gradient (its D row [dcols] zero), and dh (plus dHs) passes
/// straight through to `carry` (which may be dh itself).
#[inline(always)]
pub unsafe fn grad_masked_row(u: usize, dcols: usize, dh_b: *const f32, dhs_b: *const f32, d_row: *mut f32, carry: *mut f32) {
    zero(d_row, dcols);
    for_lanes(u, |j, n| store_n(step_dh(dh_b, dhs_b, j, n), carry.add(j), n));
}

/// Step bookkeeping of a recurrent pass over the rows of one part: sizes, direction, mask, the
/// initial state (never null: zeros when the caller gave none) and outputs.
pub struct Seq { pub b: usize, pub t: usize, pub u: usize, pub back: bool, pub mask: *const f32, pub h0: *const f32, pub hs: *const f32 }

impl Seq {
    /// Batch rows [b0, b0 + b) of a call with these flags, mask [B, T] and hs [B, T, U]; h0 holds
    /// the part's own rows (never null: zeros when the caller gave none).
    #[inline(always)]
    pub unsafe fn part(b0: usize, b: usize, t: usize, u: usize, flags: i32, mask: *const f32, h0: *const f32, hs: *const f32) -> Seq {
        Seq { b, t, u, back: flags & GO_BACKWARDS != 0, mask: at(mask, b0 * t), h0, hs: hs.add(b0 * t * u) }
    }
    /// Input time read by processing step s.
    #[inline(always)]
    pub fn time(&self, s: usize) -> usize { if self.back { self.t - 1 - s } else { s } }
    #[inline(always)]
    pub unsafe fn kept(&self, bi: usize, t_in: usize) -> bool {
        self.mask.is_null() || *self.mask.add(bi * self.t + t_in) != 0.0
    }
    /// h(t-1) of step s as (pointer, row stride): h0 for s = 0, else hs at step s-1. hprev(T) is
    /// the state after the last step.
    #[inline(always)]
    pub unsafe fn hprev(&self, s: usize) -> (*const f32, usize) {
        if s == 0 { (self.h0, self.u) } else { (self.hs.add((s - 1) * self.u), self.t * self.u) }
    }
    /// The same for a state kept by input time ([B, T, U], e.g. LSTM's cell state) whose initial
    /// rows are `first` [B, U].
    #[inline(always)]
    pub unsafe fn prev_by_time(&self, s: usize, first: *const f32, rows: *const f32) -> (*const f32, usize) {
        if s == 0 { (first, self.u) } else { (rows.add(self.time(s - 1) * self.u), self.t * self.u) }
    }
}

/// out [n] = a ⊙ m.
#[inline(always)]
pub unsafe fn mul_rows(n: usize, a: *const f32, m: *const f32, out: *mut f32) {
    for_lanes(n, |j, w| store_n(load_n(a.add(j), w).mul(load_n(m.add(j), w)), out.add(j), w));
}

/// h(t-1) rows (pointer, stride) times recMask [B, U] into `out` [B, U]; returns what enters the
/// recurrent product: `out`, or h itself when there is no mask.
#[inline(always)]
pub unsafe fn rec_masked(b: usize, u: usize, hp: *const f32, ldh: usize, rec_mask: *const f32, out: *mut f32) -> (*const f32, usize) {
    if rec_mask.is_null() { return (hp, ldh); }
    for bi in 0..b { mul_rows(u, hp.add(bi * ldh), rec_mask.add(bi * u), out.add(bi * u)); }
    (out, u)
}

/// Builds Hm [B*T, U] (rows by input time): h(t-1)·recMask of the step that read each input time,
/// so each recurrent weight gradient is one GEMM over every step.
pub unsafe fn gather_hprev(q: &Seq, rec_mask: *const f32, hm: *mut f32) {
    let u = q.u;
    for s in 0..q.t {
        let (hp, ldh) = q.hprev(s);
        for bi in 0..q.b {
            let (src, dst) = (hp.add(bi * ldh), hm.add((bi * q.t + q.time(s)) * u));
            if rec_mask.is_null() { copy(src, dst, u) } else { mul_rows(u, src, rec_mask.add(bi * u), dst) }
        }
    }
}

/// carry += tmp ⊙ recMask over n floats (rows of [B, U] back to back): the recurrent mask on the
/// gradient that reaches h(t-1).
#[inline(always)]
pub unsafe fn add_masked(n: usize, tmp: *const f32, rec_mask: *const f32, carry: *mut f32) {
    for_lanes(n, |j, w| {
        let v = load_n(carry.add(j), w).add(load_n(tmp.add(j), w).mul(load_n(rec_mask.add(j), w)));
        store_n(v, carry.add(j), w);
    });
}

/// db [n] += column sums of d [rows, ld], row after row into db.
pub unsafe fn add_col_sums(rows: usize, n: usize, d: *const f32, ld: usize, db: *mut f32) {
    for r in 0..rows {
        let row = d.add(r * ld);
        for_lanes(n, |j, w| store_n(load_n(db.add(j), w).add(load_n(row.add(j), w)), db.add(j), w));
    }
}

/// db [n] += column sums of d [rows, ld], 32 columns at a time in register accumulators, row
/// after row: every cache line of d is read once (column by column re-read each line four times,
/// from memory once d outgrew L2: 0.6 ms for the seed LSTM's dgates), and db once per column.
/// Sums in another order than `add_col_sums` (db + Σ instead of ((db + d0) + d1)...).
pub unsafe fn add_col_sums_blocked(rows: usize, n: usize, d: *const f32, ld: usize, db: *mut f32) {
    let mut j = 0;
    while j + 32 <= n {
        col_sums::<8>(rows, 4, d.add(j), ld, db.add(j));
        j += 32;
    }
    for_lanes(n - j, |jj, w| col_sums::<1>(rows, w, d.add(j + jj), ld, db.add(j + jj)));
}

/// db [4(W-1) + w] += column sums of d's first 4(W-1) + w columns (w <= 4: the last group's width).
#[inline(always)]
unsafe fn col_sums<const W: usize>(rows: usize, w: usize, d: *const f32, ld: usize, db: *mut f32) {
    let mut acc = [F4::zero(); W];
    let mut p = d;
    for _ in 0..rows {
        for v in 0..W { acc[v] = acc[v].add(load_n(p.add(4 * v), if v + 1 == W { w } else { 4 })); }
        p = p.add(ld);
    }
    for v in 0..W {
        let n = if v + 1 == W { w } else { 4 };
        store_n(load_n(db.add(4 * v), n).add(acc[v]), db.add(4 * v), n);
    }
}

/// The input projections of `rows` sequence rows, out [rows, G] = x [rows, I] · kernel [I, G]:
/// one GEMM. A null kernel means x already holds them: x [rows, G] (a copy), or with `ids`, x is
/// a table of projections [V, G] and row r is x[ids[r]] (an embedding table multiplied by the
/// kernel once, or the distinct tokens of a batch): a gather.
#[inline(always)]
pub unsafe fn project_inputs(rows: usize, g: usize, i: usize, x: *const f32, ids: *const i32, kernel: *const f32, out: *mut f32, gemm_ws: *mut f32) {
    if !kernel.is_null() {
        crate::gemm::gemm_impl(false, false, rows, g, i, 1.0, x, i, kernel, g, 0.0, out, g, gemm_ws)
    } else if ids.is_null() {
        copy(x, out, rows * g)
    } else {
        crate::embedding::gather_rows(rows, g, ids, x, out)
    }
}

/// x of batch rows b0.. of a forward kernel: x itself when it is a table read through ids, else
/// row b0*T of x, whose rows have I floats, or G when they hold projections (null kernel).
#[inline(always)]
pub unsafe fn x_rows(x: *const f32, ids: *const i32, kernel: *const f32, b0: usize, t: usize, i: usize, g: usize) -> *const f32 {
    if !ids.is_null() && kernel.is_null() { x } else { x.add(b0 * t * if kernel.is_null() { g } else { i }) }
}

/// ids of batch rows b0.. ([B, T] i32; null stays null).
#[inline(always)]
pub unsafe fn ids_rows(ids: *const i32, b0: usize, t: usize) -> *const i32 { if ids.is_null() { ids } else { ids.add(b0 * t) } }

/// Gemm scratch for every product one part of `rows` batch rows runs in a recurrent family with
/// G gate columns: input projections [rows*T, G] and recurrent steps [rows, G] forward; steps
/// [rows, U] and dx [rows*T, I] backward; a column block of the weight gradients over all B*T rows.
pub fn recurrent_gemm_floats(rows: usize, b: usize, t: usize, i: usize, u: usize, g: usize) -> usize {
    use crate::gemm::ws_floats;
    let (rt, bt) = (rows * t, b * t);
    let fwd = max(ws_floats(rt, g, i), ws_floats(rows, g, u));
    let bwd = max(ws_floats(rows, u, g), ws_floats(rt, i, g));
    let cols = max(ws_floats(u, g, bt), ws_floats(i, g, bt));
    max(fwd, max(bwd, cols))
}

/// The split of a recurrent kernel's ws: `shared` floats, then one region of `row + gemm` floats
/// per thread of the pool (threads.rs gives every thread its own): row scratch, then gemm scratch.
pub struct WsSplit { pub shared: usize, pub row: usize, pub gemm: usize }

impl WsSplit {
    /// The floats of the whole ws (`*_ws_floats`).
    pub fn floats(&self) -> usize { self.shared + crate::threads::threads() * (self.row + self.gemm) }
    /// Thread `tid`'s region, as (row scratch, gemm scratch).
    #[inline(always)]
    pub unsafe fn region(&self, ws: *mut f32, tid: usize) -> (*mut f32, *mut f32) {
        let r = ws.add(self.shared + tid * (self.row + self.gemm));
        (r, r.add(self.row))
    }
}

/// A part's function: `f(job, part, parts, tid)` (threads.rs).
pub type Part<J> = unsafe fn(&J, usize, usize, usize);

/// The forward of a family with G gate columns: the recurrence is independent per batch row, so a
/// part runs whole sequences for its rows.
pub unsafe fn forward_passes<J>(job: &J, b: usize, t: usize, i: usize, u: usize, g: usize, rows: Part<J>) {
    let plan = crate::threads::row_plan(b, pass_flops(b, t, i, u, g));
    crate::threads::parallel(plan.parts, plan.pool, job, rows);
}

/// The backward of a family with G gate columns. Rows: BPTT of whole sequences per batch row, and
/// their dx. Then, unless the layer is frozen (`weights` false: every weight-gradient pointer is
/// 0), output columns of the weight gradients, which sum over every row.
pub unsafe fn backward_passes<J>(job: &J, b: usize, t: usize, i: usize, u: usize, g: usize, weights: bool, rows: Part<J>, cols: Part<J>) {
    let flops = pass_flops(b, t, i, u, g);
    let plan = crate::threads::row_plan(b, flops);
    crate::threads::parallel(plan.parts, plan.pool, job, rows);
    if b * t == 0 || !weights { return; }
    crate::threads::parallel(crate::threads::parts_for(g / 8, flops), true, job, cols);
}

/// The flops of one sequence pass with G gate columns, 2·B·T·G·(I+U) (input projections plus
/// recurrent products), for the thread plans.
#[inline(always)]
pub fn pass_flops(b: usize, t: usize, i: usize, u: usize, g: usize) -> usize { 2 * b * t * g * (i + u) }
