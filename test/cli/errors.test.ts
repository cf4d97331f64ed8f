// Bad arguments and bad files: exit code 2 and exactly one line on stderr ("lstm-wasm: error: ..."),
// nothing on stdout, never a stack. Internal errors: exit 1, one line, the stack only with --debug.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, COMMANDS } from '../../ts/cli/main.js';
import type { Command } from '../../ts/cli/commands/command.js';
import type { CliIO } from '../../ts/cli/output.js';
import { cli, ensureCliBuilt, reviews, tempDir, writeCsv, writeText } from '../helpers/cli.js';

let dir: string;
let model: string;
const f = (name: string) => join(dir, name);

beforeAll(async () => {
  await ensureCliBuilt();
  dir = tempDir();
  writeCsv(dir, 'reviews.csv', ['text', 'label'], reviews(40));
  writeText(dir, 'empty.csv', '');
  writeText(dir, 'header-only.csv', 'text,label\n');
  writeText(dir, 'unclosed.csv', 'text,label\n"never closed,1\nfoo,0\n');
  writeText(dir, 'ragged.csv', 'text,label\na,1\nb,0,extra\n');
  writeText(dir, 'bad.jsonl', '{"text": "a", "label": 1}\nnot json\n');
  writeText(dir, 'array.jsonl', '[1, 2]\n');
  writeText(dir, 'missing.jsonl', '{"text": "a", "label": 1}\n{"text": "b"}\n');
  writeText(dir, 'one-label.csv', 'text,label\nhello,a\nworld,a\n');
  writeText(dir, 'three-labels.csv', 'text,label\nx,a\ny,b\nz,c\n');
  writeText(dir, 'words.csv', 'text,label\nx,cheap\ny,pricey\n');
  writeText(dir, 'not-numbers.csv', 'value\n1\n2\nabc\n');
  writeText(dir, 'two-series.csv', 'a,b\n1,2\n3,4\n');
  writeText(dir, 'short.txt', '1 2 3 4 5');
  writeText(dir, 'letters.txt', '1 2 x 4');
  writeText(dir, 'blank.txt', ' \n\n ');
  writeText(dir, 'tiny.txt', 'abc');
  writeText(dir, 'data.parquet', 'PAR1');
  mkdirSync(f('folder.csv'));
  mkdirSync(f('not-a-model'));
  mkdirSync(f('broken-model'));
  model = f('model');
  const r = await cli('train', '--data', f('reviews.csv'), '--task', 'binary', '--epochs', '1', '--units', '2', '--out', model, '--quiet');
  expect(r.code).toBe(0);
  writeFileSync(join(f('broken-model'), 'preprocessing.json'), '{"format": "lstm-wasm-cli-preprocessing", "version": 1, "task": "binary"}');
}, 120_000);

