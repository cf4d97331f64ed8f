// model.json "modelTopology" → a model: 'Sequential', or 'Model'/'Functional' with layers,
// inbound_nodes, input_layers and output_layers (TF.js and Keras 2 lists, Keras 3 objects).
// A model nested in another is a layer entry of the same three classes (registered below).
import { LwError } from '../errors.js';
import { InputLayer } from '../layers/input.js';
import type { Layer, SymbolicTensor } from '../engine/layer.js';
import { LayersModel } from './model.js';
import { Sequential } from './sequential.js';
import { badFile, describe, isObject, own, ownArray, type JsonObject } from '../io/json.js';
import { layerFromJson, registerLayer } from '../layers/registry.js';
import type { ConfigReader } from '../layers/config-reader.js';

/** A reference to a tensor: the node of a layer and the output of that node. */
interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

/** Where a reference was written, which decides how a nested model's node indices count. */
type RefSite = 'inbound' | 'ends';

/**
 * Called once every layer is built and before the model is made: puts the file's values in the
 * weights, so the model draws no initial values (slow for big recurrent kernels) for them.
 */
export type WeightSetter = (layers: Layer[]) => void;

/**
 * The layers of each model built here in the order of its config's `layers` list, which is
 * Keras's `model.layers` order (what a Keras 3 file numbers its weight groups by); the model's own
 * `layers` are in execution order, which differs for graphs with branches.
 */
export const configOrder = new WeakMap<Layer, Layer[]>();

/** The major version in a `keras_version` such as "3.6.0" or "2.15.0"; 2 for TF.js and lstm-wasm ("tfjs-layers 4.22.0"). */
export function kerasMajorVersion(version: unknown): number {
  const m = typeof version === 'string' ? /^(\d+)\./.exec(version) : null;
  return m ? Number(m[1]) : 2;
}

/**
 * The model of a Keras config. `kerasMajor`: the Keras major version that wrote it (default: from
 * the topology's `keras_version`), for names whose meaning changed between versions.
 */
export function modelFromTopology(topology: JsonObject, setWeights: WeightSetter, kerasMajor?: number): LayersModel {
  // Keras .h5 conversions nest the model config under model_config.
  const t = isObject(own(topology, 'model_config')) ? (own(topology, 'model_config') as JsonObject) : topology;
  const major = kerasMajor ?? kerasMajorVersion(own(topology, 'keras_version') ?? own(t, 'keras_version'));
  const cls = own(t, 'class_name');
  const config = own(t, 'config');
  if (cls === 'Sequential') return sequentialFromConfig(config, setWeights, major);
  if (cls === 'Model' || cls === 'Functional') {
    if (!isObject(config)) throw badFile(`modelTopology.config must be an object, got ${describe(config)}`);
    return functionalFromConfig(config, setWeights, major);
  }
  throw badFile(`modelTopology.class_name is ${describe(cls)}: lstm-wasm loads "Sequential", "Model" and "Functional" models`);
}

/** Re-labels a shape error from building the graph as a bad file naming the layer. */
function graphError(e: unknown, layer: Layer): LwError {
  if (e instanceof LwError && e.code === 'BAD_MODEL_FILE') return e;
  const msg = e instanceof Error ? e.message.replace(/^\[\w+\] /, '') : String(e);
  return badFile(`layer "${layer.name}" (${layer.className}) does not fit the model's graph: ${msg}`, { layer: layer.name });
}

function sequentialFromConfig(config: unknown, setWeights: WeightSetter, kerasMajor: number): Sequential {
  // Keras 2.0-2.1 wrote the layer list directly as the config.
  const list = Array.isArray(config) ? config : isObject(config) ? ownArray(config, 'layers', 'modelTopology.config') : null;
  if (!list) throw badFile(`modelTopology.config must be an object with "layers", got ${describe(config)}`);
  const name = isObject(config) && typeof own(config, 'name') === 'string' ? (own(config, 'name') as string) : undefined;
  const layers = list.map((j, i) => layerFromJson(j, `layer ${i}`, kerasMajor));
  const names = new Set<string>();
  for (const l of layers) {
    if (names.has(l.name)) throw badFile(`two layers are named "${l.name}"`, { layer: l.name });
    names.add(l.name);
  }
  if (!layers.length) throw badFile('the Sequential model has no layers');
  const first = layers[0];
  // Keras 3 writes the shape a Sequential was built for as build_input_shape.
  const built = isObject(config) ? own(config, 'build_input_shape') : undefined;
  const inputShape = first.batchInputShape ?? (Array.isArray(built) && built.every((d) => d === null || Number.isInteger(d)) ? (built as (number | null)[]) : null);
  if (!inputShape) {
    throw badFile(`the first layer "${first.name}" has no "batch_input_shape": the model's input shape is unknown`, { layer: first.name });
  }
  // Build each layer for the shape it receives (as add() will), so its weights exist to be set.
  let shape = inputShape;
  for (const l of layers) {
    if (l instanceof InputLayer) continue;
    try {
      const out = l.computeOutputShape([shape]);
      l.ensureBuilt([shape]);
      shape = out[0];
    } catch (e) {
      throw graphError(e, l);
    }
  }
  setWeights(layers);
  const model = new Sequential({ name });
  if (!first.batchInputShape) model.add(new InputLayer({ name: `${first.name}_input`, batchInputShape: inputShape }));
  for (const l of layers) {
    try {
      model.add(l);
    } catch (e) {
      throw graphError(e, l);
    }
  }
  configOrder.set(model, layers);
  return model;
}

