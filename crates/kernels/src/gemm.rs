//! GEMM: C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C.
//!
//! Buffers (row-major, leading dimensions in floats):
//!   A  [M, lda] when !trans_a, [K, lda] when trans_a (then op(A) = A^T)
//!   B  [K, ldb] when !trans_b, [N, ldb] when trans_b
//!   C  [M, ldc]
//!   ws [gemm_ws_floats(M, N, K)]  packing scratch, owned by the caller
//!   packed_b [packed_b_floats(K, N)]  op(B) packed once by `pack_b_full` (for `gemm_packed_b`)
//! beta == 0 never reads C (so NaN or garbage in C is overwritten).
//!
//! Paths:
//! - few rows (recurrent steps at small batch): no packing. Rows of op(A) times rows of op(B),
//!   F4 over N, straight from a row-major B [K,N] (M <= 4, or <= 8 while B is small) or from a
//!   packed B (M <= 3); dot products over K when B is [N,K] (M <= 3).
//! - otherwise Goto/BLIS blocking: blocks of KC x NC of op(B) are packed into NR-wide column
//!   strips (or come pre-packed), blocks of MC x KC of op(A) into MR-tall row strips; transposes
//!   are handled by the packing, so the MR x NR micro-kernel streams contiguous memory. Edges are
//!   zero-padded in the packs; only edge tiles go through a temporary tile.
//!
//! What the engine (V8, 16 xmm registers, no FMA) needs, measured: accumulators in named locals
//! (8 F4 for 4x8), one depth step per loop iteration (see `tile`), constant load offsets (see
//! `bump`), and hot loops in functions of their own (see `opaque`).
use crate::math::min;
use crate::simd::F4;

pub const MR: usize = 4;
pub const NR: usize = 8;
/// Depth of a block: a KC x NR strip of B (8 KiB) stays in L1 while the A strips stream past.
const KC: usize = 256;
/// Rows of A packed at once (MC x KC floats = 128 KiB, L2-resident).
const MC: usize = 128;
/// Columns of B packed at once (KC x NC floats = 1 MiB, L2-resident).
const NC: usize = 1024;
/// Up to this many rows the unpacked paths beat packing (dot products, packed B).
const SMALL_M: usize = 3;
/// A row-major op(B) is read in place rather than packed for up to 4 rows (one sweep over B,
/// as packing would make), and up to 8 rows (two sweeps) while B fits comfortably in L2.
#[inline(always)]
fn rows_path(m: usize, n: usize, k: usize) -> bool { m <= 4 || (m <= 8 && k * n <= 128 * 1024) }

#[inline(always)]
fn round_up(x: usize, m: usize) -> usize { (x + m - 1) / m * m }

/// `p + n` floats through an integer. LLVM's loop strength reduction cannot see through it, so
/// loads stay `pointer + constant`, which become the loads' offset fields and then part of the
/// x86 address; rewritten pointers cost an extra integer add per load in the hot loop.
#[inline(always)]
fn bump(p: *const f32, n: usize) -> *const f32 { ((p as usize) + n * 4) as *const f32 }

/// Hides which function `f` is, so calls through it stay calls. wasm-opt inlines every function
/// with a single caller, and V8 then allocates registers for the hot loop as part of one huge
/// function: measured 10-30% slower. Costs one indirect call per block of work.
#[inline(always)]
fn opaque<F: Copy>(f: F) -> F { unsafe { core::ptr::read_volatile(&f) } }

/// Floats of scratch that `gemm` needs for these sizes.
pub fn ws_floats(m: usize, n: usize, k: usize) -> usize {
    let kc = min(k, KC);
    kc * min(round_up(n, NR), NC) + kc * min(round_up(m, MR), MC)
}

#[no_mangle]
pub extern "C" fn gemm_ws_floats(m: usize, n: usize, k: usize) -> usize { par_ws_floats(m, n, k) }

#[no_mangle]
pub unsafe extern "C" fn gemm(
    trans_a: i32, trans_b: i32, m: usize, n: usize, k: usize, alpha: f32,
    a: *const f32, lda: usize, b: *const f32, ldb: usize, beta: f32, c: *mut f32, ldc: usize,
    ws: *mut f32,
) {
    gemm_par(trans_a != 0, trans_b != 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ws);
}

