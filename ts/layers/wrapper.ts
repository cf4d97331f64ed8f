// What the wrapper layers (Bidirectional, TimeDistributed) share: nesting an inner layer.
import type { Layer } from '../engine/layer.js';

/**
 * Makes `inner` a part of `wrapper` (Keras wrappers): its weights are named under `prefix()`
 * (TF.js writes 'bidirectional/forward_lstm/kernel', 'time_distributed/kernel'), and it is
 * trainable exactly when the wrapper is, so freezing the wrapper freezes the inner weights
 * (the parameter block and the inner layer's backward both read `inner.trainable`).
 */
export function nestLayer(wrapper: Layer, inner: Layer, prefix: () => string): void {
  inner.weightPrefix = prefix;
  Object.defineProperty(inner, 'trainable', {
    get: () => wrapper.trainable,
    set: (v: boolean) => {
      wrapper.trainable = v;
    },
    configurable: true,
    enumerable: true,
  });
}

/** The Keras form of a nested layer in model.json: { class_name, config }. */
export function layerConfig(layer: Layer): { class_name: string; config: Record<string, unknown> } {
  return { class_name: layer.className, config: layer.getConfig() };
}
