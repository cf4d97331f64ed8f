//! Embedding lookup.
//!
//! Buffers (row-major):
//!   ids    [N] i32 (validated in [0, V) by TypeScript)
//!   table  [V, D]      out  [N, D]
//!   dOut   [N, D]      dTable [V, D] (accumulated: repeated ids add up)
use crate::elementwise::{copy, load_w, store_w};
use crate::simd::F4;
use crate::threads;

#[no_mangle]
pub unsafe extern "C" fn embedding_forward(n: usize, d: usize, ids: *const i32, table: *const f32, out: *mut f32) {
    // Rows are independent: a large gather (an Embedding's rows at a big batch or width) is split
    // over the pool like a recurrent layer's batch rows. Recurrent kernels reading projections
    // through ids gather inside each of their parts instead (`recurrent::project_inputs`).
    let job = Gather { d, ids, table, out, n };
    let plan = threads::row_plan(n, n * d * threads::STREAM_FLOPS);
    threads::parallel(plan.parts, plan.pool, &job, gather_part);
}

struct Gather { n: usize, d: usize, ids: *const i32, table: *const f32, out: *mut f32 }

unsafe fn gather_part(j: &Gather, p: usize, parts: usize, _tid: usize) {
    let (r0, r1) = threads::span(j.n, parts, p, 4);
    gather_rows(r1 - r0, j.d, j.ids.add(r0), j.table, j.out.add(r0 * j.d));
}

/// Rows are copied four at a time, interleaved: rows of a large table come from far caches or
/// memory, and four streams in flight hide more of that latency than one row after another.
pub unsafe fn gather_rows(n: usize, d: usize, ids: *const i32, table: *const f32, out: *mut f32) {
    let row = |r: usize| table.add(*ids.add(r) as usize * d);
    let mut r = 0;
    while r + 4 <= n {
        let src = [row(r), row(r + 1), row(r + 2), row(r + 3)];
        let dst = out.add(r * d);
        let mut j = 0;
        while j + 4 <= d {
            for q in 0..4 { F4::load(src[q].add(j)).store(dst.add(q * d + j)); }
            j += 4;
        }
        for q in 0..4 {
            for jj in j..d { *dst.add(q * d + jj) = *src[q].add(jj); }
        }
        r += 4;
    }
    while r < n {
        copy(row(r), out.add(r * d), d);
        r += 1;
    }
}

#[no_mangle]
pub unsafe extern "C" fn embedding_backward(n: usize, d: usize, ids: *const i32, d_out: *const f32, d_table: *mut f32) {
    for r in 0..n {
        let src = d_out.add(r * d);
        let dst = d_table.add(*ids.add(r) as usize * d);
        let mut j = 0;
        while j + 4 <= d {
            store_w::<4>(load_w::<4>(dst.add(j)).add(load_w::<4>(src.add(j))), dst.add(j));
            j += 4;
        }
        while j < d {
            *dst.add(j) += *src.add(j);
            j += 1;
        }
    }
}