// ---------------------------------------------------------------------------------------------
// Split over the pool's threads (simd-threads flavour; elsewhere one part, `gemm_impl` itself).
//
// Each part computes a block of C with `gemm_impl` and its own slice of ws. A row split has
// every part pack all of op(B), a column split all of op(A): the split duplicates the smaller
// pack. Boundaries fall on MR rows / NR columns and parts keep >= 16 of them, so the parts take
// the blocked path of the whole product and each element gets the same sums (a column split of a
// product with <= 8 rows may take the rows path instead: equal up to float32 rounding).

/// Rows (or columns) a part should have at least.
const MIN_PART_EXTENT: usize = 16;

/// (parts, split rows) for a product of these sizes.
#[inline(always)]
fn par_plan(m: usize, n: usize, k: usize) -> (usize, bool) {
    let rows = n <= m;
    let extent = if rows { m } else { n };
    let parts = crate::threads::parts_for(extent / MIN_PART_EXTENT, 2 * m * n * k);
    (parts, rows)
}

/// Floats of scratch that `gemm_par` needs: one `ws_floats` per part.
pub fn par_ws_floats(m: usize, n: usize, k: usize) -> usize { par_plan(m, n, k).0 * ws_floats(m, n, k) }

struct GemmJob {
    trans_a: bool, trans_b: bool, m: usize, n: usize, k: usize, alpha: f32,
    a: *const f32, lda: usize, b: *const f32, ldb: usize, beta: f32, c: *mut f32, ldc: usize,
    ws: *mut f32, rows: bool,
}

unsafe fn gemm_part(j: &GemmJob, p: usize, parts: usize, _tid: usize) {
    let ws = j.ws.add(p * ws_floats(j.m, j.n, j.k));
    if j.rows {
        let (lo, hi) = crate::threads::span(j.m, parts, p, MR);
        if lo >= hi { return; }
        let a = if j.trans_a { j.a.add(lo) } else { j.a.add(lo * j.lda) };
        gemm_impl(j.trans_a, j.trans_b, hi - lo, j.n, j.k, j.alpha, a, j.lda, j.b, j.ldb, j.beta, j.c.add(lo * j.ldc), j.ldc, ws);
    } else {
        let (lo, hi) = crate::threads::span(j.n, parts, p, NR);
        if lo >= hi { return; }
        let b = if j.trans_b { j.b.add(lo * j.ldb) } else { j.b.add(lo) };
        gemm_impl(j.trans_a, j.trans_b, j.m, hi - lo, j.k, j.alpha, j.a, j.lda, b, j.ldb, j.beta, j.c.add(lo), j.ldc, ws);
    }
}

/// `gemm_impl` split over the pool's threads when the product is big enough (ws: `par_ws_floats`).
pub unsafe fn gemm_par(
    trans_a: bool, trans_b: bool, m: usize, n: usize, k: usize, alpha: f32,
    a: *const f32, lda: usize, b: *const f32, ldb: usize, beta: f32, c: *mut f32, ldc: usize,
    ws: *mut f32,
) {
    let (parts, rows) = par_plan(m, n, k);
    if parts <= 1 {
        gemm_impl(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ws);
        return;
    }
    let job = GemmJob { trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ws, rows };
    crate::threads::parallel(parts, true, &job, gemm_part);
}

/// Scales C by beta (beta == 0 writes zeros) — used when K == 0 or alpha == 0.
unsafe fn scale_c(m: usize, n: usize, beta: f32, c: *mut f32, ldc: usize) {
    for i in 0..m {
        let row = c.add(i * ldc);
        for j in 0..n {
            *row.add(j) = if beta == 0.0 { 0.0 } else { beta * *row.add(j) };
        }
    }
}

/// Strides of op(A) = A or A^T: element (i, p) is at a[i * rs + p * cs].
#[inline(always)]
fn a_strides(trans_a: bool, lda: usize) -> (usize, usize) { if trans_a { (1, lda) } else { (lda, 1) } }

