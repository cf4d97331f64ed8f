#!/usr/bin/env node
// Adds `// @ts-self-types="./x.d.ts"` to each dist/**/x.js so Deno type-checks the built package
// from its declarations (Deno otherwise reads the .js beside a .d.ts import and loses `type` exports).
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist', import.meta.url));

function walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.js') && existsSync(p.replace(/\.js$/, '.d.ts'))) {
      const src = readFileSync(p, 'utf8');
      const line = `// @ts-self-types="./${basename(p, '.js')}.d.ts"\n`;
      if (!src.startsWith('// @ts-self-types=')) writeFileSync(p, line + src);
    }
  }
}
walk(dist);
