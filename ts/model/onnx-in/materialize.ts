// A value as a layer output a layer can be applied to: a recurrent operator's Y or one direction's
// Y_h, a MatMul still waiting for an Add (a Dense without bias, then).
import { Dense } from '../../layers/dense.js';
import type { OnnxNode } from './node.js';
import type { WeightWrites } from './recurrent.js';
import { unsupported, type LinearValue, type TensorValue, type Value } from './values.js';

/**
 * `v` as data for `consumer`; UNSUPPORTED when it is a constant or shape computation or a refused
 * output, or steps in reverse where `reversedOk` is not set (only a recurrent operator runs them, as goBackwards).
 */
export function asTensor(v: Value | undefined, consumer: OnnxNode, writes: WeightWrites, reversedOk = false): TensorValue {
  if (!v) throw unsupported(consumer, 'lacks an input it needs');
  switch (v.kind) {
    case 'tensor':
      if (v.reversed && !reversedOk) throw unsupported(consumer, 'reads data whose steps a Slice reversed: lstm-wasm maps that only as a recurrent operator\'s X (goBackwards)');
      return v;
    case 'linear':
      return denseOf(v, null, writes);
    case 'sequence':
      if (v.layout === 'tbf' || v.layout === 'btf') return { kind: 'tensor', t: v.rnn.sequences(consumer), timeFirst: v.layout === 'tbf' };
      throw unsupported(consumer, `reads Y of node "${v.rnn.node.name}" as [time, directions, batch, hidden]: lstm-wasm maps it after Squeeze (one direction) or Transpose + Reshape (two)`);
    case 'states':
      throw unsupported(consumer, `reads Y_h of node "${v.items[0].rnn.node.name}" as [directions, batch, hidden]: lstm-wasm maps one direction's state, taken with Gather or Squeeze on axis 0`);
    case 'refused':
      throw unsupported(v.node, v.why.replace('{consumer}', consumer.name));
    default:
      throw unsupported(consumer, 'computes on a constant or on shapes where lstm-wasm maps only the model\'s data');
  }
}

/** MatMul(x, kernel [in, out]) (+ bias [out]) as a Dense on the last axis. */
export function denseOf(v: LinearValue, bias: Float32Array | null, writes: WeightWrites): TensorValue {
  const [inputs, units] = v.kernel.data.dims;
  const features = v.x.t.shape[v.x.t.shape.length - 1];
  if (inputs !== features || units < 1) throw unsupported(v.node, `multiplies features of size ${features ?? '(unknown)'} by a [${inputs}, ${units}] matrix`);
  const layer = new Dense({ units, useBias: bias !== null });
  const t = layer.apply(v.x.t) as typeof v.x.t;
  writes.push([layer.weights[0], v.kernel.data.values as Float32Array]);
  if (bias) writes.push([layer.weights[1], bias]);
  return { kind: 'tensor', t, timeFirst: v.x.timeFirst };
}
