// Memory limits of the wasm modules; must match scripts/build-wasm.mjs.
export const PAGE_BYTES = 65536;
/** Initial pages: 1 MiB stack + static data fit in the 4 MiB the linker declares. */
export const INITIAL_PAGES = 64;
/** Non-shared memories may grow to 65535 pages (just under 4 GiB). */
export const MAX_PAGES = 65535;
/** A shared memory reserves its maximum up front, so it is kept at 2 GiB. */
export const MAX_PAGES_SHARED = 32768;
/** Every allocation is aligned to 16 bytes (one v128; also 8-byte aligned for float64). */
export const ALIGN = 16;
