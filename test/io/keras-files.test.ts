// Keras model files (test/fixtures/keras, written by scripts/keras_fixtures.py field for field as
// Keras 2.0.8 to 3.10 write them) load with lw.loadModel from their bytes and predict what Keras
// predicts (float64 numpy references, themselves checked against PyTorch). The sharded fixture is a
// directory and loads through its model.weights.json. Until the Keras loader exists these loading
// tests fail (loadModel rejects bytes); the checks of the fixtures themselves pass.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as lw from '../../ts/index.js';
import type { NestedArray } from '../../ts/index.js';
import { expectClose } from '../helpers/kernels.js';

type Dtype = 'int' | 'float';
interface Fixture {
  name: string;
  file: string;
  format: 'keras-zip' | 'hdf5' | 'keras-dir-sharded';
  keras_version: string;
  inputs: NestedArray[];
  input_dtype: Dtype | Dtype[];
  outputs: NestedArray[];
  tolerance: number;
  notes: string;
}

const dir = new URL('../fixtures/keras/', import.meta.url);
const fixtures: Fixture[] = readdirSync(dir)
  .filter((f) => f.endsWith('.expected.json'))
  .sort()
  .map((f) => ({ name: f.slice(0, -'.expected.json'.length), ...JSON.parse(readFileSync(new URL(f, dir), 'utf8')) }));

// What the Keras loader will accept: a file's bytes (zip or HDF5, told apart by their first bytes) or a
// file:// URL (the sharded weights' model.weights.json). Its declared type does not say so yet.
const loadModel = lw.loadModel;

function load(f: Fixture): Promise<lw.LayersModel> {
  const url = new URL(f.file, dir);
  return f.format === 'keras-dir-sharded' ? loadModel(url.href) : loadModel(new Uint8Array(readFileSync(url)));
}

const dtypeOf = (f: Fixture, i: number): Dtype => (Array.isArray(f.input_dtype) ? f.input_dtype[i] : f.input_dtype);

function shapeOf(a: NestedArray | number): number[] {
  return Array.isArray(a) ? [a.length, ...shapeOf(a[0] as NestedArray | number)] : [];
}

function flat(a: NestedArray | number): number[] {
  return Array.isArray(a) ? a.flatMap((v) => flat(v as NestedArray | number)) : [a];
}

const SIGNATURES = { 'keras-zip': [0x50, 0x4b, 0x03, 0x04], hdf5: [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a] };

describe('the Keras fixtures', () => {
  it('are all there, each file of the format its expected.json names', () => {
    expect(fixtures.map((f) => f.name)).toHaveLength(13);
    for (const f of fixtures) {
      const path = fileURLToPath(new URL(f.file, dir));
      expect(existsSync(path), f.file).toBe(true);
      if (f.format === 'keras-dir-sharded') {
        const weights = JSON.parse(readFileSync(path, 'utf8')) as { weight_map: Record<string, string> };
        for (const shard of new Set(Object.values(weights.weight_map))) expect(existsSync(new URL(shard, new URL(f.file, dir))), shard).toBe(true);
        continue;
      }
      const head = [...readFileSync(path).subarray(0, 8)];
      expect(head.slice(0, SIGNATURES[f.format].length), f.file).toEqual(SIGNATURES[f.format]);
    }
  });

  it('have one input array per model input and finite reference outputs', () => {
    for (const f of fixtures) {
      if (Array.isArray(f.input_dtype)) expect(f.input_dtype).toHaveLength(f.inputs.length);
      for (const [i, x] of f.inputs.entries()) {
        if (dtypeOf(f, i) === 'int') expect(flat(x).every(Number.isInteger), `${f.name} input ${i}`).toBe(true);
      }
      expect(f.outputs.length, f.name).toBeGreaterThan(0);
      for (const y of f.outputs) expect(flat(y).every(Number.isFinite), f.name).toBe(true);
    }
  });
});

describe.each(['simd', 'js'] as const)('Keras files predict like Keras on %s', (backend) => {
  beforeAll(async () => {
    await lw.ready({ backend });
  });

  it.each(fixtures.map((f) => [f.name, f] as const))('%s', async (_, f) => {
    const model = await load(f);
    try {
      const inputs = f.inputs.map((x, i) => lw.tensor(x, undefined, dtypeOf(f, i) === 'int' ? 'int32' : 'float32'));
      const predicted = model.predict(inputs.length === 1 ? inputs[0] : inputs);
      const outputs = Array.isArray(predicted) ? predicted : [predicted];
      expect(outputs, `${f.name}: number of outputs`).toHaveLength(f.outputs.length);
      outputs.forEach((y, i) => {
        expect(y.shape, `${f.name} output ${i} shape`).toEqual(shapeOf(f.outputs[i]));
        expectClose(y.dataSync(), flat(f.outputs[i]), f.tolerance, f.tolerance, `${f.name} output ${i}`);
      });
    } finally {
      model.dispose();
    }
  });
});
