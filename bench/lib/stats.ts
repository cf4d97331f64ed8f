// Summary statistics over timing samples.

export interface Summary {
  /** Number of samples. */
  n: number;
  min: number;
  median: number;
  mean: number;
  max: number;
  /** Interquartile range relative to the median (a robust noise figure). */
  relIqr: number;
}

/** The q-quantile (0..1) of already sorted values, interpolating linearly. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantileSorted([...values].sort((a, b) => a - b), 0.5);
}

export function summarize(values: readonly number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const med = quantileSorted(s, 0.5);
  return {
    n: s.length,
    min: s[0] ?? NaN,
    median: med,
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
    max: s[s.length - 1] ?? NaN,
    relIqr: (quantileSorted(s, 0.75) - quantileSorted(s, 0.25)) / med,
  };
}
