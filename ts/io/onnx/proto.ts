// ONNX ModelProto bytes ⇄ plain objects through protobufjs (an optional dependency, imported on first use
// like jsfive and fflate) and the committed descriptor of onnx.proto (onnx-schema.ts). The exporter
// encodes; the importer will decode. Field names are onnx.proto's (snake_case).
import { LwError } from '../../errors.js';
import type * as Protobuf from 'protobufjs';
import { ONNX_SCHEMA } from './onnx-schema.js';

/** TensorProto.DataType values used here. */
export const ONNX_DTYPE = { float: 1, int32: 6, int64: 7 } as const;

export interface OnnxTensorProto {
  name: string;
  dims: number[];
  data_type: number;
  /** Little-endian values. */
  raw_data: Uint8Array;
}

export interface OnnxAttributeProto {
  name: string;
  type: 'FLOAT' | 'INT' | 'STRING' | 'FLOATS' | 'INTS' | 'STRINGS';
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

export interface OnnxNodeProto {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  attribute: OnnxAttributeProto[];
}

/** A dimension: a size, or a name for one fixed only at run time (the batch). */
export type OnnxDim = { dim_value: number } | { dim_param: string };

export interface OnnxValueInfoProto {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: OnnxDim[] } } };
}

export interface OnnxGraphProto {
  name: string;
  node: OnnxNodeProto[];
  initializer: OnnxTensorProto[];
  input: OnnxValueInfoProto[];
  output: OnnxValueInfoProto[];
}

export interface OnnxModelProto {
  ir_version: number;
  producer_name: string;
  producer_version: string;
  opset_import: { domain: string; version: number }[];
  graph: OnnxGraphProto;
}

let modelType: Promise<Protobuf.Type> | null = null;
let givenProtobuf: unknown;

/**
 * Hands lstm-wasm the module `import('protobufjs/light.js')` (or `'protobufjs'`) gives, for runtimes where
 * the package name does not resolve (a module worker, Deno). Without it, protobufjs is imported by name
 * at the first ONNX export.
 */
export function setOnnxProtobuf(protobuf: unknown): void {
  const pb = ((protobuf as { default?: unknown })?.default ?? protobuf) as { Root?: { fromJSON?: unknown } } | undefined;
  if (typeof pb?.Root?.fromJSON !== 'function') throw new LwError('BAD_ARGUMENT', 'setOnnxProtobuf: expected the protobufjs module (it has no Root.fromJSON)');
  givenProtobuf = protobuf;
  modelType = null;
}

/** onnx.ModelProto, from protobufjs/light (no .proto parser) and the descriptor; imported once. */
function onnxModelType(): Promise<Protobuf.Type> {
  modelType ??= (async () => {
    let mod: unknown = givenProtobuf;
    try {
      mod ??= await import('protobufjs/light.js');
    } catch (e) {
      modelType = null;
      throw new LwError('UNSUPPORTED', `ONNX files need the "protobufjs" package, which cannot be imported here (${(e as Error).message}): npm install protobufjs, or hand it over with lw.setOnnxProtobuf`, { package: 'protobufjs' });
    }
    // A CommonJS module: its exports are the namespace's default (Node), or the namespace itself (some bundlers).
    const pb = ((mod as { default?: unknown }).default ?? mod) as typeof Protobuf;
    return pb.Root.fromJSON(ONNX_SCHEMA as Protobuf.INamespace).lookupType('onnx.ModelProto');
  })();
  return modelType;
}

/** The serialized ModelProto. */
export async function encodeModelProto(model: OnnxModelProto): Promise<Uint8Array> {
  const type = await onnxModelType();
  const bytes = type.encode(type.fromObject(model)).finish();
  // Node's protobufjs writes a Buffer: hand back a plain view of the same bytes.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A serialized ModelProto as plain objects (int64 as numbers, bytes as Uint8Array); damaged bytes: BAD_MODEL_FILE. */
export async function decodeModelProto(bytes: Uint8Array): Promise<OnnxModelProto> {
  const type = await onnxModelType();
  try {
    return type.toObject(type.decode(bytes), { longs: Number, enums: String, arrays: true }) as OnnxModelProto;
  } catch (e) {
    throw new LwError('BAD_MODEL_FILE', `not an ONNX ModelProto: ${(e as Error).message}`);
  }
}
