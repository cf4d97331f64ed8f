// lw.export: a model in formats other runtimes serve.
import type { LayersModel } from '../model.js';
import { exportOnnx, type OnnxExportOptions } from './export.js';

export type { OnnxExportOptions };

/**
 * The model as ONNX bytes (opset 17 by default, up to 22), for onnxruntime and other ONNX runtimes: inputs and outputs
 * named after their layers, the batch dimension symbolic. Imports protobufjs on first use. A layer ONNX
 * cannot express exactly is UNSUPPORTED naming it.
 */
export function onnx(model: LayersModel, options?: OnnxExportOptions): Promise<Uint8Array> {
  return exportOnnx(model, options);
}
