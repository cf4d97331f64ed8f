//! Work splitting for the worker pool of the simd-threads flavour.
//!
//! One job at a time: the calling thread (the leader, the JS thread that called the kernel)
//! publishes `(f, ctx, parts)` in the control block below and wakes the workers; then every
//! thread, the leader included, claims parts from a shared counter and runs
//! `f(ctx, part, parts, tid)` until none are left, and the leader waits for the parts others
//! hold. Kernels describe their work as `parallel(parts, pool, &ctx, f)` (`tid` indexes
//! per-thread scratch): the split (and every result bit) depends on `parts` only,
//! never on which thread runs a part, and a worker that is late (asleep, descheduled) costs
//! nothing: the leader runs the parts nobody has claimed. Waiting is done in JS (`Atomics.wait` /
//! `notify` on the control block) through two imports, because wasm's wait/notify intrinsics are
//! unstable in this Rust.
//!
//! Only the simd-threads flavour (built with `--cfg lw_threads`, see scripts/build-wasm.mjs) has a
//! pool; elsewhere `threads()` is 1, every `parts` is 1 and `parallel` is a plain call of
//! `f(ctx, 0, 1)`, and the module neither imports nor exports anything more.
//!
//! Control block (i32 words at `threads_ctrl()`; ts/backend/wasm/threads-protocol.ts mirrors it):
//!   0 gen       job generation, bumped once per job; idle workers wait on it
//!   1 done      bumped by a worker each time it runs out of parts to claim (and by the pool when
//!               a worker dies); the leader waits on it
//!   2 sleepers  workers parked in Atomics.wait (the leader notifies only when some are)
//!   3 failed    0, or 1 + the index of the first worker that died or trapped: the pool is broken
//!   4 threads   pool size, the leader included (`threads_set`)
//!   5 busy      a job is running: nested `parallel` calls run their parts in order
//!   6 stop      workers leave their loop at the next job
//!   7 claim     (gen & 0xffff) << 16 | parts << 8 | next unclaimed part, of the current job
//!   8 func      the current job's part function (a table index)
//!   9 ctx       the current job's context pointer
//!   10          never written (JS probes whether its thread may block with Atomics.wait on it)
//!   11 finished parts of the current job that have finished
//!   16 + t      holding[t]: 1 while thread t is claiming or running a part
//!   16 + MAX_THREADS + t   dead[t]: 0, or why worker t is gone (1 exited, 2 threw, 3 stopped
//!               answering; set from JS)
use core::sync::atomic::{AtomicI32, AtomicUsize, Ordering::Relaxed};
use crate::math::min;

/// Most threads a pool may have (the leader included).
pub const MAX_THREADS: usize = 64;

/// Jobs below this many flops stay on one thread: waking a parked worker costs tens of µs.
const MIN_PARALLEL_FLOPS: usize = 1 << 21;
/// Smallest part worth a thread of its own.
const MIN_PART_FLOPS: usize = 1 << 20;
/// Parts per thread for row splits: a thread that falls behind (woken late, slowed by another
/// process) leaves parts to the others instead of making them wait. Measured on the seed
/// model's LSTMs with 2 threads: 2 per thread beat 1 (and 4), and cache-sized chunks.
const PARTS_PER_THREAD: usize = 2;

#[repr(C)]
pub struct Ctrl {
    gen: AtomicI32,
    done: AtomicI32,
    sleepers: AtomicI32,
    failed: AtomicI32,
    threads: AtomicI32,
    busy: AtomicI32,
    stop: AtomicI32,
    claim: AtomicI32,
    func: AtomicUsize,
    ctx: AtomicUsize,
    _probe: i32,
    finished: AtomicI32,
    _reserved: [i32; 4],
    holding: [AtomicI32; MAX_THREADS],
    dead: [AtomicI32; MAX_THREADS],
}

const ZERO: AtomicI32 = AtomicI32::new(0);

