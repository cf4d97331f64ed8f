// Runs once before any test file: compiles dist/ when the sources are newer, so the tests that use
// the built package (CLI, browser, Deno, packaging, bundler) never compile it concurrently.
import { ensureBuilt } from './helpers/built-package.js';

export default function setup(): void {
  ensureBuilt();
}
