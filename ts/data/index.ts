/** `lw.data`: sequence preparation. */
export { padSequences, type PadSequencesArgs } from './pad-sequences.js';
export { sequenceMask } from './sequence-mask.js';
export { Tokenizer, type TokenizerArgs } from './tokenizer.js';
export { timeseriesWindows, type TimeseriesWindowsArgs, type TimeseriesWindows, type SeriesData } from './timeseries-windows.js';
export { trainTestSplit, type TrainTestSplitArgs, type SplitPairs } from './train-test-split.js';
export { kFold, type KFoldArgs, type Fold } from './k-fold.js';
export { takeRows, type RowData } from './take-rows.js';
export { StandardScaler, type StandardScalerArgs } from './standard-scaler.js';
export { MinMaxScaler, type MinMaxScalerArgs } from './min-max-scaler.js';
export { readCsv, readCsvAll, type ReadCsvArgs, type CsvRow } from './read-csv.js';
export { readJsonl, readJsonlAll } from './read-jsonl.js';
export type { TextSource } from './text-source.js';
