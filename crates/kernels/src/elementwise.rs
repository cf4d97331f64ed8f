//! Element-wise kernels and the row helpers that dense layers share.
//!
//! Buffers (row-major):
//!   activation_forward   x [rows, cols], y [rows, cols]   (x and y may be the same buffer)
//!   activation_backward  y [rows, cols], dy [rows, cols], dx [rows, cols]   (dx may be dy)
//!   bias_add             x [rows, cols] (in place), b [cols]
//!   bias_grad            dy [rows, cols], db [cols] (accumulated)
//!   mul, add             a [n], b [n], out [n]   (out may alias a or b)
//!   axpy                 x [n], y [n] (y += alpha·x)
//!   fill                 x [n]
//!   count_non_finite     x [n] -> number of NaN / ±Inf
//!
//! Every loop streams four lanes at a time (`F4`) with a one-lane tail. The one-lane tail runs the
//! same F4 code on a splatted value (`load_w::<1>` / `store_w::<1>`), so each formula is written
//! once. Activation codes are hoisted out of the loops as const generics (`with_act!`).
use crate::activations::{apply4, deriv4, softmax_row, HARD_SIGMOID, HARD_SIGMOID_KERAS3, LINEAR, RELU, SIGMOID, SOFTMAX, TANH};
use crate::simd::F4;

/// Loads W lanes (4, or 1 splatted to every lane) from `p`.
#[inline(always)]
pub unsafe fn load_w<const W: usize>(p: *const f32) -> F4 {
    if W == 4 { F4::load(p) } else { F4::splat(*p) }
}

/// Stores W lanes (4, or the first lane only) to `p`.
#[inline(always)]
pub unsafe fn store_w<const W: usize>(v: F4, p: *mut f32) {
    if W == 4 { v.store(p) } else { *p = v.first() }
}

/// Runs `$f::<CODE>($args)` with the element-wise activation code as a compile-time constant,
/// so the inner loops carry no per-element dispatch. Unknown codes behave as linear (TypeScript
/// sends only the codes of `ActivationCode`: every element-wise one must be listed here).
macro_rules! with_act {
    ($code:expr, $f:ident ( $($arg:expr),* )) => {
        match $code {
            RELU => $f::<{ RELU }>($($arg),*),
            TANH => $f::<{ TANH }>($($arg),*),
            SIGMOID => $f::<{ SIGMOID }>($($arg),*),
            HARD_SIGMOID => $f::<{ HARD_SIGMOID }>($($arg),*),
            HARD_SIGMOID_KERAS3 => $f::<{ HARD_SIGMOID_KERAS3 }>($($arg),*),
            _ => $f::<{ LINEAR }>($($arg),*),
        }
    };
}

// ---------------------------------------------------------------------------------------------
// activations

unsafe fn act_map<const A: i32>(x: *const f32, y: *mut f32, n: usize) {
    let mut i = 0;
    while i + 4 <= n {
        store_w::<4>(apply4(A, load_w::<4>(x.add(i))), y.add(i));
        i += 4;
    }
    while i < n {
        store_w::<1>(apply4(A, load_w::<1>(x.add(i))), y.add(i));
        i += 1;
    }
}

/// y = act(x) over n contiguous floats, element-wise codes only (x may equal y).
pub unsafe fn act_forward_slice(code: i32, x: *const f32, y: *mut f32, n: usize) {
    if code == LINEAR {
        copy(x, y, n);
        return;
    }
    with_act!(code, act_map(x, y, n))
}

unsafe fn act_grad_map<const A: i32>(y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    let mut i = 0;
    while i + 4 <= n {
        let d = deriv4(A, load_w::<4>(y.add(i)));
        store_w::<4>(load_w::<4>(dy.add(i)).mul(d), dx.add(i));
        i += 4;
    }
    while i < n {
        let d = deriv4(A, load_w::<1>(y.add(i)));
        store_w::<1>(load_w::<1>(dy.add(i)).mul(d), dx.add(i));
        i += 1;
    }
}

