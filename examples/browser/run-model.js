// The page of run-model.html: hands dropped files and typed input to the worker and shows its
// replies. It runs no model itself, so it stays responsive while a model loads or predicts.
// What it shows is also published as window.__runModel for automated checks
// (test/packaging/browser-run-model.test.ts).
import { formatShape } from './format-shape.js';

const $ = (id) => document.getElementById(id);

const state = {
  backend: null,
  inWorker: null,
  /** Replies to this page's requests (loaded, predicted or error), counted so a check can wait for the next one. */
  replies: 0,
  busy: false,
  files: [],
  model: null,
  tokenizer: null,
  prediction: null,
  error: null,
};
window.__runModel = state;

// The worker cannot read the page's import map: it gets the URLs the map gives (keras-parsers.js),
// and where protobufjs's browser build is (a classic script: ONNX files).
const parserUrls = {
  jsfive: import.meta.resolve('jsfive'),
  fflate: import.meta.resolve('fflate'),
  protobuf: new URL('/node_modules/protobufjs/dist/light/protobuf.min.js', import.meta.url).href,
};

const worker = new Worker(new URL('./run-model-worker.js', import.meta.url), { type: 'module' });
worker.onerror = (e) => {
  e.preventDefault();
  reply({ type: 'error', message: e.message || 'the worker failed to start (is dist/ built? npm run build:ts)' });
};
worker.onmessageerror = () => reply({ type: 'error', message: 'a message from the worker could not be read' });
worker.onmessage = ({ data: msg }) => (msg.type === 'ready' ? started(msg) : reply(msg));

function started({ backend, inWorker }) {
  Object.assign(state, { backend, inWorker });
  if (!state.busy) setStatus(`ready (${backend} kernels in ${inWorker ? 'a Web Worker' : 'the main thread'}): drop a model`);
}

function send(msg, status) {
  state.busy = true;
  state.error = null;
  $('error').hidden = true;
  $('predict').disabled = true;
  setStatus(status);
  worker.postMessage(msg);
}

function reply(msg) {
  state.busy = false;
  if (msg.type === 'loaded') showLoaded(msg);
  else if (msg.type === 'predicted') showPrediction(msg);
  else if (msg.type === 'error') showError(msg);
  $('predict').disabled = !state.model;
  state.replies++;
}

const setStatus = (text) => ($('status').textContent = text);

function showError({ message, code }) {
  state.error = { message, code: code ?? null };
  $('error').textContent = message;
  $('error').hidden = false;
  setStatus(state.model ? `model "${state.model.name}" loaded; the last step failed:` : 'failed:');
}

// --- dropping files ------------------------------------------------------------------------------
function loadFiles(fileList) {
  const files = [...fileList];
  if (!files.length) return;
  send({ type: 'load', files, parserUrls }, `reading ${files.map((f) => f.name).join(', ')}…`);
}

$('files').addEventListener('change', (e) => {
  loadFiles(e.target.files);
  e.target.value = ''; // the same file chosen again is a new change
});
// A drop anywhere on the page loads the files (instead of the browser opening them).
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  $('drop').classList.add('over');
});
document.addEventListener('dragleave', (e) => e.relatedTarget === null && $('drop').classList.remove('over'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  $('drop').classList.remove('over');
  loadFiles(e.dataTransfer?.files ?? []);
});

function showLoaded({ files, model, tokenizer }) {
  Object.assign(state, { files, model, tokenizer });
  const parts = [];
  if (model) parts.push(`model "${model.name}"`);
  if (tokenizer) parts.push(`a tokenizer of ${tokenizer.words} words${tokenizer.numWords ? ` (the ${tokenizer.numWords - 1} most frequent used)` : ''}`);
  setStatus(model ? `loaded ${parts.join(' and ')}` : `loaded ${parts.join(' and ')}: now drop the model`);
  $('loaded').textContent = `from ${files.join(', ')}`;
  if (!model) return;
  $('summary').textContent = model.summary;
  $('model-section').hidden = false;
  if (tokenizer && model.inputs[0]?.shape.length === 2) $('mode-text').checked = true;
  showInputHint();
}

// --- typing an input and predicting -----------------------------------------------------------------
const mode = () => document.querySelector('input[name="mode"]:checked').value;

function showInputHint() {
  const m = state.model;
  if (!m) return;
  const input = m.inputs[0];
  const sample = input.shape.slice(1);
  const more = m.inputs.length > 1 ? ` (and ${m.inputs.length - 1} more: this page feeds the first only)` : '';
  const how = mode() === 'text'
    ? `one text per line; each becomes ${sample[0] ?? 'as many'} token ids`
    : `one sample ${formatShape(sample)} as nested lists, several as ${formatShape(['n', ...sample])}, or numbers separated by commas that fill whole samples`;
  $('input-hint').textContent = `input "${input.name}" ${formatShape(input.shape)}${more}: ${how}`;
  $('input').placeholder = mode() === 'text' ? 'a text to classify\nanother text' : '[[0.1, 0.2], [0.3, 0.4]]  or  0.1, 0.2, 0.3, 0.4';
}
for (const radio of document.querySelectorAll('input[name="mode"]')) radio.addEventListener('change', showInputHint);

function predict() {
  if (!state.model || state.busy) return;
  send({ type: 'predict', mode: mode(), text: $('input').value, padding: $('padding').value, truncating: $('truncating').value }, 'predicting…');
}
$('predict').addEventListener('click', predict);
$('input').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) predict();
});

function showPrediction({ inputShape, ids, outputs }) {
  state.prediction = { inputShape, ids, outputs };
  setStatus(`predicted ${inputShape[0]} sample${inputShape[0] === 1 ? '' : 's'}`);
  $('fed').textContent = `fed ${formatShape(inputShape)}${ids ? ' token ids:' : ''}`;
  $('ids').hidden = !ids;
  $('ids').textContent = ids ? ids.map((row) => JSON.stringify(row).replaceAll(',', ', ')).join('\n') : '';
  $('predictions').replaceChildren(...outputs.map(outputView));
  $('output-section').hidden = false;
}

/** One output: its name and shape, then one line of values (6 significant digits) per sample. */
function outputView({ name, shape, values }) {
  const view = document.createElement('section');
  view.className = 'output';
  const title = document.createElement('h3');
  title.textContent = `${name} ${formatShape(shape)}`;
  const pre = document.createElement('pre');
  pre.className = 'values';
  const per = values.length / shape[0];
  const rows = [];
  for (let r = 0; r < shape[0]; r++) rows.push(nested(values.slice(r * per, (r + 1) * per), shape.slice(1)));
  pre.textContent = rows.map((row) => JSON.stringify(row).replaceAll(',', ', ')).join('\n');
  view.append(title, pre);
  return view;
}

function nested(values, shape) {
  if (!shape.length) return Number(values[0].toPrecision(6));
  const per = values.length / shape[0];
  return Array.from({ length: shape[0] }, (_, i) => nested(values.slice(i * per, (i + 1) * per), shape.slice(1)));
}