/** [arguments, what the one stderr line must say, training starts (its report lines go to stdout)] */
const CASES: [() => string[], RegExp, 'starts training'?][] = [
  [() => [], /^usage: lstm-wasm <command>/],
  [() => ['fit'], /unknown command "fit"; commands are train, evaluate, predict, generate, select/],
  [() => ['train', '--task', 'binary'], /--data is required/],
  [() => ['train', '--data', f('reviews.csv')], /--task is required: one of binary, multiclass, regression, forecast, language-model/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'sentiment'], /--task must be one of binary, .*, got "sentiment"/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'binary', '--unit', '8'], /unknown option --unit for "train"; did you mean --units\?/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'binary', '-e', '3'], /unknown option -e/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'binary', '--units', 'many'], /--units must be a whole number >= 1, got "many"/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'binary', '--units', '2.5'], /--units must be a whole number/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'binary', '--learning-rate', '-1'], /--learning-rate must be a number > ?= ?/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'binary', '--validation-split', '1'], /--validation-split must be a number >= 0 and < 1, got "1"/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'binary', '--epochs'], /--epochs needs a value/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'binary', '--epochs', '1', '--epochs', '2'], /--epochs is given twice/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'binary', 'extra'], /unexpected argument "extra"/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'binary', '--window', '5'], /--window does not apply to --task binary/],
  [() => ['train', '--data', f('nowhere.csv'), '--task', 'binary'], /no such file: .*nowhere\.csv/],
  [() => ['train', '--data', f('folder.csv'), '--task', 'binary'], /folder\.csv is a directory/],
  [() => ['train', '--data', f('data.parquet'), '--task', 'binary'], /unknown file type "\.parquet"; use \.csv, \.tsv, \.jsonl or \.txt/],
  [() => ['train', '--data', f('empty.csv'), '--task', 'binary'], /empty\.csv is empty/],
  [() => ['train', '--data', f('header-only.csv'), '--task', 'binary'], /header-only\.csv has a header but no rows/],
  [() => ['train', '--data', f('unclosed.csv'), '--task', 'binary'], /unclosed\.csv: the quoted field starting on line 2 is never closed/],
  [() => ['train', '--data', f('ragged.csv'), '--task', 'binary'], /ragged\.csv: line 3 has 3 fields, expected 2/],
  [() => ['train', '--data', f('bad.jsonl'), '--task', 'binary'], /bad\.jsonl: line 2 is not valid JSON/],
  [() => ['train', '--data', f('array.jsonl'), '--task', 'binary'], /array\.jsonl: JSON value 1 is an array, expected an object/],
  [() => ['train', '--data', f('missing.jsonl'), '--task', 'binary'], /missing\.jsonl: row 2 has no value in column "label"/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'binary', '--text-column', 'body'], /no column "body" \(--text-column\); columns are "text", "label"/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'binary', '--label-column', 'text', '--text-column', 'text'], /--text-column and --label-column are both "text"/],
  [() => ['train', '--data', f('one-label.csv'), '--task', 'binary'], /column "label" has only one label \(a\); a classifier needs at least 2/],
  [() => ['train', '--data', f('three-labels.csv'), '--task', 'binary'], /--task binary needs exactly 2 labels, column "label" has 3 \(a, b, c\); use --task multiclass/],
  [() => ['train', '--data', f('words.csv'), '--task', 'regression'], /row 1 has "cheap" in column "label", not a number; task regression predicts numbers/],
  [() => ['train', '--data', f('tiny.txt'), '--task', 'binary'], /--task binary reads a table .* not a \.txt file/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'language-model'], /--task language-model learns from plain text: give a \.txt file/],
  [() => ['train', '--data', f('not-numbers.csv'), '--task', 'forecast'], /no column holds only numbers/],
  [() => ['train', '--data', f('not-numbers.csv'), '--task', 'forecast', '--column', 'value'], /row 3 has "abc" in column "value", not a number/],
  [() => ['train', '--data', f('two-series.csv'), '--task', 'forecast'], /several numeric columns \("a", "b"\); choose the series with --column/],
  [() => ['train', '--data', f('letters.txt'), '--task', 'forecast'], /letters\.txt: item 3 is "x", not a number/],
  [() => ['train', '--data', f('short.txt'), '--task', 'forecast'], /a series of 5 steps is too short for --window 24 \+ --horizon 1; use a smaller --window/],
  [() => ['train', '--data', f('blank.txt'), '--task', 'language-model'], /blank\.txt is empty \(only white space\)/],
  [() => ['train', '--data', f('tiny.txt'), '--task', 'language-model'], /3 known characters are too few for windows of --max-len 40/],
  [() => ['train', '--data', f('reviews.csv'), '--task', 'binary', '--learning-rate', '1e30', '--epochs', '2', '--quiet', '--out', f('diverged')], /loss is (NaN|Infinity).*lower learning rate.*\(epoch 1, batch \d+\)/, 'starts training'],
  [() => ['evaluate', '--data', f('reviews.csv')], /--model is required/],
  [() => ['evaluate', '--model', f('nowhere'), '--data', f('reviews.csv')], /--model .*nowhere: no preprocessing\.json there/],
  [() => ['evaluate', '--model', f('broken-model'), '--data', f('reviews.csv')], /preprocessing\.json: maxLen is missing or malformed for task binary/],
  [() => ['evaluate', '--model', model, '--data', f('three-labels.csv')], /row 1 has label "a", which the model does not know \(its labels are negative, positive\)/],
  [() => ['predict', '--model', model], /nothing to predict: give --data FILE or texts/],
  [() => ['predict', '--model', model, '--data', f('reviews.csv'), 'some text'], /either --data FILE or texts/],
  [() => ['predict', '--model', f('not-a-model'), 'text'], /no preprocessing\.json there/],
  [() => ['generate', '--model', model], /generate needs a language model; .* was trained with --task binary/],
  [() => ['generate', '--model', model, '--temperature', 'hot'], /--temperature must be a number >= 0, got "hot"/],
  [() => ['select', '--data', f('reviews.csv'), '--task', 'binary', '--cells', 'lstm,transformer'], /--cells must be one of lstm, gru, simpleRNN, got "transformer"/],
  [() => ['select', '--data', f('reviews.csv'), '--task', 'binary', '--units', '8,,16'], /--units must be a comma-separated list without empty items/],
  [() => ['select', '--data', f('reviews.csv'), '--task', 'binary', '--units', '8,8'], /--units lists a value twice/],
  [() => ['select', '--data', f('reviews.csv'), '--task', 'binary', '--folds', '1'], /--folds must be a whole number >= 2/],
  [() => ['select', '--data', f('reviews.csv'), '--task', 'binary', '--metric', 'val_mae'], /--metric val_mae is not a held-out metric of --task binary; use val_acc or val_loss/],
  [() => ['select', '--data', f('three-labels.csv'), '--task', 'multiclass', '--folds', '5'], /3 samples cannot make 5 folds; use a smaller --folds/],
  [() => ['select', '--data', f('reviews.csv'), '--task', 'binary', '--validation-split', '0.2'], /unknown option --validation-split for "select"/],
];

