// What a person typed on run-model.html, made into a batch for one model input: numbers (a JSON
// nested array, or numbers separated by commas, spaces or new lines) shaped to the input's shape,
// or text (one sample per line) turned into token ids by a saved tokenizer and padded.
import { LwError, tensor, data } from '../../dist/index.js';
import { formatShape } from './format-shape.js';

/**
 * The batch for an input of shape `inputShape` (batch dimension first, null where any size goes).
 * One sample or several, nested: `[[1, 2], [3, 4]]`; or flat: `1, 2, 3, 4` fills whole samples.
 * @param {string} text
 * @param {(number | null)[]} inputShape
 */
export function numbersToBatch(text, inputShape) {
  const sample = inputShape.slice(1);
  const { shape, values } = flatten(parseNumbers(text));
  const batchShape = shape.length === 1 ? fillSamples(values.length, sample) : nestedBatchShape(shape, sample);
  return tensor(Float32Array.from(values), batchShape);
}

function parseNumbers(text) {
  const t = text.trim();
  if (!t) throw new LwError('EMPTY_DATA', 'enter some numbers first');
  if (t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch (e) {
      throw new LwError('BAD_ARGUMENT', `the input starts with "[" but is not a JSON array: ${e.message}`);
    }
  }
  return t.split(/[\s,;]+/).filter(Boolean).map((word, i) => {
    const v = Number(word);
    if (!Number.isFinite(v)) throw new LwError('DTYPE', `"${word}" (number ${i + 1}) is not a number`);
    return v;
  });
}

/** The shape and row-major values of a rectangular nested array of finite numbers. */
function flatten(nested) {
  if (!Array.isArray(nested)) throw new LwError('BAD_ARGUMENT', 'enter a list of numbers, e.g. [[1, 2], [3, 4]] or 1, 2, 3, 4');
  const shape = [];
  for (let level = nested; Array.isArray(level); level = level[0]) shape.push(level.length);
  const values = [];
  const walk = (v, depth, at) => {
    if (depth === shape.length) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new LwError('DTYPE', `the value at ${at || '[]'} is ${JSON.stringify(v)}, not a number`);
      values.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      const got = Array.isArray(v) ? `${v.length} items` : 'a number';
      throw new LwError('SHAPE_MISMATCH', `the lists are not all the same length: ${at} has ${got}, the first list at that depth has ${shape[depth]} items`);
    }
    v.forEach((x, i) => walk(x, depth + 1, `${at}[${i}]`));
  };
  walk(nested, 0, '');
  if (!values.length) throw new LwError('EMPTY_DATA', 'the input holds no numbers');
  return { shape, values };
}

const fits = (got, want) => got.length === want.length && got.every((d, i) => want[i] === null || want[i] === d);

/** Nested numbers: one sample of the input's shape, or a batch of them. */
function nestedBatchShape(shape, sample) {
  if (fits(shape, sample)) return [1, ...shape];
  if (fits(shape.slice(1), sample)) return shape;
  throw new LwError('SHAPE_MISMATCH', `the numbers have shape ${formatShape(shape)}, but the model takes samples of ${formatShape(sample)}: enter one sample ${formatShape(sample)} or n samples ${formatShape(['n', ...sample])}`, { shape, sample });
}

/** Flat numbers: as many whole samples as they fill (or one sample, when one dimension is free). */
function fillSamples(count, sample) {
  const free = sample.filter((d) => d === null).length;
  const per = sample.reduce((a, d) => a * (d ?? 1), 1);
  if (free > 1) throw new LwError('BAD_ARGUMENT', `the model takes samples of ${formatShape(sample)}, with ${free} free dimensions: enter nested lists, e.g. [[1, 2], [3, 4]]`);
  if (count % per !== 0) {
    throw new LwError('SHAPE_MISMATCH', `${count} numbers do not fill whole samples of ${formatShape(sample)} (${per} numbers each)`, { count, sample });
  }
  return free ? [1, ...sample.map((d) => d ?? count / per)] : [count / per, ...sample];
}

/**
 * Token ids for an input of shape [None, steps]: each non-empty line is a sample, tokenized by
 * `tokenizer` (lw.data.Tokenizer) and padded or cut to `steps` as padSequences does.
 * @returns {{ x: import('../../dist/index.js').Tensor, ids: number[][] }}
 */
export function textToBatch(text, tokenizer, inputShape, { padding = 'pre', truncating = 'pre' } = {}) {
  if (inputShape.length !== 2) {
    throw new LwError('BAD_ARGUMENT', `the model takes samples of ${formatShape(inputShape.slice(1))}, not one token id per step: enter numbers instead of text`);
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (!lines.length) throw new LwError('EMPTY_DATA', 'enter some text first (one sample per line)');
  const sequences = tokenizer.textsToSequences(lines);
  const steps = inputShape[1] ?? Math.max(1, ...sequences.map((s) => s.length));
  const x = data.padSequences(sequences, { maxLen: steps, padding, truncating });
  const flat = Array.from(x.dataSync());
  return { x, ids: lines.map((_, i) => flat.slice(i * steps, (i + 1) * steps)) };
}
