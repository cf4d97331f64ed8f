//! Dense layer: y = act(x·w + b), act 5 = softmax over Out.
//!
//! Buffers (row-major):
//!   x  [N, In]     w  [In, Out]     b  [Out] (0: no bias)     y  [N, Out]
//!   dy [N, Out]    dx [N, In] (overwritten; 0: skip)
//!   dw [In, Out] (accumulated)      db [Out] (accumulated; 0: skip)
//!   ws [dense_ws_floats(N, In, Out)]: dz [N, Out] then gemm packing scratch
//! The backward works from the forward's output y (every activation's derivative is a function
//! of y), so no pre-activation cache is kept.
use crate::activations::{LINEAR, SOFTMAX};
use crate::elementwise::{act_backward_slice, bias_act_inplace, bias_grad_impl, softmax_backward_rows};
use crate::gemm::{gemm_impl, ws_floats as gemm_ws};
use crate::math::max;

#[no_mangle]
pub extern "C" fn dense_ws_floats(n: usize, inp: usize, out: usize) -> usize {
    let gemm = max(gemm_ws(n, out, inp), max(gemm_ws(n, inp, out), gemm_ws(inp, out, n)));
    n * out + gemm
}

#[no_mangle]
pub unsafe extern "C" fn dense_forward(
    n: usize, inp: usize, out: usize, act: i32, x: *const f32, w: *const f32, b: *const f32, y: *mut f32, ws: *mut f32,
) {
    gemm_impl(false, false, n, out, inp, 1.0, x, inp, w, out, 0.0, y, out, ws.add(n * out));
    bias_act_inplace(n, out, act, y, b);
}

#[no_mangle]
pub unsafe extern "C" fn dense_backward(
    n: usize, inp: usize, out: usize, act: i32, x: *const f32, w: *const f32, y: *const f32, dy: *const f32,
    dx: *mut f32, dw: *mut f32, db: *mut f32, ws: *mut f32,
) {
    // dz = dy · act'(y); for linear dz is dy itself
    let dz: *const f32 = if act == LINEAR {
        dy
    } else {
        let dz = ws;
        if act == SOFTMAX {
            softmax_backward_rows(n, out, y, dy, dz);
        } else {
            act_backward_slice(act, y, dy, dz, n * out);
        }
        dz
    };
    let gws = ws.add(n * out);
    if !dx.is_null() {
        // dx [N, In] = dz [N, Out] · w^T
        gemm_impl(false, true, n, inp, out, 1.0, dz, out, w, out, 0.0, dx, inp, gws);
    }
    if !dw.is_null() {
        // dw [In, Out] += x^T · dz
        gemm_impl(true, false, inp, out, n, 1.0, x, inp, dz, out, 1.0, dw, out, gws);
    }
    if !db.is_null() {
        bias_grad_impl(n, out, dz, db);
    }
}
