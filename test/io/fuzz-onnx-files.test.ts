// Fuzzing lw.loadModel with hostile ONNX files made from the torch fixtures (test/fixtures/onnx/torch):
// truncated and bit-flipped protobufs, tensors whose dims disagree with their bytes, huge declared
// dims and hidden sizes, dangling names, cycles, nodes out of order, tensors defined twice, unknown
// operators, domains, attributes, data types and opsets. Every case is BAD_MODEL_FILE or UNSUPPORTED
// (or a model that predicts, for random bit flips) in bounded time, without leaking backend memory or
// touching a global object. Reproduce one case with LW_FUZZ_CASE=<index>.
import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lw from '../../ts/index.js';
import { decodeModelProto, encodeModelProto, type OnnxModelProto } from '../../ts/io/onnx/proto.js';
import { rng } from '../helpers/kernels.js';
import { SOAK, heapFigures, scaled } from '../helpers/reliability.js';
import { MAX_LOAD_MS, globalsSnapshot, judgeLoad } from '../helpers/fuzz-loads.js';

const DIR = join(import.meta.dirname, '../fixtures/onnx/torch');
const CASES = scaled(400, 8000);
const ONLY = process.env.LW_FUZZ_CASE === undefined ? null : Number(process.env.LW_FUZZ_CASE);

type Rand = () => number;
interface Base { name: string; bytes: Uint8Array; model: OnnxModelProto }
/** `code`: the one error the mutation must give (null: any refusal, or a model that predicts). */
interface Mutant { bytes: Uint8Array; code: 'BAD_MODEL_FILE' | 'UNSUPPORTED' | null; mustReject: boolean }
type Mutator = (b: Base, r: Rand) => Promise<Mutant>;

const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const clone = (m: OnnxModelProto): OnnxModelProto => structuredClone(m);
const RECURRENT = ['LSTM', 'GRU', 'RNN'];

/** The model changed by `f`, encoded again. */
async function edit(b: Base, f: (m: OnnxModelProto) => void, code: Mutant['code']): Promise<Mutant> {
  const m = clone(b.model);
  f(m);
  return { bytes: await encodeModelProto(m), code, mustReject: true };
}

const MUTATORS: Record<string, Mutator> = {
  truncate: async (b, r) => ({ bytes: b.bytes.slice(0, int(r, 0, b.bytes.length - 1)), code: null, mustReject: true }),
  flipBits: async (b, r) => {
    const out = b.bytes.slice();
    for (let k = int(r, 1, 8); k > 0; k--) out[int(r, 0, out.length - 1)] ^= 1 << int(r, 0, 7);
    return { bytes: out, code: null, mustReject: false };
  },
  tensorSizeDisagrees: (b, r) => edit(b, (m) => {
    const t = pick(r, m.graph.initializer);
    t.dims = t.dims.length ? t.dims.map((d, i) => (i === 0 ? d + int(r, 1, 3) : d)) : [2];
  }, 'BAD_MODEL_FILE'),
  hugeDims: (b, r) => edit(b, (m) => { pick(r, m.graph.initializer).dims = [int(r, 1e5, 1e6), int(r, 1e5, 1e6), 1e6]; }, 'BAD_MODEL_FILE'),
  negativeDim: (b, r) => edit(b, (m) => { pick(r, m.graph.initializer).dims[0] = -int(r, 1, 9); }, 'BAD_MODEL_FILE'),
  hugeHiddenSize: (b, r) => edit(b, (m) => {
    const node = m.graph.node.find((n) => RECURRENT.includes(n.op_type))!;
    node.attribute.find((a) => a.name === 'hidden_size')!.i = pick(r, [1e9, 2 ** 40, 0, -3]);
  }, 'UNSUPPORTED'),
  dangling: (b, r) => edit(b, (m) => {
    const node = pick(r, m.graph.node.filter((n) => n.input.some((x) => x !== '')));
    node.input[node.input.findIndex((x) => x !== '')] = `nowhere_${int(r, 0, 99)}`;
  }, 'BAD_MODEL_FILE'),
  cycle: (b, r) => edit(b, (m) => {
    // A node reading the output of a later node (the last one's): a cycle or an order ONNX forbids.
    const k = int(r, 0, m.graph.node.length - 2), node = m.graph.node[k];
    if (node.input.length === 0) node.input.push('');
    node.input[0] = m.graph.node[m.graph.node.length - 1].output[0];
  }, 'BAD_MODEL_FILE'),
  reversed: (b) => edit(b, (m) => { m.graph.node.reverse(); }, 'BAD_MODEL_FILE'),
  definedTwice: (b, r) => edit(b, (m) => {
    const [a, c] = [int(r, 0, m.graph.node.length - 1), int(r, 0, m.graph.node.length - 1)];
    m.graph.node[Math.max(a, c) === Math.min(a, c) ? (a + 1) % m.graph.node.length : Math.max(a, c)].output[0] = m.graph.node[Math.min(a, c)].output[0];
  }, 'BAD_MODEL_FILE'),
  unknownOperator: (b, r) => edit(b, (m) => { pick(r, m.graph.node.filter((n) => n.op_type !== 'Constant')).op_type = pick(r, ['FancyLSTM', 'Loop', 'Conv', 'Attention']); }, 'UNSUPPORTED'),
  unknownDomain: (b, r) => edit(b, (m) => { (pick(r, m.graph.node) as { domain?: string }).domain = 'com.example'; }, 'UNSUPPORTED'),
  unknownAttribute: (b, r) => edit(b, (m) => {
    const node = m.graph.node.find((n) => RECURRENT.includes(n.op_type))!;
    node.attribute.push(pick(r, [{ name: 'clip', type: 'FLOAT', f: 3 }, { name: 'activation_alpha', type: 'FLOATS', floats: [1] }, { name: 'future_attribute', type: 'INT', i: 1 }]) as never);
  }, 'UNSUPPORTED'),
  unknownDataType: (b, r) => edit(b, (m) => { pick(r, m.graph.initializer).data_type = pick(r, [10, 16, 8, 99]); }, 'UNSUPPORTED'),
  unknownOpset: (b, r) => edit(b, (m) => { m.opset_import[0].version = pick(r, [1, 6, 23, 1000]); }, 'UNSUPPORTED'),
  noOpset: (b) => edit(b, (m) => { m.opset_import = []; }, 'BAD_MODEL_FILE'),
  emptyTensor: (b, r) => edit(b, (m) => {
    const t = pick(r, m.graph.initializer);
    t.dims = t.dims.length ? t.dims.map((d, i) => (i === 0 ? 0 : d)) : [0];
    t.raw_data = new Uint8Array(0);
  }, null),
  inputShape: async (b, r) => ({ ...(await edit(b, (m) => {
    const dims = m.graph.input[0].type.tensor_type.shape.dim;
    if (r() < 0.5) dims.splice(int(r, 0, dims.length - 1), 1);
    else dims[dims.length - 1] = { dim_value: pick(r, [0, 1, 7, 2 ** 31]) };
  }, null)), mustReject: false }),
  extraInput: async (b) => ({ ...(await edit(b, (m) => {
    m.graph.input.push({ name: 'unused', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'batch' }, { dim_value: 3 }] } } } });
  }, null)), mustReject: false }),
};

