// Property-based tests (fast-check) of bad input through the public API: every bad call gives the
// right LwError with a message naming the argument and the values, and leaves the model as it was:
// a twin model that never saw the bad call then gives bit-identical results on the same valid work.
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import * as lw from '../../ts/index.js';
import {
  expectLwError, expectTwinsAgree, flat, scaled, textModel, threeInputData, threeInputModel, tokenData,
} from '../helpers/reliability.js';

const RUNS = scaled(30, 500);
const VOCAB = 12;
const LEN = 6;
const esc = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

type Call = 'fit' | 'predict' | 'evaluate' | 'trainOnBatch';
const anyCall = fc.constantFrom<Call>('fit', 'predict', 'evaluate', 'trainOnBatch');
const trainingCall = fc.constantFrom<Call>('fit', 'evaluate', 'trainOnBatch');

function invoke(m: lw.LayersModel, call: Call, x: unknown, y: unknown): unknown {
  const X = x as lw.ModelData;
  const Y = y as lw.ModelData;
  switch (call) {
    case 'fit': return m.fit(X, Y, { epochs: 1, batchSize: 2, verbose: 0 });
    case 'predict': return m.predict(X);
    case 'evaluate': return m.evaluate(X, Y, { batchSize: 2 });
    case 'trainOnBatch': return m.trainOnBatch(X, Y);
  }
}

const valid = tokenData(8, LEN, VOCAB, 1);
const labels = (n: number) => Array.from({ length: n }, (_, i) => [i % 2]);
const ids = (n: number, seed: number) => tokenData(n, LEN, VOCAB, seed).x;

/** Runs a property against a victim model, checking after every case that it still matches its twin. */
function twinProperty<T>(make: () => lw.LayersModel, data: { x: lw.ModelData; y: lw.ModelData }, arb: fc.Arbitrary<T>, bad: (m: lw.LayersModel, v: T) => Promise<void>) {
  return async () => {
    const victim = make();
    const reference = make();
    await fc.assert(fc.asyncProperty(arb, async (v) => {
      await bad(victim, v);
      await expectTwinsAgree(victim, reference, data.x, data.y);
    }), { numRuns: RUNS, seed: 42 });
  };
}

beforeAll(async () => {
  await lw.ready({ backend: 'simd' });
});