pub unsafe fn gemm_impl(
    trans_a: bool, trans_b: bool, m: usize, n: usize, k: usize, alpha: f32,
    a: *const f32, lda: usize, b: *const f32, ldb: usize, beta: f32, c: *mut f32, ldc: usize,
    ws: *mut f32,
) {
    if m == 0 || n == 0 { return; }
    if k == 0 || alpha == 0.0 {
        scale_c(m, n, beta, c, ldc);
        return;
    }
    if !trans_b && rows_path(m, n, k) {
        let (a_rs, a_cs) = a_strides(trans_a, lda);
        small_m_rows(m, n, k, alpha, a, a_rs, a_cs, b, ldb, beta, c, ldc);
        return;
    }
    if trans_b && !trans_a && m <= SMALL_M {
        small_m_dots(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    gemm_blocked(trans_a, m, n, k, alpha, a, lda, BSource::Unpacked { trans: trans_b, b, ldb }, beta, c, ldc, ws);
}

/// Floats that `pack_b_full` writes for op(B) [K, N].
pub fn packed_b_floats(k: usize, n: usize) -> usize { k * round_up(n, NR) }

/// Packs all of op(B) [K, N] once, in the block order `gemm_packed_b` reads, so a B used for many
/// products (a recurrent kernel over every time step) is packed once per sequence.
pub unsafe fn pack_b_full(trans_b: bool, k: usize, n: usize, b: *const f32, ldb: usize, out: *mut f32) {
    let mut jc = 0;
    while jc < n {
        let nc = min(NC, n - jc);
        let mut pc = 0;
        while pc < k {
            let kc = min(KC, k - pc);
            pack_b(trans_b, b, ldb, pc, jc, kc, nc, out.add(packed_b_offset(k, jc, pc, nc)));
            pc += KC;
        }
        jc += NC;
    }
}

/// Same as `gemm_impl` with op(B) already packed by `pack_b_full` (ws: `ws_floats(m, n, k)`).
pub unsafe fn gemm_packed_b(
    trans_a: bool, m: usize, n: usize, k: usize, alpha: f32, a: *const f32, lda: usize,
    packed_b: *const f32, beta: f32, c: *mut f32, ldc: usize, ws: *mut f32,
) {
    if m == 0 || n == 0 { return; }
    if k == 0 || alpha == 0.0 {
        scale_c(m, n, beta, c, ldc);
        return;
    }
    if m <= SMALL_M {
        let (a_rs, a_cs) = a_strides(trans_a, lda);
        small_m_packed(m, n, k, alpha, a, a_rs, a_cs, packed_b, beta, c, ldc);
        return;
    }
    gemm_blocked(trans_a, m, n, k, alpha, a, lda, BSource::Packed(packed_b), beta, c, ldc, ws);
}

/// Where block (jc, pc) of a `pack_b_full` result starts: NC-wide column blocks one after the
/// other, each holding its KC-deep blocks in order.
#[inline(always)]
fn packed_b_offset(k: usize, jc: usize, pc: usize, nc: usize) -> usize { jc * k + pc * round_up(nc, NR) }

#[derive(Clone, Copy)]
enum BSource {
    Unpacked { trans: bool, b: *const f32, ldb: usize },
    Packed(*const f32),
}

// ---------------------------------------------------------------------------------------------
// Blocked path.

type BlockKernel = unsafe fn(usize, *const f32, usize, *const f32, usize, f32, f32, *mut f32, usize);
type EdgeKernel = unsafe fn(usize, *const f32, *const f32, f32, f32, *mut f32, usize, usize, usize);

unsafe fn gemm_blocked(
    trans_a: bool, m: usize, n: usize, k: usize, alpha: f32, a: *const f32, lda: usize,
    bsrc: BSource, beta: f32, c: *mut f32, ldc: usize, ws: *mut f32,
) {
    let kernel: BlockKernel = opaque(block_kernel);
    let kc_max = min(k, KC);
    let ap = ws.add(kc_max * min(round_up(n, NR), NC));
    let mut jc = 0;
    while jc < n {
        let nc = min(NC, n - jc);
        let mut pc = 0;
        while pc < k {
            let kc = min(KC, k - pc);
            let bp: *const f32 = match bsrc {
                BSource::Unpacked { trans, b, ldb } => {
                    pack_b(trans, b, ldb, pc, jc, kc, nc, ws);
                    ws
                }
                BSource::Packed(p) => p.add(packed_b_offset(k, jc, pc, nc)),
            };
            let beta_eff = if pc == 0 { beta } else { 1.0 };
            let mut ic = 0;
            while ic < m {
                let mc = min(MC, m - ic);
                pack_a(trans_a, a, lda, ic, pc, mc, kc, ap);
                kernel(kc, ap, mc, bp, nc, alpha, beta_eff, c.add(ic * ldc + jc), ldc);
                ic += MC;
            }
            pc += KC;
        }
        jc += NC;
    }
}

/// C[mc, nc] = alpha * Ap * Bp + beta * C for one packed A block (mc x kc, MR-tall strips) and
/// one packed B panel (kc x nc, NR-wide strips): every MR x NR tile, B strip by B strip so the
/// strip stays in L1 while the A strips stream past.
#[inline(never)]
unsafe fn block_kernel(kc: usize, ap: *const f32, mc: usize, bp: *const f32, nc: usize, alpha: f32, beta: f32, c: *mut f32, ldc: usize) {
    let edge: EdgeKernel = opaque(edge_tile);
    let mut jr = 0;
    while jr < nc {
        let nr = min(NR, nc - jr);
        let bs = bp.add(jr * kc);
        let mut ir = 0;
        while ir < mc {
            let mr = min(MR, mc - ir);
            let cp = c.add(ir * ldc + jr);
            if mr == MR && nr == NR {
                let acc = tile(kc, ap.add(ir * kc), bs);
                let al = F4::splat(alpha);
                for r in 0..MR {
                    store4(acc[2 * r], al, beta, cp.add(r * ldc));
                    store4(acc[2 * r + 1], al, beta, cp.add(r * ldc + 4));
                }
            } else {
                edge(kc, ap.add(ir * kc), bs, alpha, beta, cp, ldc, mr, nr);
            }
            ir += MR;
        }
        jr += NR;
    }
}

/// An edge tile: C[mr, nr] = alpha * Ap * Bp + beta * C with mr <= MR, nr <= NR (the packs are
/// zero-padded, so the full tile is computed and only its valid part is written).
#[inline(never)]
unsafe fn edge_tile(kc: usize, ap: *const f32, bp: *const f32, alpha: f32, beta: f32, c: *mut f32, ldc: usize, mr: usize, nr: usize) {
    let acc = tile(kc, ap, bp);
    let mut t = [0.0f32; MR * NR];
    let al = F4::splat(alpha);
    for (q, v) in acc.iter().enumerate() {
        v.mul(al).store(t.as_mut_ptr().add(4 * q));
    }
    store_partial(&t, NR, mr, nr, beta, c, ldc);
}

/// One step of the 4x8 tile: two F4 of the B strip times four broadcast floats of the A strip.
macro_rules! tile_step {
    ($a:ident, $b:ident, $c00:ident $c01:ident $c10:ident $c11:ident $c20:ident $c21:ident $c30:ident $c31:ident) => {{
        let b0 = F4::load($b);
        let b1 = F4::load($b.add(4));
        let x = F4::load_splat($a);
        $c00 = x.mul_add(b0, $c00);
        $c01 = x.mul_add(b1, $c01);
        let x = F4::load_splat($a.add(1));
        $c10 = x.mul_add(b0, $c10);
        $c11 = x.mul_add(b1, $c11);
        let x = F4::load_splat($a.add(2));
        $c20 = x.mul_add(b0, $c20);
        $c21 = x.mul_add(b1, $c21);
        let x = F4::load_splat($a.add(3));
        $c30 = x.mul_add(b0, $c30);
        $c31 = x.mul_add(b1, $c31);
    }};
}

/// Ap (kc x MR, packed) times Bp (kc x NR, packed): the 4x8 tile as eight F4, row-major.
/// Named accumulators, and one depth step per iteration: LLVM turns an unrolled body into one
/// expression tree per accumulator with every load hoisted to the top, which needs more than
/// the 15 xmm registers V8 allocates, and the spills cost more than the loop overhead saved.
#[inline(always)]
unsafe fn tile(kc: usize, ap: *const f32, bp: *const f32) -> [F4; 8] {
    let (mut c00, mut c01, mut c10, mut c11) = (F4::zero(), F4::zero(), F4::zero(), F4::zero());
    let (mut c20, mut c21, mut c30, mut c31) = (F4::zero(), F4::zero(), F4::zero(), F4::zero());
    let mut a = ap;
    let mut b = bp;
    let a_end = ap.add(kc * MR);
    while a != a_end {
        tile_step!(a, b, c00 c01 c10 c11 c20 c21 c30 c31);
        a = bump(a, MR);
        b = bump(b, NR);
    }
    [c00, c01, c10, c11, c20, c21, c30, c31]
}

/// Packs op(B)[pc..pc+kc, jc..jc+nc] as NR-wide strips: strip s holds kc rows of NR floats.
unsafe fn pack_b(trans: bool, b: *const f32, ldb: usize, pc: usize, jc: usize, kc: usize, nc: usize, out: *mut f32) {
    // op(B)(p, j) = b[p * ldb + j], or b[j * ldb + p] when transposed.
    if trans {
        pack_transposed::<NR>(b.add(jc * ldb + pc), ldb, nc, kc, out);
    } else {
        pack_rowwise::<NR>(b.add(pc * ldb + jc), ldb, nc, kc, out);
    }
}

/// Packs op(A)[ic..ic+mc, pc..pc+kc] as MR-tall strips: strip s holds kc columns of MR floats.
unsafe fn pack_a(trans: bool, a: *const f32, lda: usize, ic: usize, pc: usize, mc: usize, kc: usize, out: *mut f32) {
    // op(A)(i, p) = a[i * lda + p], or a[p * lda + i] when transposed.
    if trans {
        pack_rowwise::<MR>(a.add(pc * lda + ic), lda, mc, kc, out);
    } else {
        pack_transposed::<MR>(a.add(ic * lda + pc), lda, mc, kc, out);
    }
}

/// Strips of W from a source whose strip direction is contiguous: x(q, p) = src[p * ld + q],
/// q < width, p < kc -> strip q / W, row p, lane q % W (lanes past `width` are zero).
/// Goes 8 source rows at a time across all strips, so every source line is read while it is
/// in L1 and each strip receives whole lines.
#[inline(never)]
unsafe fn pack_rowwise<const W: usize>(src: *const f32, ld: usize, width: usize, kc: usize, dst: *mut f32) {
    let full = width / W * W;
    let mut p0 = 0;
    while p0 < kc {
        let rows = min(8, kc - p0);
        let mut q = 0;
        while q < full {
            let mut s = src.add(p0 * ld + q);
            let mut d = dst.add(q * kc + p0 * W);
            for _ in 0..rows {
                for v in 0..W / 4 {
                    F4::load(s.add(4 * v)).store(d.add(4 * v));
                }
                s = bump(s, ld);
                d = bump(d, W) as *mut f32;
            }
            q += W;
        }
        if full < width {
            for p in p0..p0 + rows {
                let d = dst.add(full * kc + p * W);
                for l in 0..W {
                    *d.add(l) = if full + l < width { *src.add(p * ld + full + l) } else { 0.0 };
                }
            }
        }
        p0 += 8;
    }
}

/// Strips of W from a source whose depth direction is contiguous: x(q, p) = src[q * ld + p],
/// q < width, p < kc -> strip q / W, row p, lane q % W (lanes past `width` are zero).
/// Four source rows at a time through 4x4 transposes.
#[inline(never)]
unsafe fn pack_transposed<const W: usize>(src: *const f32, ld: usize, width: usize, kc: usize, dst: *mut f32) {
    let kc4 = kc & !3;
    let mut q = 0;
    while q + 4 <= width {
        // Rows q..q+4 of the source become lanes q % W.. of strip q / W.
        let s = src.add(q * ld);
        let d0 = dst.add((q / W) * W * kc + q % W);
        let mut p = 0;
        while p < kc4 {
            let (t0, t1, t2, t3) = transpose4(
                F4::load(s.add(p)), F4::load(s.add(ld + p)),
                F4::load(s.add(2 * ld + p)), F4::load(s.add(3 * ld + p)),
            );
            let d = d0.add(p * W);
            t0.store(d);
            t1.store(d.add(W));
            t2.store(d.add(2 * W));
            t3.store(d.add(3 * W));
            p += 4;
        }
        for p in kc4..kc {
            for l in 0..4 {
                *d0.add(p * W + l) = *s.add(l * ld + p);
            }
        }
        q += 4;
    }
    if q < width || width % W != 0 {
        // Last lanes: the remaining width % 4 source rows, then zeros up to the strip's end.
        let base = width / W * W;
        let d0 = dst.add(base * kc);
        for p in 0..kc {
            for l in (q - base)..W {
                *d0.add(p * W + l) = if base + l < width { *src.add((base + l) * ld + p) } else { 0.0 };
            }
        }
    }
}

/// Rows (a, b, c, d) of a 4x4 block -> its columns.
#[cfg(target_feature = "simd128")]
#[inline(always)]
fn transpose4(a: F4, b: F4, c: F4, d: F4) -> (F4, F4, F4, F4) {
    use core::arch::wasm32::i32x4_shuffle;
    let ab_lo = i32x4_shuffle::<0, 4, 1, 5>(a.0, b.0);
    let ab_hi = i32x4_shuffle::<2, 6, 3, 7>(a.0, b.0);
    let cd_lo = i32x4_shuffle::<0, 4, 1, 5>(c.0, d.0);
    let cd_hi = i32x4_shuffle::<2, 6, 3, 7>(c.0, d.0);
    (
        F4(i32x4_shuffle::<0, 1, 4, 5>(ab_lo, cd_lo)),
        F4(i32x4_shuffle::<2, 3, 6, 7>(ab_lo, cd_lo)),
        F4(i32x4_shuffle::<0, 1, 4, 5>(ab_hi, cd_hi)),
        F4(i32x4_shuffle::<2, 3, 6, 7>(ab_hi, cd_hi)),
    )
}

#[cfg(not(target_feature = "simd128"))]
#[inline(always)]
fn transpose4(a: F4, b: F4, c: F4, d: F4) -> (F4, F4, F4, F4) {
    let col = |i: usize| F4([a.0[i], b.0[i], c.0[i], d.0[i]]);
    (col(0), col(1), col(2), col(3))
}

/// dst = alpha * acc + beta * dst for four floats (beta == 0 does not read dst).
#[inline(always)]
unsafe fn store4(acc: F4, alpha: F4, beta: f32, dst: *mut f32) {
    let v = acc.mul(alpha);
    let out = if beta == 0.0 {
        v
    } else if beta == 1.0 {
        F4::load(dst).add(v)
    } else {
        F4::load(dst).mul_add(F4::splat(beta), v)
    };
    out.store(dst);
}

/// C[r, q] = tile[r * width + q] + beta * C[r, q] for r < rows, q < cols (alpha already applied).
#[inline(never)]
unsafe fn store_partial(tile: &[f32], width: usize, rows: usize, cols: usize, beta: f32, c: *mut f32, ldc: usize) {
    for r in 0..rows {
        let row = c.add(r * ldc);
        for q in 0..cols {
            let v = tile[r * width + q];
            *row.add(q) = if beta == 0.0 { v } else { beta * *row.add(q) + v };
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Small-M paths: no packing, for recurrent steps at small batch. op(A)(r, p) = a[r * a_rs + p * a_cs].

type RowsKernel = unsafe fn(usize, *const f32, usize, usize, *const f32, usize, usize, f32, f32, *mut f32, usize, usize);
type DotsKernel = unsafe fn(usize, *const f32, usize, *const f32, usize, f32, f32, *mut f32, usize, usize);

/// R rows of op(A) times S groups of 8 columns of B over depth k, F4 over the columns.
/// Group s of depth p starts at b + s * group + p * b_rs: a row-major B [k, ldb] has
/// group = 8, b_rs = ldb (GROUPED: one pointer, constant offsets); a packed B has one strip
/// per group, group = kc * NR, b_rs = NR (one pointer per strip). Writes `cols` <= 8S columns.
/// V8 issues all of an iteration's loads before its arithmetic, so 2RS accumulators + 2S B
/// vectors + R broadcasts must fit in its 15 xmm registers: R = 1 takes S <= 3, R = 2 S <= 2.
#[inline(never)]
unsafe fn rows_block<const R: usize, const S: usize, const GROUPED: bool>(
    k: usize, a: *const f32, a_rs: usize, a_cs: usize, b: *const f32, b_rs: usize, group: usize,
    alpha: f32, beta: f32, c: *mut f32, ldc: usize, cols: usize,
) {
    let mut acc = [[[F4::zero(); 2]; S]; R];
    let mut ap = [a; R];
    for r in 1..R {
        ap[r] = a.add(r * a_rs);
    }
    let mut bp = [b; S];
    if !GROUPED {
        for s in 1..S {
            bp[s] = b.add(s * group);
        }
    }
    for _ in 0..k {
        let mut x = [F4::zero(); R];
        for r in 0..R {
            x[r] = F4::load_splat(ap[r]);
            ap[r] = bump(ap[r], a_cs);
        }
        for s in 0..S {
            let base = if GROUPED { bp[0].add(8 * s) } else { bp[s] };
            for h in 0..2 {
                let bv = F4::load(base.add(4 * h));
                for r in 0..R {
                    acc[r][s][h] = x[r].mul_add(bv, acc[r][s][h]);
                }
            }
        }
        for s in 0..(if GROUPED { 1 } else { S }) {
            bp[s] = bump(bp[s], b_rs);
        }
    }
    let al = F4::splat(alpha);
    if cols == 8 * S {
        for r in 0..R {
            for s in 0..S {
                store4(acc[r][s][0], al, beta, c.add(r * ldc + 8 * s));
                store4(acc[r][s][1], al, beta, c.add(r * ldc + 8 * s + 4));
            }
        }
        return;
    }
    let mut t = [0.0f32; 24];
    for r in 0..R {
        for s in 0..S {
            acc[r][s][0].mul(al).store(t.as_mut_ptr().add(8 * s));
            acc[r][s][1].mul(al).store(t.as_mut_ptr().add(8 * s + 4));
        }
        store_partial(&t, 8 * S, 1, cols, beta, c.add(r * ldc), ldc);
    }
}

/// op(B) = B [K, N] row-major, few rows (`rows_path`): groups of 4, 2 or 1 rows each sweep B
/// once, F4 over N.
unsafe fn small_m_rows(
    m: usize, n: usize, k: usize, alpha: f32, a: *const f32, a_rs: usize, a_cs: usize,
    b: *const f32, ldb: usize, beta: f32, c: *mut f32, ldc: usize,
) {
    let rows_4x1: RowsKernel = opaque(rows_block::<4, 1, true>);
    let rows_2x2: RowsKernel = opaque(rows_block::<2, 2, true>);
    let rows_2x1: RowsKernel = opaque(rows_block::<2, 1, true>);
    let rows_1x3: RowsKernel = opaque(rows_block::<1, 3, true>);
    let rows_1x1: RowsKernel = opaque(rows_block::<1, 1, true>);
    let mut i = 0;
    while i < m {
        let rows = if m - i >= 4 { 4 } else { min(2, m - i) };
        let (wide, narrow, width) = match rows {
            4 => (rows_4x1, rows_4x1, 8),
            2 => (rows_2x2, rows_2x1, 16),
            _ => (rows_1x3, rows_1x1, 24),
        };
        let ai = a.add(i * a_rs);
        let ci = c.add(i * ldc);
        let mut j = 0;
        while j + width <= n {
            wide(k, ai, a_rs, a_cs, b.add(j), ldb, 8, alpha, beta, ci.add(j), ldc, width);
            j += width;
        }
        while j + 8 <= n {
            narrow(k, ai, a_rs, a_cs, b.add(j), ldb, 8, alpha, beta, ci.add(j), ldc, 8);
            j += 8;
        }
        // Last n % 8 columns: plain dot products (never reads past B's last column).
        for r in 0..rows {
            for jj in j..n {
                let mut s = 0.0f32;
                for p in 0..k {
                    s += *ai.add(r * a_rs + p * a_cs) * *b.add(p * ldb + jj);
                }
                let dst = ci.add(r * ldc + jj);
                *dst = if beta == 0.0 { alpha * s } else { alpha * s + beta * *dst };
            }
        }
        i += rows;
    }
}

/// op(B) packed by `pack_b_full`, M <= SMALL_M: rows of A times several NR strips at once.
unsafe fn small_m_packed(
    m: usize, n: usize, k: usize, alpha: f32, a: *const f32, a_rs: usize, a_cs: usize,
    packed_b: *const f32, beta: f32, c: *mut f32, ldc: usize,
) {
    let rows_1x3: RowsKernel = opaque(rows_block::<1, 3, false>);
    let rows_1x1: RowsKernel = opaque(rows_block::<1, 1, false>);
    let rows_2x2: RowsKernel = opaque(rows_block::<2, 2, false>);
    let rows_2x1: RowsKernel = opaque(rows_block::<2, 1, false>);
    let mut jc = 0;
    while jc < n {
        let nc = min(NC, n - jc);
        let mut pc = 0;
        while pc < k {
            let kc = min(KC, k - pc);
            let bp = packed_b.add(packed_b_offset(k, jc, pc, nc));
            let beta_eff = if pc == 0 { beta } else { 1.0 };
            let mut i = 0;
            while i < m {
                let rows = min(2, m - i);
                let (wide, narrow, width) = if rows == 2 { (rows_2x2, rows_2x1, 16) } else { (rows_1x3, rows_1x1, 24) };
                let ai = a.add(i * a_rs + pc * a_cs);
                let ci = c.add(i * ldc + jc);
                let mut j = 0;
                while j + width <= nc {
                    wide(kc, ai, a_rs, a_cs, bp.add(j * kc), NR, kc * NR, alpha, beta_eff, ci.add(j), ldc, width);
                    j += width;
                }
                // Remaining strips one by one; the last may be partial (zero-padded in the pack).
                while j < nc {
                    narrow(kc, ai, a_rs, a_cs, bp.add(j * kc), NR, kc * NR, alpha, beta_eff, ci.add(j), ldc, min(NR, nc - j));
                    j += NR;
                }
                i += rows;
            }
            pc += KC;
        }
        jc += NC;
    }
}

/// R rows of A times `cols` <= 4 rows of B (B [N, K]): each output a dot product over k, F4 over
/// k, U depth vectors per iteration (all of an iteration's loads must fit V8's registers).
#[inline(never)]
unsafe fn dots_block<const R: usize, const U: usize>(
    k: usize, a: *const f32, lda: usize, b: *const f32, ldb: usize,
    alpha: f32, beta: f32, c: *mut f32, ldc: usize, cols: usize,
) {
    let mut acc = [[F4::zero(); 4]; R];
    let kv = k / (4 * U) * (4 * U);
    let mut ap = [a; R];
    for r in 1..R {
        ap[r] = a.add(r * lda);
    }
    // Rows past `cols` repeat the last one, so a tail block reads only inside B.
    let mut bp = [b; 4];
    for j in 1..4 {
        bp[j] = b.add(min(j, cols - 1) * ldb);
    }
    for _ in 0..kv / (4 * U) {
        for u in 0..U {
            let bv = [F4::load(bp[0].add(4 * u)), F4::load(bp[1].add(4 * u)), F4::load(bp[2].add(4 * u)), F4::load(bp[3].add(4 * u))];
            for r in 0..R {
                let x = F4::load(ap[r].add(4 * u));
                for j in 0..4 {
                    acc[r][j] = x.mul_add(bv[j], acc[r][j]);
                }
            }
        }
        for r in 0..R {
            ap[r] = bump(ap[r], 4 * U);
        }
        for j in 0..4 {
            bp[j] = bump(bp[j], 4 * U);
        }
    }
    for r in 0..R {
        for j in 0..cols {
            let mut s = acc[r][j].sum();
            for q in kv..k {
                s += *a.add(r * lda + q) * *b.add(j * ldb + q);
            }
            let dst = c.add(r * ldc + j);
            *dst = if beta == 0.0 { alpha * s } else { alpha * s + beta * *dst };
        }
    }
}

/// op(B) = B^T with B [N, K], A [M, K] row-major, M <= SMALL_M: dot products of rows.
unsafe fn small_m_dots(
    m: usize, n: usize, k: usize, alpha: f32, a: *const f32, lda: usize,
    b: *const f32, ldb: usize, beta: f32, c: *mut f32, ldc: usize,
) {
    let dots_1: DotsKernel = opaque(dots_block::<1, 2>);
    let dots_2: DotsKernel = opaque(dots_block::<2, 1>);
    let mut i = 0;
    while i < m {
        let rows = min(2, m - i);
        let kernel = if rows == 2 { dots_2 } else { dots_1 };
        let ai = a.add(i * lda);
        let ci = c.add(i * ldc);
        let mut j = 0;
        while j < n {
            kernel(k, ai, lda, b.add(j * ldb), ldb, alpha, beta, ci.add(j), ldc, min(4, n - j));
            j += 4;
        }
        i += rows;
    }
}
