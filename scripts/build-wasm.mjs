#!/usr/bin/env node
// Builds the three kernel flavours (simd, scalar, simd-threads) from crates/kernels into wasm/.
// Toolchain search order: rustup with the wasm32 target; Debian's /usr/bin/rustc with
// libstd-rust-dev-wasm32; as root on Debian, install those with apt; else stop and say what to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET = 'wasm32-unknown-unknown';
const APT_PACKAGES = ['rustc', 'cargo', 'libstd-rust-dev-wasm32', 'lld-14'];

// Must match ts/backend/wasm/memory-layout.ts.
const STACK_BYTES = 1 << 20;
const INITIAL_BYTES = 4 << 20;
const MAX_BYTES_SHARED = 2 ** 31; // 2 GiB: a shared memory reserves its maximum up front
const MAX_BYTES = 2 ** 32 - 65536; // largest 32-bit memory (65535 pages) that every engine accepts

const COMMON_LINK = [
  '--import-memory',
  `--initial-memory=${INITIAL_BYTES}`,
  '--export=__heap_base',
  '--export=__stack_pointer',
];

const FLAVOURS = {
  simd: { features: ['+simd128', '+mutable-globals'], link: [...COMMON_LINK, `--max-memory=${MAX_BYTES}`] },
  scalar: { features: ['-simd128', '+mutable-globals'], link: [...COMMON_LINK, `--max-memory=${MAX_BYTES}`] },
  // `--cfg lw_threads` turns on the worker-pool code (crates/kernels/src/threads.rs): this Rust
  // does not expose `target_feature = "atomics"` to cfg. Its imports (env.lw_wake, env.lw_join)
  // are undefined at link time and come from the runtime (ts/backend/wasm/threads.ts).
  'simd-threads': {
    features: ['+simd128', '+atomics', '+bulk-memory', '+mutable-globals'],
    cfg: ['lw_threads'],
    link: [...COMMON_LINK, '--shared-memory', `--max-memory=${MAX_BYTES_SHARED}`],
  },
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function quiet(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

function rustupToolchain() {
  const installed = quiet('rustup', ['target', 'list', '--installed']);
  if (installed && installed.split('\n').includes(TARGET)) {
    return { name: 'rustup', cargo: 'cargo', env: {} };
  }
  return null;
}

function debianToolchain() {
  const stdDir = `/usr/lib/rustlib/${TARGET}`;
  if (existsSync('/usr/bin/rustc') && existsSync('/usr/bin/cargo') && existsSync(stdDir)) {
    return { name: 'debian', cargo: '/usr/bin/cargo', env: { RUSTC: '/usr/bin/rustc' } };
  }
  return null;
}

function installWithApt() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get') || !existsSync('/etc/debian_version')) return false;
  console.log(`[build:wasm] no wasm32 Rust toolchain; installing ${APT_PACKAGES.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update', '-q'], { env }) !== 0) return false;
  return run('apt-get', ['install', '-y', '-q', ...APT_PACKAGES], { env }) === 0;
}

function findToolchain() {
  const found = rustupToolchain() ?? debianToolchain();
  if (found) return found;
  if (installWithApt()) {
    const after = debianToolchain();
    if (after) return after;
  }
  console.error(
    `[build:wasm] no Rust toolchain that targets ${TARGET} was found.\n` +
      `  With rustup:        rustup target add ${TARGET}\n` +
      `  On Debian/Ubuntu:   sudo apt-get install -y ${APT_PACKAGES.join(' ')}\n` +
      `Then run: npm run build:wasm`,
  );
  process.exit(1);
}

function buildFlavour(tc, flavour, spec) {
  const rustflags = [
    `-C target-feature=${spec.features.join(',')}`,
    ...(spec.cfg ?? []).map((c) => `--cfg ${c}`),
    `-C link-arg=-zstack-size=${STACK_BYTES}`,
    ...spec.link.map((a) => `-C link-arg=${a}`),
  ].join(' ');
  const targetDir = join(root, 'target', `wasm-${flavour}`);
  const env = { ...process.env, ...tc.env, RUSTFLAGS: rustflags, CARGO_TARGET_DIR: targetDir };
  delete env.CARGO_ENCODED_RUSTFLAGS;
  const args = ['build', '--release', '--offline', '--target', TARGET, '-p', 'lstm-wasm-kernels'];
  console.log(`[build:wasm] ${flavour}: ${tc.cargo} ${args.join(' ')}  (RUSTFLAGS=${rustflags})`);
  if (run(tc.cargo, args, { cwd: root, env }) !== 0) {
    console.error(`[build:wasm] cargo failed for the ${flavour} flavour`);
    process.exit(1);
  }
  const built = join(targetDir, TARGET, 'release', 'lstm_wasm_kernels.wasm');
  const out = join(root, 'wasm', `kernels-${flavour}.wasm`);
  copyFileSync(built, out);
  optimise(out, flavour);
  console.log(`[build:wasm] ${flavour}: wasm/${readdirSync(join(root, 'wasm')).find((f) => f === `kernels-${flavour}.wasm`)} ${statSync(out).size} bytes`);
}

// wasm-opt (binaryen) when present; the build never requires it.
function optimise(file, flavour) {
  if (!quiet('wasm-opt', ['--version'])) return;
  const features = ['--enable-mutable-globals', '--enable-sign-ext'];
  if (flavour !== 'scalar') features.push('--enable-simd');
  if (flavour === 'simd-threads') features.push('--enable-threads', '--enable-bulk-memory');
  const status = run('wasm-opt', ['-O3', ...features, file, '-o', file]);
  if (status !== 0) console.warn(`[build:wasm] wasm-opt failed on ${file}; keeping the unoptimised module`);
}

const tc = findToolchain();
console.log(`[build:wasm] toolchain: ${tc.name}`);
mkdirSync(join(root, 'wasm'), { recursive: true });
const only = process.argv.slice(2);
for (const [flavour, spec] of Object.entries(FLAVOURS)) {
  if (only.length && !only.includes(flavour)) continue;
  buildFlavour(tc, flavour, spec);
}
