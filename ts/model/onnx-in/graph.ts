// Walks an ONNX graph in its node order (ONNX requires topological order, so a cycle or a dangling name
// is a node reading a tensor nothing before it defines: BAD_MODEL_FILE) and maps each node to layers
// or to symbolic shape values. Every op not listed here is UNSUPPORTED naming the node.
import { LwError } from '../../errors.js';
import type { SymbolicTensor } from '../../engine/layer.js';
import { input } from '../../layers/input.js';
import { tensorData, type DecodedTensor, type TensorData } from '../../io/onnx/tensor-data.js';
import { activationOp, addOp, concatData, gatherData, gemmOp, isActivationOp, matMulOp, reshapeStates, stateAt } from './layer-ops.js';
import { asTensor } from './materialize.js';
import { OnnxNode, type DecodedNode } from './node.js';
import { readRecurrent, type WeightWrites } from './recurrent.js';
import { concatOp, constantOfShapeOp, constantOp, expandOp, gatherDims, reshapeOp, shapeOp, sliceOp, squeezeOp, transposeOp, unsqueezeOp } from './shape-ops.js';
import { badNode, unsupported, type StatesValue, type TensorValue, type Value } from './values.js';

export interface DecodedValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: number; dim_param?: string }[] } } };
}

export interface DecodedGraph {
  node?: DecodedNode[];
  initializer?: DecodedTensor[];
  input?: DecodedValueInfo[];
  output?: DecodedValueInfo[];
  sparse_initializer?: unknown[];
}

export interface MappedGraph {
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  /** The ONNX names of the model's data inputs and outputs, in order. */
  inputNames: string[];
  outputNames: string[];
  writes: WeightWrites;
}

const RECURRENT = ['LSTM', 'GRU', 'RNN'];
/** Node limit: far above any recurrent model's, so a hostile file's node list is refused before it is walked. */
const MAX_NODES = 100_000;

const bad = (message: string, details: Record<string, unknown> = {}) => new LwError('BAD_MODEL_FILE', message, details);

/**
 * Which recurrent operators' Y_h (by name) the mapping reads: `wanted` says which to make states for,
 * `made` and `used` record what happened.
 */
interface StatesPlan { wanted: (yh: string) => boolean; made: Set<string>; used: Set<string> }

/**
 * Maps `graph` (with `bound`: graph inputs given as constants, as ONNX's conformance models pass their
 * weights) to layer outputs; `writes` holds each layer weight's values for when the model is made.
 * A recurrent layer whose Y and Y_h are both named by some node returns its states too; when some of
 * those states go unused (torch's h_n stacks every layer's Y_h, and h_n[-1] takes only the last), the
 * graph is mapped again without them, so the model has no outputs nobody reads (and exports to ONNX).
 */
export function mapGraph(graph: DecodedGraph, opset: number, bound: ReadonlyMap<string, TensorData>): MappedGraph {
  const named = new Set([...(graph.node ?? []).flatMap((n) => n.input ?? []), ...(graph.output ?? []).map((o) => o.name ?? '')]);
  if ((graph.node?.length ?? 0) > MAX_NODES) throw bad(`the ONNX graph has ${graph.node!.length} nodes; lstm-wasm reads at most ${MAX_NODES}`);
  if ((graph.sparse_initializer?.length ?? 0) > 0) throw new LwError('UNSUPPORTED', 'the ONNX graph has sparse initializers, which lstm-wasm does not read');
  // Read once for both mappings: the weights' values are the bulk of the file.
  const initializers = (graph.initializer ?? []).map((t): [string, TensorData] => [t.name ?? '', tensorData(t, `initializer "${t.name}"`)]);
  const first: StatesPlan = { wanted: (yh) => named.has(yh), made: new Set(), used: new Set() };
  const mapped = mapOnce(graph, initializers, opset, bound, first);
  if ([...first.made].every((yh) => first.used.has(yh))) return mapped;
  return mapOnce(graph, initializers, opset, bound, { wanted: (yh) => first.used.has(yh), made: new Set(), used: new Set() });
}

