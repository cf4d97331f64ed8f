// Where the libraries that read Keras files come from: jsfive (HDF5) and fflate (zip) are imported
// by their package names when the first Keras file loads, unless modules were handed over here for
// runtimes where the names do not resolve (a module Web Worker does not see the page's import map).
// This file names no type of theirs, so the public declarations need neither package.
import { LwError } from '../../errors.js';

/** The modules handed over so far. */
export const givenParsers: { jsfive?: unknown; fflate?: unknown } = {};

/**
 * Hands lstm-wasm the modules `import('jsfive')` and `import('fflate')` give, for runtimes where
 * the package names do not resolve (a module worker: `lw.setKerasParsers({ jsfive: await
 * import('/node_modules/jsfive/dist/esm/index.mjs'), fflate: await import(...) })`). A library not
 * given is imported by its name when a Keras file is first loaded.
 */
export function setKerasParsers(parsers: { jsfive?: unknown; fflate?: unknown }): void {
  const { jsfive, fflate } = parsers ?? {};
  if (jsfive !== undefined && typeof (jsfive as { File?: unknown })?.File !== 'function') {
    throw new LwError('BAD_ARGUMENT', 'setKerasParsers: "jsfive" must be the jsfive module (it has no File class)');
  }
  if (fflate !== undefined && typeof (fflate as { Unzip?: unknown })?.Unzip !== 'function') {
    throw new LwError('BAD_ARGUMENT', 'setKerasParsers: "fflate" must be the fflate module (it has no Unzip class)');
  }
  if (jsfive !== undefined) givenParsers.jsfive = jsfive;
  if (fflate !== undefined) givenParsers.fflate = fflate;
}
