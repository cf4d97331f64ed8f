// Waiting for a state another thread or process changes (a flag in shared memory, say): checked
// after every turn of the event loop, bounded by the test's own timeout, never by a clock.
/** Resolves once `cond()` holds; gives up when `signal` (the test context's) aborts at the test timeout. */
export async function until(cond: () => boolean, signal: AbortSignal): Promise<void> {
  while (!cond()) {
    if (signal.aborted) throw new Error('until: the test timed out first');
    await new Promise((r) => setTimeout(r, 1));
  }
}
