// A page that uses the package the way an application does: `import * as lw from 'lstm-wasm'`,
// bundled by Vite, which copies the .wasm files it finds through `new URL(..., import.meta.url)`.
import * as lw from 'lstm-wasm';

const out = document.getElementById('out');
try {
  const backend = await lw.ready();
  lw.setSeed(1);
  const model = lw.sequential([lw.layers.lstm({ units: 4, inputShape: [3, 1] }), lw.layers.dense({ units: 1 })]);
  model.compile({ optimizer: lw.train.adam({ learningRate: 0.05 }), loss: 'mse' });
  const x = lw.tensor([[[0], [1], [2]], [[1], [2], [3]], [[2], [3], [4]], [[3], [4], [5]]]);
  const y = lw.tensor([[0.3], [0.4], [0.5], [0.6]]);
  const { history } = await model.fit(x, y, { epochs: 30, batchSize: 4, verbose: 0 });
  window.__result = { backend, first: history.loss[0], last: history.loss[29] };
} catch (e) {
  window.__result = { error: String(e && e.stack || e) };
}
out.textContent = JSON.stringify(window.__result);
