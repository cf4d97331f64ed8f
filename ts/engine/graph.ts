import { LwError } from '../errors.js';
import type { Layer, Node, SymbolicTensor } from './layer.js';
import { add } from '../backend/kernels/index.js';
import { gatherRows } from './gathered-rows.js';
import type { BatchTensor, ExecCtx } from './exec.js';
import { attachMasks, batchMaskInputs } from './mask.js';

/** A model's graph as its savers and printers see it. */
export interface ModelGraph {
  readonly name: string;
  /** Keras class name: 'Model' (functional) or 'Sequential'. */
  readonly className: string;
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  /** Every layer, in execution order (Sequential: without its input layer). */
  readonly layers: Layer[];
  /** The graph's nodes in execution order. */
  readonly executionNodes: Node[];
}

/**
 * The nodes needed to compute `outputs` from `inputs`, in execution order (inputs first).
 * Throws naming the symbolic input that is missing from `inputs`.
 */
export function topologicalNodes(inputs: SymbolicTensor[], outputs: SymbolicTensor[]): Node[] {
  const inputNodes = new Set(inputs.map((t) => t.node));
  const order: Node[] = [];
  const state = new Map<Node, 'visiting' | 'done'>();
  const visit = (node: Node) => {
    const s = state.get(node);
    if (s === 'done') return;
    if (s === 'visiting') throw new LwError('BAD_ARGUMENT', `the model graph has a cycle through layer "${node.layer.name}"`);
    state.set(node, 'visiting');
    if (!inputNodes.has(node)) {
      if (node.inputs.length === 0) {
        throw new LwError('BAD_ARGUMENT', `output depends on input "${node.layer.name}", which is not among the model's inputs`);
      }
      node.inputs.forEach((t) => visit(t.node));
    }
    state.set(node, 'done');
    order.push(node);
  };
  outputs.forEach((t) => visit(t.node));
  return order;
}

/** Distinct layers of the nodes, in first-use order. */
export function layersOf(nodes: Node[]): Layer[] {
  const seen = new Set<Layer>();
  const out: Layer[] = [];
  for (const n of nodes) {
    if (!seen.has(n.layer)) {
      seen.add(n.layer);
      out.push(n.layer);
    }
  }
  return out;
}

/** What a forward pass leaves for the backward pass. */
export interface Trace {
  acts: Map<SymbolicTensor, BatchTensor>;
  saved: Map<Node, unknown>;
}

/**
 * Runs every node forward for one batch; `feeds` gives each model input's tensor. Each node's
 * output masks are set from its layer's `outputMasks`. An Embedding's rows are gathered for the
 * consumers that need them and for `outputs`.
 */
export function runForward(ctx: ExecCtx, nodes: Node[], feeds: Map<SymbolicTensor, BatchTensor>, outputs: readonly SymbolicTensor[]): Trace {
  const acts = new Map(feeds);
  const saved = new Map<Node, unknown>();
  for (const node of nodes) {
    if (node.outputs.every((o) => acts.has(o))) continue; // a model input
    const ins = node.inputs.map((t) => acts.get(t)!);
    const layer = node.layer;
    if (!layer.handlesGatheredInputs) ins.forEach((t) => gatherRows(ctx, t));
    const r = layer.forward(ctx, ins);
    const outs = layer.forwardSetsMasks ? r.outputs : attachMasks(ctx, layer.outputMasks(batchMaskInputs(ctx, ins)), ins, r.outputs);
    outs.forEach((a, i) => acts.set(node.outputs[i], a));
    saved.set(node, r.saved);
  }
  for (const o of outputs) gatherRows(ctx, acts.get(o)!);
  return { acts, saved };
}

/** Adds gradient `d` (a pointer, 0 = none) of tensor `t` to `grads`: summed with one already there. */
export function addGradient(ctx: ExecCtx, grads: Map<SymbolicTensor, number>, t: SymbolicTensor, d: number, trace: Trace): void {
  if (!d) return;
  const prev = grads.get(t);
  if (!prev) {
    grads.set(t, d);
    return;
  }
  const size = trace.acts.get(t)!.shape.reduce((a, b) => a * b, 1);
  add(ctx.backend.kernels, { n: size, a: prev, b: d, out: prev });
}

/**
 * Backpropagates from gradients of some tensors (pointers into the batch scope) through the
 * nodes in reverse and returns the gradient of every tensor reached (the fed ones included).
 * Gradients reaching one tensor from several consumers are summed. `wantedFeeds`: fed tensors
 * whose gradient the caller uses (a model's inputs inside another model); other feeds get none.
 */
export function runBackward(ctx: ExecCtx, nodes: Node[], trace: Trace, seeds: Map<SymbolicTensor, number>, wantedFeeds: ReadonlySet<SymbolicTensor> = new Set()): Map<SymbolicTensor, number> {
  const grads = new Map(seeds);
  const wanted = weightDependent(nodes, trace, wantedFeeds);
  for (let n = nodes.length - 1; n >= 0; n--) {
    const node = nodes[n];
    if (!trace.saved.has(node)) continue; // a model input
    const dOut = node.outputs.map((o) => grads.get(o) ?? 0);
    if (dOut.every((p) => p === 0)) continue;
    const ins = node.inputs.map((t) => trace.acts.get(t)!);
    const outs = node.outputs.map((t) => trace.acts.get(t)!);
    const dIn = node.layer.backward(ctx, trace.saved.get(node), ins, outs, dOut, node.inputs.map((t) => wanted.has(t)));
    node.inputs.forEach((t, i) => addGradient(ctx, grads, t, dIn[i], trace));
  }
  return grads;
}

/**
 * Tensors whose values depend on weights the optimizer updates (or on `wantedFeeds`): only their
 * gradients are used. The gradient of a model input, or of a frozen Embedding's rows, is never
 * computed (a first recurrent layer then skips its dx product, a sixth of its backward flops).
 */
function weightDependent(nodes: Node[], trace: Trace, wantedFeeds: ReadonlySet<SymbolicTensor>): Set<SymbolicTensor> {
  const dependent = new Set<SymbolicTensor>(wantedFeeds);
  for (const node of nodes) {
    if (!trace.saved.has(node)) continue; // a model input
    const updated = node.layer.weights.some((w) => w.trainable && w.layer.trainable);
    if (updated || node.inputs.some((t) => dependent.has(t))) node.outputs.forEach((t) => dependent.add(t));
  }
  return dependent;
}
