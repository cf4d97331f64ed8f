import { LwError } from '../errors.js';

export interface TokenizerArgs {
  /** Keep only the numWords-1 most frequent words (index < numWords); default all. */
  numWords?: number;
  /** Characters removed before splitting (Keras default set). */
  filters?: string;
  lower?: boolean;
  split?: string;
  /** Character-level tokens instead of words. */
  charLevel?: boolean;
  /** Token for out-of-vocabulary words; gets index 1. */
  oovToken?: string;
}

const KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

/**
 * Keras `Tokenizer`: word (or character) indices by frequency, 1-based (0 is padding);
 * ties keep first-seen order.
 */
export class Tokenizer {
  readonly numWords?: number;
  readonly filters: string;
  readonly lower: boolean;
  readonly split: string;
  readonly charLevel: boolean;
  readonly oovToken?: string;
  wordCounts = new Map<string, number>();
  wordIndex = new Map<string, number>();
  indexWord = new Map<number, string>();
  documentCount = 0;
  private filterSet: Set<string>;

  constructor(args: TokenizerArgs = {}) {
    if (args.numWords !== undefined && (!Number.isInteger(args.numWords) || args.numWords < 1)) {
      throw new LwError('BAD_ARGUMENT', `Tokenizer: numWords must be a whole number >= 1, got ${args.numWords}`);
    }
    this.numWords = args.numWords;
    this.filters = args.filters ?? KERAS_FILTERS;
    this.lower = args.lower ?? true;
    this.split = args.split ?? ' ';
    this.charLevel = args.charLevel ?? false;
    this.oovToken = args.oovToken;
    this.filterSet = new Set(this.filters);
  }

  /** The tokens of one text. */
  tokenize(text: string): string[] {
    let t = this.lower ? text.toLowerCase() : text;
    if (this.charLevel) return [...t];
    let out = '';
    for (const ch of t) out += this.filterSet.has(ch) ? this.split : ch;
    t = out;
    return t.split(this.split).filter((w) => w.length > 0);
  }

  fitOnTexts(texts: string[]): void {
    for (const text of texts) {
      this.documentCount++;
      for (const w of this.tokenize(text)) this.wordCounts.set(w, (this.wordCounts.get(w) ?? 0) + 1);
    }
    // stable sort keeps first-seen order among equal counts
    const sorted = [...this.wordCounts.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
    const vocab = this.oovToken !== undefined ? [this.oovToken, ...sorted.filter((w) => w !== this.oovToken)] : sorted;
    this.wordIndex = new Map(vocab.map((w, i) => [w, i + 1]));
    this.indexWord = new Map(vocab.map((w, i) => [i + 1, w]));
  }

  textsToSequences(texts: string[]): number[][] {
    const oov = this.oovToken !== undefined ? this.wordIndex.get(this.oovToken) : undefined;
    return texts.map((text) => {
      const seq: number[] = [];
      for (const w of this.tokenize(text)) {
        const i = this.wordIndex.get(w);
        if (i !== undefined && (this.numWords === undefined || i < this.numWords)) seq.push(i);
        else if (oov !== undefined) seq.push(oov);
      }
      return seq;
    });
  }

  sequencesToTexts(seqs: number[][]): string[] {
    const oov = this.oovToken;
    return seqs.map((s) =>
      s.map((i) => (this.numWords !== undefined && i >= this.numWords ? oov : this.indexWord.get(i) ?? oov))
        .filter((w): w is string => w !== undefined)
        .join(this.charLevel ? '' : ' '),
    );
  }

  toJSON(): Record<string, unknown> {
    return {
      class_name: 'Tokenizer',
      config: {
        num_words: this.numWords ?? null, filters: this.filters, lower: this.lower, split: this.split,
        char_level: this.charLevel, oov_token: this.oovToken ?? null, document_count: this.documentCount,
        word_counts: Object.fromEntries(this.wordCounts), word_index: Object.fromEntries(this.wordIndex),
      },
    };
  }

  static fromJSON(json: unknown): Tokenizer {
    const c = (json as { config?: Record<string, unknown> })?.config;
    if (!c || typeof c !== 'object') throw new LwError('BAD_ARGUMENT', 'Tokenizer.fromJSON: not a tokenizer JSON');
    const t = new Tokenizer({
      numWords: (c.num_words as number | null) ?? undefined, filters: c.filters as string, lower: c.lower as boolean,
      split: c.split as string, charLevel: c.char_level as boolean, oovToken: (c.oov_token as string | null) ?? undefined,
    });
    t.documentCount = Number(c.document_count ?? 0);
    t.wordCounts = new Map(Object.entries((c.word_counts ?? {}) as Record<string, number>));
    t.wordIndex = new Map(Object.entries((c.word_index ?? {}) as Record<string, number>));
    t.indexWord = new Map([...t.wordIndex.entries()].map(([w, i]) => [i, w]));
    return t;
  }
}
