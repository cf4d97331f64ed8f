// The readers lw.loadModel needs for .keras (a zip: fflate) and .h5 (HDF5: jsfive) files, in a
// module worker. The loader imports them by bare specifier, but a page's import map does not reach
// its workers (Chromium resolves no bare specifier in a worker), so the page sends the URLs its
// import map gives, and the worker imports them on the first such file and hands them to lw.
// `lw.setKerasParsers({ jsfive, fflate })` makes the readers use the modules given.
import * as lw from '../../dist/index.js';

let handedOver = null;

/**
 * Imports jsfive and fflate from `urls` and hands them to lw, once (again after a failure).
 * @param {{ jsfive: string, fflate: string }} urls
 */
export function useKerasParsers(urls) {
  handedOver ??= handOver(urls).catch((e) => {
    handedOver = null;
    throw e;
  });
  return handedOver;
}

async function handOver(urls) {
  const [jsfive, fflate] = await Promise.all([importParser('jsfive', urls.jsfive), importParser('fflate', urls.fflate)]);
  lw.setKerasParsers({ jsfive, fflate });
}

async function importParser(name, url) {
  try {
    return await import(url);
  } catch (e) {
    throw new lw.LwError('UNSUPPORTED', `cannot import ${name} (the reader of ${name === 'jsfive' ? 'HDF5' : 'zip'} files) from ${url}: ${e.message}; install it with npm install ${name}`, { url });
  }
}

let onnxHandedOver = null;

/**
 * protobufjs (the reader of ONNX files) in the worker: its browser build is a classic script, which
 * a module worker cannot import, so its text is run in the worker's global scope, where it defines
 * `self.protobuf`; that is handed to lw. Once (again after a failure).
 * @param {string} url
 */
export function useOnnxProtobuf(url) {
  onnxHandedOver ??= (async () => {
    const res = await fetch(url);
    if (!res.ok) throw new lw.LwError('UNSUPPORTED', `cannot fetch protobufjs (the reader of ONNX files) from ${url}: HTTP ${res.status}; install it with npm install protobufjs`, { url });
    (0, eval)(await res.text()); // global eval: the script's `self.protobuf`
    lw.setOnnxProtobuf(self.protobuf);
  })().catch((e) => {
    onnxHandedOver = null;
    throw e;
  });
  return onnxHandedOver;
}
