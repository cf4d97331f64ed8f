/** `lw.text`: helpers for character- and word-level language models. */
export { sampleIndex, type SampleArgs } from './sample.js';
export { nextTokenWindows, type NextTokenWindowsArgs } from './windows.js';
export { unigramEntropy, bitsPerToken } from './entropy.js';
export {
  languageModelTokenizer, vocabularySize, encodeText, generateText, OOV_TOKEN,
  type TextLevel, type LanguageModelTokenizerArgs, type GenerateTextArgs,
} from './language-model.js';
