import { LwError } from '../errors.js';

/**
 * A layer's own option names (those beyond LayerArgs) as the keys of a record typed on its
 * arguments, so the compiler keeps the list complete and exact: `{ units: true, ... }`.
 */
export type OptionNames<Args, Base = object> = Readonly<Record<Exclude<keyof Args, keyof Base>, true>>;

/**
 * BAD_ARGUMENT naming the first option of `args` that `known` does not list: a misspelt or
 * unsupported option would otherwise be ignored and give a silently different layer. Options
 * whose value is undefined are let through (spreads of optional arguments make them).
 */
export function checkOptions(args: object, known: Readonly<Record<string, true>>, where: string): void {
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || Object.prototype.hasOwnProperty.call(known, key)) continue;
    const names = Object.keys(known);
    throw new LwError('BAD_ARGUMENT', `${where}: unknown option "${key}"; ${names.length ? `its options are ${names.join(', ')}` : 'it takes no options'}`, { option: key });
  }
}
