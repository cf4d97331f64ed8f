// Wall-clock figures the examples print and record.

/** Starts a clock; the returned function gives the seconds since. */
export function stopwatch(): () => number {
  const started = performance.now();
  return () => (performance.now() - started) / 1000;
}

/** Seconds rounded to milliseconds, as recorded in metrics.json. */
export const roundSeconds = (s: number) => Number(s.toFixed(3));

/** "training 12.3 s (40 epochs, 308 ms each)" */
export function trainingTime(seconds: number, epochs: number): string {
  return `training ${seconds.toFixed(1)} s (${epochs} epochs, ${((seconds / epochs) * 1000).toFixed(0)} ms each)`;
}
