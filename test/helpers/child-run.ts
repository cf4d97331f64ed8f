// A child process run to its end, for the fault tests that kill children: its output is read to
// the last byte ('close', not 'exit', which may come before the pipes are drained), and a test
// kills it on a line the child printed, never after a delay.
import { spawn } from 'node:child_process';

export interface ChildRun {
  out: string;
  err: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How a run ended and what it printed, for assertion messages. */
export const describeRun = (r: ChildRun) =>
  `child ${r.signal ? `killed by ${r.signal}` : `exited with ${r.code}`}; stdout: ${JSON.stringify(r.out)}; stderr: ${JSON.stringify(r.err)}`;

/**
 * Runs `node ...args`; `onLine` sees each stdout line as it arrives and may return true to have
 * the child SIGKILLed there. Resolves once the child is gone and its output fully read.
 */
export function runNode(args: string[], onLine?: (line: string) => boolean): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const lines = (pending + d).split('\n');
      pending = lines.pop()!;
      if (onLine && lines.some(onLine)) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ out, err, code, signal }));
  });
}
