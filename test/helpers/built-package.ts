// The tests that run the BUILT package (browser, Deno, npm pack) need dist/ compiled from the current
// sources and the three wasm flavours; this builds dist/ only when a source is newer than it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const WASM_FLAVOURS = ['simd', 'scalar', 'simd-threads'] as const;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Compiles dist/ when it is missing or older than ts/ or the build config; throws when wasm/ is incomplete. */
export function ensureBuilt(): void {
  const missing = WASM_FLAVOURS.map((f) => `wasm/kernels-${f}.wasm`).filter((p) => !existsSync(join(ROOT, p)));
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: build the kernels first with \`npm run build:wasm\``);
  const built = join(ROOT, 'dist/index.js');
  const sources = Math.max(newestMtime(join(ROOT, 'ts')), statSync(join(ROOT, 'tsconfig.build.json')).mtimeMs, statSync(join(ROOT, 'tsconfig.json')).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  // From scratch, as `npm run build:ts` does: a moved or deleted source leaves no stale module.
  rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/deno-self-types.mjs'], { cwd: ROOT, stdio: 'inherit' });
}