describe('shapes, ragged arrays and dtypes', () => {
  it('x of any wrong shape: SHAPE_MISMATCH naming the input, its shape and the expected one (EMPTY_DATA for 0 samples)', twinProperty(
    () => textModel(7), valid,
    fc.record({ shape: fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 4 }), call: anyCall, nested: fc.boolean() }),
    async (m, { shape, call, nested }) => {
      const effective = shape.length === 1 ? [shape[0], 1] : shape;
      fc.pre(!(effective.length === 2 && effective[1] === LEN && effective[0] > 0)); // that one is valid
      const size = shape.reduce((a, b) => a * b, 1);
      const t = lw.tensor(Float32Array.from({ length: size }, (_, i) => i % VOCAB), shape);
      const x = nested && size > 0 && shape.length > 0 ? t.arraySync() : t;
      const y = labels(Math.max(1, shape[0] ?? 1));
      if (shape.length === 0) await expectLwError(() => invoke(m, call, x, y), 'SHAPE_MISMATCH', /a scalar is not a batch of samples/);
      else if (effective.length === 2 && effective[1] === LEN) await expectLwError(() => invoke(m, call, x, y), 'EMPTY_DATA', /x has no samples/);
      else await expectLwError(() => invoke(m, call, x, y), 'SHAPE_MISMATCH', esc(`input "${m.inputs[0].name}" has shape [${effective.join(', ')}], the model expects [None, ${LEN}]`));
    }));

  it('ragged nested arrays in x or y: SHAPE_MISMATCH or DTYPE naming the position', twinProperty(
    () => textModel(7), valid,
    fc.record({ n: fc.integer({ min: 2, max: 6 }), row: fc.nat(), col: fc.nat({ max: LEN - 1 }), len: fc.integer({ min: 0, max: 9 }), kind: fc.constantFrom('row', 'nested', 'y-row'), call: anyCall }),
    async (m, { n, row, col, len, kind, call }) => {
      const x: unknown[][] = ids(n, 3 + row);
      const y: unknown[][] = labels(n);
      const r = 1 + (row % (n - 1)); // not row 0: row 0 sets the expected lengths
      if (kind === 'row') {
        fc.pre(len !== LEN);
        x[r] = Array.from({ length: len }, () => 1);
        await expectLwError(() => invoke(m, call, x, y), 'SHAPE_MISMATCH', esc(`ragged nested array: at [${r}] expected ${LEN} items, got ${len}`));
      } else if (kind === 'nested') {
        x[r][col] = [1];
        await expectLwError(() => invoke(m, call, x, y), 'DTYPE', esc(`value at [${r}, ${col}] is an array`));
      } else {
        fc.pre(call !== 'predict' && len !== 1);
        y[r] = Array.from({ length: len }, () => 0);
        await expectLwError(() => invoke(m, call, x, y), 'SHAPE_MISMATCH', esc(`ragged nested array: at [${r}] expected 1 items, got ${len}`));
      }
    }));

  const strayValues: [string, unknown][] = [
    ['string', 'a'], ['object', null], ['undefined', undefined], ['boolean', true], ['object', {}], ['bigint', 1n], ['symbol', Symbol('s')],
  ];
  it('a value of the wrong type inside x or y: DTYPE naming the position and the type', twinProperty(
    () => textModel(7), valid,
    fc.record({ n: fc.integer({ min: 1, max: 6 }), row: fc.nat(), col: fc.nat({ max: LEN - 1 }), stray: fc.constantFrom(...strayValues), inY: fc.boolean(), call: anyCall }),
    async (m, { n, row, col, stray: [type, value], inY, call }) => {
      const x: unknown[][] = ids(n, 4 + row);
      const y: unknown[][] = labels(n);
      const r = row % n;
      if (inY && call !== 'predict') {
        y[r][0] = value;
        await expectLwError(() => invoke(m, call, x, y), 'DTYPE', esc(`value at [${r}, 0] is ${type}`));
      } else {
        x[r][col] = value;
        await expectLwError(() => invoke(m, call, x, y), 'DTYPE', esc(`value at [${r}, ${col}] is ${type}`));
      }
    }));

  const wholeArguments: [string, () => unknown, lw.LwErrorCode, RegExp][] = [
    ['a string', () => 'the cat sat', 'DTYPE', /cannot use string as data/],
    ['a boolean', () => true, 'DTYPE', /cannot use boolean as data/],
    ['a function', () => () => 1, 'DTYPE', /cannot use function as data/],
    ['a symbol', () => Symbol('x'), 'DTYPE', /cannot use symbol as data/],
    ['a Float64Array', () => new Float64Array(LEN), 'DTYPE', /Float64Array is not supported: use Float32Array or Int32Array/],
    ['a Uint8Array', () => new Uint8Array(LEN), 'DTYPE', /Uint8Array is not supported/],
    ['a DataView', () => new DataView(new ArrayBuffer(8)), 'DTYPE', /DataView is not supported/],
    ['{ data: Float64Array, shape }', () => ({ data: new Float64Array(LEN), shape: [1, LEN] }), 'DTYPE', /Float64Array is not supported/],
    ['{ data, shape } with too few values', () => ({ data: new Float32Array(LEN - 1), shape: [1, LEN] }), 'SHAPE_MISMATCH', /shape \[1, 6\] needs 6 values, got 5/],
    ['a negative shape', () => ({ data: new Float32Array(LEN), shape: [-1, -LEN] }), 'SHAPE_MISMATCH', /dimensions must be whole numbers >= 0/],
    ['a Map', () => new Map(), 'BAD_ARGUMENT', /missing data for "/],
    ['null', () => null, 'BAD_ARGUMENT', /x is missing/],
    ['undefined', () => undefined, 'BAD_ARGUMENT', /x is missing/],
    ['a number', () => 3, 'SHAPE_MISMATCH', /a scalar is not a batch of samples/],
  ];
  it('x that is not data at all: the right code, naming what was given', twinProperty(
    () => textModel(7), valid,
    fc.record({ arg: fc.constantFrom(...wholeArguments), call: anyCall }),
    async (m, { arg: [, make, code, pattern], call }) => {
      await expectLwError(() => invoke(m, call, make(), labels(1)), code, pattern);
    }));

  it('Int32Array ids, nested arrays and float tensors of the same ids predict the same', async () => {
    const m = textModel(7);
    const x = ids(5, 9);
    const asInt = { data: Int32Array.from(x.flat()), shape: [5, LEN] };
    const expected = flat(m.predict(x));
    expect(flat(m.predict(asInt))).toEqual(expected);
    expect(flat(m.predict(lw.tensor(x.flat(), [5, LEN])))).toEqual(expected);
  });
});

