import { LwError } from '../errors.js';
import type { BatchTensor, ExecCtx } from '../engine/exec.js';
import type { Shape } from '../engine/shape.js';
import { Layer, Node, SymbolicTensor, type LayerArgs } from '../engine/layer.js';
import { KEEP_INPUT_MASK, type OutputMask } from '../engine/mask.js';

/** The source of a model input (Keras InputLayer). */
export class InputLayer extends Layer {
  readonly className = 'InputLayer';
  constructor(args: LayerArgs) {
    super(args, 'input');
    if (!this.batchInputShape) throw new LwError('BAD_ARGUMENT', `input "${this.name}" needs shape or batchShape`);
    for (const d of this.batchInputShape.slice(1)) {
      if (d !== null && (!Number.isInteger(d) || d < 1)) throw new LwError('BAD_ARGUMENT', `input "${this.name}": dimension ${d} must be a whole number >= 1`);
    }
    this.built = true;
    const node = new Node(this, []);
    node.outputs.push(new SymbolicTensor(this.batchInputShape, node, 0, this.name));
    this.inboundNodes.push(node);
  }
  computeOutputShape(): Shape[] {
    return [this.batchInputShape!];
  }
  forward(_ctx: ExecCtx, inputs: BatchTensor[]) {
    return { outputs: inputs };
  }
  backward(): number[] {
    return [];
  }
  override outputMasks(): readonly OutputMask[] {
    return KEEP_INPUT_MASK;
  }
  override getConfig() {
    return { batch_input_shape: this.batchInputShape, dtype: 'float32', sparse: false, name: this.name };
  }
  get output(): SymbolicTensor {
    return this.inboundNodes[0].outputs[0];
  }
}

/** `lw.input({ shape: [50] })`: a symbolic model input (shape without the batch). */
export function input(args: { shape?: (number | null)[]; batchShape?: (number | null)[]; name?: string; batchSize?: number }): SymbolicTensor {
  const batchInputShape = args.batchShape ?? (args.shape ? [args.batchSize ?? null, ...args.shape] : undefined);
  return new InputLayer({ name: args.name, batchInputShape }).output;
}
