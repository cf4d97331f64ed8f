// Saving artifacts (model.save): 'file://dir' (Node, Deno) writes model.json + weights.bin as TF.js does, atomically;
// 'file://…/model.onnx' one ONNX file (isOnnxTarget, saveOnnxFile);
// any object with save(artifacts) (TF.js IOHandlers: tf.io.withSaveHandler, browserDownloads...)
// gets the artifacts.
import { LwError } from '../errors.js';
import { artifactsToModelJson, type ModelArtifacts } from './artifacts.js';
import { baseName, dirName, filePath, joinPath, writeFilesAtomically } from './file-system.js';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/** Something with `save(artifacts)` (TF.js IOHandler). */
export interface SaveHandler {
  save(artifacts: ModelArtifacts): Promise<unknown>;
}

/** What save returns (TF.js SaveResult). */
export interface SaveResult {
  modelArtifactsInfo: {
    dateSaved: Date;
    modelTopologyType: 'JSON';
    modelTopologyBytes: number;
    weightSpecsBytes: number;
    weightDataBytes: number;
  };
  /** Files written (file:// targets). */
  files?: string[];
}

/**
 * Saves a model's artifacts. `'file://dir'` writes dir/model.json and dir/weights.bin (a target ending in
 * .json names model.json itself); each file goes to a temporary name first and is renamed into
 * place, weights before model.json, so an interrupted save never leaves a half-written file.
 */
export async function saveArtifacts(artifacts: ModelArtifacts & { weightData: ArrayBuffer }, target: string | URL | SaveHandler): Promise<SaveResult> {
  const info = (jsonBytes: number): SaveResult['modelArtifactsInfo'] => ({
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: jsonBytes,
    weightSpecsBytes: JSON.stringify(artifacts.weightSpecs).length,
    weightDataBytes: artifacts.weightData.byteLength,
  });
  if (typeof target === 'object' && !(target instanceof URL) && typeof target?.save === 'function') {
    await target.save(artifacts);
    return { modelArtifactsInfo: info(JSON.stringify(artifacts.modelTopology).length) };
  }
  const s = target instanceof URL ? target.href : target;
  if (typeof s !== 'string' || !/^file:\/\//i.test(s)) {
    throw new LwError('BAD_ARGUMENT', `model.save(${typeof s === 'string' ? `"${s}"` : typeof s}): use 'file://path/to/dir' (Node, Deno), or an object with save(artifacts) such as a TF.js IOHandler; in browsers model.toArtifacts()`);
  }
  const path = filePath(target as string | URL);
  const named = /\.json$/i.test(path);
  const dir = named ? dirName(path) : path;
  const jsonName = named ? baseName(path) : MODEL_JSON;
  // Several models may share a directory under different json names: each gets its own weights.
  const weightsName = jsonName === MODEL_JSON ? WEIGHTS_BIN : `${jsonName.replace(/\.json$/i, '')}.weights.bin`;
  const json = new TextEncoder().encode(JSON.stringify(artifactsToModelJson(artifacts, weightsName)));
  await writeFilesAtomically(dir, [
    { name: weightsName, data: new Uint8Array(artifacts.weightData) },
    { name: jsonName, data: json },
  ]);
  return { modelArtifactsInfo: info(json.byteLength), files: [joinPath(dir, weightsName), joinPath(dir, jsonName)] };
}

/** A file:// target naming a .onnx file: model.save writes ONNX there instead of the TF.js format. */
export function isOnnxTarget(target: string | URL | SaveHandler): target is string | URL {
  const s = target instanceof URL ? target.href : target;
  return typeof s === 'string' && /^file:\/\//i.test(s) && /\.onnx$/i.test(filePath(target as string | URL));
}

/** Writes ONNX bytes to a .onnx file target (a temporary name, flushed, then renamed into place). */
export async function saveOnnxFile(bytes: Uint8Array, target: string | URL): Promise<SaveResult> {
  const path = filePath(target);
  await writeFilesAtomically(dirName(path), [{ name: baseName(path), data: bytes }]);
  return {
    modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', modelTopologyBytes: 0, weightSpecsBytes: 0, weightDataBytes: bytes.byteLength },
    files: [path],
  };
}
