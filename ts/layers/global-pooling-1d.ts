// What GlobalAveragePooling1D and GlobalMaxPooling1D share: options, shapes and config.
import type { OptionNames } from '../engine/options.js';
import { LwError } from '../errors.js';
import type { Shape } from '../engine/shape.js';
import { Layer, type LayerArgs } from '../engine/layer.js';

/** TF.js spells data formats in camelCase, Keras in snake_case; both are accepted. */
export type DataFormat = 'channelsLast' | 'channelsFirst' | 'channels_last' | 'channels_first';

export interface GlobalPooling1DArgs extends LayerArgs {
  /** Only channelsLast ([batch, steps, features], the default); channelsFirst is UNSUPPORTED. */
  dataFormat?: DataFormat;
  /** Keep the time axis with length 1: [batch, 1, features] instead of [batch, features] (default false). */
  keepdims?: boolean;
}

const OPTIONS: OptionNames<GlobalPooling1DArgs, LayerArgs> = { dataFormat: true, keepdims: true };

/** Pools x [batch, steps, features] over the steps into [batch, features] ([batch, 1, features] with keepdims). */
export abstract class GlobalPooling1D extends Layer {
  readonly keepdims: boolean;

  constructor(args: GlobalPooling1DArgs, defaultName: string) {
    super(args, defaultName, OPTIONS);
    const format = args.dataFormat;
    if (format === 'channelsFirst' || format === 'channels_first') {
      throw new LwError('UNSUPPORTED', `layer "${this.name}": dataFormat "${format}" is not supported; inputs must be channelsLast [batch, steps, features]`, { option: 'dataFormat' });
    }
    if (format !== undefined && format !== 'channelsLast' && format !== 'channels_last') {
      throw new LwError('BAD_ARGUMENT', `layer "${this.name}": dataFormat must be "channelsLast", got ${JSON.stringify(format)}`, { option: 'dataFormat' });
    }
    if (args.keepdims !== undefined && typeof args.keepdims !== 'boolean') {
      throw new LwError('BAD_ARGUMENT', `layer "${this.name}": keepdims must be true or false, got ${JSON.stringify(args.keepdims)}`, { option: 'keepdims' });
    }
    this.keepdims = args.keepdims ?? false;
  }

  computeOutputShape(inputShapes: Shape[]): Shape[] {
    const [B, , F] = this.expectRank(inputShapes, [3], 'input [batch, steps, features]');
    return [this.outputShape(B, F)];
  }

  protected outputShape<D extends number | null>(B: D, F: D): D[] {
    return this.keepdims ? [B, 1 as D, F] : [B, F];
  }

  override getConfig() {
    return { ...super.getConfig(), data_format: 'channels_last', keepdims: this.keepdims };
  }
}
