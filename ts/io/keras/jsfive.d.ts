// The part of jsfive (a pure-JS HDF5 reader) that lstm-wasm uses; the package ships no types.
declare module 'jsfive' {
  export class Group {
    readonly keys: string[];
    readonly attrs: Record<string, unknown>;
    get(path: string): Group | Dataset | null;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string);
  }
  export class Dataset {
    readonly shape: number[] | null;
    readonly dtype: unknown;
    readonly attrs: Record<string, unknown>;
    readonly value: ArrayLike<number> | unknown;
    readonly _dataobjects: { chunks: number[] | null; filter_pipeline: unknown[] | null };
  }
}
