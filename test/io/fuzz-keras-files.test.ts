// Fuzzing lw.loadModel with hostile Keras files made from the valid fixtures in
// test/fixtures/keras: truncated and bit-flipped zips and HDF5 files, damaged members, wrong
// shapes, huge declared sizes, zip bombs, deep nesting and cyclic graphs in config.json. Every case
// is BAD_MODEL_FILE (UNSUPPORTED when a mutation asks for a layer, option or activation lstm-wasm has
// not got), in
// bounded time, without leaking backend memory or touching a global object; the bombs are refused
// before their bytes are inflated. Reproduce one case with LW_FUZZ_CASE=<index> (LW_FUZZ_DUMP=<dir>
// writes the mutated file there).
import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import * as lw from '../../ts/index.js';
import { rng } from '../helpers/kernels.js';
import { SOAK, heapFigures, scaled } from '../helpers/reliability.js';
import { MAX_LOAD_MS, globalsSnapshot, judgeLoad } from '../helpers/fuzz-loads.js';

const DIR = join(import.meta.dirname, '../fixtures/keras');
const CASES = scaled(600, 12_000);
const ONLY = process.env.LW_FUZZ_CASE === undefined ? null : Number(process.env.LW_FUZZ_CASE);

type Rand = () => number;
interface Base { name: string; bytes: Uint8Array; members: Record<string, Uint8Array> | null }
interface Mutant { bytes: Uint8Array; mustReject: boolean }
type Mutator = (b: Base, r: Rand) => Mutant | null;

const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function flipBits(bytes: Uint8Array, r: Rand, max = 8): Uint8Array {
  const out = bytes.slice();
  for (let k = int(r, 1, max); k > 0; k--) out[int(r, 0, out.length - 1)] ^= 1 << int(r, 0, 7);
  return out;
}

/** The zip again with `changes` (stored, as Keras writes it; `level` to deflate). */
function rezip(members: Record<string, Uint8Array>, changes: Record<string, Uint8Array>, level: 0 | 9 = 0): Uint8Array {
  const all: Zippable = {};
  for (const [k, v] of Object.entries({ ...members, ...changes })) all[k] = [v, { level }];
  return zipSync(all);
}

/** config.json as an object, changed by `f`, zipped back. */
function withConfig(b: Base, f: (config: any) => void): Uint8Array {
  const config = JSON.parse(text(b.members!['config.json']));
  f(config);
  return rezip(b.members!, { 'config.json': strToU8(JSON.stringify(config)) });
}

/** Every layer config in a Keras config (nested models and wrappers included). */
function layerConfigs(v: unknown, out: any[] = []): any[] {
  if (Array.isArray(v)) v.forEach((x) => layerConfigs(x, out));
  else if (v && typeof v === 'object') {
    const o = v as Record<string, any>;
    if (typeof o.class_name === 'string' && o.config && typeof o.config === 'object') out.push(o);
    Object.values(o).forEach((x) => layerConfigs(x, out));
  }
  return out;
}

/** Offsets of every zip header's 32-bit size fields (local: +18, +22; central: +20, +24). */
function sizeFields(zip: Uint8Array): number[] {
  const at: number[] = [];
  for (let i = 0; i + 30 < zip.length; i++) {
    if (zip[i] !== 0x50 || zip[i + 1] !== 0x4b) continue;
    if (zip[i + 2] === 3 && zip[i + 3] === 4) at.push(i + 18, i + 22);
    if (zip[i + 2] === 1 && zip[i + 3] === 2) at.push(i + 20, i + 24);
  }
  return at;
}

