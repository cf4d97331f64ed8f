//! GEMM: C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C.
//!
//! Buffers (row-major, leading dimensions in floats):
//!   A  [M, lda] when !trans_a, [K, lda] when trans_a (then op(A) = A^T)
//!   B  [K, ldb] when !trans_b, [N, ldb] when trans_b
//!   C  [M, ldc]
//!   ws [gemm_ws_floats(M, N, K)]  packing scratch, owned by the caller
//! beta == 0 never reads C (so NaN or garbage in C is overwritten).
//!
//! Structure (Goto/BLIS): blocks of KC x NC of op(B) are packed into NR-wide column strips and
//! blocks of MC x KC of op(A) into MR-tall row strips; transposes are handled by the packing, so
//! the MR x NR micro-kernel always streams contiguous memory. Edges are zero-padded in the packs.
use crate::simd::F4;

pub const MR: usize = 4;
pub const NR: usize = 8;
const KC: usize = 256;
const MC: usize = 64;
const NC: usize = 512;

#[inline(always)]
fn round_up(x: usize, m: usize) -> usize { (x + m - 1) / m * m }
#[inline(always)]
fn min(a: usize, b: usize) -> usize { if a < b { a } else { b } }

/// Floats of scratch that `gemm` needs for these sizes.
pub fn ws_floats(m: usize, n: usize, k: usize) -> usize {
    let kc = min(k, KC);
    kc * min(round_up(n, NR), NC) + kc * min(round_up(m, MR), MC)
}

#[no_mangle]
pub extern "C" fn gemm_ws_floats(m: usize, n: usize, k: usize) -> usize { ws_floats(m, n, k) }

#[no_mangle]
pub unsafe extern "C" fn gemm(
    trans_a: i32, trans_b: i32, m: usize, n: usize, k: usize, alpha: f32,
    a: *const f32, lda: usize, b: *const f32, ldb: usize, beta: f32, c: *mut f32, ldc: usize,
    ws: *mut f32,
) {
    gemm_impl(trans_a != 0, trans_b != 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ws);
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

pub unsafe fn gemm_impl(
    trans_a: bool, trans_b: bool, m: usize, n: usize, k: usize, alpha: f32,
    a: *const f32, lda: usize, b: *const f32, ldb: usize, beta: f32, c: *mut f32, ldc: usize,
    ws: *mut f32,
) {
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
    gemm_blocked(trans_a, m, n, k, alpha, a, lda, BSource::Packed(packed_b), beta, c, ldc, ws);
}

#[inline(always)]
fn packed_b_offset(k: usize, jc: usize, pc: usize, nc: usize) -> usize { jc * k + pc * round_up(nc, NR) }

#[derive(Clone, Copy)]
enum BSource {
    Unpacked { trans: bool, b: *const f32, ldb: usize },
    Packed(*const f32),
}

unsafe fn gemm_blocked(
    trans_a: bool, m: usize, n: usize, k: usize, alpha: f32, a: *const f32, lda: usize,
    bsrc: BSource, beta: f32, c: *mut f32, ldc: usize, ws: *mut f32,
) {
    if m == 0 || n == 0 { return; }
    if k == 0 || alpha == 0.0 {
        scale_c(m, n, beta, c, ldc);
        return;
    }
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
                let mut jr = 0;
                while jr < nc {
                    let nr = min(NR, nc - jr);
                    let mut ir = 0;
                    while ir < mc {
                        let mr = min(MR, mc - ir);
                        let cp = c.add((ic + ir) * ldc + jc + jr);
                        micro_kernel(kc, ap.add(ir * kc), bp.add(jr * kc), alpha, beta_eff, cp, ldc, mr, nr);
                        ir += MR;
                    }
                    jr += NR;
                }
                ic += MC;
            }
            pc += KC;
        }
        jc += NC;
    }
}

/// Packs op(B)[pc..pc+kc, jc..jc+nc] as NR-wide strips: strip s holds kc rows of NR floats.
unsafe fn pack_b(trans: bool, b: *const f32, ldb: usize, pc: usize, jc: usize, kc: usize, nc: usize, out: *mut f32) {
    let mut j0 = 0;
    while j0 < nc {
        let w = min(NR, nc - j0);
        let strip = out.add(j0 * kc);
        for p in 0..kc {
            let dst = strip.add(p * NR);
            for q in 0..NR {
                *dst.add(q) = if q < w {
                    let (row, col) = (pc + p, jc + j0 + q);
                    if trans { *b.add(col * ldb + row) } else { *b.add(row * ldb + col) }
                } else { 0.0 };
            }
        }
        j0 += NR;
    }
}

/// Packs op(A)[ic..ic+mc, pc..pc+kc] as MR-tall strips: strip s holds kc columns of MR floats.
unsafe fn pack_a(trans: bool, a: *const f32, lda: usize, ic: usize, pc: usize, mc: usize, kc: usize, out: *mut f32) {
    let mut i0 = 0;
    while i0 < mc {
        let h = min(MR, mc - i0);
        let strip = out.add(i0 * kc);
        for p in 0..kc {
            let dst = strip.add(p * MR);
            for r in 0..MR {
                *dst.add(r) = if r < h {
                    let (row, col) = (ic + i0 + r, pc + p);
                    if trans { *a.add(col * lda + row) } else { *a.add(row * lda + col) }
                } else { 0.0 };
            }
        }
        i0 += MR;
    }
}

/// C[mr, nr] = alpha * Ap * Bp + beta * C for one MR x NR tile (mr <= MR, nr <= NR).
#[inline(always)]
unsafe fn micro_kernel(kc: usize, ap: *const f32, bp: *const f32, alpha: f32, beta: f32, c: *mut f32, ldc: usize, mr: usize, nr: usize) {
    let mut acc = [[F4::zero(); 2]; MR];
    for p in 0..kc {
        let b0 = F4::load(bp.add(p * NR));
        let b1 = F4::load(bp.add(p * NR + 4));
        for r in 0..MR {
            let av = F4::load_splat(ap.add(p * MR + r));
            acc[r][0] = av.mul_add(b0, acc[r][0]);
            acc[r][1] = av.mul_add(b1, acc[r][1]);
        }
    }
    let al = F4::splat(alpha);
    if mr == MR && nr == NR {
        for r in 0..MR {
            let row = c.add(r * ldc);
            for h in 0..2 {
                let v = acc[r][h].mul(al);
                let out = if beta == 0.0 { v } else { F4::load(row.add(4 * h)).mul_add(F4::splat(beta), v) };
                out.store(row.add(4 * h));
            }
        }
        return;
    }
    let mut tile = [0.0f32; MR * NR];
    for r in 0..MR {
        acc[r][0].mul(al).store(tile.as_mut_ptr().add(r * NR));
        acc[r][1].mul(al).store(tile.as_mut_ptr().add(r * NR + 4));
    }
    for r in 0..mr {
        let row = c.add(r * ldc);
        for q in 0..nr {
            let v = tile[r * NR + q];
            *row.add(q) = if beta == 0.0 { v } else { beta * *row.add(q) + v };
        }
    }
}
