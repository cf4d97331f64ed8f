import { ready } from '../../runtime/ready.js';
import { generateText } from '../../text/language-model.js';
import { CliError } from '../errors.js';
import { requireString } from '../options.js';
import { tokenizerOf } from '../preprocessing.js';
import { loadRun } from '../run-folder.js';
import { COMMON_FLAGS, type Command } from './command.js';

export const generateCommand: Command = {
  name: 'generate',
  summary: 'generate text with a trained language model',
  usage: 'lstm-wasm generate --model DIR [--seed-text TEXT] [--length N] [--temperature T] [--seed N] [--json]\n\nPrints the seed text followed by N generated characters (or words).',
  flags: {
    model: { type: 'string', help: 'the --out folder of lstm-wasm train --task language-model', placeholder: 'DIR' },
    'seed-text': { type: 'string', help: 'text the generation continues (default none)', placeholder: 'TEXT' },
    length: { type: 'int', min: 1, help: 'tokens to generate (default 200 characters / 50 words)' },
    temperature: { type: 'number', min: 0, help: 'sampling temperature: 0 most likely, 1 as learned (default), higher more random' },
    seed: { type: 'int', min: 0, help: 'seed of the sampling (default random)' },
    ...COMMON_FLAGS,
  },
  async run({ flags }, out) {
    const dir = requireString(flags, 'model', 'the folder of a trained language model (--model DIR)');
    await ready();
    const { prep, model } = await loadRun(dir);
    if (prep.task !== 'language-model') throw new CliError(`generate needs a language model; ${dir} was trained with --task ${prep.task}`);
    const word = prep.level === 'word';
    const seedText = (flags['seed-text'] as string | undefined) ?? '';
    const length = (flags.length as number | undefined) ?? (word ? 50 : 200);
    const temperature = (flags.temperature as number | undefined) ?? 1;
    const text = generateText(model, tokenizerOf(prep), { seedText, length, temperature, seed: flags.seed as number | undefined });
    out.result(`${seedText}${word && seedText && text ? ' ' : ''}${text}`);
    out.json({ command: 'generate', level: prep.level ?? 'char', seed_text: seedText, text, length, temperature });
  },
};
