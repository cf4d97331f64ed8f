// Running out of memory: a model or a batch too large gives OUT_OF_MEMORY with the bytes asked,
// quickly and before anything is half-done; the heap gets every byte back, and this model and the
// others go on working. Out of memory in the middle of making the parameter block or the
// optimizer's slots (a memory that refuses to grow) leaves nothing behind either.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import * as lw from '../../ts/index.js';
import { currentBackend } from '../../ts/runtime/ready.js';
import { globalRandom } from '../../ts/random.js';
import { expectLwError, expectTwinsAgree, flat, heapFigures, textModel, tokenData, weightsOf } from '../helpers/reliability.js';

let restoreGrow: (() => void) | null = null;

/** Makes the current backend's memory refuse to grow (as a full wasm memory does) until restored. */
function freezeMemory(): void {
  const mem = currentBackend().memory as { grow(bytes: number): boolean };
  const own = Object.prototype.hasOwnProperty.call(mem, 'grow');
  const original = mem.grow;
  mem.grow = () => false;
  restoreGrow = () => {
    if (own) mem.grow = original;
    else delete (mem as Partial<typeof mem>).grow;
    restoreGrow = null;
  };
}

afterEach(() => restoreGrow?.());

describe('OUT_OF_MEMORY', () => {
  for (const backend of ['simd', 'js'] as const) {
    describe(backend, () => {
      beforeEach(async () => {
        await lw.ready({ backend });
      });

      it('a model too large for any memory: OUT_OF_MEMORY with the bytes asked, at once, before drawing initial values', async () => {
        const other = textModel(1);
        const x = tokenData(4, 6, 12, 1).x;
        const before = flat(other.predict(x));
        const heap = heapFigures();
        lw.setSeed(9);
        const err = await expectLwError(() => lw.sequential([lw.layers.dense({ units: 1_000_000, inputShape: [5000], name: 'huge' })]), 'OUT_OF_MEMORY',
          /has 5001000000 parameters: they and their gradients need 40008000000 bytes, more than the 4294901760 a wasm memory can hold/, /huge\/kernel \[5000, 1000000\] of layer "huge"/);
        // At once, counted rather than timed: not one initial value was drawn from the seeded stream.
        const next = globalRandom().next();
        lw.setSeed(9);
        expect(next).toBe(globalRandom().next());
        expect(err.details.bytesAsked).toBe(40_008_000_000);
        expect(heapFigures()).toEqual(heap);
        expect(flat(other.predict(x))).toEqual(before);
      });

      it('a batch too large: OUT_OF_MEMORY naming the bytes asked; the heap is as before; smaller batches and other models work', async () => {
        lw.setSeed(4);
        // 16384 sequences of 64 ids → embeddings of 1024 floats: 4 GiB for one batch. (The
        // Activation keeps predict from folding the Embedding into the RNN, which never gathers them.)
        const wide = lw.sequential([
          lw.layers.embedding({ inputDim: 50, outputDim: 1024, inputLength: 64 }), lw.layers.activation({ activation: 'linear' }), lw.layers.simpleRNN({ units: 2 }),
        ]);
        wide.compile({ optimizer: 'adam', loss: 'mse' });
        const ref = textModel(1);
        const refTwin = textModel(1);
        const data = tokenData(6, 6, 12, 3);
        const refBefore = flat(ref.predict(data.x));
        const x = lw.tensor(new Float32Array(16384 * 64).fill(3), [16384, 64]);
        const small = lw.tensor(new Float32Array(4 * 64).fill(3), [4, 64]);
        const wideBefore = flat(wide.predict(small));
        const weights = weightsOf(wide);
        const heap = heapFigures();
        const floatBytes = currentBackend().floatBytes;
        const asked = 16384 * 64 * 1024 * floatBytes;
        const err = await expectLwError(() => wide.predict(x, { batchSize: 16384 }), 'OUT_OF_MEMORY', new RegExp(`asked for ${asked} bytes`));
        expect(err.details.bytesAsked).toBe(asked);
        await expectLwError(() => wide.fit(x, { data: new Float32Array(16384 * 2), shape: [16384, 2] }, { batchSize: 16384, verbose: 0 }), 'OUT_OF_MEMORY', new RegExp(`asked for ${asked} bytes`));
        expect(heapFigures().used).toBe(heap.used);
        expect(heapFigures().memory - heap.memory).toBeLessThan(64 << 20); // the failed batch did not keep memory grown
        expect(weightsOf(wide)).toEqual(weights);
        expect(wide.optimizer!.iterations).toBe(0);
        expect(flat(wide.predict(small))).toEqual(wideBefore);
        expect(flat(ref.predict(data.x))).toEqual(refBefore);
        await expectTwinsAgree(ref, refTwin, data.x, data.y);
        // Folded (no Activation between), predict reads table·kernel rows [50, 2] and never asks for the 4 GiB.
        const folded = lw.sequential([lw.layers.embedding({ inputDim: 50, outputDim: 1024, inputLength: 64 }), lw.layers.simpleRNN({ units: 2 })]);
        folded.setWeights(wide.getWeights());
        const out = flat(folded.predict(x, { batchSize: 16384 }));
        expect(out.length).toBe(16384 * 2);
        const want = flat(wide.predict(small));
        out.slice(0, 8).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
      });
    });
  }

  describe('a memory that cannot grow', () => {
    beforeEach(async () => {
      await lw.ready({ backend: 'simd' });
    });

    /** Allocates filler so that about `free` bytes (rounded down to 16) remain free at the memory's end. */
    function leaveFree(wanted: number): number {
      const free = Math.floor(wanted / 16) * 16;
      const b = currentBackend();
      const need = free + (4 << 20);
      if (b.memory.byteLength - b.heap.topBytes < need) b.free(b.alloc(need)); // grow once, then give back
      const filler = b.alloc(b.memory.byteLength - b.heap.topBytes - free);
      expect(b.memory.byteLength - b.heap.topBytes).toBe(free);
      return filler;
    }

    it('out of memory for the gradient block: the parameter block is given back, and the model works once memory is there', async () => {
      lw.setSeed(6);
      const m = lw.sequential([lw.layers.dense({ units: 500, inputShape: [400] }), lw.layers.dense({ units: 1 })]);
      const block = m.weights.reduce((a, w) => a + Math.ceil(w.size / 4) * 4, 0) * 4;
      const filler = leaveFree(block + block / 2); // the parameters fit, the gradients do not
      freezeMemory();
      const used = heapFigures().used;
      await expectLwError(() => m.predict([new Array(400).fill(1)]), 'OUT_OF_MEMORY');
      expect(heapFigures().used).toBe(used);
      restoreGrow!();
      currentBackend().free(filler);
      expect(flat(m.predict([new Array(400).fill(1)]))).toHaveLength(1);
    });

    it('out of memory between two optimizer slots: no slot is kept, and the next step is the same as a fresh model\'s', async () => {
      const make = () => {
        lw.setSeed(7);
        // Big weights, tiny activations: the step's own scratch is small beside one slot.
        const m = lw.sequential([lw.layers.embedding({ inputDim: 20000, outputDim: 16, inputLength: 3 }), lw.layers.flatten(), lw.layers.dense({ units: 1 })]);
        m.compile({ optimizer: 'adam', loss: 'mse' });
        return m;
      };
      const victim = make();
      const reference = make();
      const x = [[1, 2, 19999], [5, 0, 7]];
      const y = [[1], [0]];
      victim.predict(x); // the parameter and gradient blocks exist; Adam's two slots do not yet
      const slot = victim.params().trainableFloats * 4;
      const filler = leaveFree(slot + slot / 2); // the first slot fits, the second does not
      freezeMemory();
      const used = heapFigures().used;
      await expectLwError(() => victim.trainOnBatch(x, y), 'OUT_OF_MEMORY', new RegExp(`asked for ${slot} bytes`));
      expect(heapFigures().used).toBe(used);
      expect(victim.optimizer!.iterations).toBe(0);
      restoreGrow!();
      currentBackend().free(filler);
      expect(victim.trainOnBatch(x, y)).toBe(reference.trainOnBatch(x, y));
      expect(weightsOf(victim)).toEqual(weightsOf(reference));
      expect(victim.trainOnBatch(x, y)).toBe(reference.trainOnBatch(x, y));
      expect(weightsOf(victim)).toEqual(weightsOf(reference));
    });
  });
});
