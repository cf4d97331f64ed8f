// Command-line plumbing shared by the examples: "was this module started by node?" and the
// `--name value` options.

/** True when the module at `moduleUrl` (its import.meta.url) is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  return typeof process !== 'undefined' && !!process.argv[1] && moduleUrl.endsWith(process.argv[1].replace(/.*\//, ''));
}

/** The value after `--name` on the command line, or undefined when the option is absent. */
export function argString(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** The value after `--name` as a number, or undefined when the option is absent. */
export function argNumber(name: string): number | undefined {
  const v = argString(name);
  return v === undefined ? undefined : Number(v);
}