static CTRL: Ctrl = Ctrl {
    gen: ZERO,
    done: ZERO,
    sleepers: ZERO,
    failed: ZERO,
    threads: AtomicI32::new(1),
    busy: ZERO,
    stop: ZERO,
    claim: ZERO,
    func: AtomicUsize::new(0),
    ctx: AtomicUsize::new(0),
    _probe: 0,
    finished: ZERO,
    _reserved: [0; 4],
    holding: [ZERO; MAX_THREADS],
    dead: [ZERO; MAX_THREADS],
};

/// Threads of the pool, the calling one included (1 outside the simd-threads flavour).
#[inline(always)]
pub fn threads() -> usize {
    if cfg!(lw_threads) { CTRL.threads.load(Relaxed) as usize } else { 1 }
}

/// Threads worth using for a job of `flops` that has `units` independent pieces (rows, column
/// groups): 1 for small jobs, else up to one per thread.
#[inline(always)]
pub fn parts_for(units: usize, flops: usize) -> usize {
    let t = threads();
    if t <= 1 || flops < MIN_PARALLEL_FLOPS { return 1; }
    let by_work = flops / MIN_PART_FLOPS;
    let p = min(t, min(units, by_work));
    if p == 0 { 1 } else { p }
}

/// How a batch of `rows` independent rows is processed: in `parts` parts, on the pool when `pool`
/// (then `PARTS_PER_THREAD` parts per useful thread), else in one part on the calling thread.
#[derive(Clone, Copy)]
pub struct RowPlan { pub parts: usize, pub pool: bool }

/// The row plan for `rows` rows and `flops` of work. A part never has more than `rows` rows, so
/// per-thread scratch sized for `rows` fits whatever the pool does.
#[inline(always)]
pub fn row_plan(rows: usize, flops: usize) -> RowPlan {
    let by_threads = parts_for(rows, flops);
    if by_threads <= 1 { return RowPlan { parts: 1, pool: false }; }
    RowPlan { parts: min(rows, PARTS_PER_THREAD * by_threads), pool: true }
}

/// Part `p` of `parts` of [0, total): [lo, hi), boundaries at multiples of `align` (but the end).
#[inline(always)]
pub fn span(total: usize, parts: usize, p: usize, align: usize) -> (usize, usize) {
    if parts <= 1 { return (0, total); }
    let units = (total + align - 1) / align;
    let lo = min(total, units * p / parts * align);
    let hi = min(total, units * (p + 1) / parts * align);
    (lo, hi)
}

/// A float read or written by a streaming pass (an optimizer update, a fill, a gather from far
/// caches) costs about as much time as this many GEMM flops (~0.3 ns against ~35 GFLOP/s), for
/// the plans of passes that do no arithmetic to speak of.
pub const STREAM_FLOPS: usize = 8;
/// Items a part of `for_range` has at least.
const MIN_RANGE_PART: usize = 4096;

/// Runs `f(part, lo, hi)` over [0, n) in parts whose bounds are multiples of 16 items (64-byte
/// lines of f32, and the same 4-item blocks as one pass over the whole range), on the pool when
/// `n · cost` flops are worth it; returns the number of parts (< MAX_THREADS).
#[inline(always)]
pub unsafe fn for_range<F: Fn(usize, usize, usize)>(n: usize, cost: usize, f: F) -> usize {
    struct Job<F> { n: usize, f: F }
    unsafe fn part<F: Fn(usize, usize, usize)>(j: &Job<F>, p: usize, parts: usize, _tid: usize) {
        let (lo, hi) = span(j.n, parts, p, 16);
        if lo < hi { (j.f)(p, lo, hi); }
    }
    let parts = parts_for(n / MIN_RANGE_PART, n * cost);
    parallel(parts, true, &Job { n, f }, part::<F>);
    parts
}

