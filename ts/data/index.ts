/** `lw.data`: sequence preparation. */
export { padSequences, type PadSequencesArgs } from './pad-sequences.js';
export { Tokenizer, type TokenizerArgs } from './tokenizer.js';