function mapOnce(graph: DecodedGraph, initializers: readonly [string, TensorData][], opset: number, bound: ReadonlyMap<string, TensorData>, states: StatesPlan): MappedGraph {
  const nodes = (graph.node ?? []).map((n, i) => new OnnxNode(n, i));
  const values = new Map<string, Value>();
  const define = (name: string, v: Value, by: string) => {
    if (!name) throw bad(`${by} defines a tensor without a name`);
    if (values.has(name)) throw bad(`tensor "${name}" is defined twice (again by ${by})`, { tensor: name });
    values.set(name, v);
  };
  for (const [name, data] of initializers) define(name, { kind: 'const', data }, `initializer "${name}"`);
  const writes: WeightWrites = [];

  const inputs: SymbolicTensor[] = [], inputNames: string[] = [];
  const timeFirst = timeFirstInputs(nodes, values);
  for (const info of graph.input ?? []) {
    const name = info.name ?? '';
    if (values.has(name)) continue; // an initializer listed as an input too (IR < 4)
    const given = bound.get(name);
    if (given) {
      define(name, { kind: 'const', data: given }, `the bound input "${name}"`);
      continue;
    }
    const t = dataInput(info, timeFirst.has(name));
    define(name, { kind: 'tensor', t, timeFirst: timeFirst.has(name) }, `graph input "${name}"`);
    inputs.push(t);
    inputNames.push(name);
  }

  for (const node of nodes) {
    const args = node.inputs.map((name) => {
      if (name === '') return undefined;
      const v = values.get(name);
      if (!v) throw badNode(node, `reads tensor "${name}", which no initializer, graph input or earlier node defines (a dangling name, a cycle, or nodes out of order)`);
      return v;
    });
    const outs = mapNode(node, args, opset, states, writes);
    node.outputs.forEach((name, i) => {
      if (name !== '') define(name, outs[i] ?? { kind: 'refused', why: `has no output ${i} lstm-wasm maps (read by node "{consumer}")`, node }, `node "${node.name}"`);
    });
  }

  const outputs: SymbolicTensor[] = [], outputNames: string[] = [];
  const sink = new OnnxNode({ name: 'the graph output', op_type: 'output' }, -1);
  for (const info of graph.output ?? []) {
    const v = values.get(info.name ?? '');
    if (!v) throw bad(`graph output "${info.name}" is defined by no node, initializer or input`, { tensor: info.name });
    const t = graphOutput(v, sink, writes);
    if (t.timeFirst && t.t.shape.length > 2) throw new LwError('UNSUPPORTED', `graph output "${info.name}" is [time, batch, ...]; lstm-wasm's models output batch first: add a Transpose (perm [1, 0, 2]) before it`, { tensor: info.name });
    outputs.push(t.t);
    outputNames.push(info.name ?? '');
  }
  if (inputs.length === 0) throw new LwError('UNSUPPORTED', 'the ONNX graph has no data input (every input is a constant)');
  if (outputs.length === 0) throw bad('the ONNX graph has no outputs');
  return { inputs, outputs, inputNames, outputNames, writes };
}

/**
 * A graph output as a layer output: data as it is; a recurrent Y in any layout as [batch, time, D·H];
 * one Y_h [1, batch, H] as [batch, H] (the same values: lstm-wasm's outputs are batch first).
 */
function graphOutput(v: Value, sink: OnnxNode, writes: WeightWrites): TensorValue {
  if (v.kind === 'states' && v.items.length === 1) return stateAt(sink, v, 0);
  if (v.kind === 'sequence' && (v.rnn.directions === 1 || v.layout === 'tbdh' || v.layout === 'btdh')) return { kind: 'tensor', t: v.rnn.sequences(sink), timeFirst: false };
  return asTensor(v, sink, writes);
}

/** One node's output values, in order. */
function mapNode(node: OnnxNode, args: (Value | undefined)[], opset: number, states: StatesPlan, writes: WeightWrites): (Value | undefined)[] {
  const [a, b, c] = args;
  if (node.domain !== '' && node.domain !== 'ai.onnx') throw unsupported(node, `is an operator of domain "${node.domain}", which lstm-wasm does not map`, { domain: node.domain });
  switch (node.opType) {
    case 'Constant': return [constantOp(node)];
    case 'Identity': node.allowOnly([]); return [a];
    case 'Shape': return [shapeOp(node, a)];
    case 'Gather': {
      if (!a) throw badNode(node, 'has no data input');
      node.allowOnly(['axis']);
      return [gatherDims(node, a, b) ?? gatherData(node, a, b, writes)];
    }
    case 'Unsqueeze': return [unsqueezeOp(node, a, b)];
    case 'Squeeze': {
      const v = squeezeOp(node, a, b);
      return [v ?? stateAt(node, a as Extract<Value, { kind: 'states' }>, 0)];
    }
    case 'Concat': node.allowOnly(['axis']); return [concatOp(node, args) ?? concatData(node, args, writes)];
    case 'ConstantOfShape': return [constantOfShapeOp(node, a)];
    case 'Slice': {
      // A recurrent Y or a pending Dense sliced (reversed for the next layer's goBackwards): as data first.
      const data = a?.kind === 'sequence' || a?.kind === 'linear' ? asTensor(a, node, writes) : a;
      return [sliceOp(node, [data, ...args.slice(1)])];
    }
    case 'Expand': return [expandOp(node, a)];
    case 'Transpose': return [transposeOp(node, a)];
    case 'Reshape': return [reshapeOp(node, a, b) ?? reshapeStates(node, a as StatesValue, writes)];
    case 'Gemm': return [gemmOp(node, a, b, c, writes)];
    case 'MatMul': return [matMulOp(node, a, b, writes)];
    case 'Add': return [addOp(node, a, b, writes)];
    default:
      if (isActivationOp(node.opType)) return [activationOp(node, a, opset, writes)];
      if (RECURRENT.includes(node.opType)) return recurrentOutputs(node, args, states, writes);
      throw unsupported(node, 'is an operator lstm-wasm does not map to a layer');
  }
}

