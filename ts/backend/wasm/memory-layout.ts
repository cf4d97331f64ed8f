// Memory limits of the wasm modules; must match scripts/build-wasm.mjs.
import { MAX_MEMORY_BYTES } from '../backend.js';

export const PAGE_BYTES = 65536;
/** Initial pages: 1 MiB stack + static data fit in the 4 MiB the linker declares. */
export const INITIAL_PAGES = 64;
/** Non-shared memories may grow to 65535 pages (just under 4 GiB): MAX_MEMORY_BYTES. */
export const MAX_PAGES = MAX_MEMORY_BYTES / PAGE_BYTES;
/** A shared memory reserves its maximum up front, so it is kept at 2 GiB. */
export const MAX_PAGES_SHARED = 32768;
