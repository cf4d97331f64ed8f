// The browser example's static server (examples/browser/serve.mjs), for tests: serves the repository
// root on 127.0.0.1 at a free port, with COOP/COEP headers and the right MIME types for .js and .wasm.
export { startStaticServer, EXAMPLE_PATH, type StaticServer } from '../../examples/browser/serve.mjs';
