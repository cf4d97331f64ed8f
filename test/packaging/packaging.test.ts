// The npm package as users get it: `npm pack` holds the built code, types and the three wasm flavours
// and nothing else; the tarball installs offline (its only dependencies are optional: the two Keras
// file parsers and protobufjs for ONNX) into a fresh project, where Node imports it by name, trains,
// loads a Keras file and exports ONNX, and TypeScript (tsc, and Deno) type-check a consumer against it.
// Installed without the optional packages it still trains, and a Keras file or an ONNX export is an
// UNSUPPORTED error saying what to install.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ROOT, WASM_FLAVOURS } from '../helpers/built-package.js';

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const DENO = join(ROOT, 'node_modules/.bin/deno');
const MAX_TARBALL_BYTES = 600 * 1024;

// npm run under `npm test` exports npm_* settings of the outer project; the consumer must not see them.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

interface PackResult {
  filename: string;
  size: number;
  files: { path: string; size: number }[];
}

let work: string;
let consumer: string;
/** The tarball installed with --omit=optional: no jsfive, no fflate, no protobufjs. */
let lean: string;
let packed: PackResult;
let tarball: string;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${err.stdout ?? ''}${err.stderr ?? ''}${err.message}`);
  }
}

const write = (name: string, text: string) => writeFileSync(join(consumer, name), text);

beforeAll(() => {
  ensureBuilt(); // dist/ from the current sources; throws when a wasm flavour is not built
  work = mkdtempSync(join(tmpdir(), 'lstm-wasm-pack-'));
  consumer = join(work, 'consumer');
  // --ignore-scripts: `prepare` would rebuild what is already built.
  const out = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
  packed = (JSON.parse(out) as PackResult[])[0];
  tarball = join(work, packed.filename);

  mkdirSync(consumer);
  write('package.json', JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], consumer);
  lean = join(work, 'lean');
  mkdirSync(lean);
  writeFileSync(join(lean, 'package.json'), JSON.stringify({ name: 'lean', private: true, type: 'module' }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--omit=optional', tarball], lean);
}, 90_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('is under 600 KB and holds dist, types and the three wasm flavours, without tests or dependencies', () => {
    const bytes = statSync(tarball).size;
    expect(bytes).toBeLessThan(MAX_TARBALL_BYTES);
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']));
    for (const flavour of WASM_FLAVOURS) {
      const entry = packed.files.find((f) => f.path === `wasm/kernels-${flavour}.wasm`);
      expect(entry, `wasm/kernels-${flavour}.wasm in the tarball`).toBeDefined();
      expect(entry!.size).toBe(statSync(join(ROOT, `wasm/kernels-${flavour}.wasm`)).size);
    }
    expect(paths.filter((p) => /^(test|node_modules|ts|crates|target|scripts|bench|examples)\//.test(p) || /(^|\/)node_modules\//.test(p))).toEqual([]);
    // Every module dist/index.js needs is there with its declaration.
    const js = paths.filter((p) => p.startsWith('dist/') && p.endsWith('.js'));
    expect(js.length).toBeGreaterThan(10);
    expect(js.filter((p) => !paths.includes(p.replace(/\.js$/, '.d.ts')))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(consumer, 'node_modules/lstm-wasm/package.json'), 'utf8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(Object.keys(manifest.optionalDependencies ?? {}).sort()).toEqual(['fflate', 'jsfive', 'protobufjs']);
    console.log(`npm pack: ${packed.filename} ${(bytes / 1024).toFixed(0)} KB, ${paths.length} files`);
  });
});

describe('the installed tarball', () => {
  it('imports by name from Node ESM, loads simd from node_modules and trains a step', () => {
    write(
      'train-step.mjs',
      `import * as lw from 'lstm-wasm';
