// Per-output figures during training. fit's history has the weighted total loss only, and compile's
// metrics apply to every output alike, so this callback measures each output with its own loss and
// its own metric (MAE for the regression, accuracy for the classification) on a fixed data set:
// once before training and after every epoch.
import * as lw from 'lstm-wasm';

export interface OutputSpec {
  /** The output layer's name; history keys are `[prefix]<name>_loss` and `[prefix]<name>_<metric>`. */
  name: string;
  loss: 'meanSquaredError' | 'binaryCrossentropy';
  metric: 'mae' | 'acc';
}

export interface OutputTracker extends lw.callbacks.Callback {
  /** Index 0 is before training, index e after epoch e. */
  history: Record<string, number[]>;
}

function metricValue(metric: OutputSpec['metric'], pred: ArrayLike<number>, target: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < target.length; i++) {
    s += metric === 'mae' ? Math.abs(pred[i] - target[i]) : Number((pred[i] > 0.5) === (target[i] > 0.5));
  }
  return s / target.length;
}

/** Measures each output of `model` on (x, y) at the start of fit and after each epoch; keys get `prefix`. */
export function outputTracker(x: lw.Tensor[], y: lw.Tensor[], outputs: OutputSpec[], prefix = ''): OutputTracker {
  const history: Record<string, number[]> = {};
  const measure = (model: lw.LayersModel) => {
    const preds = model.predict(x, { batchSize: 256 });
    const list = Array.isArray(preds) ? preds : [preds];
    outputs.forEach((o, j) => {
      (history[`${prefix}${o.name}_loss`] ??= []).push(lw.ops.loss(o.loss, list[j], y[j]).loss);
      (history[`${prefix}${o.name}_${o.metric}`] ??= []).push(metricValue(o.metric, list[j].dataSync(), y[j].dataSync()));
    });
  };
  return {
    history,
    onTrainBegin() {
      measure(this.model!);
    },
    onEpochEnd() {
      measure(this.model!);
    },
  };
}
