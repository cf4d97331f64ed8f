import { adamUpdate, rmspropUpdate, sgdUpdate } from '../backend/kernels/index.js';
import type { Backend } from '../backend/backend.js';
import { LwError } from '../errors.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

/** Keras SGD: v = momentum·v - lr·g; p += v (Nesterov: p += momentum·v - lr·g). */
export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;
  protected get slotCount() {
    return this.momentum > 0 ? 1 : 0;
  }
  constructor(args: OptimizerArgs & { momentum?: number; nesterov?: boolean } = {}) {
    super(args, 0.01);
    this.momentum = args.momentum ?? 0;
    this.nesterov = args.nesterov ?? false;
  }
  protected update(b: Backend, n: number, p: number, g: number, s: number[]) {
    sgdUpdate(b.kernels, { n, lr: this.learningRate, momentum: this.momentum, nesterov: this.nesterov, params: p, grads: g, velocity: s[0] });
  }
  getConfig() {
    return { learning_rate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov };
  }
}

/** Keras RMSprop (rho 0.9, epsilon 1e-7, optional momentum and centered). */
export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  protected readonly slotCount = 3;
  constructor(args: OptimizerArgs & { rho?: number; momentum?: number; epsilon?: number; centered?: boolean } = {}) {
    super(args, 0.001);
    this.rho = args.rho ?? 0.9;
    this.momentum = args.momentum ?? 0;
    this.epsilon = args.epsilon ?? 1e-7;
    this.centered = args.centered ?? false;
  }
  protected update(b: Backend, n: number, p: number, g: number, s: number[]) {
    rmspropUpdate(b.kernels, {
      n, lr: this.learningRate, rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered,
      params: p, grads: g, meanSquare: s[0], momentumSlot: s[1], meanGrad: s[2],
    });
  }
  getConfig() {
    return { learning_rate: this.learningRate, rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}

/** Keras Adam (beta1 0.9, beta2 0.999, epsilon 1e-7); AdamW adds decoupled weight decay. */
export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  protected readonly slotCount = 2;
  constructor(args: OptimizerArgs & { beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number } = {}, defaultDecay = 0) {
    super(args, 0.001);
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
    this.weightDecay = args.weightDecay ?? defaultDecay;
  }
  protected update(b: Backend, n: number, p: number, g: number, s: number[]) {
    const t = this.iterations;
    adamUpdate(b.kernels, {
      n, lr: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, beta1Power: this.beta1 ** t, beta2Power: this.beta2 ** t,
      weightDecay: this.weightDecay, params: p, grads: g, m: s[0], v: s[1],
    });
  }
  getConfig() {
    return { learning_rate: this.learningRate, beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon, weight_decay: this.weightDecay };
  }
}

export class AdamW extends Adam {
  override readonly className = 'AdamW';
  constructor(args: OptimizerArgs & { beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number } = {}) {
    super(args, 0.004);
  }
}

/** TF.js' factories take the learning rate as a number: `lw.train.adam(0.01)`. */
const withRate = <T>(args: T | number | undefined) => (typeof args === 'number' ? ({ learningRate: args } as T) : args);
export const sgd = (args?: ConstructorParameters<typeof SGD>[0] | number) => new SGD(withRate(args));
export const rmsprop = (args?: ConstructorParameters<typeof RMSprop>[0] | number) => new RMSprop(withRate(args));
export const adam = (args?: ConstructorParameters<typeof Adam>[0] | number) => new Adam(withRate(args));
export const adamw = (args?: ConstructorParameters<typeof AdamW>[0] | number) => new AdamW(withRate(args));

/** An optimizer from a name ('adam', 'sgd', 'rmsprop', 'adamw') or an instance. */
export function getOptimizer(o: string | Optimizer): Optimizer {
  if (o instanceof Optimizer) return o;
  switch (String(o).toLowerCase()) {
    case 'adam': return new Adam();
    case 'adamw': return new AdamW();
    case 'sgd': return new SGD();
    case 'rmsprop': return new RMSprop();
    default: throw new LwError('BAD_ARGUMENT', `unknown optimizer "${o}": use adam, adamw, sgd, rmsprop or lw.train.*()`);
  }
}
