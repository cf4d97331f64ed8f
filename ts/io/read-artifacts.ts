// Reading a saved model's artifacts: model.json (file:// in Node/Deno, http(s) via fetch),
// in-memory artifacts, or a TF.js-style IOHandler. Everything is checked before it is used:
// weight specs, names and byte sizes (against the bytes actually there, before any is decoded).
import { LwError } from '../errors.js';
import { runtimeKind } from '../environment.js';
import { STATE_KEY, type ModelArtifacts } from './artifacts.js';
import { dirName, fileOps, filePath, joinPath, previousVersions } from './file-system.js';
import { assertSafeKeys, badFile, describe, isObject, own, ownArray, parseJson, type JsonObject } from './json.js';
import { checkSpecsAgainstBytes, concatBytes, crc32, validateSpec, type WeightSpec } from './weights.js';
import { shardNames } from './keras/keras-file.js';

/** Something with `load()` returning artifacts (TF.js IOHandler, e.g. tf.io.fromMemory). */
export interface LoadHandler {
  load(): Promise<ModelArtifacts>;
}

/** A model.json URL or directory, a Keras file's URL or bytes, artifacts, or a handler. */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer | ModelArtifacts | LoadHandler;

/** Artifacts whose weight specs have been checked against their bytes. */
export interface LoadedArtifacts {
  kind: 'artifacts';
  artifacts: ModelArtifacts;
  /** All weight bytes, in spec order. */
  bytes: Uint8Array;
}

/** A one-file model (a Keras `.keras` or `.h5`, told apart by its bytes), unread. */
export interface ModelFileBytes {
  kind: 'file';
  bytes: Uint8Array;
  /** The file's path or URL, or "the model bytes", for messages. */
  what: string;
}

/** A Keras 3 model saved as a directory (`zipped=False`, or sharded weights): its files by name. */
export interface KerasDirectory {
  kind: 'keras-directory';
  files: Map<string, Uint8Array>;
  what: string;
}

/** Whether the first byte that is not white space opens a JSON object (a model.json). */
function looksLikeJson(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0xef || b === 0xbb || b === 0xbf) continue;
    return b === 0x7b;
  }
  return false;
}

