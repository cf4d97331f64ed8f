#!/usr/bin/env node
// Import circles in ts/: between files and between folders (ts/<folder>, the top-level files
// each their own), type-only imports included. Prints each circle and exits 1 when there is one.
//   node scripts/check-imports.mjs [--json]
import { cruise } from 'dependency-cruiser';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

/** The import graph of ts/: file -> files it imports (resolved, inside ts/). */
export async function importGraph() {
  const result = await cruise(['ts'], {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.build.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
  });
  const graph = new Map();
  for (const m of result.output.modules) {
    if (!m.source.startsWith('ts/')) continue;
    graph.set(m.source, [...new Set(m.dependencies.map((d) => d.resolved).filter((r) => r.startsWith('ts/')))]);
  }
  return graph;
}

/** ts/layers/dense.ts -> ts/layers; ts/errors.ts -> ts/errors.ts */
export const folderOf = (file) => file.split('/').slice(0, 2).join('/');

/** Strongly connected components with more than one member (Tarjan), each sorted. */
export function circles(graph) {
  const index = new Map(), low = new Map(), stack = [], onStack = new Set(), out = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc = [];
    let w;
    do { w = stack.pop(); onStack.delete(w); scc.push(w); } while (w !== v);
    if (scc.length > 1) out.push(scc.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** The graph with files collapsed into their folders (edges inside a folder dropped). */
export function folderGraph(graph) {
  const g = new Map();
  for (const [file, deps] of graph) {
    const from = folderOf(file);
    const set = g.get(from) ?? new Set();
    for (const d of deps) if (folderOf(d) !== from) set.add(folderOf(d));
    g.set(from, set);
  }
  return new Map([...g].map(([k, v]) => [k, [...v]]));
}

/** Which file imports which across two folders of a circle (to say what ties it). */
function ties(graph, folders) {
  const inside = new Set(folders);
  const lines = [];
  for (const [file, deps] of graph) {
    for (const d of deps) {
      if (folderOf(d) !== folderOf(file) && inside.has(folderOf(file)) && inside.has(folderOf(d))) lines.push(`    ${file} -> ${d}`);
    }
  }
  return lines;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const graph = await importGraph();
  const files = circles(graph);
  const folders = circles(folderGraph(graph));
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ files: graph.size, fileCircles: files, folderCircles: folders }));
  } else {
    for (const c of folders) console.log(`folder circle: ${c.join(' <-> ')}\n${ties(graph, c).join('\n')}`);
    for (const c of files) console.log(`file circle: ${c.join(' <-> ')}`);
    console.log(`${graph.size} files in ts/: ${folders.length} folder circles, ${files.length} file circles`);
  }
  process.exit(files.length || folders.length ? 1 : 0);
}
