// The two libraries that read Keras files, jsfive (HDF5) and fflate (zip), loaded only when a
// Keras file is: by their package names, or as modules handed over with setKerasParsers where
// names do not resolve (a module Web Worker does not see the page's import map).
import { LwError } from '../../errors.js';
import type * as Jsfive from 'jsfive';
import type * as Fflate from 'fflate';

export interface KerasParsers {
  jsfive: typeof Jsfive;
  fflate: typeof Fflate;
}

let given: Partial<KerasParsers> = {};

/**
 * Hands lstm-wasm the modules `import('jsfive')` and `import('fflate')` give, for runtimes where
 * the package names do not resolve (a module worker: `lw.setKerasParsers({ jsfive: await
 * import('/node_modules/jsfive/dist/esm/index.mjs'), fflate: await import(...) })`). A library not
 * given is imported by its name when a Keras file is first loaded.
 */
export function setKerasParsers(parsers: { jsfive?: unknown; fflate?: unknown }): void {
  const { jsfive, fflate } = parsers ?? {};
  if (jsfive !== undefined && typeof (jsfive as Partial<typeof Jsfive>)?.File !== 'function') {
    throw new LwError('BAD_ARGUMENT', 'setKerasParsers: "jsfive" must be the jsfive module (it has no File class)');
  }
  if (fflate !== undefined && typeof (fflate as Partial<typeof Fflate>)?.Unzip !== 'function') {
    throw new LwError('BAD_ARGUMENT', 'setKerasParsers: "fflate" must be the fflate module (it has no Unzip class)');
  }
  given = { ...given, ...(jsfive ? { jsfive: jsfive as typeof Jsfive } : {}), ...(fflate ? { fflate: fflate as typeof Fflate } : {}) };
}

async function importByName<T>(name: string): Promise<T> {
  try {
    return (await import(/* @vite-ignore */ name)) as T;
  } catch (e) {
    throw new LwError('UNSUPPORTED', `reading Keras files needs the "${name}" package, which cannot be imported here (${(e as Error).message}); install it, or hand it over with lw.setKerasParsers`);
  }
}

/** The parsers, imported on first use. */
export async function kerasParsers(): Promise<KerasParsers> {
  const jsfive = given.jsfive ?? (await importByName<typeof Jsfive>('jsfive'));
  const fflate = given.fflate ?? (await importByName<typeof Fflate>('fflate'));
  return { jsfive, fflate };
}
