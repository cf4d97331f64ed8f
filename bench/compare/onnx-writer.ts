// A minimal ONNX (protobuf) writer: just the messages and fields a small inference graph needs
// (onnx.proto: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto).
// Field numbers are onnx.proto's; tensors are written as little-endian raw_data.

/** Protobuf bytes under construction. */
class Writer {
  private chunks: Uint8Array[] = [];
  private len = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.len += b.length;
  }

  varint(v: number): void {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`varint ${v}: only non-negative safe integers`);
    const out: number[] = [];
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    this.push(Uint8Array.from(out));
  }

  private key(field: number, wire: 0 | 2 | 5): void {
    this.varint(field * 8 + wire);
  }

  int(field: number, v: number): void {
    this.key(field, 0);
    this.varint(v);
  }

  float(field: number, v: number): void {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
  }

  bytes(field: number, b: Uint8Array): void {
    this.key(field, 2);
    this.varint(b.length);
    this.push(b);
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, build: (w: Writer) => void): void {
    const w = new Writer();
    build(w);
    this.bytes(field, w.finish());
  }

  /** Packed repeated varints (proto3's default for repeated scalars). */
  packedInts(field: number, vs: readonly number[]): void {
    const w = new Writer();
    for (const v of vs) w.varint(v);
    this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.len);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** TensorProto.DataType values. */
export const DataType = { float: 1, int32: 6, int64: 7 } as const;
export type ElemType = keyof typeof DataType;

export interface OnnxTensor {
  name: string;
  type: ElemType;
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array;
}

export type AttrValue = number | number[] | string | { float: number };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, AttrValue>;
}

export interface OnnxValue {
  name: string;
  type: ElemType;
  /** A number, or a name for a dimension fixed only at run time (e.g. the batch). */
  dims: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  /** Default-domain opset version. */
  opset: number;
}

/** AttributeProto.AttributeType values. */
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

function writeAttr(w: Writer, name: string, v: AttrValue): void {
  w.string(1, name);
  if (typeof v === 'string') {
    w.bytes(4, new TextEncoder().encode(v));
    w.int(20, AttrType.STRING);
  } else if (Array.isArray(v)) {
    w.packedInts(8, v);
    w.int(20, AttrType.INTS);
  } else if (typeof v === 'object') {
    w.float(2, v.float);
    w.int(20, AttrType.FLOAT);
  } else {
    w.int(3, v);
    w.int(20, AttrType.INT);
  }
}

function writeTensor(w: Writer, t: OnnxTensor): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, DataType[t.type]);
  w.string(8, t.name);
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)); // little-endian hosts only
}

function writeValue(w: Writer, v: OnnxValue): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, DataType[v.type]);
      tensor.message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

/** The serialized ModelProto (IR version 8) for `g`. */
export function encodeModel(g: OnnxGraph): Uint8Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('the ONNX writer needs a little-endian host');
  const w = new Writer();
  w.int(1, 8); // ir_version
  w.string(2, 'lstm-wasm bench');
  w.message(7, (graph) => {
    g.nodes.forEach((n, i) =>
      graph.message(1, (node) => {
        for (const s of n.inputs) node.string(1, s);
        for (const s of n.outputs) node.string(2, s);
        node.string(3, n.name ?? `${n.op}_${i}`);
        node.string(4, n.op);
        for (const [k, v] of Object.entries(n.attrs ?? {})) node.message(5, (a) => writeAttr(a, k, v));
      }),
    );
    graph.string(2, g.name);
    for (const t of g.initializers) graph.message(5, (m) => writeTensor(m, t));
    for (const v of g.inputs) graph.message(11, (m) => writeValue(m, v));
    for (const v of g.outputs) graph.message(12, (m) => writeValue(m, v));
  });
  w.message(8, (op) => {
    op.string(1, '');
    op.int(2, g.opset);
  });
  return w.finish();
}