const ZIP_MUTATORS: Record<string, Mutator> = {
  truncate: (b, r) => ({ bytes: b.bytes.slice(0, int(r, 0, b.bytes.length - 1)), mustReject: true }),
  flipZipBits: (b, r) => ({ bytes: flipBits(b.bytes, r), mustReject: false }),
  flipWeightsBits: (b, r) => ({ bytes: rezip(b.members!, { 'model.weights.h5': flipBits(b.members!['model.weights.h5'], r) }), mustReject: false }),
  truncateWeights: (b, r) => {
    const h5 = b.members!['model.weights.h5'];
    return { bytes: rezip(b.members!, { 'model.weights.h5': h5.slice(0, int(r, 0, h5.length - 1)) }), mustReject: true };
  },
  flipConfigBits: (b, r) => ({ bytes: rezip(b.members!, { 'config.json': flipBits(b.members!['config.json'], r, 4) }), mustReject: false }),
  wrongUnits: (b, r) => {
    let changed = false;
    const bytes = withConfig(b, (c) => {
      const withUnits = layerConfigs(c).filter((l) => typeof l.config.units === 'number' || typeof l.config.output_dim === 'number');
      if (!withUnits.length) return;
      const l = pick(r, withUnits);
      const key = typeof l.config.units === 'number' ? 'units' : 'output_dim';
      l.config[key] += int(r, 1, 3);
      changed = true;
    });
    return changed ? { bytes, mustReject: true } : null;
  },
  hugeUnits: (b, r) => {
    let changed = false;
    const bytes = withConfig(b, (c) => {
      const withUnits = layerConfigs(c).filter((l) => typeof l.config.units === 'number' || typeof l.config.input_dim === 'number');
      if (!withUnits.length) return;
      const l = pick(r, withUnits);
      l.config[typeof l.config.units === 'number' ? 'units' : 'input_dim'] = pick(r, [1 << 20, 1 << 28, 2 ** 31, 1e12]);
      changed = true;
    });
    return changed ? { bytes, mustReject: true } : null;
  },
  hugeDeclaredSize: (b, r) => {
    const bytes = b.bytes.slice();
    const fields = sizeFields(bytes);
    new DataView(bytes.buffer).setUint32(pick(r, fields), pick(r, [0xfffffff0, 0x7fffffff, 0x10000000]), true);
    return { bytes, mustReject: false };
  },
  deepNesting: (b, r) => {
    const depth = int(r, 300, 100_000);
    const nest = r() < 0.5 ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const config = text(b.members!['config.json']);
    const at = config.indexOf('"config"');
    const json = `${config.slice(0, at)}"deep": ${nest}, ${config.slice(at)}`;
    return { bytes: rezip(b.members!, { 'config.json': strToU8(json) }), mustReject: true };
  },
  cyclicGraph: (b) => {
    let changed = false;
    const bytes = withConfig(b, (c) => {
      const layers = c.config?.layers;
      if (c.class_name !== 'Functional' || !Array.isArray(layers) || layers.length < 3) return;
      // The second layer now takes the last layer's output: a loop through the graph.
      const last = layers[layers.length - 1];
      const second = layers[1];
      second.inbound_nodes = [{ args: [{ class_name: '__keras_tensor__', config: { shape: [null], dtype: 'float32', keras_history: [last.config.name, 0, 0] } }], kwargs: {} }];
      changed = true;
    });
    return changed ? { bytes, mustReject: true } : null;
  },
  notAModel: (_b, r) => ({ bytes: pick(r, [new Uint8Array(), strToU8('PK\u0003\u0004'), strToU8('PK\u0005\u0006' + '\u0000'.repeat(18)), Uint8Array.from({ length: 300 }, () => int(r, 0, 255))]), mustReject: true }),
  missingMember: (b, r) => {
    const members = { ...b.members! };
    delete members[pick(r, ['config.json', 'model.weights.h5'])];
    return { bytes: rezip(members, {}), mustReject: true };
  },
};

const H5_MUTATORS: Record<string, Mutator> = {
  truncate: (b, r) => ({ bytes: b.bytes.slice(0, int(r, 0, b.bytes.length - 1)), mustReject: true }),
  flipBits: (b, r) => ({ bytes: flipBits(b.bytes, r), mustReject: false }),
  hugeNumbers: (b, r) => {
    const bytes = b.bytes.slice();
    const view = new DataView(bytes.buffer);
    for (let k = int(r, 1, 4); k > 0; k--) view.setUint32(int(r, 0, bytes.length - 4), pick(r, [0xfffffff0, 0x7fffffff, 0x10000000, 0]), true);
    return { bytes, mustReject: false };
  },
};

