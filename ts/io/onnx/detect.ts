// Tells ONNX bytes apart without protobufjs: a ModelProto is a run of protobuf fields that covers the
// bytes exactly, with ir_version (field 1, a varint) and a graph (field 7, length-delimited). A zip,
// an HDF5 file or JSON fails that walk within its first few bytes.

/** One varint at `at`: its value (exact below 2^53) and where the next byte is; null past the end or over 10 bytes. */
function varint(bytes: Uint8Array, at: number): { value: number; next: number } | null {
  let value = 0, scale = 1;
  for (let i = 0; i < 10 && at + i < bytes.length; i++) {
    const b = bytes[at + i];
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) return { value, next: at + i + 1 };
  }
  return null;
}

/** Whether `bytes` has the top-level shape of an onnx.ModelProto (fields 1..25 only, as onnx.proto defines). */
export function isOnnxModelBytes(bytes: Uint8Array): boolean {
  let at = 0, irVersion = false, graph = false;
  while (at < bytes.length) {
    const key = varint(bytes, at);
    if (!key) return false;
    const field = Math.floor(key.value / 8), wire = key.value % 8;
    if (field < 1 || field > 25) return false;
    if (wire === 0) {
      const v = varint(bytes, key.next);
      if (!v) return false;
      if (field === 1 && v.value > 0) irVersion = true;
      at = v.next;
    } else if (wire === 2) {
      const len = varint(bytes, key.next);
      if (!len || len.next + len.value > bytes.length) return false;
      if (field === 7) graph = true;
      at = len.next + len.value;
    } else if (wire === 1 || wire === 5) {
      at = key.next + (wire === 1 ? 8 : 4);
    } else {
      return false;
    }
  }
  return at === bytes.length && irVersion && graph;
}
