import type { ModelGraph } from '../engine/graph.js';
import { fmt } from '../engine/shape.js';

/** Keras-like summary table: layer (type), output shape, parameters, and totals. */
export function summarize(model: ModelGraph & { countParams(): number }, width = 80): string {
  const cols = [Math.floor(width * 0.45), Math.floor(width * 0.33), width - Math.floor(width * 0.45) - Math.floor(width * 0.33)];
  const row = (a: string, b: string, c: string) => a.padEnd(cols[0]).slice(0, cols[0]) + b.padEnd(cols[1]).slice(0, cols[1]) + c.padStart(cols[2]);
  const lines = [`Model: "${model.name}"`, '_'.repeat(width), row('Layer (type)', 'Output Shape', 'Param #'), '='.repeat(width)];
  for (const node of model.executionNodes) {
    const l = node.layer;
    const shapes = node.outputs.map((o) => fmt(o.shape)).join(', ');
    lines.push(row(`${l.name} (${l.className})`, shapes, String(l.countParams())));
  }
  const total = model.countParams();
  const trainable = model.layers.reduce((a, l) => a + l.trainableWeights.reduce((s, w) => s + w.size, 0), 0);
  lines.push('='.repeat(width), `Total params: ${total.toLocaleString('en-US')}`, `Trainable params: ${trainable.toLocaleString('en-US')}`,
    `Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`, '_'.repeat(width));
  return lines.join('\n');
}
