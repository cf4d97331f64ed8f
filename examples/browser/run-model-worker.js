// Module worker of run-model.html: loads the model a person dropped and predicts with it, so the
// page's main thread only shows results. Messages are handled one at a time, in order; each one
// gets one reply, `{ type: 'error', message, code }` when it failed.
import * as lw from '../../dist/index.js';
import { sortDroppedFiles, tfjsHandler } from './model-files.js';
import { numbersToBatch, textToBatch } from './model-input.js';
import { useKerasParsers, useOnnxProtobuf } from './keras-parsers.js';

const KERAS_FILE = /\.(keras|h5|hdf5)$/i;

const ready = lw.ready();
let model = null;
let tokenizer = null;

/** What the page shows of the model and the tokenizer. */
function loadedReply(files) {
  return {
    type: 'loaded',
    files,
    model: model && {
      name: model.name,
      summary: model.summary(80, () => {}),
      inputs: model.inputs.map((t) => ({ name: t.name, shape: t.shape })),
      outputs: model.outputs.map((t) => ({ name: t.node.layer.name, shape: t.shape })),
    },
    tokenizer: tokenizer && { words: tokenizer.wordIndex.size, numWords: tokenizer.numWords ?? null },
  };
}

async function loadDropped(file, parserUrls) {
  if (file.kind === 'tfjs') return lw.loadModel(tfjsHandler(file));
  if (KERAS_FILE.test(file.file.name)) await useKerasParsers(parserUrls);
  if (/\.onnx$/i.test(file.file.name)) await useOnnxProtobuf(parserUrls.protobuf);
  return lw.loadModel(new Uint8Array(await file.file.arrayBuffer()));
}

const handlers = {
  /** Replaces the model and/or the tokenizer with the dropped ones; a failed load keeps the old model. */
  async load({ files, parserUrls }) {
    const dropped = await sortDroppedFiles(files);
    const nextTokenizer = dropped.tokenizer && lw.data.Tokenizer.fromJSON(dropped.tokenizer.json);
    if (dropped.model) {
      const next = await loadDropped(dropped.model, parserUrls);
      model?.dispose();
      model = next;
    }
    if (nextTokenizer) tokenizer = nextTokenizer;
    return loadedReply(files.map((f) => f.name));
  },

  /** Predictions for the typed input: `mode` 'text' (through the tokenizer) or 'numbers'. */
  async predict({ mode, text, padding, truncating }) {
    if (!model) throw new lw.LwError('NOT_READY', 'drop a model first');
    if (model.inputs.length !== 1) {
      throw new lw.LwError('UNSUPPORTED', `this page feeds models with one input; "${model.name}" has ${model.inputs.length} (${model.inputs.map((t) => t.name).join(', ')})`);
    }
    const shape = model.inputs[0].shape;
    let x, ids = null;
    if (mode === 'text') {
      if (!tokenizer) throw new lw.LwError('NOT_READY', 'to enter text, drop the tokenizer JSON the model was trained with (Tokenizer.toJSON()); or enter numbers');
      ({ x, ids } = textToBatch(text, tokenizer, shape, { padding, truncating }));
    } else {
      x = numbersToBatch(text, shape);
    }
    const out = model.predict(x);
    const outputs = (Array.isArray(out) ? out : [out]).map((t, i) => ({
      name: model.outputs[i].node.layer.name,
      shape: [...t.shape],
      values: Array.from(t.dataSync()),
    }));
    return { type: 'predicted', inputShape: [...x.shape], ids, outputs };
  },
};

async function handle(msg) {
  try {
    await ready;
    const handler = handlers[msg?.type];
    if (!handler) throw new lw.LwError('BAD_ARGUMENT', `the worker has no message "${msg?.type}"`);
    return await handler(msg);
  } catch (e) {
    return { type: 'error', message: e?.message ?? String(e), code: e?.code ?? null };
  }
}

// Decided here, by the code that runs the model: a worker has no document.
const inWorker = typeof document === 'undefined' && typeof WorkerGlobalScope !== 'undefined' && self instanceof WorkerGlobalScope;
ready.then(
  (backend) => self.postMessage({ type: 'ready', backend, inWorker }),
  (e) => self.postMessage({ type: 'error', message: e?.message ?? String(e), code: e?.code ?? null }),
);

let queue = Promise.resolve();
self.onmessage = ({ data: msg }) => {
  queue = queue
    .then(async () => self.postMessage(await handle(msg)))
    .catch((e) => self.postMessage({ type: 'error', message: `the worker could not send its reply: ${e?.message ?? e}`, code: null }));
};
