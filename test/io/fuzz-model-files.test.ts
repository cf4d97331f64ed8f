// Fuzzing lw.loadModel with mutations of valid model.json / weights.bin pairs (served to the real
// file:// loader through fileOps.readFile): truncations, bit flips, wrong shapes and byte counts,
// huge declared shapes, unknown layer classes, deep nesting, prototype keys, non-JSON, random
// values at random places. Every case is rejected with BAD_MODEL_FILE (or UNSUPPORTED when the
// mutation asks for a layer, an option or an activation lstm-wasm has not got, as a newer Keras
// would; or, for a mutation that leaves a valid model, loads and predicts) in bounded time, without leaking backend memory and
// without touching any global object. Reproduce one case with LW_FUZZ_CASE=<index>.
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lw from '../../ts/index.js';
import { fileOps } from '../../ts/io/file-system.js';
import { registeredLayerClasses } from '../../ts/layers/registry.js';
import { rng } from '../helpers/kernels.js';
import { MAX_LOAD_MS, globalsSnapshot, judgeLoad } from '../helpers/fuzz-loads.js';
import { SOAK, heapFigures, scaled, textModel, threeInputModel, threeInputData, tokenData } from '../helpers/reliability.js';

const CASES = scaled(1500, 30_000);
const ONLY = process.env.LW_FUZZ_CASE === undefined ? null : Number(process.env.LW_FUZZ_CASE);

interface Pair { name: string; json: string; bin: Uint8Array }
interface Mutant { json: string | Uint8Array; bin: Uint8Array; mustReject: boolean }
type Rand = () => number;
type Mutator = (p: Pair, r: Rand) => Mutant | null;

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const enc = (s: string) => new TextEncoder().encode(s);

/** A random JSON value, small. */
function randomValue(r: Rand, depth = 0): unknown {
  const kinds = depth > 2 ? 6 : 8;
  switch (int(r, 0, kinds - 1)) {
    case 0: return null;
    case 1: return pick(r, [0, -1, 1, 0.5, 1e9, -1e9, 2 ** 31, 2 ** 53, 1e308, -0, 3.7]);
    case 2: return pick(r, ['', 'x', 'tanh', 'Dense', 'float32', 'int32', '../x', 'a'.repeat(300)]);
    case 3: return r() < 0.5;
    case 4: return [];
    case 5: return {};
    case 6: return Array.from({ length: int(r, 1, 4) }, () => randomValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: int(r, 1, 3) }, (_, i) => [pick(r, ['name', 'units', 'shape', 'config', 'class_name', `k${i}`]), randomValue(r, depth + 1)]));
  }
}

/** Every [container, key] in a JSON value (to replace or delete one at random). */
function slots(v: unknown, out: [Record<string, unknown> | unknown[], string | number][] = []): typeof out {
  if (Array.isArray(v)) v.forEach((x, i) => { out.push([v, i]); slots(x, out); });
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.push([v as Record<string, unknown>, k]); slots(x, out); }
  return out;
}

const parse = (p: Pair) => JSON.parse(p.json) as Record<string, any>;
const specsOf = (j: Record<string, any>) => j.weightsManifest[0].weights as { name: string; shape: number[]; dtype?: string; quantization?: unknown }[];
const layersOf = (j: Record<string, any>) => j.modelTopology.config.layers as { class_name: string; config: Record<string, unknown> }[];
const hasChecksum = (p: Pair) => p.json.includes('"crc32"');

