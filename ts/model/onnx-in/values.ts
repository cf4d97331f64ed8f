// What each ONNX tensor of an imported graph stands for while the graph is mapped to layers. Torch
// computes shapes and zero initial states inside the graph (Shape, Gather, Concat, ConstantOfShape):
// those are followed symbolically, with the batch and time sizes as names, never as numbers.
import { LwError } from '../../errors.js';
import type { SymbolicTensor } from '../../engine/layer.js';
import type { TensorData } from '../../io/onnx/tensor-data.js';
import type { OnnxNode } from './node.js';

/** A recurrent operator whose layer is made on first use (recurrent.ts): its Y and its Y_h per direction. */
export interface PendingRecurrent {
  readonly node: OnnxNode;
  readonly units: number;
  readonly directions: number;
  /** ONNX's layout: 0 time first, 1 batch first (Y [B, T, D, H], Y_h [B, D, H]). */
  readonly layout: number;
  /** The number of steps when X's shape declares it. */
  readonly steps: number | null;
  /** Whether sequence_lens gives each sample its length (Y is zero past it). */
  readonly hasLengths: boolean;
  /** Y as [batch, time, D·H] (directions concatenated, in input time order). */
  sequences(consumer: OnnxNode): SymbolicTensor;
  /** Y_h of direction `d` as [batch, H]. */
  finalState(d: number, consumer: OnnxNode): SymbolicTensor;
}

/** A dimension: a size, or one known only when the model runs. */
export type Dim = number | 'batch' | 'time' | 'unknown';

/** An initializer or Constant. */
export interface ConstValue { kind: 'const'; data: TensorData }
/** An integer tensor computed from shapes (Shape, then Gather / Unsqueeze / Concat): rank 0 or 1. */
export interface DimsValue { kind: 'dims'; dims: Dim[]; scalar: boolean }
/** A tensor of zeros of a shape computed in the graph (a recurrent layer's initial state, as torch writes it). */
export interface ZerosValue { kind: 'zeros' }
/**
 * A tensor of the model's data: `t` is the layer output [batch, ...]; the ONNX tensor is the same, or
 * with its first two axes swapped when `timeFirst` ([time, batch, ...], as ONNX's recurrent operators read it).
 */
export interface TensorValue {
  kind: 'tensor';
  t: SymbolicTensor;
  timeFirst: boolean;
  /** The steps in reverse (a Slice with step -1 on the time axis, as lstm-wasm exports goBackwards): only a recurrent X may be. */
  reversed?: boolean;
}
/**
 * A recurrent operator's Y, not yet made a layer output (so a consumer taking its last step can make
 * the layer return only that): `tdbh` is ONNX's [T, D, B, H], `tbdh` after Transpose [0, 2, 1, 3],
 * `tbf` [T, B, D·H] (after Squeeze or Reshape; the directions concatenated), `btf` [B, T, D·H], `btdh` Y
 * with layout = 1.
 */
export interface SequenceValue { kind: 'sequence'; rnn: PendingRecurrent; layout: 'tdbh' | 'tbdh' | 'tbf' | 'btf' | 'btdh' }
/**
 * Y_h [D, B, H] of one or more recurrent operators stacked along axis 0 (torch's h_n of num_layers);
 * [B, D, H] with layout = 1 or after Transpose [1, 0, 2] (`batchFirst`).
 */
export interface StatesValue { kind: 'states'; items: { rnn: PendingRecurrent; direction: number }[]; batchFirst?: boolean }
/** A MatMul of data by a constant, which an Add of a constant may still make a Dense with bias. */
export interface LinearValue { kind: 'linear'; x: TensorValue; kernel: ConstValue; node: OnnxNode }
/** An output lstm-wasm cannot compute: an error when something reads it. */
export interface RefusedValue { kind: 'refused'; why: string; node: OnnxNode }

export type Value = ConstValue | DimsValue | ZerosValue | TensorValue | SequenceValue | StatesValue | LinearValue | RefusedValue;

/** `UNSUPPORTED` naming the node, its op type and what it cannot be. */
export function unsupported(node: OnnxNode, why: string, details: Record<string, unknown> = {}): LwError {
  return new LwError('UNSUPPORTED', `ONNX node "${node.name}" (${node.opType}) ${why}`, { node: node.name, opType: node.opType, ...details });
}

/** `BAD_MODEL_FILE` naming the node. */
export function badNode(node: OnnxNode, why: string): LwError {
  return new LwError('BAD_MODEL_FILE', `ONNX node "${node.name}" (${node.opType}) ${why}`, { node: node.name, opType: node.opType });
}

/** Integer constants or dims as plain numbers (symbolic entries kept as names). */
export function intsOf(v: Value | undefined): Dim[] | null {
  if (v?.kind === 'dims') return v.dims;
  if (v?.kind === 'const' && v.data.kind === 'int') return [...(v.data.values as number[])];
  return null;
}

/** A constant or dims that is one integer (rank 0, or one value). */
export function scalarInt(v: Value | undefined): Dim | null {
  const ints = intsOf(v);
  return ints && ints.length === 1 ? ints[0] : null;
}

/** Whether `v` is certainly zeros: ConstantOfShape of 0, or a constant whose values are all 0. */
export function isZeros(v: Value | undefined): boolean {
  if (v?.kind === 'zeros') return true;
  return v?.kind === 'const' && Array.prototype.every.call(v.data.values, (x: number) => x === 0);
}

/** The axis stacked Y_h count directions (and torch's layers) along: 0, or 1 with layout = 1. */
export const stateAxis = (v: StatesValue) => (v.batchFirst ?? v.items[0].rnn.layout === 1 ? 1 : 0);
