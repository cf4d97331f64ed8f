// `lstm-wasm`: train, evaluate, predict, generate and select from the command line.
// main(argv) returns the exit code: 0 done, 2 a bad argument or data file (one line on stderr),
// 1 an unexpected internal error (one line; the stack with --debug).
import { readFileSync } from 'node:fs';
import { formatFlags, parseArgs } from './args.js';
import { evaluateCommand } from './commands/evaluate.js';
import { generateCommand } from './commands/generate.js';
import { predictCommand } from './commands/predict.js';
import { selectCommand } from './commands/select.js';
import { trainCommand } from './commands/train.js';
import type { Command } from './commands/command.js';
import { CliError, exitCodeFor, oneLine } from './errors.js';
import { Output, processIO, type CliIO } from './output.js';

export const COMMANDS: Command[] = [trainCommand, evaluateCommand, predictCommand, generateCommand, selectCommand];

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function usage(commands: Command[]): string {
  const w = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'usage: lstm-wasm <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
    'lstm-wasm <command> --help shows the options of a command.',
    'Exit codes: 0 done, 2 bad arguments or data, 1 internal error.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`usage: ${c.usage}`, '', 'options:', formatFlags(c.flags)].join('\n');
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  return runCli(argv, io, COMMANDS);
}

/** main() over any set of commands (tests give their own). */
export async function runCli(argv: string[], io: CliIO, commands: Command[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      (name === undefined ? io.stderr : io.stdout)(`${usage(commands)}\n`);
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v') {
      io.stdout(`${version()}\n`);
      return 0;
    }
    const command = commands.find((c) => c.name === name);
    if (!command) throw new CliError(`unknown command ${JSON.stringify(name)}; commands are ${commands.map((c) => c.name).join(', ')} (lstm-wasm --help)`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(`${commandHelp(command)}\n`);
      return 0;
    }
    const args = parseArgs(rest, command.flags, command.name);
    if (!command.positionals && args.positionals.length > 0) {
      throw new CliError(`unexpected argument ${JSON.stringify(args.positionals[0])} for "${command.name}" (options are written --name value)`);
    }
    await command.run(args, new Output(io, args.flags.json === true), io);
    return 0;
  } catch (err) {
    const code = exitCodeFor(err);
    if (code === 2) io.stderr(`lstm-wasm: error: ${oneLine(err)}\n`);
    else {
      io.stderr(`lstm-wasm: internal error: ${oneLine(err)}${debug ? '' : ' (run with --debug for the stack)'}\n`);
      if (debug && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    }
    return code;
  }
}
