// Run by test/io/io.test.ts under Deno (sources through --unstable-sloppy-imports): save with the
// optimizer, load, compare. Prints one JSON line.
import * as lw from '../../ts/index.js';
import { loadModel } from '../../ts/model/load-model.js';

declare const Deno: { args: string[]; readDirSync(path: string): Iterable<{ name: string }> };

const dir = Deno.args[0];
await lw.ready();
lw.setSeed(3);
const m = lw.sequential([lw.layers.lstm({ units: 3, inputShape: [4, 2] }), lw.layers.dense({ units: 1 })]);
m.compile({ optimizer: 'adam', loss: 'mse' });
const x = lw.tensor([[[1, 2], [3, 4], [5, 6], [7, 8]]]);
await m.fit(x, lw.tensor([[1]]), { epochs: 2, verbose: 0 });
await m.save(`file://${dir}`, { includeOptimizer: true });
const back = await loadModel(`file://${dir}/model.json`);
const values = (t: lw.Tensor | lw.Tensor[]) => Array.from((t as lw.Tensor).dataSync());
console.log(JSON.stringify({
  backend: lw.getBackend(),
  files: [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
  same: values(back.predict(x)).join() === values(m.predict(x)).join(),
  iterations: back.optimizer?.iterations,
}));
