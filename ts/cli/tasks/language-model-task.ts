// language-model: a .txt → windows of --max-len tokens (characters or words) predicting the next one.
import { Tensor } from '../../tensor.js';
import { encodeText, languageModelTokenizer } from '../../text/language-model.js';
import { nextTokenWindows } from '../../text/windows.js';
import { LwError } from '../../errors.js';
import { fileKind, readText } from '../data-file.js';
import { CliError } from '../errors.js';
import { newPreprocessing, tokenizerOf, type Preprocessing } from '../preprocessing.js';
import { count, type Encoded, type Prediction, type TaskHandler } from './task.js';

async function readCorpus(file: string): Promise<string> {
  if (fileKind(file) !== 'txt') throw new CliError(`${file}: --task language-model learns from plain text: give a .txt file`);
  return readText(file);
}

function windowsOf(prep: Preprocessing, ids: Int32Array, stride: number, file: string): Encoded {
  try {
    return nextTokenWindows(ids, { seqLen: prep.maxLen!, stride });
  } catch (err) {
    if (err instanceof LwError && err.code === 'EMPTY_DATA') {
      throw new CliError(`${file}: ${ids.length} known ${prep.level === 'word' ? 'words' : 'characters'} are too few for windows of --max-len ${prep.maxLen} plus the next token; use a smaller --max-len or more text`);
    }
    throw err;
  }
}

/** Bits per token (and perplexity for words) from a cross-entropy in nats. */
function fromLoss(prep: Preprocessing, logs: Record<string, number>): Record<string, number> {
  const unit = prep.level === 'word' ? 'word' : 'char';
  const out: Record<string, number> = {};
  for (const prefix of ['', 'val_']) {
    const loss = logs[`${prefix}loss`];
    if (loss === undefined) continue;
    out[`${prefix}bits_per_${unit}`] = loss / Math.LN2;
    if (unit === 'word') out[`${prefix}perplexity`] = Math.exp(loss);
  }
  return out;
}

export const languageModelTask: TaskHandler = {
  async fit(opts) {
    const text = await readCorpus(opts.data);
    const tok = languageModelTokenizer(text, { level: opts.level, vocab: opts.vocab });
    const prep = newPreprocessing('language-model', opts.model, { epochs: opts.epochs, batchSize: opts.batchSize, validationSplit: opts.validationSplit, seed: opts.seed, samples: 0 });
    prep.level = opts.level;
    prep.maxLen = opts.maxLen!;
    prep.tokenizer = tok.toJSON();
    const ids = encodeText(tok, text);
    const data = windowsOf(prep, ids, opts.stride, opts.data);
    prep.training.samples = data.x.shape[0];
    const unit = opts.level === 'word' ? 'words' : 'characters';
    return {
      prep, tokenizer: tok, data,
      describe: `language model: ${count(ids.length)} ${unit} of ${opts.data}, ${count(tok.wordIndex.size)} distinct → ${count(data.x.shape[0])} windows of ${prep.maxLen} (stride ${opts.stride}); the last ${Math.round(opts.validationSplit * 100)}% of the text is held out`,
    };
  },

  async encode(prep, file) {
    // every token of the file is predicted once
    return windowsOf(prep, encodeText(tokenizerOf(prep), await readCorpus(file)), 1, file);
  },

  extraMetrics(prep, _model, _data, logs) {
    return fromLoss(prep, logs);
  },

  derived: fromLoss,

  async predict(prep, model, input): Promise<Prediction[]> {
    const texts = input.file ? [await readCorpus(input.file)] : input.args;
    if (texts.length === 0) throw new CliError('nothing to predict: give --data FILE or texts after the options');
    const tok = tokenizerOf(prep);
    const seqLen = prep.maxLen!;
    const x = new Int32Array(texts.length * seqLen);
    texts.forEach((t, i) => {
      const ids = encodeText(tok, t).subarray(-seqLen);
      x.set(ids, i * seqLen + seqLen - ids.length);
    });
    const out = model.predict(new Tensor(x, [texts.length, seqLen]), { batchSize: 256 }) as Tensor;
    const p = out.dataSync();
    const k = out.shape[1];
    const oov = tok.oovToken !== undefined ? tok.wordIndex.get(tok.oovToken) : undefined;
    return texts.map((_, i) => {
      // the most likely real token: not padding (0), not '<OOV>'
      let best = -1;
      for (let j = 1; j < k; j++) if (j !== oov && (best < 0 || p[i * k + j] > p[i * k + best])) best = j;
      return { token: tok.indexWord.get(best) ?? '', probability: p[i * k + best] };
    });
  },
};
