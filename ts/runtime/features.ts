// Feature detection by validating tiny hand-assembled modules (no instantiation, no network).

/** (module (func (result v128) i32.const 0 i32x4.splat)) */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x0b, // code: i32.const 0; i32x4.splat; end
]);

export function hasWebAssembly(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function';
}

export function hasSimd(): boolean {
  return hasWebAssembly() && WebAssembly.validate(SIMD_PROBE);
}

/** Shared wasm memories need SharedArrayBuffer, which browsers give only to cross-origin-isolated pages. */
export function hasSharedMemory(): boolean {
  if (!hasWebAssembly() || typeof SharedArrayBuffer === 'undefined') return false;
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return false;
  try {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor);
    return m.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}
