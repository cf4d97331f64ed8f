//! Small helpers the recurrent kernel families share: flag bits, row tails in F4 lanes, and
//! activation codes fixed at compile time.
use crate::simd::F4;

/// Recurrent flag bits (TypeScript `RecurrentFlags`).
pub const GO_BACKWARDS: i32 = 1;
pub const RESET_AFTER: i32 = 2;

#[inline(always)]
pub fn max(a: usize, b: usize) -> usize { if a > b { a } else { b } }

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

#[inline(always)]
pub unsafe fn copy(src: *const f32, dst: *mut f32, n: usize) { core::ptr::copy_nonoverlapping(src, dst, n) }

#[inline(always)]
pub unsafe fn zero(dst: *mut f32, n: usize) { core::ptr::write_bytes(dst, 0, n) }

/// Step bookkeeping of a recurrent pass: sizes, direction, mask, initial state and outputs.
pub struct Seq { pub b: usize, pub t: usize, pub u: usize, pub back: bool, pub mask: *const f32, pub h0: *const f32, pub hs: *const f32 }

impl Seq {
    /// Input time read by processing step s.
    #[inline(always)]
    pub fn time(&self, s: usize) -> usize { if self.back { self.t - 1 - s } else { s } }
    #[inline(always)]
    pub unsafe fn kept(&self, bi: usize, t_in: usize) -> bool {
        self.mask.is_null() || *self.mask.add(bi * self.t + t_in) != 0.0
    }
    /// h(t-1) of step s as (pointer, row stride): h0 (or zeros) for s = 0, else hs at step s-1.
    #[inline(always)]
    pub unsafe fn hprev(&self, s: usize) -> (*const f32, usize) {
        if s == 0 { (self.h0, self.u) } else { (self.hs.add((s - 1) * self.u), self.t * self.u) }
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

/// Thread `tid`'s region of a recurrent kernel's ws, as (row scratch, gemm scratch): regions of
/// `row + gemm` floats each follow the `shared` floats (threads.rs gives every thread its own).
#[inline(always)]
pub unsafe fn thread_region(ws: *mut f32, shared: usize, row: usize, gemm: usize, tid: usize) -> (*mut f32, *mut f32) {
    let r = ws.add(shared + tid * (row + gemm));
    (r, r.add(row))
}
