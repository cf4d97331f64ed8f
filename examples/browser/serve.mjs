// A tiny static file server for the browser example (and the browser test), with no dependencies.
// It serves the repository root, so the page finds the built package at /dist/index.js and the
// kernels at /wasm/*.wasm exactly as they sit in the published package (dist/ beside wasm/).
//
//   npm run build && node examples/browser/serve.mjs [port]   ->  open http://127.0.0.1:8080/
//
// Every response is cross-origin isolated (COOP/COEP), so SharedArrayBuffer and shared wasm
// memories are available to the page and its workers.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const EXAMPLE_PATH = '/examples/browser/';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** The file under `root` a URL path names, or null when it would leave `root`. */
function fileFor(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const file = resolve(join(root, path));
  return file === root || file.startsWith(root + sep) ? file : null;
}

/**
 * Starts the server; resolves once it listens. `port: 0` picks a free port.
 * @param {{ root?: string, host?: string, port?: number, home?: string | null }} [options] `home`: where `/` redirects (null: serve root/index.html)
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export function startStaticServer({ root = fileURLToPath(new URL('../..', import.meta.url)), host = '127.0.0.1', port = 0, home = EXAMPLE_PATH } = {}) {
  const rootDir = resolve(root);
  const server = createServer(async (req, res) => {
    const send = (status, text, headers = {}) => {
      res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed', { Allow: 'GET, HEAD' });
    const urlPath = req.url ?? '/';
    if (home && (urlPath === '/' || urlPath === '/index.html')) return send(302, 'see ' + home, { Location: home });
    let file = fileFor(rootDir, urlPath);
    if (!file) return send(403, 'forbidden');
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        if (!urlPath.split('?')[0].endsWith('/')) return send(301, 'moved', { Location: urlPath.split('?')[0] + '/' });
        file = join(file, 'index.html');
        info = await stat(file);
      }
      res.writeHead(200, {
        ...ISOLATION_HEADERS,
        'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': info.size,
      });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
    } catch {
      send(404, 'not found: ' + urlPath);
    }
  });
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      resolveListen({
        url: `http://${host}:${actualPort}`,
        port: actualPort,
        close: () => new Promise((done) => {
          server.closeAllConnections?.();
          server.close(() => done());
        }),
      });
    });
  });
}

// Run as a script: serve until interrupted.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 8080);
  const { url } = await startStaticServer({ port });
  console.log(`serving the repository root at ${url}/ ; the example is at ${url}${EXAMPLE_PATH}`);
}
