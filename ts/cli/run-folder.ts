// The --out folder of train / select: model.json + weights.bin (TF.js layers format), preprocessing.json,
// metrics.json (final metrics and the history) and training.svg (lw.report.historySvg).
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadModel } from '../model/load-model.js';
import type { LayersModel } from '../model/model.js';
import { historySvg } from '../report/svg-chart.js';
import { CliError } from './errors.js';
import { loadPreprocessing, savePreprocessing, type Preprocessing } from './preprocessing.js';

/** runs/<task>-<time> under the working directory. */
export function defaultRunDir(task: string): string {
  return join('runs', `${task}-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);
}

export async function prepareOutDir(dir: string): Promise<string> {
  const abs = resolve(dir);
  try {
    const info = await stat(abs);
    if (!info.isDirectory()) throw new CliError(`--out ${dir} is a file, not a folder`);
  } catch (err) {
    if (err instanceof CliError) throw err;
    if ((err as { code?: string }).code !== 'ENOENT') throw new CliError(`--out ${dir}: ${(err as { code?: string }).code ?? (err as Error).message}`);
  }
  try {
    await mkdir(abs, { recursive: true });
  } catch (err) {
    throw new CliError(`cannot create --out ${dir}: ${(err as { code?: string }).code ?? (err as Error).message}`);
  }
  return abs;
}

export interface RunRecord {
  metrics: Record<string, number>;
  history: Record<string, number[]>;
  [more: string]: unknown;
}

/** Writes the model, its preprocessing, metrics.json and training.svg; returns the file names. */
export async function saveRun(dir: string, model: LayersModel, prep: Preprocessing, record: RunRecord, title: string): Promise<string[]> {
  await model.save(`file://${dir}`);
  await savePreprocessing(dir, prep);
  await writeFile(join(dir, 'metrics.json'), `${JSON.stringify(record, null, 1)}\n`);
  await writeFile(join(dir, 'training.svg'), historySvg(record.history, title));
  return ['model.json', 'weights.bin', 'preprocessing.json', 'metrics.json', 'training.svg'];
}

/** The model and preprocessing of a run folder. */
export async function loadRun(dir: string): Promise<{ prep: Preprocessing; model: LayersModel }> {
  const prep = await loadPreprocessing(dir);
  const path = join(resolve(dir), 'model.json');
  try {
    await stat(path);
  } catch {
    throw new CliError(`--model ${dir}: no model.json there`);
  }
  return { prep, model: await loadModel(`file://${path}`) };
}