describe('loadModel fuzz: Keras files', () => {
  let bases: Base[] = [];
  beforeAll(async () => {
    await lw.ready();
    bases = readdirSync(DIR).filter((f) => /\.(keras|h5)$/.test(f)).map((name) => {
      const bytes = new Uint8Array(readFileSync(join(DIR, name)));
      const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
      return { name, bytes, members: isZip ? unzipSync(bytes) : null };
    });
  });

  it(`${ONLY ?? CASES} hostile .keras and .h5 files: BAD_MODEL_FILE in bounded time, no leak, no global change`, async () => {
    expect(bases.filter((b) => b.members).length, 'zip fixtures').toBeGreaterThan(0);
    expect(bases.filter((b) => !b.members).length, 'HDF5 fixtures').toBeGreaterThan(0);
    for (const b of bases) (await lw.loadModel(b.bytes)).dispose(); // the originals load
    const globalsBefore = globalsSnapshot();
    const heapBefore = heapFigures();
    const counts: Record<string, { rejected: number; loaded: number }> = {};
    const failures: string[] = [];
    let slowest = 0;
    for (let c = ONLY ?? 0; c <= (ONLY ?? CASES - 1) && failures.length < 5; c++) {
      const r = rng(7000 + c);
      const base = bases[c % bases.length];
      const mutators = base.members ? ZIP_MUTATORS : H5_MUTATORS;
      const names = Object.keys(mutators);
      const name = names[Math.floor(c / bases.length) % names.length];
      const mutant = mutators[name](base, r);
      if (!mutant) continue;
      const key = `${base.members ? 'zip' : 'h5'}:${name}`;
      if (process.env.LW_FUZZ_DUMP) writeFileSync(join(process.env.LW_FUZZ_DUMP, `case-${c}-${base.name}`), mutant.bytes);
      counts[key] ??= { rejected: 0, loaded: 0 };
      const where = `case ${c} (${name} of ${base.name}; LW_FUZZ_CASE=${c})`;
      slowest = Math.max(slowest, await judgeLoad(() => lw.loadModel(mutant.bytes), where, mutant.mustReject, counts[key], failures));
    }
    if (SOAK || process.env.LW_FUZZ_PRINT) console.log(`Keras fuzz outcomes (slowest ${slowest.toFixed(0)} ms): ${JSON.stringify(counts)}`);
    expect(failures).toEqual([]);
    expect(globalsSnapshot()).toEqual(globalsBefore);
    expect(heapFigures().used).toBe(heapBefore.used);
    if (ONLY === null) for (const [k, v] of Object.entries(counts)) expect(v.rejected + v.loaded, `${k} ran`).toBeGreaterThan(0);
  }, SOAK ? 1_800_000 : 60_000); // the soak count takes minutes on 2 cores

  it('a zip bomb (a tiny member declaring gigabytes, or inflating past its declared size) is refused before it is inflated', async () => {
    const zip = bases.find((b) => b.members)!;
    const huge = new Uint8Array(300 << 20); // 300 MB of zeros deflate to ~300 KB
    const bomb = rezip(zip.members!, { 'config.json': huge }, 9);
    expect(bomb.length).toBeLessThan(1 << 20);
    // The same bomb with its declared sizes rewritten small: it must stop when it passes them.
    const lying = bomb.slice();
    const view = new DataView(lying.buffer);
    for (const at of sizeFields(lying).filter((_, i) => i % 2 === 1)) view.setUint32(at, 1000, true);
    for (const [bytes, pattern] of [[bomb, /declares \d+ bytes, more than the \d+ allowed/], [lying, /inflates past 1000 bytes/]] as const) {
      const before = process.memoryUsage().arrayBuffers;
      const t0 = performance.now();
      const e = await lw.loadModel(bytes).catch((x) => x);
      expect(e).toBeInstanceOf(lw.LwError);
      expect(e.code).toBe('BAD_MODEL_FILE');
      expect(e.message).toMatch(pattern);
      expect(performance.now() - t0).toBeLessThan(MAX_LOAD_MS);
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 << 20);
    }
  });
});
