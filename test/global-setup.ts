// Runs once before any test file: compiles dist/ when the sources are newer, so the tests that use
// the built package (CLI, browser, Deno, packaging, bundler) never compile it concurrently; and
// installs Chromium or tells the browser tests to skip (test/helpers/chromium-gate.ts).
import type { TestProject } from 'vitest/node';
import { ensureBuilt } from './helpers/built-package.js';
import { gateChromium } from './helpers/chromium-gate.js';

export default function setup(project: TestProject): void {
  ensureBuilt();
  project.provide('chromiumMissing', gateChromium());
}
