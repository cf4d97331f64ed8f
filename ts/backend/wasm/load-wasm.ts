import { LwError } from '../../errors.js';
import { readFileUrl } from '../../environment.js';

export type WasmFlavour = 'simd' | 'scalar' | 'simd-threads';

/** A compiled `WebAssembly.Module`, typed loosely so Node-only TypeScript setups (no DOM lib) compile. */
export type CompiledWasm = object;

/** Where a module comes from: its bytes, a compiled module, or a URL (string or URL). */
export type WasmSource = ArrayBuffer | ArrayBufferView | CompiledWasm | URL | string;

/** The module shipped beside the package: `<package>/wasm/kernels-<flavour>.wasm`. */
function defaultWasmUrl(flavour: WasmFlavour): URL {
  // ts/backend/wasm and dist/backend/wasm are both three levels below the package root.
  return new URL(`../../../wasm/kernels-${flavour}.wasm`, import.meta.url);
}

const compiled = new Map<string, Promise<CompiledWasm>>();

/** Compiles (once per flavour and source) the kernels module. */
export function compileKernels(flavour: WasmFlavour, source?: WasmSource): Promise<CompiledWasm> {
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  const key = source === undefined ? flavour : null;
  if (key && compiled.has(key)) return compiled.get(key)!;
  const p = compileFrom(flavour, (source ?? defaultWasmUrl(flavour)) as ArrayBuffer | ArrayBufferView | URL | string);
  if (key) {
    compiled.set(key, p);
    p.catch(() => compiled.delete(key));
  }
  return p;
}

async function compileFrom(flavour: WasmFlavour, source: ArrayBuffer | ArrayBufferView | URL | string): Promise<CompiledWasm> {
  try {
    if (typeof source !== 'string' && !(source instanceof URL)) return await WebAssembly.compile(source as BufferSource);
    const url = typeof source === 'string' ? new URL(source, baseUrl()) : source;
    if (url.protocol === 'file:') return await WebAssembly.compile(await readFileUrl(url));
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
    if (typeof WebAssembly.compileStreaming === 'function' && res.headers.get('content-type')?.includes('application/wasm')) {
      return await WebAssembly.compileStreaming(res);
    }
    return await WebAssembly.compile(await res.arrayBuffer());
  } catch (e) {
    throw new LwError(
      'WASM_LOAD',
      `could not load the ${flavour} kernels from ${describe(source)}: ${(e as Error).message}. ` +
        `Build them with \`npm run build:wasm\`, or pass the bytes or URL: lw.ready({ wasm: { ${flavour.replace('-t', 'T')}: ... } })`,
      { flavour },
    );
  }
}

function baseUrl(): string {
  const loc = (globalThis as { location?: { href: string } }).location;
  return loc?.href ?? import.meta.url;
}

function describe(source: ArrayBuffer | ArrayBufferView | URL | string): string {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  return `${source.byteLength} bytes`;
}
