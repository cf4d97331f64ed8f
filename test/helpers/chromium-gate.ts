// Decided once in test/global-setup.ts, before any test file: whether Chromium is there (installed
// by scripts/ensure-chromium.mjs when it can be), and the one line that says which tests are skipped.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureChromium, INSTALL_HINT } from '../../scripts/ensure-chromium.mjs';
import { ROOT } from './built-package.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why Chromium is missing (its tests are skipped), or null when it is there. */
    chromiumMissing: string | null;
  }
}

/** The tests declared with itInChromium (test/helpers/chromium.ts), per file. */
function chromiumTests(): { files: string[]; count: number } {
  const dir = join(ROOT, 'test');
  const files: string[] = [];
  let count = 0;
  const tests = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.test.ts')).sort();
  for (const f of tests) {
    const n = readFileSync(join(dir, f), 'utf8').match(/\bitInChromium\(/g)?.length ?? 0;
    if (n) files.push(f.replace(/\.test\.ts$/, ''));
    count += n;
  }
  return { files, count };
}

/**
 * Installs Chromium when it can; when it is still missing, prints the one line naming what is
 * skipped and how to enable it (LW_REQUIRE_CHROMIUM=1, as in .ci/run, makes that an error).
 */
export function gateChromium(): string | null {
  const missing = ensureChromium();
  if (!missing) return null;
  const { files, count } = chromiumTests();
  const what = `${count} Chromium tests (${files.join(', ')})`;
  if (process.env.LW_REQUIRE_CHROMIUM === '1') throw new Error(`LW_REQUIRE_CHROMIUM=1 requires the ${what}, but ${missing}; ${INSTALL_HINT}`);
  console.log(`skipped ${what}: ${missing}; ${INSTALL_HINT}`);
  return missing;
}
