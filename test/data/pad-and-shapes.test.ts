import { describe, it, expect } from 'vitest';
import * as lw from '../../ts/index.js';

describe('padSequences (Keras semantics)', () => {
  const seqs = [[1, 2, 3], [4, 5, 6, 7, 8], [9]];
  it('pads and truncates at the front by default', () => {
    expect(lw.data.padSequences(seqs, { maxLen: 4 }).arraySync()).toEqual([[0, 1, 2, 3], [5, 6, 7, 8], [0, 0, 0, 9]]);
  });
  it('post padding and post truncating, value and dtype', () => {
    const t = lw.data.padSequences(seqs, { maxLen: 4, padding: 'post', truncating: 'post', value: -1, dtype: 'float32' });
    expect(t.dtype).toBe('float32');
    expect(t.arraySync()).toEqual([[1, 2, 3, -1], [4, 5, 6, 7], [9, -1, -1, -1]]);
  });
  it('defaults maxLen to the longest and rejects bad options', () => {
    expect(lw.data.padSequences(seqs).shape).toEqual([3, 5]);
    expect(() => lw.data.padSequences(seqs, { padding: 'middle' as never })).toThrow(/padding must be 'pre' or 'post'/);
    expect(() => lw.data.padSequences(seqs, { maxLen: 0 })).toThrow(/maxLen/);
  });
});

describe('Tokenizer (Keras semantics)', () => {
  const texts = ['The cat sat on the mat.', 'The dog ate my homework!', 'Cat and dog.'];
  it('indexes words by frequency (1-based), keeping first-seen order on ties', () => {
    const t = new lw.data.Tokenizer();
    t.fitOnTexts(texts);
    expect(t.wordIndex.get('the')).toBe(1);
    expect(t.wordIndex.get('cat')).toBe(2);
    expect(t.wordIndex.get('dog')).toBe(3);
    expect(t.wordIndex.get('sat')).toBe(4);
    expect(t.textsToSequences(['the cat, the DOG'])).toEqual([[1, 2, 1, 3]]);
  });
  it('numWords keeps index < numWords; oovToken takes index 1 and replaces the rest', () => {
    const t = new lw.data.Tokenizer({ numWords: 3 });
    t.fitOnTexts(texts);
    expect(t.textsToSequences(['the cat dog sat'])).toEqual([[1, 2]]);
    const o = new lw.data.Tokenizer({ numWords: 4, oovToken: '<OOV>' });
    o.fitOnTexts(texts);
    expect(o.wordIndex.get('<OOV>')).toBe(1);
    expect(o.textsToSequences(['the cat dog zebra'])).toEqual([[2, 3, 1, 1]]);
    expect(o.sequencesToTexts([[2, 3, 1]])).toEqual(['the cat <OOV>']);
  });
  it('character level, and a JSON round trip', () => {
    const c = new lw.data.Tokenizer({ charLevel: true, lower: false });
    c.fitOnTexts(['abba', 'cab']);
    expect(c.textsToSequences(['abc'])).toEqual([[1, 2, 3]]);
    const back = lw.data.Tokenizer.fromJSON(JSON.parse(JSON.stringify(c.toJSON())));
    expect(back.textsToSequences(['cba'])).toEqual([[3, 2, 1]]);
    expect(back.sequencesToTexts([[1, 2]])).toEqual(['ab']);
  });
});
