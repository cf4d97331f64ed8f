import { LwError } from '../errors.js';
import { Tokenizer } from '../data/tokenizer.js';
import type { LayersModel } from '../model/model.js';
import { Random } from '../random.js';
import { Tensor } from '../tensor.js';
import { sampleIndex } from './sample.js';

export type TextLevel = 'char' | 'word';

export interface LanguageModelTokenizerArgs {
  /** Characters (default) or words. */
  level?: TextLevel;
  /** Keep the vocab-1 most frequent tokens (ids < vocab); default all. Words outside it become '<OOV>'. */
  vocab?: number;
  /** Lower-case first; default false for characters (case is part of the text), true for words (Keras). */
  lower?: boolean;
}

export const OOV_TOKEN = '<OOV>';

/**
 * A tokenizer fitted for a next-token model: characters keep case, punctuation and line breaks;
 * words follow Keras' Tokenizer (lower case, punctuation filtered) with an '<OOV>' token.
 */
export function languageModelTokenizer(text: string, args: LanguageModelTokenizerArgs = {}): Tokenizer {
  const level = args.level ?? 'char';
  if (level !== 'char' && level !== 'word') throw new LwError('BAD_ARGUMENT', `languageModelTokenizer: level must be 'char' or 'word', got ${String(level)}`);
  if (typeof text !== 'string' || text.length === 0) throw new LwError('EMPTY_DATA', 'languageModelTokenizer: the text is empty');
  const tok = level === 'char'
    ? new Tokenizer({ charLevel: true, lower: args.lower ?? false, filters: '', numWords: args.vocab })
    : new Tokenizer({ numWords: args.vocab, oovToken: OOV_TOKEN, lower: args.lower ?? true });
  tok.fitOnTexts([text]);
  if (tok.wordIndex.size === 0) throw new LwError('EMPTY_DATA', 'languageModelTokenizer: the text has no tokens');
  return tok;
}

/** Number of output classes a next-token model over this tokenizer needs (ids 0 .. size-1; 0 is padding). */
export function vocabularySize(tok: Tokenizer): number {
  const all = tok.wordIndex.size + 1;
  return tok.numWords !== undefined ? Math.min(tok.numWords, all) : all;
}

/** The token ids of a text (unknown tokens dropped, or '<OOV>' for word tokenizers). */
export function encodeText(tok: Tokenizer, text: string): Int32Array {
  return Int32Array.from(tok.textsToSequences([text])[0]);
}

/** Ids that generation never produces: padding 0, the OOV token and ids without a token. */
function excludedIds(tok: Tokenizer, size: number): number[] {
  const oov = tok.oovToken !== undefined ? tok.wordIndex.get(tok.oovToken) : undefined;
  const out: number[] = [];
  for (let i = 0; i < size; i++) if (i === 0 || i === oov || !tok.indexWord.has(i)) out.push(i);
  return out;
}

export interface GenerateTextArgs {
  /** The text the continuation follows (its known tokens are the first context). */
  seedText: string;
  /** Tokens to generate (characters or words). */
  length: number;
  /** See sampleIndex; default 1. */
  temperature?: number;
  /** Seed of the sampling (default the global generator). */
  seed?: number;
  /** Context window in tokens; default the model's input length. */
  seqLen?: number;
}

/**
 * Generates `length` tokens after `seedText` with a next-token model (input: ids [batch, seqLen],
 * output: softmax over ids), one token at a time: the last seqLen ids ('pre'-padded with 0) go in, a
 * token is drawn at the temperature and appended. Returns the continuation only, joined as the
 * tokenizer joins ('' for characters, ' ' for words).
 */
export function generateText(model: LayersModel, tok: Tokenizer, args: GenerateTextArgs): string {
  if (typeof args?.seedText !== 'string') throw new LwError('BAD_ARGUMENT', 'generateText: seedText must be a string');
  if (!Number.isInteger(args.length) || args.length < 0) throw new LwError('BAD_ARGUMENT', `generateText: length must be a whole number >= 0, got ${args.length}`);
  const declared = model.inputs[0]?.shape[1];
  const seqLen = args.seqLen ?? declared;
  if (typeof seqLen !== 'number' || !Number.isInteger(seqLen) || seqLen < 1) {
    throw new LwError('BAD_ARGUMENT', 'generateText: the model has no fixed input length; pass seqLen');
  }
  const rng = args.seed !== undefined ? new Random(args.seed) : undefined;
  const context = Array.from(encodeText(tok, args.seedText));
  const out: number[] = [];
  const window = new Int32Array(seqLen);
  let exclude: number[] | null = null;
  for (let step = 0; step < args.length; step++) {
    window.fill(0);
    const tail = context.slice(-seqLen);
    window.set(tail, seqLen - tail.length);
    const probs = (model.predict(new Tensor(window, [1, seqLen])) as Tensor).dataSync();
    exclude ??= excludedIds(tok, probs.length);
    const id = sampleIndex(probs, { temperature: args.temperature ?? 1, rng, exclude });
    context.push(id);
    out.push(id);
  }
  return tok.sequencesToTexts([out])[0];
}