/** Y (lazy), Y_h per direction, and an LSTM's Y_c, refused when read (the layer's cell state is not an output here). */
function recurrentOutputs(node: OnnxNode, args: (Value | undefined)[], plan: StatesPlan, writes: WeightWrites): Value[] {
  const x = asTensor(args[0], node, writes, true);
  const layout = node.int('layout', 0);
  if (x.timeFirst !== (layout === 0)) throw unsupported(node, `reads X ${x.timeFirst ? 'time' : 'batch'} first where its layout (${layout}) says ${layout === 0 ? '[time, batch, features]' : '[batch, time, features]'}: the graph would mix the two axes`);
  const yh = node.outputs[1] ?? '';
  const record = (event: 'states-made' | 'states-read') => (event === 'states-made' ? plan.made : plan.used).add(yh);
  const rnn = readRecurrent(node, x, (i) => args[i], { statesRead: yh !== '' && plan.wanted(yh), record }, writes);
  const states = Array.from({ length: rnn.directions }, (_, direction) => ({ rnn, direction }));
  return [
    { kind: 'sequence', rnn, layout: layout === 0 ? 'tdbh' : 'btdh' },
    { kind: 'states', items: states },
    { kind: 'refused', why: 'has its Y_c (the final cell state) read by node "{consumer}": lstm-wasm maps Y and Y_h', node },
  ];
}

/**
 * The graph inputs ONNX reads time first: those reaching a recurrent operator's X directly (or through
 * an Embedding's Gather) of layout 0, as torch's batch_first=False models feed them. Others are batch first.
 */
function timeFirstInputs(nodes: readonly OnnxNode[], values: ReadonlyMap<string, Value>): Set<string> {
  const consumers = new Map<string, [OnnxNode, number][]>();
  for (const n of nodes) n.inputs.forEach((name, i) => consumers.set(name, [...(consumers.get(name) ?? []), [n, i]]));
  const reaches = (name: string, depth: number): boolean => depth < 4 && (consumers.get(name) ?? []).some(([n, i]) =>
    (RECURRENT.includes(n.opType) && i === 0 && n.int('layout', 0) === 0) || (n.opType === 'Gather' && i === 1 && values.get(n.inputs[0])?.kind === 'const' && reaches(n.outputs[0], depth + 1)));
  return new Set([...consumers.keys()].filter((name) => !values.has(name) && reaches(name, 0)));
}

/** lw.input for a graph input of declared type [batch, ...] (or [time, batch, ...]). */
function dataInput(info: DecodedValueInfo, timeFirst: boolean): SymbolicTensor {
  const type = info.type?.tensor_type;
  if (!type) throw new LwError('UNSUPPORTED', `graph input "${info.name}" is not a tensor`, { tensor: info.name });
  if (![1, 6, 7].includes(type.elem_type ?? 0)) throw new LwError('UNSUPPORTED', `graph input "${info.name}" has element type ${type.elem_type}: lstm-wasm takes float32 data and integer ids`, { tensor: info.name });
  const dims = (type.shape?.dim ?? []).map((d) => (d.dim_value && d.dim_value > 0 ? d.dim_value : null));
  // An integer [batch] input (sequence_lens) is one number per sample: [batch, 1] here, as rank-1 data is fed.
  if (dims.length === 1 && (type.elem_type === 6 || type.elem_type === 7)) return input({ shape: [1] });
  if (dims.length < 2 || dims.length > 4) throw new LwError('UNSUPPORTED', `graph input "${info.name}" has rank ${dims.length} (or no declared shape): lstm-wasm takes [batch, ...] inputs of rank 2 to 4`, { tensor: info.name });
  const shape = timeFirst ? [dims[0], ...dims.slice(2)] : dims.slice(1);
  return input({ shape });
}
