// A Keras model file under Deno: `deno run --allow-read --import-map examples/deno/import_map.json
// examples/deno/load-keras.ts model.keras` prints the model's summary and one prediction as JSON.
// The import map also says where jsfive and fflate (the .keras/.h5 readers) are.
import * as lw from 'lstm-wasm';

declare const Deno: { args: string[]; readFileSync(path: string): Uint8Array };

const [file] = Deno.args;
await lw.ready();
const model = await lw.loadModel(Deno.readFileSync(file));
// One sample of zeros (token id 0, or 0.0) shaped as the model's first input.
const shape = model.inputs[0].shape.map((d, i) => (i === 0 ? 1 : d ?? 4));
const y = model.predict(lw.tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape));
const first = Array.isArray(y) ? y[0] : y;
console.log(JSON.stringify({ runtime: 'deno', params: model.countParams(), prediction: Array.from(first.dataSync()) }));
