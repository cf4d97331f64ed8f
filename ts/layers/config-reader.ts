// Typed reading of one layer's Keras config (snake_case keys) with errors naming the layer and key.
import type { InitializerName } from '../initializers.js';
import type { LayerArgs } from '../engine/layer.js';
import { badFile, describe, isObject, own, type JsonObject } from '../io/json.js';
import { LwError } from '../errors.js';
import type { ActivationName } from '../backend/kernels/index.js';
import { KERAS_ACTIVATION, kerasActivationName } from './activation-names.js';

/** Keras initializer classes written as VarianceScaling: [scale, mode, distribution] → our name. */
const VARIANCE_SCALING: [number, string, string, InitializerName][] = [
  [1, 'fan_avg', 'uniform', 'glorotUniform'],
  [1, 'fan_avg', 'normal', 'glorotNormal'],
  [2, 'fan_in', 'uniform', 'heUniform'],
  [2, 'fan_in', 'normal', 'heNormal'],
  [1, 'fan_in', 'uniform', 'lecunUniform'],
  [1, 'fan_in', 'normal', 'lecunNormal'],
];

const INITIALIZER_NAMES = new Set<string>([
  'zeros', 'ones', 'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal',
  'lecunUniform', 'lecunNormal', 'orthogonal', 'randomUniform', 'randomNormal',
]);

/**
 * Config keys that never change what a layer computes, whatever their value: how Keras stores or
 * schedules it (dtype policies, unroll, implementation), object bookkeeping, and seeds.
 */
const NEVER_CHANGE_RESULTS = new Set([
  'dtype', 'module', 'registered_name', 'build_config', 'shared_object_id', 'unroll', 'implementation',
  'seed', 'autocast', 'input_dtype', 'lora_alpha',
]);

/** A value that leaves an option off (Keras writes null, false or 0 for unused options). */
const isOff = (v: unknown) => v === null || v === false || v === 0;

const camel = (s: string) => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

export class ConfigReader {
  /**
   * `kerasMajor`: the Keras major version that wrote the config (2 for TF.js and lstm-wasm files),
   * for names whose meaning changed (Keras 3's hard_sigmoid is x/6 + 0.5, Keras 2's 0.2x + 0.5).
   */
  constructor(readonly raw: JsonObject, readonly where: string, readonly kerasMajor = 2) {}

  private readonly seen = new Set<string>();

  fail(message: string) {
    return badFile(`${this.where}: ${message}`, { where: this.where });
  }

  /**
   * Options of the config that no reader asked for and that are set (not null, false or 0), apart
   * from those that never change results: the layer cannot honour them (a regularizer, a
   * constraint, a noise shape), so loading must refuse rather than build a different model.
   */
  optionsNotRead(): string[] {
    return Object.keys(this.raw).filter((k) => !this.seen.has(k) && !NEVER_CHANGE_RESULTS.has(k) && !isOff(this.raw[k]));
  }

  /** The whole config, for a reader that checks every key itself (a nested model's deserializer). */
  whole(): JsonObject {
    for (const k of Object.keys(this.raw)) this.seen.add(k);
    return this.raw;
  }

  /** Own value of `key`; null counts as absent. */
  get(key: string): unknown {
    this.seen.add(key);
    const v = own(this.raw, key);
    return v === null ? undefined : v;
  }

  num(key: string): number | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.fail(`"${key}" must be a number, got ${describe(v)}`);
    return v;
  }

  /** A whole number >= min (required when no fallback is given). */
  int(key: string, min = 0, fallback?: number): number {
    const v = this.get(key) ?? fallback;
    if (v === undefined) throw this.fail(`"${key}" is missing`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw this.fail(`"${key}" must be a whole number >= ${min}, got ${describe(v)}`);
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw this.fail(`"${key}" must be true or false, got ${describe(v)}`);
    return v;
  }

  str(key: string): string | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw this.fail(`"${key}" must be a string, got ${describe(v)}`);
    return v;
  }

  /** A shape list of whole numbers or null. */
  shape(key: string): (number | null)[] | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    const ok = Array.isArray(v) && v.length <= 16 && v.every((d) => d === null || (Number.isInteger(d) && d >= 0));
    if (!ok) throw this.fail(`"${key}" must be a list of whole numbers or null, got ${describe(v)}`);
    return v as (number | null)[];
  }

  /** Activation name: a string, or Keras 3's {class_name, config} form. */
  activation(key: string): ActivationName | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    let name: unknown = v;
    if (isObject(v)) {
      const c = own(v, 'config');
      name = typeof c === 'string' ? c : isObject(c) && typeof own(c, 'name') === 'string' ? own(c, 'name') : own(v, 'class_name');
    }
    if (typeof name !== 'string') throw this.fail(`"${key}" must be an activation name, got ${describe(v)}`);
    try {
      // As the file's Keras version means it (hard_sigmoid changed in Keras 3).
      return kerasActivationName(name, this.kerasMajor);
    } catch {
      throw new LwError('UNSUPPORTED', `${this.where}: "${key}" is "${name}", an activation lstm-wasm does not have (it has ${Object.values(KERAS_ACTIVATION).join(', ')})`, { where: this.where, activation: name });
    }
  }

  /**
   * Initializer as one of our names, from a name or {class_name, config} (TF.js writes
   * VarianceScaling for the Glorot/He/LeCun family). Initializers we do not have give undefined
   * (the layer default): loaded weights replace initial values anyway.
   */
  initializer(key: string): InitializerName | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (typeof v === 'string') {
      const n = camel(v);
      const name = n[0].toLowerCase() + n.slice(1);
      return INITIALIZER_NAMES.has(name) ? (name as InitializerName) : undefined;
    }
    if (!isObject(v)) throw this.fail(`"${key}" must be an initializer name or {class_name, config}, got ${describe(v)}`);
    const cls = own(v, 'class_name');
    if (typeof cls !== 'string') throw this.fail(`"${key}".class_name must be a string, got ${describe(cls)}`);
    const cfg = own(v, 'config');
    if (cls === 'VarianceScaling' && isObject(cfg)) {
      const scale = own(cfg, 'scale');
      const mode = own(cfg, 'mode');
      const dist = own(cfg, 'distribution') === 'truncated_normal' ? 'normal' : own(cfg, 'distribution');
      return VARIANCE_SCALING.find(([s, m, d]) => s === scale && m === mode && d === dist)?.[3];
    }
    const name = cls[0].toLowerCase() + camel(cls.slice(1));
    return INITIALIZER_NAMES.has(name) ? (name as InitializerName) : undefined;
  }

  /** name, trainable and the input shape every layer may carry. */
  layerArgs(): LayerArgs {
    const args: LayerArgs = {};
    const name = this.str('name');
    if (name !== undefined) args.name = name;
    const trainable = this.bool('trainable');
    if (trainable !== undefined) args.trainable = trainable;
    // TF.js and Keras 2 write batch_input_shape, Keras 3 batch_shape.
    const shape = this.shape('batch_input_shape') ?? this.shape('batch_shape');
    if (shape) args.batchInputShape = shape;
    return args;
  }
}
