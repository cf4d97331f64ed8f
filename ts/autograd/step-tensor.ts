import { fmtShape } from '../errors.js';

/**
 * A tensor an op set works on: floats at `ptr` in backend memory (row-major, `shape`), made by a
 * tape's ops (a recurrent cell's step, an eager lw.ops call) and valid while that tape lives (one
 * batch). Nothing to dispose: the tape's memory ends with the batch.
 */
export class StepTensor {
  readonly size: number;
  /**
   * Byte pointer of the gradient: 0 until a gradient reaches the tensor; preset for leaves whose
   * gradient has a home (a weight's slot in the gradient block).
   */
  grad = 0;

  constructor(
    /** The tape that made it (identity only: a tensor of another tape is refused). */
    readonly owner: object,
    readonly ptr: number,
    readonly shape: readonly number[],
    /** Whether a gradient is wanted: a trainable weight, an input whose gradient is used, or a result of such. */
    public requiresGrad: boolean,
  ) {
    this.size = shape.reduce((a, b) => a * b, 1);
  }

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `StepTensor ${fmtShape(this.shape)}`;
  }
}
