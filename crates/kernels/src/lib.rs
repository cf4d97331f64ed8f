//! lstm-wasm kernels: plain `extern "C"` functions over pointers into linear memory.
//!
//! Conventions (every kernel file documents its buffers' shapes in its header):
//! - f32 everywhere, i32 for token ids and class ids; row-major; byte pointers; 0 means "absent".
//! - Kernels never allocate and never panic on valid input: TypeScript checks shapes first.
//! - Parameter gradients are *accumulated* (`+=`) so shared weights and several consumers work;
//!   the training loop zeroes the gradient block once per step. Input gradients are overwritten.
//! - Scratch memory comes from a caller-provided workspace (`*_ws_floats` gives its size), so
//!   each thread of the worker pool can own its own.
#![no_std]

pub mod simd;
pub mod math;
pub mod threads;
pub mod gemm;
pub mod activations;
pub mod recurrent;
pub mod lstm;
pub mod gru;
pub mod simple_rnn;
pub mod dense;
pub mod embedding;
pub mod losses;
pub mod optim;
pub mod elementwise;

#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Which flavour this module was built as: 1 = simd128, 0 = scalar.
#[no_mangle]
pub extern "C" fn kernels_simd() -> i32 {
    if cfg!(target_feature = "simd128") { 1 } else { 0 }
}

/// ABI version: bump whenever an exported signature or the set of activation codes changes; the
/// runtime checks it (a module without code 6 would run it as linear).
#[no_mangle]
pub extern "C" fn kernels_abi_version() -> i32 {
    5
}
