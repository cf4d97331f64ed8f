// The page: starts the training worker, keeps an animation-frame counter running (proof that the
// main thread is free), and draws the loss curve as losses arrive. Progress is also published as
// window.__trainState for automated checks (test/packaging/browser.test.ts).

const $ = (id) => document.getElementById(id);

const state = {
  backend: null,
  inWorker: null,
  crossOriginIsolated: self.crossOriginIsolated === true,
  batchLosses: [],
  losses: [], // per epoch
  frames: 0,
  framesAtStart: null, // animation frames counted when training started ...
  framesAtEnd: null, // ... and when it finished
  longestFrameGapMs: 0, // longest main-thread gap between frames while training
  trainMs: null,
  testMse: null,
  predictMse: null,
  naiveMse: null,
  done: false,
  error: null,
};
window.__trainState = state;

// --- the animation-frame counter -------------------------------------------------------------
const spinner = '|/-\\';
let lastFrame = null;
let dirty = true;
function frame(now) {
  state.frames++;
  const training = state.framesAtStart !== null && !state.done;
  if (training && lastFrame !== null) state.longestFrameGapMs = Math.max(state.longestFrameGapMs, now - lastFrame);
  lastFrame = now;
  $('spinner').textContent = spinner[(state.frames >> 3) % 4];
  $('frames').textContent = String(state.frames);
  if (dirty) {
    draw();
    dirty = false;
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

// --- the loss curve --------------------------------------------------------------------------
function draw() {
  const canvas = $('curve');
  const g = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height, pad = 40;
  g.clearRect(0, 0, w, h);
  g.font = '12px system-ui, sans-serif';
  g.fillStyle = '#666';
  const ls = state.batchLosses;
  if (ls.length < 2) {
    g.fillText('waiting for the first batches…', pad, h / 2);
    return;
  }
  // Log scale: the loss falls over orders of magnitude.
  const logs = ls.map((v) => Math.log10(Math.max(v, 1e-8)));
  const top = Math.ceil(Math.max(...logs)), bottom = Math.floor(Math.min(...logs));
  const px = (i) => pad + (i / (ls.length - 1)) * (w - 2 * pad);
  const py = (l) => pad / 2 + ((top - l) / Math.max(top - bottom, 1)) * (h - 1.5 * pad);
  g.strokeStyle = '#ddd';
  for (let d = bottom; d <= top; d++) {
    g.beginPath();
    g.moveTo(pad, py(d));
    g.lineTo(w - pad, py(d));
    g.stroke();
    g.fillText(`1e${d}`, 2, py(d) + 4);
  }
  g.strokeStyle = '#1f6feb';
  g.beginPath();
  logs.forEach((l, i) => (i ? g.lineTo(px(i), py(l)) : g.moveTo(px(i), py(l))));
  g.stroke();
  g.fillStyle = '#444';
  g.fillText(`batch ${ls.length}, loss ${ls[ls.length - 1].toExponential(2)}`, pad, h - 8);
}

// --- the worker ------------------------------------------------------------------------------
const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onerror = (e) => fail(e.message || 'the worker failed to start');
worker.onmessage = ({ data: msg }) => {
  switch (msg.type) {
    case 'ready':
      state.backend = msg.backend;
      state.inWorker = msg.inWorker;
      state.framesAtStart = state.frames;
      $('backend').textContent = msg.backend;
      $('where').textContent = msg.inWorker ? 'a Web Worker' : 'the main thread';
      $('isolated').textContent = String(msg.crossOriginIsolated);
      $('status').textContent = 'training…';
      break;
    case 'batch':
      state.batchLosses.push(msg.loss);
      dirty = true;
      break;
    case 'epoch':
      state.losses.push(msg.loss);
      $('epoch').textContent = String(msg.epoch + 1);
      $('loss').textContent = msg.loss.toExponential(3);
      break;
    case 'done':
      Object.assign(state, { trainMs: msg.trainMs, testMse: msg.testMse, predictMse: msg.predictMse, naiveMse: msg.naiveMse, losses: msg.losses });
      state.framesAtEnd = state.frames;
      state.done = true;
      $('test').textContent = `${msg.testMse.toExponential(3)} (repeating the last value: ${msg.naiveMse.toExponential(3)})`;
      $('gap').textContent = `${state.longestFrameGapMs.toFixed(0)} ms`;
      $('status').textContent = `done: ${state.losses.length} epochs in ${(msg.trainMs / 1000).toFixed(1)} s`;
      dirty = true;
      worker.terminate();
      break;
    case 'error':
      fail(msg.message);
      break;
  }
};

function fail(message) {
  state.error = message;
  state.done = true;
  $('status').textContent = message;
  $('status').className = 'error';
}
