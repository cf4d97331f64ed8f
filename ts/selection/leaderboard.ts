import type { GridSearchResult } from './grid-search.js';

const fmtScore = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(1) : Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(4) : v.toExponential(2));
const fmtCount = (n: number) => n.toLocaleString('en-US');
const fmtValue = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'boolean' ? (v ? 'yes' : 'no') : JSON.stringify(v));

/**
 * The grid search as an aligned text table, best first: rank, the grid's parameters, the ranking
 * metric as mean ± std over folds, the parameter count and the cross-validation time.
 */
export function formatLeaderboard<P extends Record<string, unknown>>(search: GridSearchResult<P>): string {
  const keys = Object.keys(search.results[0]?.params ?? {});
  const head = ['rank', ...keys, `${search.metric} (mean ± std)`, 'params', 'time'];
  const rows = search.results.map((r) => [
    String(r.rank), ...keys.map((k) => fmtValue(r.params[k])), `${fmtScore(r.score)} ± ${fmtScore(r.scoreStd)}`,
    fmtCount(r.paramCount), `${r.seconds.toFixed(1)}s`,
  ]);
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  // numbers right-aligned, parameter values (cell names) left-aligned
  const line = (cells: string[]) => cells.map((c, j) => (j > 0 && j <= keys.length ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ').trimEnd();
  const better = search.mode === 'max' ? 'higher' : 'lower';
  return [line(head), ...rows.map(line), `(${search.results[0]?.folds.length ?? 0}-fold cross-validation; ${better} ${search.metric} is better)`].join('\n');
}
