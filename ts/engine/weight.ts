import { LwError } from '../errors.js';
import type { Initializer } from '../initializers.js';
import type { Random } from '../random.js';
import { fmt } from './shape.js';

/** What a weight knows of the layer that owns it. */
export interface WeightOwner {
  readonly name: string;
  /** Keras class name, for messages. */
  readonly className: string;
  readonly trainable: boolean;
  /** `<layer>/` (or the wrapper's path) before the weight's own name. */
  weightPrefix(): string;
}

/** Where a placed weight's values live: the owning model's parameter block (ParamStore). */
export interface WeightValues {
  read(w: Weight): Float32Array;
  write(w: Weight, values: Float32Array): void;
}

/** One weight of a layer: its values live in the owning model's parameter block once built. */
export class Weight {
  /** Offset (in floats) into the model's parameter and gradient blocks; -1 before allocation. */
  offset = -1;
  store: WeightValues | null = null;
  /** Values before the weight is placed in a parameter block. */
  pending: Float32Array | null = null;
  readonly size: number;

  constructor(
    readonly layer: WeightOwner,
    /** Keras weight name: 'kernel', 'recurrent_kernel', 'bias', 'embeddings'... */
    readonly name: string,
    readonly shape: readonly number[],
    readonly initializer: Initializer,
    readonly trainable: boolean,
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
  }

  /** The TF.js weight name: `<layer>/<weight>`. */
  get path(): string {
    return `${this.layer.weightPrefix()}${this.name}`;
  }

  init(rng: Random): void {
    const v = new Float32Array(this.size);
    this.initializer(this.shape, v, rng);
    this.pending = v;
  }

  read(): Float32Array {
    if (this.store) return this.store.read(this);
    if (!this.pending) throw new LwError('NOT_READY', `weight ${this.path} has no values yet: build the model first`);
    return this.pending.slice();
  }

  write(values: Float32Array): void {
    if (values.length !== this.size) {
      throw new LwError('SHAPE_MISMATCH', `weight ${this.path} has ${this.size} values (shape ${fmt([...this.shape])}), got ${values.length}`);
    }
    if (this.store) this.store.write(this, values);
    else this.pending = Float32Array.from(values);
  }
}