describe('values', () => {
  it('token ids >= inputDim, negative or fractional: ID_OUT_OF_RANGE naming the layer, sample, position and value', twinProperty(
    () => textModel(7), valid,
    fc.record({
      n: fc.integer({ min: 1, max: 9 }), row: fc.nat(), col: fc.nat({ max: LEN - 1 }), call: anyCall,
      bad: fc.oneof(fc.integer({ min: VOCAB, max: 2 ** 31 - 1 }), fc.integer({ min: -(2 ** 31), max: -1 }), fc.double({ min: 0.001, max: VOCAB - 0.001, noNaN: true }).filter((v) => !Number.isInteger(v))),
    }),
    async (m, { n, row, col, bad, call }) => {
      const x = ids(n, 5 + row);
      const r = row % n;
      x[r][col] = bad;
      // Float32 storage rounds the value: the message shows what the model got.
      const shown = Math.fround(bad);
      await expectLwError(() => invoke(m, call, x, labels(n)), 'ID_OUT_OF_RANGE',
        esc(`input "${m.inputs[0].name}", the ids of layer "${m.layers[0].name}" (Embedding), has ${shown} at [${r}, ${col}] (sample ${r}), outside the whole numbers [0, ${VOCAB})`));
    }));

  it('NaN or ±Infinity anywhere in x or y: NON_FINITE naming the input or output, sample and position', twinProperty(
    () => threeInputModel(8), threeInputData(6, 2),
    fc.record({
      n: fc.integer({ min: 1, max: 7 }), which: fc.integer({ min: 0, max: 4 }), at: fc.nat(), call: anyCall,
      value: fc.constantFrom(NaN, Infinity, -Infinity),
    }),
    async (m, { n, which, at, value, call }) => {
      const { x, y } = threeInputData(n, 20 + at);
      const isY = which >= 3;
      fc.pre(!(isY && call === 'predict'));
      const t = isY ? y[which - 3] : x[which];
      const i = at % t.size;
      (t.dataSync() as Float32Array)[i] = value;
      const pos: number[] = [];
      let rest = i;
      for (let d = t.shape.length - 1; d >= 0; d--) {
        pos.unshift(rest % t.shape[d]);
        rest = Math.floor(rest / t.shape[d]);
      }
      const name = isY ? `y for output "${['reg', 'cls'][which - 3]}"` : `input "${['seq', 'feats', 'ids'][which]}"`;
      await expectLwError(() => invoke(m, call, x, y), 'NON_FINITE', esc(`${name} has ${value} at [${pos.join(', ')}] (sample ${pos[0]})`));
    }));

  it('labels outside [0, 1] for binary cross-entropy: BAD_ARGUMENT naming the output, sample and value', twinProperty(
    () => textModel(7), valid,
    fc.record({
      n: fc.integer({ min: 1, max: 9 }), row: fc.nat(), call: trainingCall,
      label: fc.oneof(fc.double({ min: 1.0001, max: 1e30, noNaN: true }), fc.double({ min: -1e30, max: -0.0001, noNaN: true }), fc.constantFrom(2, -1, 255)),
    }),
    async (m, { n, row, label, call }) => {
      const y = labels(n);
      const r = row % n;
      y[r][0] = label;
      await expectLwError(() => invoke(m, call, ids(n, 6), y), 'BAD_ARGUMENT',
        esc(`y for output "${m.outputs[0].node.layer.name}" has ${Math.fround(label)} at [${r}, 0] (sample ${r}): binaryCrossentropy needs targets in [0, 1]`));
    }));

  it('one-hot targets outside [0, 1] for categorical cross-entropy: BAD_ARGUMENT', async () => {
    const make = () => {
      lw.setSeed(10);
      const m = lw.sequential([lw.layers.gru({ units: 3, inputShape: [4, 2] }), lw.layers.dense({ units: 3, activation: 'softmax', name: 'probs' })]);
      m.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy' });
      return m;
    };
    const m = make();
    const ref = make();
    const x = lw.tensor(Float32Array.from({ length: 24 }, (_, i) => Math.cos(i)), [3, 4, 2]);
    const y = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    for (const [bad, r, c] of [[2, 1, 1], [-0.5, 2, 0], [1.0001, 0, 0]]) {
      const yb = y.map((row) => [...row]);
      yb[r][c] = bad;
      await expectLwError(() => m.fit(x, yb, { verbose: 0 }), 'BAD_ARGUMENT', esc(`y for output "probs" has ${Math.fround(bad)} at [${r}, ${c}] (sample ${r}): categoricalCrossentropy needs targets in [0, 1]`));
    }
    await expectTwinsAgree(m, ref, x, y);
  });

  it('class ids outside [0, classes) for sparse categorical cross-entropy: ID_OUT_OF_RANGE', twinProperty(
    () => threeInputModel(8), threeInputData(6, 2),
    fc.record({ n: fc.integer({ min: 1, max: 7 }), row: fc.nat(), call: trainingCall, id: fc.oneof(fc.integer({ min: 3, max: 1e6 }), fc.integer({ min: -1e6, max: -1 }), fc.constant(1.5)) }),
    async (m, { n, row, id, call }) => {
      const { x, y } = threeInputData(n, 30 + row);
      const r = row % n;
      (y[1].dataSync() as Float32Array)[r] = id;
      await expectLwError(() => invoke(m, call, x, y), 'ID_OUT_OF_RANGE', esc(`y for output "cls" (sparseCategoricalCrossentropy) has ${id} at [${r}, 0] (sample ${r}), outside the whole numbers [0, 3)`));
    }));
});

