import { LwError } from '../errors.js';

/** Binary classification figures at a threshold: confusion [[tn, fp], [fn, tp]] (rows: truth 0/1). */
export interface BinaryReport {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  confusion: [[number, number], [number, number]];
  support: number;
}

/** Accuracy, precision, recall, F1 and the confusion matrix of scores against 0/1 labels. */
export function binaryReport(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5): BinaryReport {
  if (scores.length !== labels.length) {
    throw new LwError('SHAPE_MISMATCH', `binaryReport: ${scores.length} scores for ${labels.length} labels`);
  }
  if (scores.length === 0) throw new LwError('EMPTY_DATA', 'binaryReport: no samples');
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const pred = scores[i] > threshold;
    const truth = labels[i] > 0.5;
    if (pred && truth) tp++;
    else if (pred) fp++;
    else if (truth) fn++;
    else tn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return {
    accuracy: (tp + tn) / scores.length,
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    confusion: [[tn, fp], [fn, tp]],
    support: scores.length,
  };
}

/** A confusion matrix as aligned text, with class names. */
export function formatConfusion(confusion: number[][], names: string[]): string {
  const w = Math.max(...names.map((n) => n.length), ...confusion.flat().map((v) => String(v).length), 6) + 2;
  const head = ''.padEnd(w + 10) + names.map((n) => `pred ${n}`.padStart(w + 5)).join('');
  const rows = confusion.map((r, i) => `true ${names[i]}`.padEnd(w + 10) + r.map((v) => String(v).padStart(w + 5)).join(''));
  return [head, ...rows].join('\n');
}