describe('bad arguments and files: exit 2 with one line on stderr', () => {
  // several processes at once: each case is one short-lived node process
  it.concurrent.each(CASES.map(([args, message, starts], i) => [i, args, message, starts] as const))('case %i', async (_i, args, message, starts) => {
    const r = await cli(...args());
    expect(r.code, r.stderr).toBe(2);
    if (starts) expect(r.stdout).toMatch(/^model: lstm/m);
    else expect(r.stdout).toBe('');
    if (args().length === 0) {
      expect(r.stderr).toMatch(message);
      return;
    }
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^lstm-wasm: error: /);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).not.toMatch(/\[[A-Z_]+\]|    at /);
  });
});

describe('help and version', () => {
  it('--help lists the commands, <command> --help the options, --version the package version (exit 0)', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    for (const c of ['train', 'evaluate', 'predict', 'generate', 'select']) expect(top.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    const train = await cli('train', '--help');
    expect(train.code).toBe(0);
    for (const flag of ['--data FILE', '--task', '--text-column', '--label-column', '--cell', '--units', '--layers', '--bidirectional', '--epochs', '--batch-size', '--max-len', '--vocab', '--learning-rate', '--clip-norm', '--validation-split', '--seed', '--out DIR', '--json', '--window', '--horizon', '--level']) {
      expect(train.stdout).toContain(`  ${flag}`);
    }
    const version = await cli('--version');
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('internal errors (in-process): exit 1, one line, the stack only with --debug', () => {
  const failing: Command = {
    name: 'explode', summary: 'fails', usage: 'explode', flags: { debug: { type: 'bool', help: '' } },
    run: async () => {
      (undefined as unknown as { x: number }).x;
    },
  };
  const capture = () => {
    const io = { out: '', err: '' };
    const sink: CliIO = { stdout: (t) => void (io.out += t), stderr: (t) => void (io.err += t), progress: { write: () => true } };
    return { io, sink };
  };

  it('without --debug', async () => {
    const { io, sink } = capture();
    expect(await runCli(['explode'], sink, [...COMMANDS, failing])).toBe(1);
    const lines = io.err.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^lstm-wasm: internal error: .*undefined.* \(run with --debug for the stack\)$/);
    expect(io.out).toBe('');
  });

  it('with --debug', async () => {
    const { io, sink } = capture();
    expect(await runCli(['explode', '--debug'], sink, [failing])).toBe(1);
    expect(io.err).toMatch(/^lstm-wasm: internal error: /);
    expect(io.err).toMatch(/\n\s+at /);
  });
});
