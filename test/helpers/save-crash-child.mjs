// Child process of test/io/save-faults.test.ts: saves a model and dies by SIGKILL in the
// middle (no cleanup, no flush: as a crash or a power cut of the process).
//
//   node save-crash-child.mjs LIB_INDEX refs REF_A REF_B
//       complete saves of model A into REF_A and of model B (A after one step) into REF_B
//   node save-crash-child.mjs LIB_INDEX step DIR K before|after|partial
//       saves B into DIR (which holds A) and kills itself at file operation K of the save
//       (before it, after it, or half-way through a file write); prints "done" if the save
//       has fewer operations
//   node save-crash-child.mjs LIB_INDEX loop DIR
//       saves B, A, B, ... into DIR until killed from outside, printing "op N NAME" as it starts
//       file operation N (the parent kills it on one of these lines: a moment it chose, not a delay)
import { openSync, writeSync, fsyncSync, closeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [lib, mode, ...args] = process.argv.slice(2);
const say = (line) => writeSync(1, `${line}\n`); // synchronous: the line is out before a kill
const lw = await import(pathToFileURL(lib).href);
const { fileOps } = await import(new URL('./io/file-system.js', pathToFileURL(lib)).href);

await lw.ready({ backend: 'simd' });
lw.setSeed(1);
const model = lw.sequential([lw.layers.embedding({ inputDim: 300, outputDim: 16, inputLength: 4 }), lw.layers.lstm({ units: 8 }), lw.layers.dense({ units: 1 })]);
model.compile({ optimizer: 'sgd', loss: 'mse' });
const weightsA = model.getWeights();
model.trainOnBatch([[1, 2, 3, 4], [5, 6, 7, 8]], [[1], [0]]);
const weightsB = model.getWeights();
const save = async (weights, target) => {
  model.setWeights(weights);
  await model.save(`file://${target}`);
};
if (mode === 'refs') {
  await save(weightsA, args[0]);
  await save(weightsB, args[1]);
  say('done');
  process.exit(0);
}

const FILE_OPS = ['makeDir', 'writeFileSynced', 'keepAs', 'rename', 'removeIfPresent', 'syncDir', 'listDir'];
/** Routes every file operation of a save through `hook(n, name, real, args)`; n counts from 0. */
const hookFileOps = (hook) => {
  let op = 0;
  for (const name of FILE_OPS) {
    const real = fileOps[name].bind(fileOps);
    fileOps[name] = (...opArgs) => hook(op++, name, real, opArgs);
  }
};

if (mode === 'loop') {
  hookFileOps((n, name, real, opArgs) => {
    say(`op ${n} ${name}`);
    return real(...opArgs);
  });
  for (let i = 0; ; i++) await save(i % 2 ? weightsA : weightsB, args[0]);
}

const [dir, kArg, where] = args;
const k = Number(kArg);
const die = (name) => {
  say(`killed ${where} ${name}`);
  process.kill(process.pid, 'SIGKILL');
};
hookFileOps(async (n, name, real, opArgs) => {
  if (n !== k) return real(...opArgs);
  if (where === 'before') die(name);
  if (where === 'partial' && name === 'writeFileSynced') {
    const [path, data] = opArgs;
    const fd = openSync(path, 'wx');
    writeSync(fd, data.subarray(0, data.length >> 1));
    fsyncSync(fd);
    closeSync(fd);
    die(name);
  }
  await real(...opArgs);
  die(name);
});
await save(weightsB, dir);
say('done');
