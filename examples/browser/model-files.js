// What a person dropped on run-model.html: at most one model (a TF.js model.json with its weight
// .bin files, or one .keras / .h5 / .onnx file) and at most one tokenizer JSON. A .json file is
// told apart by its content, since both kinds are often called something.json.
import { LwError } from '../../dist/index.js';

const BYTES_MODEL = /\.(keras|h5|hdf5|onnx)$/i;
const WEIGHTS = /\.bin$/i;
const JSON_FILE = /\.json$/i;

const names = (files) => files.map((f) => `"${f.name}"`).join(', ');
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Sorts dropped files by role.
 * @param {File[]} files
 * @returns {Promise<{ model: null | { kind: 'tfjs', name: string, json: object, weightFiles: File[] } | { kind: 'bytes', file: File }, tokenizer: { name: string, json: object } | null }>}
 */
export async function sortDroppedFiles(files) {
  if (!files.length) throw new LwError('EMPTY_DATA', 'no file was dropped');
  const bytesModels = files.filter((f) => BYTES_MODEL.test(f.name));
  const weightFiles = files.filter((f) => WEIGHTS.test(f.name));
  const jsons = files.filter((f) => JSON_FILE.test(f.name));
  const unknown = files.filter((f) => !bytesModels.includes(f) && !weightFiles.includes(f) && !jsons.includes(f));
  if (unknown.length) {
    throw new LwError('BAD_ARGUMENT', `${names(unknown)}: not a file this page reads; drop a .keras or .h5 file, a TF.js model.json with its .bin weight files, and/or a tokenizer .json`);
  }

  const modelJsons = [];
  const tokenizers = [];
  for (const file of jsons) {
    const json = await readJson(file);
    if (isObject(json) && 'modelTopology' in json) modelJsons.push({ name: file.name, json });
    else if (isObject(json) && json.class_name === 'Tokenizer') tokenizers.push({ name: file.name, json });
    else throw new LwError('BAD_ARGUMENT', `"${file.name}" is neither a TF.js model.json (it has no "modelTopology") nor a tokenizer JSON (Tokenizer.toJSON(): "class_name": "Tokenizer")`);
  }
  if (tokenizers.length > 1) throw new LwError('BAD_ARGUMENT', `drop one tokenizer at a time, got ${tokenizers.map((t) => `"${t.name}"`).join(', ')}`);

  const models = [...bytesModels.map((f) => `"${f.name}"`), ...modelJsons.map((m) => `"${m.name}"`)];
  if (models.length > 1) throw new LwError('BAD_ARGUMENT', `drop one model at a time, got ${models.join(', ')}`);
  if (weightFiles.length && !modelJsons.length) {
    throw new LwError('BAD_ARGUMENT', `${names(weightFiles)}: weight files belong to a TF.js model.json, drop them together with it${bytesModels.length ? ` (a ${bytesModels[0].name.split('.').pop()} file holds its own weights)` : ''}`);
  }

  const model = bytesModels.length ? { kind: 'bytes', file: bytesModels[0] } : modelJsons.length ? { kind: 'tfjs', ...modelJsons[0], weightFiles } : null;
  return { model, tokenizer: tokenizers[0] ?? null };
}

async function readJson(file) {
  const text = await file.text();
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new LwError('BAD_MODEL_FILE', `"${file.name}" is not valid JSON: ${e.message}`, { file: file.name });
  }
}

/**
 * A handler for lw.loadModel from a model.json and its weight files, as TF.js' browserFiles makes
 * it: each manifest path names a dropped file by its base name, and the weight data is those files
 * in manifest order (lw.loadModel checks the specs against the bytes, and the CRC-32 lstm-wasm saves).
 * @param {{ name: string, json: object, weightFiles: File[] }} dropped
 */
export function tfjsHandler({ name, json, weightFiles }) {
  return {
    async load() {
      const groups = json.weightsManifest ?? [];
      if (!Array.isArray(groups) || !groups.every((g) => isObject(g) && Array.isArray(g.paths) && Array.isArray(g.weights))) {
        throw new LwError('BAD_MODEL_FILE', `"${name}": "weightsManifest" must be a list of {paths, weights}`);
      }
      const byName = new Map();
      for (const f of weightFiles) {
        if (byName.has(f.name)) throw new LwError('BAD_ARGUMENT', `two weight files are called "${f.name}": drop the ones of one model`);
        byName.set(f.name, f);
      }
      const paths = groups.flatMap((g) => g.paths.map((p) => String(p).split('/').pop()));
      const missing = paths.filter((p) => !byName.has(p));
      if (missing.length) {
        throw new LwError('BAD_ARGUMENT', `"${name}" keeps its weights in ${missing.map((p) => `"${p}"`).join(', ')}: drop ${missing.length > 1 ? 'them' : 'it'} together with "${name}"`, { missing });
      }
      const unused = weightFiles.filter((f) => !paths.includes(f.name));
      if (unused.length) {
        throw new LwError('BAD_ARGUMENT', `${names(unused)}: not named in "${name}" (its weights are in ${paths.map((p) => `"${p}"`).join(', ')}); drop the files of one model`);
      }
      const { weightsManifest, ...artifacts } = json;
      return {
        ...artifacts,
        weightSpecs: groups.flatMap((g) => g.weights),
        weightData: await Promise.all(paths.map((p) => byName.get(p).arrayBuffer())),
      };
    },
  };
}
