import { ready } from '../../runtime/ready.js';
import { CliError } from '../errors.js';
import { requireString } from '../options.js';
import { loadRun } from '../run-folder.js';
import { taskHandler, type Prediction } from '../tasks/index.js';
import { COMMON_FLAGS, type Command } from './command.js';

const fmt = (v: number) => (Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-4) ? v.toExponential(6) : String(Number(v.toPrecision(7))));

/** One line per prediction: "label<TAB>probability", a number, or a quoted next token and its probability. */
function lines(p: Prediction): string[] {
  if ('label' in p) return [`${p.label}\t${p.probability.toFixed(4)}`];
  if ('token' in p) return [`${JSON.stringify(p.token)}\t${p.probability.toFixed(4)}`];
  if ('values' in p) return p.values.map(fmt);
  return [fmt(p.value)];
}

export const predictCommand: Command = {
  name: 'predict',
  summary: 'predictions of a trained model for a file or for texts / numbers on the command line',
  usage: [
    'lstm-wasm predict --model DIR (--data FILE | TEXT...) [--json]',
    '',
    'Classifiers print "label<TAB>probability" per text, regression a number per text,',
    'forecast the next --horizon values (from the last --window values of the series or of the numbers given),',
    'language models the most likely next token (JSON-quoted) and its probability.',
    'A --data .txt holds one text per line; a .csv / .jsonl the text column (or the series).',
  ].join('\n'),
  positionals: true,
  flags: {
    model: { type: 'string', help: 'the --out folder of lstm-wasm train / select', placeholder: 'DIR' },
    data: { type: 'string', help: 'inputs: .txt (one text per line, or numbers), .csv, .tsv or .jsonl', placeholder: 'FILE' },
    'text-column': { type: 'string', help: 'text column (default the one trained on)', placeholder: 'NAME' },
    column: { type: 'string', help: 'forecast: the series column (default the one trained on)', placeholder: 'NAME' },
    ...COMMON_FLAGS,
  },
  async run({ flags, positionals }, out) {
    const dir = requireString(flags, 'model', 'the folder of a trained model (--model DIR)');
    const file = flags.data as string | undefined;
    if (file !== undefined && positionals.length > 0) throw new CliError('give either --data FILE or texts after the options, not both');
    if (file === undefined && positionals.length === 0) throw new CliError('nothing to predict: give --data FILE or texts after the options');
    await ready();
    const { prep, model } = await loadRun(dir);
    const predictions = await taskHandler(prep.task).predict(prep, model, { file, args: positionals }, { textColumn: flags['text-column'] as string, column: flags.column as string });
    for (const p of predictions) for (const line of lines(p)) out.result(line);
    out.json({ command: 'predict', task: prep.task, predictions });
  },
};
