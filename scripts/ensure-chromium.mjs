#!/usr/bin/env node
// Debian's Chromium for the browser tests (test/global-setup.ts runs this before `npm test`).
// Installed the way scripts/build-wasm.mjs installs the Rust toolchain: as root on Debian, with
// apt-get. Elsewhere it says why it is missing, and the tests that need it are skipped.
//
//   node scripts/ensure-chromium.mjs     installs it when it can; exits 1 saying why it is missing
//
// LW_CHROMIUM=/path drives another binary (never installed); LW_CHROMIUM_INSTALL=0 never installs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM = process.env.LW_CHROMIUM || DEBIAN_CHROMIUM;
export const INSTALL_HINT = 'as root on Debian `npm test` installs it, or run: apt-get install -y chromium';

/** Why apt-get may not install Chromium here, or null when it may. */
function cannotInstall() {
  if (CHROMIUM !== DEBIAN_CHROMIUM) return `LW_CHROMIUM is set: only ${DEBIAN_CHROMIUM} is installed`;
  if (process.env.LW_CHROMIUM_INSTALL === '0') return 'LW_CHROMIUM_INSTALL=0';
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync('/etc/debian_version') || !existsSync('/usr/bin/apt-get')) return 'not Debian';
  return null;
}

/** apt-get quietly (its output is kept for the failure message); waits for another apt holding the lock. */
function apt(args) {
  const r = spawnSync('apt-get', ['-q', '-o', 'DPkg::Lock::Timeout=300', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const last = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}`.trim().split('\n').pop();
  return r.status === 0 ? null : `apt-get ${args[0]} failed (${r.status ?? r.error?.code}): ${last}`;
}

/** Installs Chromium when it is missing and this machine allows it; returns why it is still missing, or null. */
export function ensureChromium(log = console.log) {
  if (existsSync(CHROMIUM)) return null;
  const blocked = cannotInstall();
  if (blocked) return `${CHROMIUM} is missing (${blocked})`;
  log(`[test] ${CHROMIUM} is missing: installing Debian's chromium (apt-get install -y chromium)`);
  // A machine that never ran apt-get update has no package lists: update once, then retry.
  let failed = apt(['install', '-y', 'chromium']);
  if (failed) failed = apt(['update']) ?? apt(['install', '-y', 'chromium']);
  if (existsSync(CHROMIUM)) return null;
  return `${CHROMIUM} is missing (${failed || 'apt-get installed chromium, but not there'})`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const missing = ensureChromium();
  if (missing) {
    console.error(`${missing}: ${INSTALL_HINT}`);
    process.exit(1);
  }
  console.log(`${CHROMIUM}: present`);
}