function functionalFromConfig(config: JsonObject, setWeights: WeightSetter, kerasMajor: number): LayersModel {
  const list = ownArray(config, 'layers', 'modelTopology.config');
  const layers: Layer[] = [];
  const rawNodes: { refs: TensorRef[]; keras3: boolean }[][] = [];
  const byName = new Map<string, Layer>();
  const masks = implicitMasks(list);
  list.forEach((entry, i) => {
    if (masks.has(entryName(entry) as string)) return;
    const layer = layerFromJson(entry, `layer ${i}`, kerasMajor);
    if (byName.has(layer.name)) throw badFile(`two layers are named "${layer.name}"`, { layer: layer.name });
    byName.set(layer.name, layer);
    layers.push(layer);
    const inbound = own(entry as JsonObject, 'inbound_nodes') ?? [];
    if (!Array.isArray(inbound)) throw badFile(`layer "${layer.name}": "inbound_nodes" must be a list, got ${describe(inbound)}`);
    rawNodes.push(inbound.map((n, k) => ({ refs: nodeRefs(n, `layer "${layer.name}" inbound node ${k}`, masks), keras3: !Array.isArray(n) })));
  });
  checkImplicitMasks(masks, list);
  // Keras 3 marks its layer entries with "module" and writes inbound nodes as {args, kwargs}.
  const keras3 = rawNodes.some((ns) => ns.some((n) => n.keras3)) || list.some((e) => isObject(e) && own(e, 'module') !== undefined);
  const counted = (r: TensorRef, site: RefSite, where: string) => applicationRef(r, byName.get(r.layer), site, keras3, where);
  const nodesOf = rawNodes.map((ns, i) => ns.map((n, k) => n.refs.map((r) => counted(r, 'inbound', `layer "${layers[i].name}" inbound node ${k}`))));

  const tensors = new Map<string, SymbolicTensor>();
  const key = (r: TensorRef) => `${r.layer}\u0000${r.node}\u0000${r.tensor}`;
  for (const l of layers) if (l instanceof InputLayer) tensors.set(key({ layer: l.name, node: 0, tensor: 0 }), l.output);

  // Apply each layer's nodes in order once their inputs exist (shared layers may come out of order).
  const applied = layers.map(() => 0);
  let progress = true;
  while (progress) {
    progress = false;
    layers.forEach((layer, i) => {
      if (layer instanceof InputLayer) return;
      while (applied[i] < nodesOf[i].length) {
        const refs = nodesOf[i][applied[i]];
        if (!refs.every((r) => tensors.has(key(r)))) break;
        try {
          layer.apply(refs.map((r) => tensors.get(key(r))!));
        } catch (e) {
          throw graphError(e, layer);
        }
        const node = layer.inboundNodes[layer.inboundNodes.length - 1];
        node.outputs.forEach((o, k) => tensors.set(key({ layer: layer.name, node: applied[i], tensor: k }), o));
        applied[i]++;
        progress = true;
      }
    });
  }
  layers.forEach((layer, i) => {
    if (applied[i] < nodesOf[i].length) {
      const missing = nodesOf[i][applied[i]].find((r) => !tensors.has(key(r)))!;
      throw badFile(`layer "${layer.name}" takes output ${missing.tensor} of node ${missing.node} of layer "${missing.layer}", which the model does not make`, { layer: layer.name });
    }
  });

  const ends = (what: 'input_layers' | 'output_layers') => {
    let refs = ownArray(config, what, 'modelTopology.config');
    if (typeof refs[0] === 'string') refs = [refs]; // Keras 3 writes a single [name, node, tensor] flat
    return refs.map((r, i) => {
      const ref = counted(tensorRef(r, `${what}[${i}]`), 'ends', `${what}[${i}]`);
      const t = tensors.get(key(ref));
      if (!t) throw badFile(`${what}[${i}] names output ${ref.tensor} of node ${ref.node} of layer "${ref.layer}", which the model does not make`);
      return t;
    });
  };
  const inputs = ends('input_layers');
  const outputs = ends('output_layers');
  const name = typeof own(config, 'name') === 'string' ? (own(config, 'name') as string) : undefined;
  setWeights(layers);
  try {
    const model = new LayersModel({ inputs, outputs, name });
    configOrder.set(model, layers);
    return model;
  } catch (e) {
    throw badFile(`the model graph is not valid: ${(e as Error).message.replace(/^\[\w+\] /, '')}`);
  }
}