const MUTATORS: Record<string, Mutator> = {
  truncateJson: (p, r) => ({ json: p.json.slice(0, int(r, 0, p.json.length - 1)), bin: p.bin, mustReject: true }),
  truncateBin: (p, r) => ({ json: p.json, bin: p.bin.slice(0, int(r, 0, p.bin.length - 1)), mustReject: true }),
  extendBin: (p, r) => ({ json: p.json, bin: Uint8Array.from([...p.bin, ...Array.from({ length: int(r, 1, 64) }, () => int(r, 0, 255))]), mustReject: true }),
  flipBinBits: (p, r) => {
    const bin = p.bin.slice();
    for (let k = int(r, 1, 8); k > 0; k--) bin[int(r, 0, bin.length - 1)] ^= 1 << int(r, 0, 7);
    // With the CRC in model.json every flip is caught; a TF.js file has no checksum.
    return { json: p.json, bin, mustReject: hasChecksum(p) && bin.some((b, i) => b !== p.bin[i]) };
  },
  flipJsonBits: (p, r) => {
    const bytes = enc(p.json);
    for (let k = int(r, 1, 4); k > 0; k--) bytes[int(r, 0, bytes.length - 1)] ^= 1 << int(r, 0, 7);
    return { json: bytes, bin: p.bin, mustReject: false };
  },
  randomBytesJson: (p, r) => ({ json: Uint8Array.from({ length: int(r, 0, 400) }, () => int(r, 0, 255)), bin: p.bin, mustReject: true }),
  notAModel: (p, r) => ({ json: pick(r, ['', ' ', 'null', '[]', '42', '"model"', 'true', '{}', '{"modelTopology":null}', 'PK\u0003\u0004', '\u0000\u0000', '{"format":"graph-model","modelTopology":{}}']), bin: p.bin, mustReject: true }),
  replaceValue: (p, r) => {
    const j = parse(p);
    const s = slots(j);
    const [c, k] = pick(r, s);
    (c as Record<string, unknown>)[k as string] = randomValue(r);
    return { json: JSON.stringify(j), bin: p.bin, mustReject: false };
  },
  deleteKey: (p, r) => {
    const j = parse(p);
    const [c, k] = pick(r, slots(j));
    if (Array.isArray(c)) c.splice(k as number, 1);
    else delete c[k as string];
    return { json: JSON.stringify(j), bin: p.bin, mustReject: false };
  },
  wrongShape: (p, r) => {
    const j = parse(p);
    const spec = pick(r, specsOf(j));
    const old = JSON.stringify(spec.shape);
    const d = int(r, 0, Math.max(0, spec.shape.length - 1));
    const how = int(r, 0, 5);
    if (how === 0) spec.shape[d] = (spec.shape[d] ?? 1) + int(r, 1, 3);
    else if (how === 1) spec.shape[d] = Math.max(0, (spec.shape[d] ?? 1) - 1);
    else if (how === 2) spec.shape = [...spec.shape].reverse();
    else if (how === 3) spec.shape = [...spec.shape, 1, 2];
    else if (how === 4) spec.shape = spec.shape.slice(1);
    else spec.shape = pick(r, [[-1], [1.5], ['3'], null, 'x', [1, [2]], {}]) as never;
    // A shape that is still the same (a reversed square matrix) is no mutation.
    return JSON.stringify(spec.shape) === old ? null : { json: JSON.stringify(j), bin: p.bin, mustReject: true };
  },
  hugeShape: (p, r) => {
    const j = parse(p);
    pick(r, specsOf(j)).shape = pick(r, [[2 ** 31, 2 ** 31], [2 ** 31], [65536, 65536, 65536], [2 ** 30, 4], Array(16).fill(2 ** 31)]);
    return { json: JSON.stringify(j), bin: p.bin, mustReject: true };
  },
  wrongDtype: (p, r) => {
    const j = parse(p);
    const spec = pick(r, specsOf(j));
    const how = int(r, 0, 3);
    if (how === 0) spec.dtype = pick(r, ['float64', 'string', 'bool', 'complex64', '']);
    else if (how === 1) spec.quantization = { dtype: 'uint8', scale: 1, min: 0 };
    else if (how === 2) spec.quantization = { dtype: 'float16' };
    else spec.quantization = { dtype: pick(r, ['int4', 'uint32', 'uint8']), scale: pick(r, [NaN, 'x', null]) };
    return { json: JSON.stringify(j), bin: p.bin, mustReject: true };
  },
  duplicateOrGhostWeight: (p, r) => {
    const j = parse(p);
    const specs = specsOf(j);
    const i = int(r, 0, specs.length - 1);
    if (r() < 0.5) specs[i].name = specs[(i + 1) % specs.length].name;
    else specs[i].name = pick(r, ['ghost/kernel', '', 'x/y/z/w', '__proto__', 'constructor']);
    return { json: JSON.stringify(j), bin: p.bin, mustReject: true };
  },
  unknownLayerClass: (p, r) => {
    const j = parse(p);
    const known = registeredLayerClasses();
    const name = pick(r, ['ConvLSTM2D', 'Lambda', 'Custom>Attention', '', 'Dense ', 'dense', '__proto__', 'toString', 'hasOwnProperty', ...known]);
    pick(r, layersOf(j)).class_name = name;
    return { json: JSON.stringify(j), bin: p.bin, mustReject: !known.includes(name) };
  },
  hugeLayerSizes: (p, r) => {
    const j = parse(p);
    // Only a key the layer has changes its weights (others are ignored, as Keras ignores them).
    const found = layersOf(j).flatMap((l) => ['units', 'input_dim', 'output_dim', 'batch_input_shape'].filter((k) => k in l.config).map((k) => [l.config, k] as const));
    if (!found.length) return null;
    const [cfg, key] = pick(r, found);
    cfg[key] = key === 'batch_input_shape' ? [null, 2 ** 30, 2 ** 30] : pick(r, [2 ** 30, 2 ** 31 - 1, 1e9, 65536 * 65536]);
    return { json: JSON.stringify(j), bin: p.bin, mustReject: true };
  },
  deepNesting: (p, r) => {
    const depth = pick(r, [201, 1000, 100_000]);
    const nest = r() < 0.5 ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const at = p.json.indexOf('"trainable":') + '"trainable":'.length;
    return { json: `${p.json.slice(0, at)}${nest}${p.json.slice(p.json.indexOf(',', at))}`, bin: p.bin, mustReject: true };
  },
  prototypeKeys: (p, r) => {
    const starts = [...p.json.matchAll(/\{(?=")/g)].map((m) => m.index!);
    const at = pick(r, starts) + 1;
    const key = pick(r, ['"__proto__":{"polluted":true}', '"constructor":{"prototype":{"polluted":true}}', '"prototype":{"polluted":true}', '"__proto__":null']);
    return { json: `${p.json.slice(0, at)}${key},${p.json.slice(at)}`, bin: p.bin, mustReject: true };
  },
  badWeightsPath: (p, r) => {
    const j = parse(p);
    j.weightsManifest[0].paths = [pick(r, ['../weights.bin', '/etc/passwd', 'file:///etc/passwd', 'https://example.com/w.bin', 'missing.bin', '', 7, null, 'a/../../b.bin'])];
    return { json: JSON.stringify(j), bin: p.bin, mustReject: true };
  },
  otherModelsWeights: (p, r) => ({ json: p.json, bin: pick(r, pairs.filter((q) => q.bin.length !== p.bin.length)).bin, mustReject: true }),
  wrongChecksum: (p, r) => {
    if (!hasChecksum(p)) return null;
    const j = parse(p);
    if (r() < 0.5) j.lstmWasm.weights.crc32 = (j.lstmWasm.weights.crc32 + int(r, 1, 1000)) >>> 0;
    else j.lstmWasm.weights.bytes = pick(r, [0, -1, 'x', p.bin.length + 4]);
    return { json: JSON.stringify(j), bin: p.bin, mustReject: true };
  },
  garbageTrainingState: (p, r) => {
    const j = parse(p);
    if (!j.lstmWasm?.optimizer) return null;
    const where = pick(r, ['optimizer', 'compile']);
    const key = pick(r, where === 'optimizer' ? ['class_name', 'config', 'iterations'] : ['loss', 'metrics', 'loss_weights']);
    j.lstmWasm[where][key] = randomValue(r);
    return { json: JSON.stringify(j), bin: p.bin, mustReject: false };
  },
  formatField: (p, r) => {
    const j = parse(p);
    j.format = pick(r, ['graph-model', 'keras', 7, {}, 'layers-model ']);
    return { json: JSON.stringify(j), bin: p.bin, mustReject: true };
  },
};

let root = '';
let pairs: Pair[] = [];
const FILE_JSON = '/fuzz/model.json';
const FILE_BIN = '/fuzz/weights.bin';

async function savedPair(name: string, m: lw.LayersModel, includeOptimizer: boolean, stripState = false): Promise<Pair> {
  const dir = join(root, name);
  await m.save(`file://${dir}`, { includeOptimizer });
  let json = await readFile(join(dir, 'model.json'), 'utf8');
  if (stripState) {
    const j = JSON.parse(json);
    delete j.lstmWasm; // as TF.js writes it: no checksum, no optimizer
    json = JSON.stringify(j);
  }
  return { name, json, bin: new Uint8Array(await readFile(join(dir, 'weights.bin'))) };
}

beforeAll(async () => {
  await lw.ready({ backend: 'simd' });
  root = await mkdtemp(join(tmpdir(), 'lw-fuzz-'));
  const text = textModel(3);
  const d = tokenData(8, 6, 12, 2);
  await text.fit(d.x, d.y, { epochs: 1, verbose: 0 });
  const multi = threeInputModel(4);
  const md = threeInputData(6, 3);
  await multi.fit(md.x, md.y, { epochs: 1, verbose: 0 });
  lw.setSeed(5);
  const wrapped = lw.sequential([
    lw.layers.masking({ maskValue: 0, inputShape: [5, 3] }),
    lw.layers.bidirectional({ layer: lw.layers.lstm({ units: 3, returnSequences: true }) }),
    lw.layers.timeDistributed({ layer: lw.layers.dense({ units: 2 }) }),
    lw.layers.dropout({ rate: 0.1 }),
    lw.layers.flatten(),
    lw.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  pairs = [
    await savedPair('text-with-optimizer', text, true),
    await savedPair('three-inputs', multi, false),
    await savedPair('wrappers-tfjs-style', wrapped, false, true),
  ];
});

afterAll(async () => {
  vi.restoreAllMocks();
  await rm(root, { recursive: true, force: true });
});

describe('loadModel fuzz', () => {
  it(`${ONLY ?? CASES} mutated model files: BAD_MODEL_FILE (or a valid model) in bounded time, no leak, no global change`, async () => {
    const names = Object.keys(MUTATORS);
    const globalsBefore = globalsSnapshot();
    // The originals load (the mutations start from valid files).
    let served: { json: string | Uint8Array; bin: Uint8Array } = { json: '', bin: new Uint8Array() };
    vi.spyOn(fileOps, 'readFile').mockImplementation(async (path: string) => {
      if (path === FILE_JSON) return typeof served.json === 'string' ? enc(served.json) : served.json;
      if (path === FILE_BIN) return served.bin;
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    });
    for (const p of pairs) {
      served = p;
      (await lw.loadModel(`file://${FILE_JSON}`)).dispose();
    }
    const heapBefore = heapFigures();
    const counts: Record<string, { rejected: number; loaded: number }> = Object.fromEntries(names.map((n) => [n, { rejected: 0, loaded: 0 }]));
    const failures: string[] = [];
    let slowest = 0;
    const first = ONLY ?? 0;
    const last = ONLY ?? CASES - 1;
    for (let c = first; c <= last && failures.length < 5; c++) {
      const r = rng(1000 + c);
      const pair = pick(r, pairs);
      const name = names[c % names.length];
      const mutant = MUTATORS[name](pair, r);
      if (!mutant) continue;
      served = mutant;
      const where = `case ${c} (${name} of ${pair.name}; LW_FUZZ_CASE=${c})`;
      slowest = Math.max(slowest, await judgeLoad(() => lw.loadModel(`file://${FILE_JSON}`), where, mutant.mustReject, counts[name], failures));
    }
    if (SOAK || process.env.LW_FUZZ_PRINT) console.log(`fuzz outcomes (slowest load ${slowest.toFixed(0)} ms): ${JSON.stringify(counts)}`);
    expect(failures).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(globalsSnapshot()).toEqual(globalsBefore);
    // Every failed load gave its memory back (a restore that fails half-way included).
    expect(heapFigures().used).toBe(heapBefore.used);
    expect(slowest).toBeLessThan(MAX_LOAD_MS);
    if (ONLY === null) {
      for (const n of names) expect(counts[n].rejected + counts[n].loaded, `${n} ran`).toBeGreaterThan(0);
      for (const n of names.filter((k) => !['flipJsonBits', 'replaceValue', 'deleteKey', 'garbageTrainingState', 'unknownLayerClass'].includes(k))) {
        expect(counts[n].rejected, `${n} rejected`).toBeGreaterThan(0);
      }
    }
  });

  it('declared sizes far beyond the bytes there are refused before anything is allocated', async () => {
    const p = pairs[0];
    const j = JSON.parse(p.json);
    for (const s of j.weightsManifest[0].weights) s.shape = [65536, 65536, 16];
    vi.spyOn(fileOps, 'readFile').mockImplementation(async (path: string) => (path === FILE_JSON ? enc(JSON.stringify(j)) : p.bin));
    const before = process.memoryUsage().arrayBuffers;
    const heap = heapFigures();
    const e = await lw.loadModel(`file://${FILE_JSON}`).catch((x) => x);
    expect(e).toBeInstanceOf(lw.LwError);
    expect(e.code).toBe('BAD_MODEL_FILE');
    expect(e.message).toMatch(/weights.bin has \d+ bytes but the manifest's \d+ weights take \d+/);
    // Nothing allocated, measured in bytes rather than milliseconds: the backend heap and the
    // process's ArrayBuffers are as before.
    expect(heapFigures()).toEqual(heap);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });

  it('artifacts and handlers of the wrong kind are refused with BAD_MODEL_FILE or BAD_ARGUMENT, naming the field', async () => {
    const a = (await lw.loadModel({ load: async () => JSON.parse(pairs[1].json) as lw.ModelArtifacts }).catch((e) => e)) as lw.LwError;
    expect(a.code).toBe('BAD_MODEL_FILE'); // weightsManifest is not artifacts' weightSpecs: its weights are missing
    const cases: [unknown, lw.LwErrorCode, RegExp][] = [
      [{ modelTopology: {}, weightData: 'bytes' }, 'BAD_MODEL_FILE', /weightData must be an ArrayBuffer/],
      [{ modelTopology: {}, weightSpecs: {} }, 'BAD_MODEL_FILE', /weightSpecs must be a list/],
      [{ weightSpecs: [] }, 'BAD_MODEL_FILE', /"modelTopology" must be an object/],
      [{ modelTopology: { class_name: 'Sequential', config: { layers: [] } } }, 'BAD_MODEL_FILE', /no layers/],
      [JSON.parse('{"modelTopology":{},"__proto__":{"polluted":1}}'), 'BAD_MODEL_FILE', /forbidden key "__proto__"/],
      [42, 'BAD_ARGUMENT', /loadModel takes a URL, a file's bytes, artifacts or a handler, got 42/],
      ['model.json', 'BAD_ARGUMENT', /use file:\/\/path\/to\/model.json/],
    ];
    for (const [source, code, pattern] of cases) {
      const e = (await lw.loadModel(source as lw.ModelSource).catch((x) => x)) as lw.LwError;
      expect(e, String(pattern)).toBeInstanceOf(lw.LwError);
      expect(e.code, e.message).toBe(code);
      expect(e.message).toMatch(pattern);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
