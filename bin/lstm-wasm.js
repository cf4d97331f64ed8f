#!/usr/bin/env node
// The `lstm-wasm` command: runs the compiled CLI (dist/cli/main.js) and exits with its code.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
