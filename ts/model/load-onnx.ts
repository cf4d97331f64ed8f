// lw.loadModel for ONNX files: the ModelProto decoded (protobufjs, on first use), its graph mapped to
// lstm-wasm layers (ts/model/onnx-in/), each layer given the file's weights. Anything the layers
// cannot compute exactly is UNSUPPORTED naming the node; a damaged file is BAD_MODEL_FILE.
import { LwError } from '../errors.js';
import { decodeModelProto } from '../io/onnx/proto.js';
import { tensorData, type TensorData } from '../io/onnx/tensor-data.js';
import { mapGraph, type DecodedGraph } from './onnx-in/graph.js';
import { model as functionalModel, type LayersModel } from './model.js';

/** Opsets of the default domain the mapping knows (Squeeze's axes: an attribute before 13, an input from 13). */
const OPSETS = { min: 7, max: 22 };

/** What loadModel takes for an ONNX file. */
export interface OnnxLoadOptions {
  /**
   * Values for graph inputs that are weights, not data (ONNX's operator test models pass W, R, B as
   * inputs): by input name, `{ values, shape }` (row-major; dtype 'float32' unless 'int32', as sequence_lens).
   */
  inputs?: Record<string, { values: ArrayLike<number>; shape: number[]; dtype?: 'float32' | 'int32' }>;
}

interface DecodedModel {
  ir_version?: number;
  opset_import?: { domain?: string; version?: number }[];
  graph?: DecodedGraph;
  functions?: unknown[];
}

/** The model an ONNX ModelProto (`bytes`, `what` names it) describes. */
export async function loadOnnxModel(bytes: Uint8Array, what: string, options: OnnxLoadOptions = {}): Promise<LayersModel> {
  const m = (await decodeModelProto(bytes)) as unknown as DecodedModel;
  if (!m.ir_version || !m.graph) throw new LwError('BAD_MODEL_FILE', `${what} is not an ONNX model: it has no ir_version or no graph`);
  const opset = defaultOpset(m, what);
  const bound = new Map<string, TensorData>();
  for (const [name, v] of Object.entries(options.inputs ?? {})) {
    const values = Array.from(v.values ?? []), what = `loadModel's input "${name}"`;
    if (v.dtype !== undefined && v.dtype !== 'float32' && v.dtype !== 'int32') throw new LwError('BAD_ARGUMENT', `${what} has dtype ${String(v.dtype)}: 'float32' or 'int32'`);
    try {
      bound.set(name, tensorData(v.dtype === 'int32' ? { dims: v.shape, data_type: 6, int32_data: values } : { dims: v.shape, data_type: 1, float_data: values }, what));
    } catch (e) {
      throw e instanceof LwError ? new LwError('BAD_ARGUMENT', e.message.replace(/^\[\w+\] /, ''), e.details) : e;
    }
  }
  for (const name of bound.keys()) {
    if (!(m.graph.input ?? []).some((i) => i.name === name)) throw new LwError('BAD_ARGUMENT', `loadModel's inputs name "${name}", which is no input of the ONNX graph`, { input: name });
  }
  try {
    const g = mapGraph(m.graph, opset, bound);
    const model = functionalModel({ inputs: g.inputs, outputs: g.outputs });
    for (const [w, values] of g.writes) w.write(values);
    return model;
  } catch (e) {
    throw asFileError(e, what);
  }
}

/**
 * What a layer or the model refuses while the graph is built (a table of 0 rows, an input no output
 * uses...) comes from the file: BAD_MODEL_FILE with the layer's own message (loadModel's options are
 * checked before). BAD_MODEL_FILE, UNSUPPORTED and OUT_OF_MEMORY stay as they are.
 */
function asFileError(e: unknown, what: string): unknown {
  if (e instanceof LwError && ['BAD_MODEL_FILE', 'UNSUPPORTED', 'OUT_OF_MEMORY'].includes(e.code)) return e;
  if (e instanceof LwError || e instanceof TypeError || e instanceof RangeError) {
    return new LwError('BAD_MODEL_FILE', `${what}: the ONNX graph does not make a model: ${(e as Error).message}`, { cause: (e as Error).message });
  }
  return e;
}

/** The default domain's opset version; other domains' operators are refused where a node uses them. */
function defaultOpset(m: DecodedModel, what: string): number {
  const entry = (m.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const v = entry?.version ?? 0;
  if (!entry) throw new LwError('BAD_MODEL_FILE', `${what} imports no opset of the default ONNX domain`);
  if (v < OPSETS.min || v > OPSETS.max) throw new LwError('UNSUPPORTED', `${what} uses ONNX opset ${v}; lstm-wasm reads opsets ${OPSETS.min} to ${OPSETS.max}`, { opset: v });
  if ((m.functions?.length ?? 0) > 0) throw new LwError('UNSUPPORTED', `${what} defines ONNX functions, which lstm-wasm does not expand`);
  return v;
}
