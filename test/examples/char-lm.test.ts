// lw.text helpers (sampling with temperature, next-token windows, entropy, bits per token, generation)
// and the Moby Dick character model example at a small size.
import { beforeAll, describe, expect, it } from 'vitest';
import * as lw from '../../ts/index.js';
import { bitsPerToken, encodeText, generateText, languageModelTokenizer, nextTokenWindows, sampleIndex, unigramEntropy, vocabularySize } from '../../ts/text/index.js';
import { mobyDick, runCharLm } from '../../examples/char-lm/main.js';

beforeAll(async () => {
  await lw.ready();
});

describe('sampleIndex', () => {
  const probs = [0.1, 0.6, 0.3];
  const frequencies = (temperature: number, n = 20000) => {
    const rng = new lw.Random(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < n; i++) counts[sampleIndex(probs, { temperature, rng })]++;
    return counts.map((c) => c / n);
  };

  it('temperature 1 draws from the probabilities; T reweights them as p^(1/T)', () => {
    frequencies(1).forEach((f, i) => expect(f).toBeCloseTo(probs[i], 1.7));
    for (const t of [0.5, 2]) {
      const w = probs.map((p) => p ** (1 / t));
      const z = w.reduce((a, b) => a + b, 0);
      frequencies(t).forEach((f, i) => expect(Math.abs(f - w[i] / z)).toBeLessThan(0.015));
    }
  });

  it('temperature 0 is the argmax; excluded indices and zero probabilities are never drawn; bad input throws', () => {
    expect(sampleIndex(probs, { temperature: 0 })).toBe(1);
    expect(sampleIndex(probs, { temperature: 0, exclude: [1] })).toBe(2);
    const rng = new lw.Random(2);
    for (let i = 0; i < 500; i++) expect([0, 2]).toContain(sampleIndex([0.5, 0, 0.5], { rng, temperature: 1.5 }));
    for (let i = 0; i < 500; i++) expect(sampleIndex([0.2, 0.8], { rng, exclude: [1] })).toBe(0);
    // tiny temperatures work in log space (p^(1/T) would underflow to 0 / 0)
    expect(sampleIndex([1e-30, 2e-30], { temperature: 1e-3, rng })).toBe(1);
    expect(() => sampleIndex(probs, { temperature: -1 })).toThrow(/temperature/);
    expect(() => sampleIndex([0.5, NaN])).toThrow(/probability NaN at index 1/);
    expect(() => sampleIndex([0, 0])).toThrow(/probability 0/);
  });
});