/// dx = dy · act'(y) over n contiguous floats, element-wise codes only (dx may equal dy).
pub unsafe fn act_backward_slice(code: i32, y: *const f32, dy: *const f32, dx: *mut f32, n: usize) {
    if code == LINEAR {
        copy(dy, dx, n);
        return;
    }
    with_act!(code, act_grad_map(y, dy, dx, n))
}

/// Softmax backward per row: dx = y·(dy - Σ dy·y); dx may equal dy (the sum is taken first).
pub unsafe fn softmax_backward_rows(rows: usize, cols: usize, y: *const f32, dy: *const f32, dx: *mut f32) {
    for r in 0..rows {
        let (yr, dyr, dxr) = (y.add(r * cols), dy.add(r * cols), dx.add(r * cols));
        let mut s4 = F4::zero();
        let mut j = 0;
        while j + 4 <= cols {
            s4 = load_w::<4>(dyr.add(j)).mul_add(load_w::<4>(yr.add(j)), s4);
            j += 4;
        }
        let mut s = s4.sum();
        while j < cols {
            s += *dyr.add(j) * *yr.add(j);
            j += 1;
        }
        let s4 = F4::splat(s);
        let mut j = 0;
        while j + 4 <= cols {
            store_w::<4>(load_w::<4>(yr.add(j)).mul(load_w::<4>(dyr.add(j)).sub(s4)), dxr.add(j));
            j += 4;
        }
        while j < cols {
            store_w::<1>(load_w::<1>(yr.add(j)).mul(load_w::<1>(dyr.add(j)).sub(s4)), dxr.add(j));
            j += 1;
        }
    }
}

unsafe fn bias_act_rows<const A: i32>(rows: usize, cols: usize, x: *mut f32, b: *const f32) {
    for r in 0..rows {
        let xr = x.add(r * cols);
        let mut j = 0;
        while j + 4 <= cols {
            let v = load_w::<4>(xr.add(j)).add(load_w::<4>(b.add(j)));
            store_w::<4>(apply4(A, v), xr.add(j));
            j += 4;
        }
        while j < cols {
            let v = load_w::<1>(xr.add(j)).add(load_w::<1>(b.add(j)));
            store_w::<1>(apply4(A, v), xr.add(j));
            j += 1;
        }
    }
}

/// x [rows, cols] = act(x + b) in place, b [cols] (0: none); softmax per row. Dense's epilogue.
pub unsafe fn bias_act_inplace(rows: usize, cols: usize, code: i32, x: *mut f32, b: *const f32) {
    if code == SOFTMAX {
        if !b.is_null() {
            bias_act_rows::<{ LINEAR }>(rows, cols, x, b);
        }
        for r in 0..rows {
            softmax_row(x.add(r * cols), cols);
        }
    } else if b.is_null() {
        if code != LINEAR {
            with_act!(code, act_map(x, x, rows * cols))
        }
    } else {
        with_act!(code, bias_act_rows(rows, cols, x, b))
    }
}

/// db [cols] += Σ_rows dy [rows, cols].
pub unsafe fn bias_grad_impl(rows: usize, cols: usize, dy: *const f32, db: *mut f32) {
    for r in 0..rows {
        let dyr = dy.add(r * cols);
        let mut j = 0;
        while j + 4 <= cols {
            store_w::<4>(load_w::<4>(db.add(j)).add(load_w::<4>(dyr.add(j))), db.add(j));
            j += 4;
        }
        while j < cols {
            *db.add(j) += *dyr.add(j);
            j += 1;
        }
    }
}

/// n zeros at dst.
#[inline(always)]
pub unsafe fn zero(dst: *mut f32, n: usize) { core::ptr::write_bytes(dst, 0, n) }

/// Copies n floats (no-op when src == dst).
pub unsafe fn copy(src: *const f32, dst: *mut f32, n: usize) {
    if src == dst as *const f32 { return; }
    let mut i = 0;
    while i + 4 <= n {
        F4::load(src.add(i)).store(dst.add(i));
        i += 4;
    }
    while i < n {
        *dst.add(i) = *src.add(i);
        i += 1;
    }
}

