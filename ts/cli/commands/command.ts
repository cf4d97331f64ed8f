import type { FlagSpecs, ParsedArgs } from '../args.js';
import type { CliIO, Output } from '../output.js';

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line(s) and notes for --help. */
  usage: string;
  flags: FlagSpecs;
  /** Positional arguments allowed (predict's texts). */
  positionals?: boolean;
  run(args: ParsedArgs, out: Output, io: CliIO): Promise<void>;
}

/** Every command takes these. */
export const COMMON_FLAGS: FlagSpecs = {
  json: { type: 'bool', help: 'print one JSON object as the last line of stdout (other output goes to stderr)' },
  debug: { type: 'bool', help: 'print the stack of an internal error' },
  help: { type: 'bool', help: 'show this help' },
};
