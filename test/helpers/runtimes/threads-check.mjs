// The thread pool of the built package, checked the same way in every runtime (Deno, Chromium's
// main thread, a Chromium Web Worker): a product and a short fit on 1 and 2 threads must agree and
// the pooled ones must have split work; then a worker is killed and a later call must throw.
// `lw` is the package, `internals` its runtime helpers (dist/kernels.js: currentBackend, poolOf; getThreads from the package).

/** A short fit of a small seed-like model; returns its loss history. */
async function fit(lw) {
  lw.setSeed(3);
  const r = new lw.Random(11);
  const n = 64;
  const ids = Int32Array.from({ length: n * 12 }, () => 1 + Math.floor(r.next() * 199));
  const labels = Float32Array.from({ length: n }, (_, i) => (ids[i * 12] % 2 === 0 ? 1 : 0));
  const model = lw.sequential([
    lw.layers.embedding({ inputDim: 200, outputDim: 16, inputLength: 12 }),
    lw.layers.lstm({ units: 24, returnSequences: true }),
    lw.layers.lstm({ units: 12 }),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  const h = await model.fit(lw.tensor(ids, [n, 12], 'int32'), lw.tensor(labels, [n, 1]), { epochs: 2, batchSize: 32, verbose: 0, seed: 4 });
  model.dispose();
  return h.history.loss;
}

export async function threadsCheck(lw, { getThreads, currentBackend, poolOf }, readyOptions = {}) {
  const a = lw.tensor(Float32Array.from({ length: 300 * 200 }, (_, i) => Math.sin(i)), [300, 200]);
  const b = lw.tensor(Float32Array.from({ length: 200 * 250 }, (_, i) => Math.cos(i)), [200, 250]);
  const product = () => Array.from(lw.ops.gemm(a, b).dataSync());

  await lw.ready({ ...readyOptions, threads: 1 });
  const single = { threads: getThreads(), c: product(), loss: await fit(lw) };
  await lw.ready({ ...readyOptions, threads: 2 });
  const pool = poolOf(currentBackend());
  const jobs0 = pool ? pool.jobs : 0;
  const pooled = { threads: getThreads(), c: product(), loss: await fit(lw) };
  const jobs = pool ? pool.jobs - jobs0 : 0;

  let error = null;
  if (pool) {
    pool.killWorker(1);
    // Calls until one throws: the kill lands in one, or sets the pool's failed flag between two
    // (then the next throws). No clock: the caller's timeout bounds a kill that never lands.
    for (let failed = false; !error; failed = pool.failed) {
      try {
        product();
      } catch (e) {
        error = { name: e.name, code: e.code, worker: e.details && e.details.worker };
      }
      if (failed && !error) error = { name: 'none', code: 'a call after the pool failed returned' };
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  await lw.ready({ ...readyOptions, threads: 1 });
  return {
    threads: [single.threads, pooled.threads],
    jobs: jobs > 0,
    sameC: single.c.every((v, i) => v === pooled.c[i]),
    sameLoss: single.loss.every((v, i) => Math.abs(v - pooled.loss[i]) <= 1e-6 * Math.abs(v)),
    error,
  };
}