describe('sequence lengths, batch sizes, sample counts', () => {
  const varLengthModel = () => {
    lw.setSeed(9);
    const m = lw.sequential([lw.layers.lstm({ units: 3, inputShape: [null, 2] }), lw.layers.dense({ units: 1 })]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    return m;
  };
  const varData = { x: lw.tensor(Float32Array.from({ length: 6 * 5 * 2 }, (_, i) => Math.sin(i)), [6, 5, 2]), y: lw.tensor(Float32Array.from({ length: 6 }, (_, i) => i / 6), [6, 1]) };

  it('zero-length sequences: EMPTY_DATA naming the layer (variable length), SHAPE_MISMATCH (fixed length)', twinProperty(
    varLengthModel, varData,
    fc.record({ n: fc.integer({ min: 0, max: 5 }), call: anyCall }),
    async (m, { n, call }) => {
      const x = lw.tensor(new Float32Array(0), [n, 0, 2]);
      const y = lw.tensor(new Float32Array(Math.max(n, 1)), [Math.max(n, 1), 1]);
      if (n === 0) await expectLwError(() => invoke(m, call, x, y), 'EMPTY_DATA', /x has no samples/);
      else await expectLwError(() => invoke(m, call, x, y), 'EMPTY_DATA', esc(`layer "${m.layers[0].name}": sequences of length 0`));
      const fixed = textModel(7);
      await expectLwError(() => invoke(fixed, call, lw.tensor(new Float32Array(0), [Math.max(n, 1), 0]), y), 'SHAPE_MISMATCH', esc(`has shape [${Math.max(n, 1)}, 0], the model expects [None, ${LEN}]`));
    }));

  it('sequences that are all padding are valid: finite outputs, and padSequences of empty lists says what is wrong', async () => {
    const m = textModel(7);
    const x = lw.data.padSequences([[], [], [3]], { maxLen: LEN });
    const p = flat(m.predict(x));
    expect(p.every(Number.isFinite)).toBe(true);
    expect(p[0]).toBe(p[1]);
    await expectLwError(() => lw.data.padSequences([[], []]), 'BAD_ARGUMENT', /maxLen must be a whole number >= 1, got 0/);
  });

  it('a batch size larger than the data is one batch: the same results as batchSize = samples', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 10_000 }), async (n, extra) => {
      const a = textModel(7);
      const b = textModel(7);
      const { x, y } = tokenData(n, LEN, VOCAB, n);
      expect(flat(a.predict(x, { batchSize: n + extra }))).toEqual(flat(b.predict(x, { batchSize: n })));
      const ha = await a.fit(x, y, { epochs: 2, batchSize: n + extra, seed: 1, verbose: 0 });
      const hb = await b.fit(x, y, { epochs: 2, batchSize: n, seed: 1, verbose: 0 });
      expect(ha.history.loss).toEqual(hb.history.loss);
      expect(a.evaluate(x, y, { batchSize: n + extra })).toEqual(b.evaluate(x, y, { batchSize: n }));
    }), { numRuns: Math.ceil(RUNS / 3), seed: 43 });
  });

  it('batch size 0, negative, fractional, NaN, infinite or not a number: BAD_ARGUMENT naming batchSize and the value', twinProperty(
    () => textModel(7), valid,
    fc.record({
      bs: fc.oneof(fc.constant(0), fc.integer({ min: -1000, max: -1 }), fc.double({ min: 0, max: 100, noNaN: true }).filter((v) => !Number.isInteger(v)), fc.constantFrom(NaN, Infinity, -Infinity, '8' as unknown as number)),
      call: fc.constantFrom('fit', 'predict', 'evaluate'),
    }),
    async (m, { bs, call }) => {
      const args = { batchSize: bs, verbose: 0 as const };
      const f = call === 'fit' ? () => m.fit(valid.x, valid.y, args) : call === 'predict' ? () => m.predict(valid.x, args) : () => m.evaluate(valid.x, valid.y, args);
      await expectLwError(f, 'BAD_ARGUMENT', esc(`batchSize must be a whole number >= 1, got ${String(bs)}`));
    }));

  it('epochs, validationSplit and initialEpoch out of range: BAD_ARGUMENT or EMPTY_DATA naming the option', async () => {
    const m = textModel(7);
    const ref = textModel(7);
    await expectLwError(() => m.fit(valid.x, valid.y, { epochs: -1, verbose: 0 }), 'BAD_ARGUMENT', /epochs must be a whole number >= 0, got -1/);
    await expectLwError(() => m.fit(valid.x, valid.y, { epochs: 1.5, verbose: 0 }), 'BAD_ARGUMENT', /epochs .* got 1.5/);
    await expectLwError(() => m.fit(valid.x, valid.y, { validationSplit: 1, verbose: 0 }), 'BAD_ARGUMENT', /validationSplit must be in \[0, 1\), got 1/);
    await expectLwError(() => m.fit(valid.x, valid.y, { validationSplit: 0.01, verbose: 0 }), 'EMPTY_DATA', /validationSplit 0.01 of 8 samples leaves 0 for validation/);
    await expectTwinsAgree(m, ref, valid.x, valid.y);
  });

  it('x and y with different sample counts, or inputs with different counts: SHAPE_MISMATCH naming both counts', twinProperty(
    () => threeInputModel(8), threeInputData(6, 2),
    fc.record({ nx: fc.integer({ min: 1, max: 7 }), ny: fc.integer({ min: 1, max: 7 }), which: fc.integer({ min: 0, max: 2 }), call: trainingCall }),
    async (m, { nx, ny, which, call }) => {
      fc.pre(nx !== ny);
      const a = threeInputData(nx, 3);
      const b = threeInputData(ny, 4);
      if (which === 0) {
        await expectLwError(() => invoke(m, call, a.x, b.y), 'SHAPE_MISMATCH', esc(`y for output "reg" has ${ny} samples, x has ${nx}`));
      } else {
        const x = [...a.x];
        x[which] = b.x[which];
        const name = ['seq', 'feats', 'ids'][which];
        await expectLwError(() => invoke(m, call, x, a.y), 'SHAPE_MISMATCH', esc(`input "${name}" has ${ny} samples, input "seq" has ${nx}`));
      }
    }));
});