#[no_mangle]
pub unsafe extern "C" fn activation_forward(rows: usize, cols: usize, act: i32, x: *const f32, y: *mut f32) {
    if act == SOFTMAX {
        copy(x, y, rows * cols);
        for r in 0..rows {
            softmax_row(y.add(r * cols), cols);
        }
    } else {
        act_forward_slice(act, x, y, rows * cols);
    }
}

#[no_mangle]
pub unsafe extern "C" fn activation_backward(rows: usize, cols: usize, act: i32, y: *const f32, dy: *const f32, dx: *mut f32) {
    if act == SOFTMAX {
        softmax_backward_rows(rows, cols, y, dy, dx);
    } else {
        act_backward_slice(act, y, dy, dx, rows * cols);
    }
}

#[no_mangle]
pub unsafe extern "C" fn bias_add(rows: usize, cols: usize, x: *mut f32, b: *const f32) {
    bias_act_rows::<{ LINEAR }>(rows, cols, x, b);
}

#[no_mangle]
pub unsafe extern "C" fn bias_grad(rows: usize, cols: usize, dy: *const f32, db: *mut f32) {
    bias_grad_impl(rows, cols, dy, db);
}

// ---------------------------------------------------------------------------------------------
// streams over n floats

#[no_mangle]
pub unsafe extern "C" fn mul(n: usize, a: *const f32, b: *const f32, out: *mut f32) {
    let mut i = 0;
    while i + 4 <= n {
        store_w::<4>(load_w::<4>(a.add(i)).mul(load_w::<4>(b.add(i))), out.add(i));
        i += 4;
    }
    while i < n {
        *out.add(i) = *a.add(i) * *b.add(i);
        i += 1;
    }
}

#[no_mangle]
pub unsafe extern "C" fn add(n: usize, a: *const f32, b: *const f32, out: *mut f32) {
    let mut i = 0;
    while i + 4 <= n {
        store_w::<4>(load_w::<4>(a.add(i)).add(load_w::<4>(b.add(i))), out.add(i));
        i += 4;
    }
    while i < n {
        *out.add(i) = *a.add(i) + *b.add(i);
        i += 1;
    }
}

#[no_mangle]
pub unsafe extern "C" fn axpy(n: usize, alpha: f32, x: *const f32, y: *mut f32) {
    let a4 = F4::splat(alpha);
    let mut i = 0;
    while i + 4 <= n {
        store_w::<4>(a4.mul_add(load_w::<4>(x.add(i)), load_w::<4>(y.add(i))), y.add(i));
        i += 4;
    }
    while i < n {
        *y.add(i) += alpha * *x.add(i);
        i += 1;
    }
}

#[no_mangle]
pub unsafe extern "C" fn fill(n: usize, value: f32, x: *mut f32) {
    // zeroing a model's gradients is long enough for the pool
    crate::threads::for_range(n, crate::threads::STREAM_FLOPS, |_, lo, hi| {
        let v4 = F4::splat(value);
        let mut i = lo;
        while i + 4 <= hi {
            v4.store(x.add(i));
            i += 4;
        }
        while i < hi {
            *x.add(i) = value;
            i += 1;
        }
    });
}

/// Lane counts are kept in f32 (exact below 2^24), so they are flushed to an integer every
/// FLUSH_EVERY blocks of four.
const FLUSH_EVERY: usize = 1 << 20;

#[no_mangle]
pub unsafe extern "C" fn count_non_finite(n: usize, x: *const f32) -> i32 {
    // |x| < inf is false exactly for NaN and ±Inf.
    let inf = F4::splat(f32::INFINITY);
    let (zero, one) = (F4::zero(), F4::splat(1.0));
    let mut total: usize = 0;
    let mut i = 0;
    while i + 4 <= n {
        let end = if n - i > 4 * FLUSH_EVERY { i + 4 * FLUSH_EVERY } else { n - (n - i) % 4 };
        let mut c4 = F4::zero();
        while i < end {
            c4 = c4.add(F4::select(F4::load(x.add(i)).abs().lt(inf), zero, one));
            i += 4;
        }
        total += c4.sum() as usize;
    }
    while i < n {
        let v = crate::math::absf(*x.add(i));
        if !(v < f32::INFINITY) { total += 1; }
        i += 1;
    }
    total as i32
}
