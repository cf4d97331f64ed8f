// The library as plain JavaScript for child processes (crash tests, the soak script): ts/ is
// transpiled file by file (no type check, about a second) into a temporary directory laid out as
// dist/ is, with wasm/ beside it, so children run the current sources without `npm run build`.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

let built: { dir: string; index: string } | null = null;

/** Transpiles ts/ once per test process; returns the temporary root and the path of index.js. */
export function transpiledLibrary(): { dir: string; index: string } {
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'lw-lib-'));
  const src = join(ROOT, 'ts');
  for (const file of tsFiles(src)) {
    const out = join(dir, 'lib', relative(src, file)).replace(/\.ts$/, '.js');
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, isolatedModules: true },
      fileName: file,
    });
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  symlinkSync(join(ROOT, 'wasm'), join(dir, 'wasm'), 'dir');
  built = { dir, index: join(dir, 'lib', 'index.js') };
  return built;
}

/** Deletes the transpiled copy (call from afterAll). */
export function removeTranspiledLibrary(): void {
  if (built) rmSync(built.dir, { recursive: true, force: true });
  built = null;
}
