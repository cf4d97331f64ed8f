import type { Kernels } from '../abi.js';

/** A raw export of the kernels module (a member of the `Kernels` ABI). */
export type KernelName = keyof Kernels;

/**
 * The part of the raw kernel table a binding may call: only the exports its family lists, so the
 * lists (and the module's required exports derived from them) cannot fall behind the calls.
 */
export type KernelsOf<Names extends readonly KernelName[]> = Pick<Kernels, Names[number]>;

/** 0 for absent pointers (`undefined`, `null` or 0). */
export const ptr = (p: number | null | undefined): number => p || 0;

/** A boolean as the 0/1 number the kernels take. */
export const bit = (b: boolean | undefined): number => (b ? 1 : 0);