describe('several inputs', () => {
  const names = ['seq', 'feats', 'ids'];
  const expected = ['[None, 4, 2]', '[None, 3]', '[None, 5]'];

  it('inputs in the wrong order: SHAPE_MISMATCH naming the first misplaced input and both shapes', twinProperty(
    () => threeInputModel(8), threeInputData(6, 2),
    fc.record({ order: fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }), n: fc.integer({ min: 1, max: 5 }), call: anyCall }),
    async (m, { order, n, call }) => {
      fc.pre(order.some((v, i) => v !== i));
      const { x, y } = threeInputData(n, 7);
      const first = order.findIndex((v, i) => v !== i);
      const got = x[order[first]].shape;
      await expectLwError(() => invoke(m, call, order.map((i) => x[i]), y), 'SHAPE_MISMATCH',
        esc(`input "${names[first]}" has shape [${got.join(', ')}], the model expects ${expected[first]}`));
    }));

  it('inputs by name in any key order work; unknown, missing or too few inputs are named', async () => {
    const m = threeInputModel(8);
    const ref = threeInputModel(8);
    const { x, y } = threeInputData(4, 7);
    const byName = flat(m.predict({ ids: x[2], seq: x[0], feats: x[1] }));
    expect(byName).toEqual(flat(m.predict(x)));
    await expectLwError(() => m.predict({ sqe: x[0], feats: x[1], ids: x[2] }), 'BAD_ARGUMENT', /no input\/output named "sqe"; names are seq, feats, ids/);
    await expectLwError(() => m.predict({ feats: x[1], ids: x[2] }), 'BAD_ARGUMENT', /missing data for "seq"/);
    await expectLwError(() => m.predict([x[0], x[1]]), 'SHAPE_MISMATCH', /the model has 3 tensors here \(seq, feats, ids\), got 2/);
    await expectLwError(() => m.fit(x, [y[0]], { verbose: 0 }), 'SHAPE_MISMATCH', /the model has 2 tensors here \(reg, cls\), got 1/);
    await expectTwinsAgree(m, ref, x, y);
  });
});