/**
 * A reference with the node counted as this loader counts it: the layer's application index.
 * Keras 2 and TF.js number a nested model's applications from 1 (its own graph is node 0); Keras 3
 * does so only in input_layers / output_layers and for a Functional model, not for a Sequential.
 */
function applicationRef(r: TensorRef, layer: Layer | undefined, site: RefSite, keras3: boolean, where: string): TensorRef {
  if (!layer || !layer.nodeIndexOffset) return r;
  const offset = keras3 && (site === 'inbound' || layer.className === 'Sequential') ? 0 : layer.nodeIndexOffset;
  if (r.node < offset) throw badFile(`${where} names node ${r.node} of model "${r.layer}", its own graph: a model's applications are numbered from ${offset}`, { layer: r.layer });
  return { ...r, node: r.node - offset };
}

/** A nested model's weights are set with the outer model's, by the outer loader's WeightSetter. */
const outerSetsWeights: WeightSetter = () => {};

/** A model nested in another as a layer entry: its config is a model config; BAD_MODEL_FILE naming the entry. */
function nestedModel(c: ConfigReader, build: (config: JsonObject) => LayersModel): LayersModel {
  let model: LayersModel;
  try {
    model = build(c.whole());
  } catch (e) {
    if (e instanceof LwError && e.code === 'BAD_MODEL_FILE') throw c.fail(e.message.replace(/^\[\w+\] /, ''));
    throw e;
  }
  if (c.bool('trainable') === false) model.trainable = false;
  return model;
}

registerLayer('Sequential', (c) => nestedModel(c, (config) => sequentialFromConfig(config, outerSetsWeights, c.kerasMajor)));
for (const cls of ['Model', 'Functional']) registerLayer(cls, (c) => nestedModel(c, (config) => functionalFromConfig(config, outerSetsWeights, c.kerasMajor)));

/** [layer name, node index, tensor index, kwargs?] */
function tensorRef(r: unknown, where: string): TensorRef {
  const ok = Array.isArray(r) && r.length >= 3 && typeof r[0] === 'string' && Number.isInteger(r[1]) && r[1] >= 0 && Number.isInteger(r[2]) && r[2] >= 0;
  if (!ok) throw badFile(`${where} must be [layer name, node index, tensor index], got ${describe(r)}`);
  const [layer, node, tensor] = r as [string, number, number];
  return { layer, node, tensor };
}

/**
 * Input references of one inbound node: a list of refs (TF.js, Keras 2, whose first ref may carry
 * the call's kwargs as a fourth element) or {args, kwargs} (Keras 3). `initial_state` tensors in
 * the kwargs become further inputs (as TF.js writes them); a kwarg that would change the call
 * otherwise (a `mask` tensor, `training: true`, `constants`) is UNSUPPORTED, never dropped.
 */
function nodeRefs(n: unknown, where: string, masks: ReadonlyMap<string, TensorRef> = new Map()): TensorRef[] {
  if (Array.isArray(n)) {
    const refs = n.map((r, i) => tensorRef(r, `${where} input ${i}`));
    const kwargs = n.map((r) => (Array.isArray(r) && isObject(r[3]) ? (r[3] as JsonObject) : null)).find((k) => k && Object.keys(k).length);
    return kwargs ? [...refs, ...kwargRefs(kwargs, where, (v, w) => (Array.isArray(v) && typeof v[0] === 'string' ? [tensorRef(v, w)] : Array.isArray(v) ? v.map((x, i) => tensorRef(x, `${w} ${i}`)) : []), masks)] : refs;
  }
  if (isObject(n) && Array.isArray(own(n, 'args'))) {
    const refs = kerasTensors(own(n, 'args'), where);
    if (!refs.length) throw badFile(`${where} has no input tensors`);
    const kwargs = own(n, 'kwargs');
    return isObject(kwargs) ? [...refs, ...kwargRefs(kwargs, where, (v, w) => kerasTensors(v, w), masks)] : refs;
  }
  throw badFile(`${where} must be a list of [layer, node, tensor] references, got ${describe(n)}`);
}