describe('loadModel fuzz: ONNX files', () => {
  let bases: Base[] = [];
  beforeAll(async () => {
    await lw.ready();
    bases = await Promise.all(readdirSync(DIR).filter((f) => f.endsWith('.onnx')).sort().map(async (name) => {
      const bytes = new Uint8Array(readFileSync(join(DIR, name)));
      return { name, bytes, model: await decodeModelProto(bytes) };
    }));
  });

  it(`${ONLY ?? CASES} hostile .onnx files: BAD_MODEL_FILE or UNSUPPORTED in bounded time, no leak, no global change`, async () => {
    expect(bases.length).toBeGreaterThan(0);
    for (const b of bases) (await lw.loadModel(await encodeModelProto(b.model))).dispose(); // decode + encode keeps a valid file
    const globalsBefore = globalsSnapshot();
    const heapBefore = heapFigures();
    const counts: Record<string, { rejected: number; loaded: number }> = {};
    const failures: string[] = [];
    let slowest = 0;
    const names = Object.keys(MUTATORS);
    for (let c = ONLY ?? 0; c <= (ONLY ?? CASES - 1) && failures.length < 5; c++) {
      const r = rng(9100 + c);
      const base = bases[c % bases.length];
      const name = names[Math.floor(c / bases.length) % names.length];
      const mutant = await MUTATORS[name](base, r);
      counts[name] ??= { rejected: 0, loaded: 0 };
      const where = `case ${c} (${name} of ${base.name}; LW_FUZZ_CASE=${c})`;
      let error: unknown = null;
      slowest = Math.max(slowest, await judgeLoad(() => lw.loadModel(mutant.bytes).catch((e) => { error = e; throw e; }), where, mutant.mustReject, counts[name], failures));
      if (mutant.code && error instanceof lw.LwError && error.code !== mutant.code) failures.push(`${where}: ${error.code}, expected ${mutant.code}: ${error.message}`);
    }
    if (SOAK || process.env.LW_FUZZ_PRINT) console.log(`ONNX fuzz outcomes (slowest ${slowest.toFixed(0)} ms): ${JSON.stringify(counts)}`);
    expect(failures).toEqual([]);
    expect(globalsSnapshot()).toEqual(globalsBefore);
    expect(heapFigures().used).toBe(heapBefore.used);
    if (ONLY === null) for (const [k, v] of Object.entries(counts)) expect(v.rejected + v.loaded, `${k} ran`).toBeGreaterThan(0);
  }, SOAK ? 1_800_000 : 60_000); // the soak count takes minutes on 2 cores

  it('an unknown operator is UNSUPPORTED naming the node and its op type', async () => {
    const m = clone(bases[0].model);
    const node = m.graph.node.find((n) => n.op_type === 'Gemm' || n.op_type === 'MatMul')!;
    node.op_type = 'LayerNormalization';
    const e = await lw.loadModel(await encodeModelProto(m)).catch((x) => x);
    expect(e).toBeInstanceOf(lw.LwError);
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.details).toMatchObject({ node: node.name, opType: 'LayerNormalization' });
    expect(e.message).toContain(`"${node.name}" (LayerNormalization)`);
  });

  it('an attribute lstm-wasm cannot honour is UNSUPPORTED naming node, op and attribute', async () => {
    const m = clone(bases[0].model);
    const node = m.graph.node.find((n) => RECURRENT.includes(n.op_type))!;
    node.attribute.push({ name: 'clip', type: 'FLOAT', f: 2 });
    const e = await lw.loadModel(await encodeModelProto(m)).catch((x) => x);
    expect(e.code).toBe('UNSUPPORTED');
    expect(e.details).toMatchObject({ node: node.name, opType: node.op_type, attribute: 'clip' });
  });

  it('a tensor declaring 10^17 floats is refused before anything is allocated', async () => {
    const m = clone(bases[0].model);
    m.graph.initializer[0].dims = [1e6, 1e6, 1e5];
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    const e = await lw.loadModel(await encodeModelProto(m)).catch((x) => x);
    expect(e.code).toBe('BAD_MODEL_FILE');
    expect(e.message).toContain(m.graph.initializer[0].name);
    expect(performance.now() - t0).toBeLessThan(MAX_LOAD_MS);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
  });
});
