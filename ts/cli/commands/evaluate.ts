import { ready } from '../../runtime/ready.js';
import { compileNetwork, networkShape } from '../network.js';
import { requireString } from '../options.js';
import { metricLines } from '../output.js';
import { loadRun } from '../run-folder.js';
import { taskHandler } from '../tasks/index.js';
import { count } from '../tasks/task.js';
import { COMMON_FLAGS, type Command } from './command.js';

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'loss and metrics of a trained model on a labelled data file',
  usage: 'lstm-wasm evaluate --model DIR --data FILE [--json]\n\nDIR is the --out folder of train or select; FILE has the same form as the training data.',
  flags: {
    model: { type: 'string', help: 'the --out folder of lstm-wasm train / select', placeholder: 'DIR' },
    data: { type: 'string', help: 'labelled data in the training format', placeholder: 'FILE' },
    'text-column': { type: 'string', help: 'text column (default the one trained on)', placeholder: 'NAME' },
    'label-column': { type: 'string', help: 'label column (default the one trained on)', placeholder: 'NAME' },
    column: { type: 'string', help: 'forecast: the series column (default the one trained on)', placeholder: 'NAME' },
    'batch-size': { type: 'int', min: 1, help: 'samples per step (default 256)' },
    ...COMMON_FLAGS,
  },
  async run({ flags }, out) {
    const dir = requireString(flags, 'model', 'the folder of a trained model (--model DIR)');
    const file = requireString(flags, 'data', 'labelled data to evaluate on (--data FILE)');
    await ready();
    const { prep, model } = await loadRun(dir);
    const handler = taskHandler(prep.task);
    compileNetwork(model, networkShape(prep), prep.model);
    const data = await handler.encode(prep, file, { textColumn: flags['text-column'] as string, labelColumn: flags['label-column'] as string, column: flags.column as string });
    const logs = model.evaluateLogs(data.x, data.y, (flags['batch-size'] as number | undefined) ?? 256);
    const metrics = { ...logs, ...handler.extraMetrics(prep, model, data, logs) };
    const samples = data.x.shape[0];
    out.info(`${prep.task} model ${dir} on ${count(samples)} samples of ${file}:`);
    for (const line of metricLines(metrics)) out.info(line);
    out.json({ command: 'evaluate', task: prep.task, samples, metrics });
  },
};
