import { describe, it, expect } from 'vitest';
import * as lw from '../../ts/index.js';

describe('lw.report', () => {
  it('binaryReport counts the confusion matrix and derives precision, recall and F1', () => {
    const r = lw.report.binaryReport([0.9, 0.8, 0.2, 0.6, 0.1, 0.4], [1, 1, 1, 0, 0, 0]);
    expect(r.confusion).toEqual([[2, 1], [1, 2]]);
    expect(r.accuracy).toBeCloseTo(4 / 6);
    expect(r.precision).toBeCloseTo(2 / 3);
    expect(r.recall).toBeCloseTo(2 / 3);
    expect(r.f1).toBeCloseTo(2 / 3);
    expect(lw.report.binaryReport([0.1], [0]).precision).toBe(0); // no positive predictions
    expect(() => lw.report.binaryReport([0.5], [1, 0])).toThrow(/SHAPE_MISMATCH/);
  });

  it('historySvg draws a loss panel and an accuracy panel with train and validation curves', () => {
    const svg = lw.report.historySvg({ loss: [1, 0.5, 0.25], val_loss: [1.1, 0.7, 0.6], acc: [0.5, 0.8, 0.9], val_acc: [0.5, 0.7, 0.8] }, 'run');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(4);
    expect(svg).toMatch(/>Loss</);
    expect(svg).toMatch(/>Accuracy</);
    expect(svg).toMatch(/stroke-dasharray/);
    // the first train-loss point is higher on the page (smaller y) than the last
    const pts = /points="([^"]+)"/.exec(svg)![1].split(' ').map((p) => Number(p.split(',')[1]));
    expect(pts[0]).toBeLessThan(pts[2]);
  });
});