/** The artifacts and weight bytes of a saved model, or a model file's bytes, from any source loadModel takes. */
export async function readArtifacts(source: ModelSource): Promise<LoadedArtifacts | ModelFileBytes | KerasDirectory> {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    const bytes = source instanceof Uint8Array ? source : new Uint8Array(source);
    if (looksLikeJson(bytes)) throw new LwError('BAD_ARGUMENT', 'loadModel(bytes) takes a Keras .keras or .h5 file; for a TF.js model.json give its URL, artifacts or a handler (its weights are separate files)');
    return { kind: 'file', bytes, what: 'the model bytes' };
  }
  if (typeof source === 'string' || source instanceof URL) {
    const s = typeof source === 'string' ? source : source.href;
    if (/^file:\/\//i.test(s)) return readFromFiles(source);
    if (/^https?:\/\//i.test(s)) return readFromHttp(s);
    // In a page, a path without a scheme is fetched relative to the page (as TF.js does).
    const page = (globalThis as { location?: { href?: string } }).location?.href;
    if (runtimeKind() === 'browser' && page && !/^[a-z][a-z0-9+.-]*:/i.test(s)) return readFromHttp(new URL(s, page).href);
    throw new LwError('BAD_ARGUMENT', `loadModel("${s}"): use file://path/to/model.json or model.keras (Node, Deno), an http(s):// URL, the file's bytes, artifacts, or an object with load()`);
  }
  if (!isObject(source)) throw new LwError('BAD_ARGUMENT', `loadModel takes a URL, a file's bytes, artifacts or a handler, got ${describe(source)}`);
  if (typeof (source as Partial<LoadHandler>).load === 'function') {
    const a = await (source as LoadHandler).load();
    return fromArtifacts(a);
  }
  return fromArtifacts(source as ModelArtifacts);
}

function fromArtifacts(a: unknown): LoadedArtifacts {
  if (!isObject(a)) throw badFile(`model artifacts must be an object with modelTopology, got ${describe(a)}`);
  assertSafeKeys(a, 'the model artifacts');
  const data = own(a, 'weightData');
  const chunks = data === undefined || data === null ? [] : Array.isArray(data) ? data : [data];
  for (const c of chunks) {
    if (!(c instanceof ArrayBuffer) && !(c instanceof Uint8Array)) throw badFile('artifacts weightData must be an ArrayBuffer (or a list of them)');
  }
  const specs = own(a, 'weightSpecs') ?? [];
  if (!Array.isArray(specs)) throw badFile(`artifacts weightSpecs must be a list, got ${describe(specs)}`);
  const bytes = concatBytes(chunks as ArrayBuffer[]);
  const weightSpecs = specs.map((s, i) => validateSpec(s, `weightSpecs[${i}]`));
  checkSpecsAgainstBytes(weightSpecs, bytes.byteLength, 'the artifacts weightData');
  return { kind: 'artifacts', artifacts: { ...(a as unknown as ModelArtifacts), weightSpecs }, bytes };
}

/** model.json's manifest: groups of weight specs, each with the files holding their bytes. */
function readManifest(json: JsonObject, what: string): { paths: string[]; specs: WeightSpec[] }[] {
  const groups = own(json, 'weightsManifest') ?? [];
  if (!Array.isArray(groups)) throw badFile(`${what}: "weightsManifest" must be a list, got ${describe(groups)}`);
  let n = 0;
  return groups.map((g, gi) => {
    const where = `${what} weightsManifest[${gi}]`;
    if (!isObject(g)) throw badFile(`${where} must be an object {paths, weights}`);
    const paths = ownArray(g, 'paths', where);
    for (const p of paths) if (typeof p !== 'string' || !p) throw badFile(`${where}: "paths" must list file names, got ${describe(p)}`);
    const specs = ownArray(g, 'weights', where).map((s) => validateSpec(s, `${what} weight ${n++}`));
    return { paths: paths as string[], specs };
  });
}

function artifactsFromJson(json: unknown, what: string): ModelArtifacts {
  if (!isObject(json)) throw badFile(`${what} must be a JSON object, got ${describe(json)}`);
  return json as unknown as ModelArtifacts;
}

async function readFromFiles(source: string | URL): Promise<LoadedArtifacts | ModelFileBytes | KerasDirectory> {
  let path = filePath(source);
  const fromDir = (dir: string) => (name: string) => fileOps.readFile(joinPath(dir, name));
  if (/\.weights\.json$/i.test(path)) return readKerasDirectory(dirName(path), path.slice(dirName(path).length).replace(/^[\\/]/, ''), fromDir(dirName(path)));
  if (!/\.json$/i.test(path)) {
    // A file (model.keras, model.h5) is told apart by its bytes; a directory holds a model.json or a Keras model.
    const raw = await fileOps.readFile(path).catch(() => null);
    if (raw && !looksLikeJson(raw)) return { kind: 'file', bytes: raw, what: path };
    if (!raw) {
      const names = await fileOps.listDir(path);
      if (!names.includes('model.json') && names.includes('config.json')) return readKerasDirectory(path, names.find((n) => /\.weights\.json$/.test(n)), fromDir(path));
      path = joinPath(path, 'model.json');
    }
  }
  const json = parseJson(await readFileText(path), path);
  const dir = dirName(path);
  return readWeightGroups(json, path, async (group) => {
    const parts: Uint8Array[] = [];
    for (const p of group.paths) {
      // Weights live beside model.json: no absolute paths, no climbing out of its directory.
      if (/^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith('/') || p.startsWith('\\') || p.split(/[\\/]/).includes('..')) {
        throw badFile(`${path}: weights path "${p}" must be a file name relative to model.json`);
      }
      const file = joinPath(dir, p.replace(/^\.\//, ''));
      try {
        parts.push(await fileOps.readFile(file));
      } catch (e) {
        throw badFile(`weights file ${file} named in ${path} cannot be read: ${(e as Error).message}`, { path: file });
      }
    }
    if (group.paths.length === 1) parts[0] = await matchingVersion(json as JsonObject, dir, group.paths[0], parts[0]);
    return concatBytes(parts);
  });
}

/**
 * model.json's artifacts with the bytes of every manifest group (`readGroup`), each group's
 * bytes checked against its specs before the next is read.
 */
async function readWeightGroups(json: unknown, what: string, readGroup: (g: { paths: string[] }) => Promise<Uint8Array>): Promise<LoadedArtifacts> {
  const artifacts = artifactsFromJson(json, what);
  const chunks: Uint8Array[] = [];
  const specs: WeightSpec[] = [];
  for (const group of readManifest(json as JsonObject, what)) {
    const bytes = await readGroup(group);
    checkSpecsAgainstBytes(group.specs, bytes.byteLength, group.paths.join(' + '));
    chunks.push(bytes);
    specs.push(...group.specs);
  }
  const bytes = concatBytes(chunks);
  checkSpecsAgainstBytes(specs, bytes.byteLength, 'the weight files');
  return { kind: 'artifacts', artifacts: { ...artifacts, weightSpecs: specs }, bytes };
}

/**
 * The weights model.json was saved with: `bytes` when its CRC-32 matches (or model.json records
 * none), else a kept earlier version that matches — what a save interrupted between its renames
 * leaves (see writeFilesAtomically). The CRC check in modelFromArtifacts reports a mismatch.
 */
async function matchingVersion(json: JsonObject, dir: string, name: string, bytes: Uint8Array): Promise<Uint8Array> {
  const state = own(json, STATE_KEY);
  const check = isObject(state) ? own(state, 'weights') : undefined;
  if (!isObject(check) || own(check, 'crc32') === crc32(bytes)) return bytes;
  for (const old of previousVersions(await fileOps.listDir(dir), name.replace(/^\.\//, '')).reverse()) {
    const candidate = await fileOps.readFile(joinPath(dir, old)).catch(() => null);
    if (candidate && candidate.byteLength === own(check, 'bytes') && crc32(candidate) === own(check, 'crc32')) return candidate;
  }
  return bytes;
}

/**
 * A Keras 3 model directory: config.json, metadata.json and the weights, `model.weights.h5` or
 * the index `indexName` (`*.weights.json`) with the shards it names, each beside it. `readFile`
 * reads a file of the directory by name (from disk, or fetched relative to a URL); `dir` names it.
 */
async function readKerasDirectory(dir: string, indexName: string | undefined, readFile: (name: string) => Promise<Uint8Array>): Promise<KerasDirectory> {
  const files = new Map<string, Uint8Array>();
  const read = async (name: string, required: boolean) => {
    const bytes = await readFile(name).catch((e: Error) => {
      if (required) throw badFile(`the Keras model in ${dir} needs ${name}, which cannot be read: ${e.message.replace(/^\[\w+\] /, '')}`, { name });
      return null;
    });
    if (bytes) files.set(name, bytes);
  };
  await read('config.json', true);
  await read('metadata.json', false);
  if (indexName) {
    await read(indexName, true);
    const index = parseJson(new TextDecoder().decode(files.get(indexName)!), `${dir} ${indexName}`);
    if (!isObject(index)) throw badFile(`${dir} ${indexName} must be a JSON object with "weight_map"`);
    for (const shard of new Set(shardNames(index, `${dir} ${indexName}`).values())) await read(shard, true);
  } else await read('model.weights.h5', true);
  return { kind: 'keras-directory', files, what: dir };
}

async function readFileText(path: string): Promise<string> {
  let raw: Uint8Array;
  try {
    raw = await fileOps.readFile(path);
  } catch (e) {
    throw badFile(`cannot read ${path}: ${(e as Error).message}`, { path });
  }
  return new TextDecoder().decode(raw);
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw badFile(`cannot fetch ${url}: ${(e as Error).message}`, { url });
  }
  if (!res.ok) throw badFile(`cannot fetch ${url}: HTTP ${res.status}`, { url, status: res.status });
  return new Uint8Array(await res.arrayBuffer());
}

async function readFromHttp(url: string): Promise<LoadedArtifacts | ModelFileBytes | KerasDirectory> {
  // A Keras 3 sharded model: the index's URL, its config.json and shards beside it.
  const index = /([^/?#]+\.weights\.json)(?:[?#].*)?$/i.exec(url)?.[1];
  if (index) return readKerasDirectory(new URL('.', url).href, index, (name) => fetchBytes(new URL(name, url).href));
  const raw = await fetchBytes(url);
  if (!looksLikeJson(raw)) return { kind: 'file', bytes: raw, what: url };
  const json = parseJson(new TextDecoder().decode(raw), url);
  return readWeightGroups(json, url, async (group) => concatBytes(await Promise.all(group.paths.map((p) => fetchBytes(new URL(p, url).href)))));
}

