/** `lw.selection`: model selection by k-fold cross-validation and grid search. */
export { crossValidate, meanStd, type BuildModel, type CrossValidateArgs, type CrossValidation, type FoldResult } from './cross-validate.js';
export { gridSearch, gridPoints, metricMode, type ParamGrid, type GridPoint, type GridSearchArgs, type GridResult, type GridSearchResult } from './grid-search.js';
export { formatLeaderboard } from './leaderboard.js';