describe('next-token data and measures', () => {
  it('nextTokenWindows: window i is ids[s..s+len), its target ids[s+len]', () => {
    const ids = Array.from({ length: 11 }, (_, i) => 100 + i);
    const { x, y } = nextTokenWindows(ids, { seqLen: 4, stride: 3 });
    expect(x.shape).toEqual([3, 4]);
    expect(y.shape).toEqual([3, 1]);
    expect(Array.from(x.dataSync())).toEqual([100, 101, 102, 103, 103, 104, 105, 106, 106, 107, 108, 109]);
    expect(Array.from(y.dataSync())).toEqual([104, 107, 110]);
    expect(() => nextTokenWindows([1, 2, 3], { seqLen: 3 })).toThrow(/3 tokens are too few for windows of 3/);
  });

  it('unigramEntropy: log2(k) for k equally frequent tokens, 0 for one token', () => {
    expect(unigramEntropy([1, 2, 3, 4, 1, 2, 3, 4])).toBeCloseTo(2, 12);
    expect(unigramEntropy([5, 5, 5])).toBe(0);
    expect(unigramEntropy([1, 1, 1, 2])).toBeCloseTo(-(0.75 * Math.log2(0.75) + 0.25 * Math.log2(0.25)), 12);
  });

  it('bitsPerToken equals the sparse cross-entropy of evaluate over ln 2', async () => {
    lw.setSeed(1);
    const model = lw.sequential([
      lw.layers.embedding({ inputDim: 6, outputDim: 4, inputLength: 5 }),
      lw.layers.gru({ units: 5 }),
      lw.layers.dense({ units: 6, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const rng = new lw.Random(3);
    const { x, y } = nextTokenWindows(Array.from({ length: 40 }, () => 1 + rng.int(5)), { seqLen: 5 });
    const loss = model.evaluate(x, y) as number;
    expect(bitsPerToken(model, x, y)).toBeCloseTo(loss / Math.LN2, 5);
  });

  it('languageModelTokenizer: characters keep case and punctuation; words get <OOV> and a vocabulary cap', () => {
    const chars = languageModelTokenizer('Abba, abba!');
    expect([...chars.wordIndex.keys()].sort()).toEqual([' ', '!', ',', 'A', 'a', 'b']);
    expect(vocabularySize(chars)).toBe(7);
    expect(chars.sequencesToTexts([Array.from(encodeText(chars, 'Abba!'))])[0]).toBe('Abba!');
    const words = languageModelTokenizer('the cat and the dog and the bird', { level: 'word', vocab: 4 });
    expect(vocabularySize(words)).toBe(4);
    // ids < 4: <OOV> = 1, "the" = 2, "and" = 3; the rest are out of vocabulary
    expect(Array.from(encodeText(words, 'the dog and'))).toEqual([2, 1, 3]);
  });

  it('generateText: exactly `length` known tokens, never padding or <OOV>; repeatable with a seed', () => {
    lw.setSeed(2);
    const tok = languageModelTokenizer('one two three one two', { level: 'word' });
    const v = vocabularySize(tok);
    const model = lw.sequential([
      lw.layers.embedding({ inputDim: v, outputDim: 3, inputLength: 3, maskZero: true }),
      lw.layers.lstm({ units: 4 }),
      lw.layers.dense({ units: v, activation: 'softmax' }),
    ]);
    const a = generateText(model, tok, { seedText: 'one two', length: 25, temperature: 1.5, seed: 4 });
    const words = a.split(' ');
    expect(words).toHaveLength(25);
    for (const w of words) expect(['one', 'two', 'three']).toContain(w);
    expect(generateText(model, tok, { seedText: 'one two', length: 25, temperature: 1.5, seed: 4 })).toBe(a);
    expect(generateText(model, tok, { seedText: '', length: 0 })).toBe('');
  });
});

describe('examples/char-lm at a small size', () => {
  it('learns Moby Dick below the unigram entropy and samples known characters at two temperatures', async () => {
    const lines: string[] = [];
    const r = await runCharLm({ chars: 24_000, seqLen: 32, stride: 2, units: 64, epochs: 2, batchSize: 64, learningRate: 0.01, sampleLength: 80, verbose: 0, log: (l) => lines.push(l) });
    expect(r.trainChars).toBe(21_600);
    expect(r.heldOutChars).toBe(2_400);
    expect(r.history.loss).toHaveLength(2);
    expect(r.history.loss[1]).toBeLessThan(r.history.loss[0]);
    // the held-out text's unigram entropy is about 4.3 bits; context must help
    expect(r.unigramBits).toBeGreaterThan(3.8);
    expect(r.bitsPerChar).toBeLessThan(r.unigramBits);
    expect(r.samples.map((s) => s.temperature)).toEqual([0.5, 1]);
    const known = new Set(r.vocabulary);
    for (const s of r.samples) {
      expect([...s.text]).toHaveLength(80);
      for (const c of s.text) expect(known.has(c), JSON.stringify(c)).toBe(true);
    }
    expect(lines.some((l) => /^held-out text: \d\.\d{3} bits per character .* character frequencies alone need \d\.\d{3}$/.test(l))).toBe(true);
    expect(mobyDick()).toMatch(/^CHAPTER 1\. Loomings\.\n\nCall me Ishmael\./);
  }, 120_000);
});