const backend = await lw.ready();
lw.setSeed(3);
const model = lw.sequential([lw.layers.lstm({ units: 4, inputShape: [5, 2] }), lw.layers.dense({ units: 1 })]);
model.compile({ optimizer: lw.train.sgd({ learningRate: 0.05 }), loss: 'meanSquaredError' });
const x = lw.tensor(Float32Array.from({ length: 6 * 5 * 2 }, (_, i) => Math.sin(0.7 * i)), [6, 5, 2]);
const y = lw.tensor(Float32Array.from({ length: 6 }, (_, i) => (i % 2 ? 1 : -1)), [6, 1]);
const before = model.evaluate(x, y);
const stepLoss = model.trainOnBatch(x, y);
const after = model.evaluate(x, y);
console.log(JSON.stringify({ backend, resolved: import.meta.resolve('lstm-wasm'), before, stepLoss, after }));
`,
    );
    const r = JSON.parse(run(process.execPath, ['train-step.mjs'], consumer).trim().split('\n').pop()!);
    expect(r.resolved).toBe(`file://${join(consumer, 'node_modules/lstm-wasm/dist/index.js')}`);
    expect(r.backend).toBe('simd');
    expect(Number.isFinite(r.before)).toBe(true);
    expect(r.stepLoss).toBeCloseTo(r.before, 5); // the step's loss is the loss before the update
    expect(r.after).toBeLessThan(r.before); // one gradient step downhill
  });

  it('loads a Keras .keras and .h5 file and exports ONNX with the optional packages; without them trains, and a Keras file or an ONNX export says what to install', () => {
    const fixtures = join(ROOT, 'test/fixtures/keras');
    const files = ['.keras', '.h5'].map((ext) => join(fixtures, readdirSync(fixtures).filter((f) => f.endsWith(ext)).sort()[0]));
    const script = `import * as lw from 'lstm-wasm';
await lw.ready();
const out = [];
for (const file of ${JSON.stringify(files)}) {
  try {
    const m = await lw.loadModel('file://' + file);
    out.push({ ok: true, params: m.countParams() });
  } catch (e) {
    out.push({ ok: false, code: e.code, message: e.message });
  }
}
const model = lw.sequential([lw.layers.dense({ units: 1, inputShape: [2] })]);
model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
const loss = model.trainOnBatch(lw.tensor([[1, 2]]), lw.tensor([[1]]));
const onnx = await lw.export.onnx(model).then((b) => ({ ok: true, bytes: b.length }), (e) => ({ ok: false, code: e.code, message: e.message }));
console.log(JSON.stringify({ out, loss, onnx }));
`;
    writeFileSync(join(consumer, 'keras.mjs'), script);
    writeFileSync(join(lean, 'keras.mjs'), script);
    const full = JSON.parse(run(process.execPath, ['keras.mjs'], consumer).trim().split('\n').pop()!);
    for (const r of full.out) expect(r.ok, r.message).toBe(true);
    for (const r of full.out) expect(r.params).toBeGreaterThan(0);
    expect(full.onnx.ok, full.onnx.message).toBe(true);
    expect(full.onnx.bytes).toBeGreaterThan(0);
    const without = JSON.parse(run(process.execPath, ['keras.mjs'], lean).trim().split('\n').pop()!);
    expect(Number.isFinite(without.loss)).toBe(true);
    for (const r of without.out) {
      expect(r.code).toBe('UNSUPPORTED');
      expect(r.message).toMatch(/needs the "(jsfive|fflate)" package.*npm install (jsfive|fflate)/);
    }
    expect(without.onnx.code).toBe('UNSUPPORTED');
    expect(without.onnx.message).toMatch(/need the "protobufjs" package.*npm install protobufjs/);
  });

  it('exports lstm-wasm/kernels: a backend of its own and a typed kernel call', () => {
    write(
      'kernels.mjs',
      `import { createBackend, gemm, gemmWsFloats } from 'lstm-wasm/kernels';
const b = await createBackend('simd');
const [M, N, K] = [3, 2, 4];
const a = b.allocFloats(M * K), w = b.allocFloats(K * N), c = b.allocFloats(M * N), ws = b.allocFloats(gemmWsFloats(b.kernels, { M, N, K }));
b.writeFloats(a, Array.from({ length: M * K }, (_, i) => i));
b.writeFloats(w, Array.from({ length: K * N }, () => 1));
gemm(b.kernels, { M, N, K, a, b: w, c, ws });
console.log(JSON.stringify({ resolved: import.meta.resolve('lstm-wasm/kernels'), name: b.name, c: Array.from(b.readFloats(c, M * N)) }));
`,
    );
    const r = JSON.parse(run(process.execPath, ['kernels.mjs'], consumer).trim().split('\n').pop()!);
    expect(r.resolved).toBe(`file://${join(consumer, 'node_modules/lstm-wasm/dist/kernels.js')}`);
    expect(r.name).toBe('simd');
    // Row r of a is 4r, 4r+1, 4r+2, 4r+3: each sums to 16r + 6.
    expect(r.c).toEqual([6, 6, 22, 22, 38, 38]);
  });

  it('type-checks a consumer with tsc (browser libs, and Node types) and with Deno', () => {
    write(
      'consumer.ts',
      `import * as lw from 'lstm-wasm';

const backend: lw.BackendName = await lw.ready();
const model: lw.Sequential = lw.sequential([
  lw.layers.lstm({ units: 4, inputShape: [3, 2], returnSequences: false }),
  lw.layers.dense({ units: 1, activation: 'sigmoid' }),
]);
const compileArgs: lw.CompileArgs = { optimizer: lw.train.adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] };
model.compile(compileArgs);
const x: lw.Tensor = lw.tensor(new Float32Array(4 * 3 * 2), [4, 3, 2]);
const y = lw.tensor([[0], [1], [1], [0]]);
const fitArgs: lw.FitArgs = { epochs: 2, batchSize: 2, verbose: 0, callbacks: [{ onEpochEnd: (epoch: number) => void epoch }] };
const history: lw.History = await model.fit(x, y, fitArgs);
const losses: number[] = history.history.loss;
const out = model.predict(x) as lw.Tensor;
const shape: readonly number[] = out.shape;

// Misuse must not type-check: were the types \`any\`, these directives would be unused (TS2578).
// @ts-expect-error units is a number
lw.layers.lstm({ units: 'four' });
// @ts-expect-error there is no such backend
await lw.ready({ backend: 'webgpu' });
// @ts-expect-error epochs is a number
await model.fit(x, y, { epochs: '2' });

export const summary = { backend, losses, shape };
`,
    );
    const base = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true };
    // A browser project checks the package's declarations too (skipLibCheck off).
    write('tsconfig.browser.json', JSON.stringify({ compilerOptions: { ...base, lib: ['ES2022', 'DOM'], types: [], skipLibCheck: false }, files: ['consumer.ts'] }));
    // A Node project with @types/node and no DOM library (as most Node templates: skipLibCheck on).
    write('tsconfig.node.json', JSON.stringify({
      compilerOptions: { ...base, lib: ['ES2022'], types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')], skipLibCheck: true },
      files: ['consumer.ts'],
    }));
    for (const config of ['tsconfig.browser.json', 'tsconfig.node.json']) {
      expect(run(process.execPath, [TSC, '-p', config], consumer).trim(), config).toBe(''); // tsc prints only errors
    }
    // Deno resolves the package from node_modules (package.json present) with its declarations.
    run(DENO, ['check', 'consumer.ts'], consumer, { ...cleanEnv, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' });
  });
});
