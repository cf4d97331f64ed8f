// What the wrapper layers (Bidirectional, TimeDistributed) share: nesting an inner layer.
import type { Layer } from '../engine/layer.js';

/**
 * Makes `inner` a part of `wrapper` (Keras wrappers): its weights are named under `prefix()`
 * (TF.js writes 'bidirectional/forward_lstm/kernel', 'time_distributed/kernel'), and it takes the
 * wrapper's `trainable` now and at every change (the wrapper lists it in its `sublayers`), so
 * freezing the wrapper freezes the inner weights (the parameter block and the inner layer's
 * backward both read `inner.trainable`). A model inside keeps its layers' weight names (TF.js):
 * they were named when its layers were built.
 */
export function nestLayer(wrapper: Layer, inner: Layer, prefix: () => string): void {
  inner.weightPrefix = prefix;
  inner.trainable = wrapper.trainable;
}

/** The Keras form of a nested layer in model.json: { class_name, config }. */
export function layerConfig(layer: Layer): { class_name: string; config: Record<string, unknown> } {
  return { class_name: layer.className, config: layer.getConfig() };
}
