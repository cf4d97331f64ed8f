import { CliError } from './errors.js';

/** How a flag's text becomes a value. */
export type FlagType = 'string' | 'int' | 'number' | 'bool' | 'intList' | 'stringList';

export interface FlagSpec {
  type: FlagType;
  /** One line for --help. */
  help: string;
  /** Allowed values of a string (or of each item of a string list). */
  choices?: readonly string[];
  /** Inclusive lower bound of a number (or of each item). */
  min?: number;
  /** Exclusive upper bound of a number. */
  below?: number;
  /** Shown in --help. */
  placeholder?: string;
}

const PLACEHOLDER: Record<FlagType, string> = { string: 'text', int: 'a whole number', number: 'a number', bool: '', intList: 'N,N,...', stringList: 'a,b,...' };

export type FlagSpecs = Record<string, FlagSpec>;
export type FlagValue = string | number | boolean | number[] | string[];

export interface ParsedArgs {
  flags: Record<string, FlagValue>;
  positionals: string[];
}

/** Edit distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

function suggestion(name: string, known: string[]): string {
  const best = known.map((k) => [k, distance(name, k)] as const).sort((a, b) => a[1] - b[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(name.length / 3)) ? `; did you mean --${best[0]}?` : '';
}

function parseNumber(flag: string, text: string, spec: FlagSpec, whole: boolean): number {
  const t = text.trim();
  const v = Number(t);
  const isNumber = t !== '' && Number.isFinite(v) && (!whole || /^[+-]?\d+$/.test(t));
  const bounds = [spec.min !== undefined ? `>= ${spec.min}` : '', spec.below !== undefined ? `< ${spec.below}` : ''].filter(Boolean).join(' and ');
  const want = `${whole ? 'a whole number' : 'a number'}${bounds ? ` ${bounds}` : ''}`;
  if (!isNumber || (spec.min !== undefined && v < spec.min) || (spec.below !== undefined && v >= spec.below)) {
    throw new CliError(`--${flag} must be ${want}, got ${JSON.stringify(text)}`);
  }
  return v;
}

function parseChoice(flag: string, text: string, spec: FlagSpec): string {
  if (spec.choices && !spec.choices.includes(text)) {
    throw new CliError(`--${flag} must be one of ${spec.choices.join(', ')}, got ${JSON.stringify(text)}`);
  }
  return text;
}

function parseValue(flag: string, text: string, spec: FlagSpec): FlagValue {
  switch (spec.type) {
    case 'int': return parseNumber(flag, text, spec, true);
    case 'number': return parseNumber(flag, text, spec, false);
    case 'string': return parseChoice(flag, text, spec);
    case 'intList':
    case 'stringList': {
      const items = text.split(',').map((s) => s.trim());
      if (items.some((s) => s === '')) throw new CliError(`--${flag} must be a comma-separated list without empty items, got ${JSON.stringify(text)}`);
      const values: (number | string)[] = spec.type === 'intList' ? items.map((s) => parseNumber(flag, s, spec, true)) : items.map((s) => parseChoice(flag, s, spec));
      if (new Set(values).size !== values.length) throw new CliError(`--${flag} lists a value twice: ${JSON.stringify(text)}`);
      return values as number[] | string[];
    }
    case 'bool': return true;
  }
}

/**
 * Parses `--flag value`, `--flag=value` and boolean `--flag`; `--` ends the flags. Unknown flags,
 * missing values, repeated flags and bad numbers are CliErrors naming the flag.
 */
export function parseArgs(argv: string[], specs: FlagSpecs, command: string): ParsedArgs {
  const flags: Record<string, FlagValue> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      if (/^-[a-zA-Z]/.test(arg)) throw new CliError(`unknown option ${arg} for "${command}": options are written --name (see lstm-wasm ${command} --help)`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (!spec) throw new CliError(`unknown option --${name} for "${command}"${suggestion(name, Object.keys(specs))} (see lstm-wasm ${command} --help)`);
    if (name in flags) throw new CliError(`--${name} is given twice`);
    let text: string;
    if (spec.type === 'bool') {
      if (eq >= 0) {
        const v = arg.slice(eq + 1);
        if (v !== 'true' && v !== 'false') throw new CliError(`--${name} is a switch: write --${name} (or --${name}=true/false), got ${JSON.stringify(v)}`);
        if (v === 'true') flags[name] = true;
        continue;
      }
      flags[name] = true;
      continue;
    }
    if (eq >= 0) text = arg.slice(eq + 1);
    else {
      if (i + 1 >= argv.length || (argv[i + 1].startsWith('--') && argv[i + 1].length > 2)) throw new CliError(`--${name} needs a value (${spec.placeholder ?? PLACEHOLDER[spec.type]})`);
      text = argv[++i];
    }
    flags[name] = parseValue(name, text, spec);
  }
  return { flags, positionals };
}

/** The --help text of a command's flags, aligned. */
export function formatFlags(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const value = s.type === 'bool' ? '' : ` ${s.placeholder ?? (s.choices ? s.choices.join('|') : s.type === 'intList' ? 'N,N,...' : s.type === 'int' ? 'N' : s.type === 'number' ? 'X' : 'VALUE')}`;
    return [`  --${name}${value}`, s.help];
  });
  const w = Math.max(...rows.map((r) => r[0].length)) + 2;
  return rows.map(([a, b]) => a.padEnd(w) + b).join('\n');
}
