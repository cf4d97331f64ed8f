// layer.apply(tensors): the layer run at once on tensors (TF.js and Keras eager calls), as a
// one-layer model made for the tensors' shapes, predicted and put away. The layer keeps its weights
// (a model's parameter block hands them back when disposed) and no node of the call.
import type { EagerApplyArgs, Layer, SymbolicTensor } from '../engine/layer.js';
import { checkOptions } from '../engine/options.js';
import { LwError } from '../errors.js';
import { input } from '../layers/input.js';
import { Tensor } from '../tensor.js';
import type { ModelData } from './data.js';

/** What the one-layer model needs of LayersModel (passed in: model.ts installs this, and importing it here would be a circle). */
export type ModelClass = new (args: { inputs: SymbolicTensor[]; outputs: SymbolicTensor | SymbolicTensor[] }) => {
  predict(x: ModelData): Tensor | Tensor[];
  dispose(): void;
};

/** `layer.apply(tensors, kwargs)` with models of class `Model`. */
export const eagerApplyWith = (Model: ModelClass) => (layer: Layer, inputs: Tensor[], kwargs: EagerApplyArgs): Tensor | Tensor[] => {
  checkOptions(kwargs, { initialState: true }, `layer "${layer.name}" (${layer.className}).apply`);
  const states = kwargs.initialState === undefined ? [] : Array.isArray(kwargs.initialState) ? kwargs.initialState : [kwargs.initialState];
  const all = [...inputs, ...states];
  all.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new LwError('BAD_ARGUMENT', `layer "${layer.name}".apply: with tensor inputs the initial states must be tensors too (state ${i - inputs.length} is not)`);
    if (t.shape.length < 2) throw new LwError('SHAPE_MISMATCH', `layer "${layer.name}".apply: tensor ${i} has shape [${t.shape.join(', ')}]; tensors need a batch dimension first`);
  });
  const symbolic = all.map((t) => input({ shape: t.shape.slice(1) }));
  const nodes = layer.inboundNodes.length;
  let model: InstanceType<ModelClass> | null = null;
  try {
    const out = states.length
      ? layer.apply(symbolic.slice(0, inputs.length), { initialState: symbolic.slice(inputs.length) })
      : layer.apply(symbolic.length === 1 ? symbolic[0] : symbolic);
    model = new Model({ inputs: symbolic, outputs: out as SymbolicTensor | SymbolicTensor[] });
    return model.predict(all.length === 1 ? all[0] : all);
  } finally {
    model?.dispose();
    layer.inboundNodes.length = nodes; // the call leaves no node behind (a saved graph would count it)
  }
};