const entryName = (e: unknown) => (isObject(e) && isObject(own(e, 'config')) ? own(own(e, 'config') as JsonObject, 'name') : undefined);

/**
 * Keras 3 writes an Embedding's `mask_zero` mask into a functional graph as an operation entry,
 * `NotEqual(ids, 0)` (module keras.src.ops.numpy), passed to later layers as their `mask`. Here an
 * Embedding's mask flows through the graph by itself, so these entries are recognised (by name:
 * the ids they compare) and left out rather than built as layers.
 */
function implicitMasks(list: unknown[]): Map<string, TensorRef> {
  const out = new Map<string, TensorRef>();
  list.forEach((e, i) => {
    if (!isObject(e) || own(e, 'class_name') !== 'NotEqual' || !/^keras\.src\.ops\b/.test(String(own(e, 'module')))) return;
    const name = entryName(e);
    const nodes = own(e, 'inbound_nodes');
    const args = Array.isArray(nodes) && nodes.length === 1 && isObject(nodes[0]) ? own(nodes[0], 'args') : undefined;
    const ids = Array.isArray(args) && args.length === 2 && args[1] === 0 ? kerasTensors([args[0]], `layer ${i} (NotEqual)`) : [];
    if (typeof name !== 'string' || ids.length !== 1) {
      throw new LwError('UNSUPPORTED', `layer ${i} (NotEqual): lstm-wasm runs keras.ops.not_equal only as the mask of an Embedding with mask_zero (not_equal(ids, 0)), got ${describe(args)}`);
    }
    out.set(name, ids[0]);
  });
  return out;
}

/** Each NotEqual(ids, 0) mask must be the one an Embedding with mask_zero makes from those ids. */
function checkImplicitMasks(masks: ReadonlyMap<string, TensorRef>, list: unknown[]): void {
  for (const [name, ids] of masks) {
    const made = list.some((e) => {
      if (!isObject(e) || own(e, 'class_name') !== 'Embedding') return false;
      const c = own(e, 'config');
      if (!isObject(c) || own(c, 'mask_zero') !== true) return false;
      const nodes = own(e, 'inbound_nodes');
      return Array.isArray(nodes) && nodes.some((n) => nodeRefs(n, 'Embedding').some((r) => r.layer === ids.layer && r.node === ids.node && r.tensor === ids.tensor));
    });
    if (!made) throw new LwError('UNSUPPORTED', `"${name}" (NotEqual) masks ids "${ids.layer}" that no Embedding with mask_zero reads: lstm-wasm does not take masks computed apart from the layers that make them`);
  }
}

/** The Keras 3 tensors (`__keras_tensor__` with its keras_history) in a node argument, in order. */
function kerasTensors(v: unknown, where: string): TensorRef[] {
  const refs: TensorRef[] = [];
  const visit = (x: unknown, depth: number): void => {
    if (depth > 8) return;
    if (Array.isArray(x)) x.forEach((y) => visit(y, depth + 1));
    else if (isObject(x) && own(x, 'class_name') === '__keras_tensor__') {
      const c = own(x, 'config');
      refs.push(tensorRef(isObject(c) ? own(c, 'keras_history') : undefined, `${where} keras_history`));
    }
  };
  visit(v, 0);
  return refs;
}

/** The initial_state tensors of a call's kwargs; UNSUPPORTED for any other kwarg that changes the call. */
function kwargRefs(kwargs: JsonObject, where: string, tensors: (v: unknown, where: string) => TensorRef[], masks: ReadonlyMap<string, TensorRef>): TensorRef[] {
  const out: TensorRef[] = [];
  for (const [k, v] of Object.entries(kwargs)) {
    if (k === 'initial_state') out.push(...tensors(v, `${where} initial_state`));
    else if (v === null || v === false) continue;
    // The mask an Embedding makes reaches the layer through the graph here: nothing to pass.
    else if (k === 'mask' && tensors(v, where).every((r) => masks.has(r.layer))) continue;
    else throw new LwError('UNSUPPORTED', `${where}: the call passes ${k} = ${describe(v)}, which lstm-wasm's layers do not take`, { kwarg: k });
  }
  return out;
}
