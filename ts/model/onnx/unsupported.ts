// The one error an export refuses with: UNSUPPORTED, naming the layer, its class and why.
import { LwError } from '../../errors.js';
import type { Layer } from '../../engine/layer.js';

/** `layer "name" (Class)`, how messages name a layer. */
export function describe(layer: Layer): string {
  return `layer "${layer.name}" (${layer.className})`;
}

/** UNSUPPORTED for `layer`: `why` says what ONNX (or this exporter) cannot express. */
export function unsupported(layer: Layer, why: string): LwError {
  return new LwError('UNSUPPORTED', `${describe(layer)}: ${why}`, { layer: layer.name, className: layer.className });
}
