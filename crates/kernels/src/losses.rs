//! Losses (Keras 3 semantics). Each writes the per-row loss and, when grad is not 0, its gradient
//! times `scale` (the caller's 1/batch and sample weights folded into one factor).
//!
//! Buffers (row-major):
//!   pred      [rows, cols]  probabilities, or raw scores when from_logits != 0
//!   target    [rows, cols]  floats (sparse: target_ids [rows] i32 class ids in [0, cols))
//!   loss_out  [rows]        element-wise losses: mean over cols; cross-entropies: sum over classes
//!   grad      [rows, cols]  scale · d loss_out[r] / d pred (0: skip)
//!
//! Probabilities are clipped to [EPS, 1-EPS] as Keras does; where clipping is active the gradient
//! is zero (the clip's derivative). Keras normalises categorical probabilities to sum 1 per row
//! first, and the gradient flows through that normalisation. From logits everything is computed
//! in the log domain (max-subtracted log-sum-exp, log1p(exp(-|z|))), finite for any |z|.
use crate::elementwise::{load_w, store_w};
use crate::math::{absf, exp4, expf, log1pf, logf};
use crate::simd::F4;

const EPS: f32 = 1e-7;
const ONE_M_EPS: f32 = 1.0 - EPS;

/// Clips a probability; returns (clipped value, whether the clip was active).
#[inline(always)]
fn clip_prob(q: f32) -> (f32, bool) {
    if q < EPS { (EPS, true) } else if q > ONE_M_EPS { (ONE_M_EPS, true) } else { (q, false) }
}

#[no_mangle]
pub unsafe extern "C" fn loss_binary_crossentropy(
    rows: usize, cols: usize, from_logits: i32, pred: *const f32, target: *const f32,
    scale: f32, loss_out: *mut f32, grad: *mut f32,
) {
    let inv_cols = 1.0 / cols as f32;
    let k = scale * inv_cols;
    for r in 0..rows {
        let (pr, tr) = (pred.add(r * cols), target.add(r * cols));
        let mut sum = 0.0f32;
        for j in 0..cols {
            let (p, y) = (*pr.add(j), *tr.add(j));
            let (l, g) = if from_logits != 0 {
                // max(z,0) - z·y + log(1 + e^-|z|); d/dz = sigmoid(z) - y
                let e = expf(-absf(p));
                let sig = if p >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) };
                let relu = if p > 0.0 { p } else { 0.0 };
                (relu - p * y + log1pf(e), sig - y)
            } else {
                let (pc, clipped) = clip_prob(p);
                let l = -(y * logf(pc) + (1.0 - y) * logf(1.0 - pc));
                (l, if clipped { 0.0 } else { (1.0 - y) / (1.0 - pc) - y / pc })
            };
            sum += l;
            if !grad.is_null() {
                *grad.add(r * cols + j) = k * g;
            }
        }
        *loss_out.add(r) = sum * inv_cols;
    }
}

/// (max, Σ exp(z - max)) over one row, four lanes at a time.
unsafe fn max_and_exp_sum(z: *const f32, cols: usize) -> (f32, f32) {
    let mut m = f32::NEG_INFINITY;
    for j in 0..cols {
        let v = *z.add(j);
        if v > m || v != v { m = v; }
    }
    let m4 = F4::splat(m);
    let mut s4 = F4::zero();
    let mut j = 0;
    while j + 4 <= cols {
        s4 = s4.add(exp4(load_w::<4>(z.add(j)).sub(m4)));
        j += 4;
    }
    let mut s = s4.sum();
    while j < cols {
        s += expf(*z.add(j) - m);
        j += 1;
    }
    (m, s)
}

/// grad row = scale·(softmax(z)·mass - target), softmax from (max, exp-sum); `target` is either a
/// dense row or, when null, the one-hot of `class`.
unsafe fn softmax_grad_row(z: *const f32, cols: usize, m: f32, se: f32, mass: f32, scale: f32,
    target: *const f32, class: usize, grad: *mut f32) {
    let a4 = F4::splat(scale * mass / se);
    let m4 = F4::splat(m);
    let s4 = F4::splat(scale);
    let dense = !target.is_null();
    let mut j = 0;
    while j + 4 <= cols {
        let p = exp4(load_w::<4>(z.add(j)).sub(m4)).mul(a4);
        let g = if dense { p.sub(s4.mul(load_w::<4>(target.add(j)))) } else { p };
        store_w::<4>(g, grad.add(j));
        j += 4;
    }
    while j < cols {
        let p = exp4(load_w::<1>(z.add(j)).sub(m4)).mul(a4);
        let g = if dense { p.sub(s4.mul(load_w::<1>(target.add(j)))) } else { p };
        store_w::<1>(g, grad.add(j));
        j += 1;
    }
    if !dense {
        *grad.add(class) -= scale;
    }
}

