//! Embedding lookup.
//!
//! Buffers (row-major):
//!   ids    [N] i32 (validated in [0, V) by TypeScript)
//!   table  [V, D]      out  [N, D]
//!   dOut   [N, D]      dTable [V, D] (accumulated: repeated ids add up)
use crate::elementwise::{copy, load_w, store_w};

#[no_mangle]
pub unsafe extern "C" fn embedding_forward(n: usize, d: usize, ids: *const i32, table: *const f32, out: *mut f32) {
    for r in 0..n {
        let id = *ids.add(r) as usize;
        copy(table.add(id * d), out.add(r * d), d);
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