/// Runs `f(ctx, part, parts, tid)` for every part < parts, `tid` naming the thread that runs it
/// (0 = the caller, < `threads()`: an index for per-thread scratch). On the pool's threads when
/// `pool` and no job is running; otherwise (nested calls, broken pools, small jobs) the caller
/// runs the parts in order. Results depend on `parts` only.
#[inline(always)]
pub unsafe fn parallel<C>(parts: usize, pool: bool, ctx: &C, f: unsafe fn(&C, usize, usize, usize)) {
    #[cfg(lw_threads)]
    {
        if pool && parts > 1 && CTRL.busy.load(Relaxed) == 0 && CTRL.failed.load(Relaxed) == 0 {
            pool::dispatch(parts, ctx as *const C as usize, f as usize);
            return;
        }
    }
    let _ = pool;
    for p in 0..parts {
        f(ctx, p, parts, 0);
    }
}

#[cfg(lw_threads)]
mod pool {
    use super::{CTRL, MAX_THREADS};
    use core::sync::atomic::Ordering::{Relaxed, SeqCst};

    type PartFn = unsafe fn(usize, usize, usize, usize);

    #[link(wasm_import_module = "env")]
    extern "C" {
        /// A job was published: wakes the workers parked on `gen` (Atomics.notify), if any.
        fn lw_wake();
        /// Returns when all `parts` parts have finished, or (pool broken) when no live worker
        /// holds one (spinning, then Atomics.wait on `done` where the thread may block).
        fn lw_join(parts: i32);
    }

    #[inline(never)]
    pub unsafe fn dispatch(parts: usize, ctx: usize, f: usize) {
        CTRL.busy.store(1, Relaxed);
        CTRL.func.store(f, Relaxed);
        CTRL.ctx.store(ctx, Relaxed);
        CTRL.finished.store(0, Relaxed);
        let gen = CTRL.gen.load(Relaxed).wrapping_add(1);
        // SeqCst: the job is complete in memory before any thread can claim a part of it.
        CTRL.claim.store(((gen & 0xffff) << 16) | ((parts as i32) << 8), SeqCst);
        CTRL.gen.store(gen, SeqCst);
        lw_wake();
        run_parts(0);
        lw_join(parts as i32);
        CTRL.busy.store(0, Relaxed);
    }

    /// Claims and runs parts of the current job until none are left (thread `tid`'s share).
    /// A claim is a compare-and-swap of the whole claim word, so a thread that read a finished
    /// job's word claims nothing; func and ctx read after a claim belong to the claimed job,
    /// which cannot finish (and be replaced) while the part runs.
    unsafe fn run_parts(tid: usize) {
        let holding = &CTRL.holding[tid];
        loop {
            let w = CTRL.claim.load(SeqCst);
            let (parts, next) = (((w >> 8) & 0xff) as usize, (w & 0xff) as usize);
            if next >= parts { return; }
            // Announced before the claim, so a thread that dies holding a part is always seen.
            holding.store(1, SeqCst);
            if CTRL.claim.compare_exchange(w, w + 1, SeqCst, SeqCst).is_ok() {
                let part: PartFn = core::mem::transmute(CTRL.func.load(Relaxed));
                part(CTRL.ctx.load(Relaxed), next, parts, tid);
                CTRL.finished.fetch_add(1, SeqCst);
            }
            holding.store(0, SeqCst);
        }
    }

    /// Address of the control block (for the JS side of the pool).
    #[no_mangle]
    pub extern "C" fn threads_ctrl() -> usize { &CTRL as *const _ as usize }

    /// Sets the pool size (1..=MAX_THREADS), before any workspace is sized.
    #[no_mangle]
    pub extern "C" fn threads_set(n: i32) {
        let n = if n < 1 { 1 } else if n as usize > MAX_THREADS { MAX_THREADS as i32 } else { n };
        CTRL.threads.store(n, SeqCst);
    }

    /// Worker `tid`'s share of the current job: the parts it can still claim. The JS loop then
    /// bumps `done` and notifies the leader.
    #[no_mangle]
    pub unsafe extern "C" fn worker_run(tid: usize) {
        if tid < MAX_THREADS { run_parts(tid); }
    }

    #[no_mangle]
    pub extern "C" fn threads_max() -> i32 { MAX_THREADS as i32 }
}