#[no_mangle]
pub unsafe extern "C" fn loss_categorical_crossentropy(
    rows: usize, cols: usize, from_logits: i32, pred: *const f32, target: *const f32,
    scale: f32, loss_out: *mut f32, grad: *mut f32,
) {
    for r in 0..rows {
        let (pr, tr) = (pred.add(r * cols), target.add(r * cols));
        let gr = if grad.is_null() { grad } else { grad.add(r * cols) };
        if from_logits != 0 {
            // -Σ y·log softmax(z) = Σ y·(lse - z); d/dz = softmax(z)·Σy - y
            // lse - z = (m - z) + log Σ e^(z-m): no cancellation between two large numbers
            let (m, se) = max_and_exp_sum(pr, cols);
            let log_se = logf(se);
            let (mut loss, mut mass) = (0.0f32, 0.0f32);
            for j in 0..cols {
                let y = *tr.add(j);
                loss += y * ((m - *pr.add(j)) + log_se);
                mass += y;
            }
            *loss_out.add(r) = loss;
            if !gr.is_null() {
                softmax_grad_row(pr, cols, m, se, mass, scale, tr, 0, gr);
            }
        } else {
            // q = p / Σp, clipped; L = -Σ y·log q. With g = dL/dq (0 where clipped):
            // dL/dp_k = (g_k - Σ g·q) / Σp. g is parked in grad until Σ g·q is known.
            let mut s = 0.0f32;
            for j in 0..cols { s += *pr.add(j); }
            let (mut loss, mut gq) = (0.0f32, 0.0f32);
            for j in 0..cols {
                let y = *tr.add(j);
                let q = *pr.add(j) / s;
                let (qc, clipped) = clip_prob(q);
                loss -= y * logf(qc);
                if !gr.is_null() {
                    let g = if clipped { 0.0 } else { -y / q };
                    *gr.add(j) = g;
                    gq += g * q;
                }
            }
            *loss_out.add(r) = loss;
            if !gr.is_null() {
                let k = scale / s;
                for j in 0..cols {
                    *gr.add(j) = k * (*gr.add(j) - gq);
                }
            }
        }
    }
}

#[no_mangle]
pub unsafe extern "C" fn loss_sparse_categorical_crossentropy(
    rows: usize, cols: usize, from_logits: i32, pred: *const f32, target_ids: *const i32,
    scale: f32, loss_out: *mut f32, grad: *mut f32,
) {
    for r in 0..rows {
        let pr = pred.add(r * cols);
        let c = *target_ids.add(r) as usize;
        let gr = if grad.is_null() { grad } else { grad.add(r * cols) };
        if from_logits != 0 {
            let (m, se) = max_and_exp_sum(pr, cols);
            *loss_out.add(r) = (m - *pr.add(c)) + logf(se);
            if !gr.is_null() {
                softmax_grad_row(pr, cols, m, se, 1.0, scale, core::ptr::null(), c, gr);
            }
        } else {
            // one-hot target: Σ g·q = -1, so dL/dp_k = (g_k + 1) / Σp with g_c = -1/q_c
            let mut s = 0.0f32;
            for j in 0..cols { s += *pr.add(j); }
            let q = *pr.add(c) / s;
            let (qc, clipped) = clip_prob(q);
            *loss_out.add(r) = -logf(qc);
            if !gr.is_null() {
                let k = if clipped { 0.0 } else { scale / s };
                for j in 0..cols { *gr.add(j) = k; }
                *gr.add(c) = if clipped { 0.0 } else { k * (1.0 - 1.0 / q) };
            }
        }
    }
}

/// Shared shape of the two element-wise regression losses: per row mean of `term(p - y)`, gradient
/// `scale/cols · slope(p - y)`.
#[inline(always)]
unsafe fn regression_loss(
    rows: usize, cols: usize, pred: *const f32, target: *const f32, scale: f32, loss_out: *mut f32, grad: *mut f32,
    term: impl Fn(F4) -> F4, slope: impl Fn(F4) -> F4,
) {
    let inv_cols = 1.0 / cols as f32;
    let k4 = F4::splat(scale * inv_cols);
    let has_grad = !grad.is_null();
    for r in 0..rows {
        let (pr, tr) = (pred.add(r * cols), target.add(r * cols));
        let mut acc = F4::zero();
        let mut j = 0;
        while j + 4 <= cols {
            let d = load_w::<4>(pr.add(j)).sub(load_w::<4>(tr.add(j)));
            acc = acc.add(term(d));
            if has_grad { store_w::<4>(k4.mul(slope(d)), grad.add(r * cols + j)); }
            j += 4;
        }
        let mut sum = acc.sum();
        while j < cols {
            let d = load_w::<1>(pr.add(j)).sub(load_w::<1>(tr.add(j)));
            sum += term(d).first();
            if has_grad { store_w::<1>(k4.mul(slope(d)), grad.add(r * cols + j)); }
            j += 1;
        }
        *loss_out.add(r) = sum * inv_cols;
    }
}

#[no_mangle]
pub unsafe extern "C" fn loss_mean_squared_error(
    rows: usize, cols: usize, pred: *const f32, target: *const f32, scale: f32, loss_out: *mut f32, grad: *mut f32,
) {
    regression_loss(rows, cols, pred, target, scale, loss_out, grad, |d| d.mul(d), |d| d.add(d));
}

#[no_mangle]
pub unsafe extern "C" fn loss_mean_absolute_error(
    rows: usize, cols: usize, pred: *const f32, target: *const f32, scale: f32, loss_out: *mut f32, grad: *mut f32,
) {
    let (zero, one) = (F4::zero(), F4::splat(1.0));
    // sign(d), 0 at equality
    let sign = |d: F4| F4::select(d.gt(zero), one, F4::select(d.lt(zero), one.neg(), zero));
    regression_loss(rows, cols, pred, target, scale, loss_out, grad, |d| d.abs(), sign);
}
