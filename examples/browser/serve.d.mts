// Types for serve.mjs (plain JS so that `node examples/browser/serve.mjs` runs without a build).
export declare const EXAMPLE_PATH: string;

export interface StaticServer {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `root` (default: the repository root) with COOP/COEP headers; `port: 0` picks a free port; `/` redirects to `home` (default the example; null serves root/index.html). */
export declare function startStaticServer(options?: { root?: string; host?: string; port?: number; home?: string | null }): Promise<StaticServer>;
