// The folder an example writes its results to (runs/<name>-<time> unless the caller names one),
// and the list of files written there, printed at the end of the run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writePng } from './png.js';

/** Now as 2026-01-31T12-00-00: sortable and safe in a file name. */
const timestamp = () => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);

export class RunFolder {
  /** Absolute path of the folder (created). */
  readonly dir: string;
  /** Every file written, in order. */
  readonly files: string[] = [];

  /** `out` when given, else runs/<name>-<time> (runs/<time> without a name). */
  constructor(out?: string, name?: string) {
    this.dir = resolve(out ?? join('runs', name ? `${name}-${timestamp()}` : timestamp()));
    mkdirSync(this.dir, { recursive: true });
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Records files that something else wrote into the folder (a saved model). */
  add(...paths: string[]): void {
    this.files.push(...paths);
  }

  write(name: string, data: string | Uint8Array): void {
    writeFileSync(this.path(name), data);
    this.files.push(this.path(name));
  }

  writeJson(name: string, value: unknown): void {
    this.write(name, JSON.stringify(value, null, 2));
  }

  /** `<name>.svg`, and `<name>.png` when a renderer is installed. */
  async writeChart(name: string, svg: string): Promise<void> {
    this.write(`${name}.svg`, svg);
    const png = await writePng(svg, this.path(`${name}.png`));
    if (png) this.files.push(png);
  }

  /** "wrote a, b, c" with paths relative to the working directory. */
  summary(): string {
    return `wrote ${this.files.map((f) => f.replace(`${process.cwd()}/`, '')).join(', ')}`;
  }
}
