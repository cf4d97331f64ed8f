// One ONNX node as the importer reads it: inputs by position ('' = absent), attributes by name, and
// refusal of any attribute the mapping of its op does not read (it would change the result).
import { LwError } from '../../errors.js';
import { tensorData, type DecodedTensor, type TensorData } from '../../io/onnx/tensor-data.js';

export interface DecodedAttribute {
  name?: string;
  type?: string;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: DecodedTensor;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}

export interface DecodedNode {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  attribute?: DecodedAttribute[];
}

export class OnnxNode {
  readonly name: string;
  readonly opType: string;
  /** '' or 'ai.onnx' for ONNX's own operators. */
  readonly domain: string;
  readonly inputs: string[];
  readonly outputs: string[];
  private readonly attributes = new Map<string, DecodedAttribute>();

  constructor(raw: DecodedNode, index: number) {
    this.opType = raw.op_type ?? '';
    this.domain = raw.domain ?? '';
    this.name = raw.name || `#${index} ${this.opType}`;
    this.inputs = raw.input ?? [];
    this.outputs = raw.output ?? [];
    for (const a of raw.attribute ?? []) {
      if (!a.name) throw new LwError('BAD_MODEL_FILE', `ONNX node "${this.name}" (${this.opType}) has an attribute without a name`, { node: this.name });
      this.attributes.set(a.name, a);
    }
  }

  /** UNSUPPORTED for any attribute not in `known` (the ones this op's mapping reads). */
  allowOnly(known: readonly string[]): void {
    for (const name of this.attributes.keys()) {
      if (!known.includes(name)) {
        throw new LwError('UNSUPPORTED', `ONNX node "${this.name}" (${this.opType}) has attribute "${name}", which lstm-wasm cannot honour`, { node: this.name, opType: this.opType, attribute: name });
      }
    }
  }

  has(name: string): boolean {
    return this.attributes.has(name);
  }

  int(name: string, fallback: number): number {
    const a = this.attributes.get(name);
    return a ? this.typed(a, 'INT', a.i ?? 0) : fallback;
  }

  float(name: string, fallback: number): number {
    const a = this.attributes.get(name);
    return a ? this.typed(a, 'FLOAT', a.f ?? 0) : fallback;
  }

  ints(name: string): number[] | undefined {
    const a = this.attributes.get(name);
    return a ? this.typed(a, 'INTS', a.ints ?? []) : undefined;
  }

  string(name: string, fallback: string): string {
    const a = this.attributes.get(name);
    return a ? new TextDecoder().decode(this.typed(a, 'STRING', a.s ?? new Uint8Array())) : fallback;
  }

  strings(name: string): string[] | undefined {
    const a = this.attributes.get(name);
    return a ? this.typed(a, 'STRINGS', a.strings ?? []).map((s) => new TextDecoder().decode(s)) : undefined;
  }

  tensor(name: string): TensorData | undefined {
    const a = this.attributes.get(name);
    return a ? tensorData(this.typed(a, 'TENSOR', a.t ?? {}), `attribute "${name}" of ONNX node "${this.name}"`) : undefined;
  }

  /** `value` when the attribute has the type its op defines. */
  private typed<T>(a: DecodedAttribute, type: string, value: T): T {
    if (a.type !== undefined && a.type !== type) {
      throw new LwError('BAD_MODEL_FILE', `attribute "${a.name}" of ONNX node "${this.name}" (${this.opType}) is ${a.type}, not ${type}`, { node: this.name, attribute: a.name });
    }
    return value;
  }
}
