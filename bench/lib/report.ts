// Output helpers: markdown tables, number formatting, result files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A markdown table; cells are already formatted strings. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}

/** Three significant digits, without exponent for the ranges benchmarks produce. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  // Thresholds on the rounded value, so 99.97 prints as "100", not "100.0".
  const a = Math.abs(x);
  if (a >= 99.95) return x.toFixed(0);
  if (a >= 9.995) return x.toFixed(1);
  if (a >= 0.9995) return x.toFixed(2);
  return x.toPrecision(3);
}

/** `x` as a speed-up factor, e.g. "x12.3". */
export function fmtRatio(x: number): string {
  return Number.isFinite(x) ? `x${fmt(x)}` : '';
}

/** YYYY-MM-DD in local time. */
export function isoDay(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}
