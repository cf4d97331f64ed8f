// The code every pool thread runs, as one self-contained function: its source text becomes the
// worker script (Node: `new Worker(src, { eval: true })`; browsers and Deno: a Blob URL module
// worker), so bundlers need no worker entry and the package ships no extra file.
//
// Two roles, chosen by the first message:
// - manager ('start'): spawns the compute workers and watches them. It does no kernel work, so
//   its event loop is free to see a worker's 'error' / 'exit' while the leader is blocked inside
//   a kernel; it then marks the worker dead in the control block and wakes the leader.
// - compute worker ('run'): instantiates the kernels on the shared memory with its own stack,
//   then loops: wait for a new job generation (spin briefly, then Atomics.wait), claim and run
//   parts of it (`worker_run`) until none are left, then bump `done` and notify the leader.
//
// Nothing outside the function may be referenced (it is stringified). Protocol: threads-protocol.ts.
import type { CtrlWords, FromWorker, ToManager, ToWorker } from './threads-protocol.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
export function poolThreadMain(): void {
  const g = globalThis as any;
  const isNode = typeof g.Deno === 'undefined' && !!(g.process && g.process.versions && g.process.versions.node);
  let nodeThreads: any = null;
  let port: any = g;
  const post = (m: FromWorker) => port.postMessage(m);
  const describe = (e: any) => String((e && (e.stack || e.message)) || e);

  const onFirst = (m: ToManager | ToWorker) => {
    if (m.kind === 'run') runWorker(m);
    else if (m.kind === 'start') runManager(m);
  };
  /**
   * node:worker_threads in a Node eval worker, which runs as CommonJS or, when the process was
   * started with --input-type=module, as an ES module (no `require`). Messages wait on the port.
   */
  const loadNodeThreads = (): Promise<any> => {
    if (typeof g.process.getBuiltinModule === 'function') return Promise.resolve(g.process.getBuiltinModule('node:worker_threads'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (typeof require === 'function') return Promise.resolve(require('node:worker_threads'));
    // Written so that no tool rewrites this import() for its own module system.
    return new Function('s', 'return import(s)')('node:worker_threads');
  };
  if (isNode) {
    loadNodeThreads().then((wt) => {
      nodeThreads = wt;
      port = wt.parentPort;
      port.once('message', onFirst);
    });
  } else g.onmessage = (e: any) => onFirst(e.data);

  // ---- compute worker ----
  const runWorker = (m: ToWorker) => {
    const w = m.words;
    let run: (tid: number) => void;
    try {
      const noop = () => {};
      const instance = new WebAssembly.Instance(m.module, { env: { memory: m.memory, lw_wake: noop, lw_join: noop } });
      const exports = instance.exports as any;
      exports.__stack_pointer.value = m.stackTop;
      run = exports.worker_run;
    } catch (e) {
      post({ kind: 'failed', tid: m.tid, message: `could not start: ${describe(e)}` });
      return;
    }
    // The control block sits in static data: a view made now stays valid after memory.grow.
    const c = new Int32Array(m.memory.buffer, m.ctrl, w.WORDS);
    const tid = m.tid;
    const spinMs = m.spinMs;
    // Read before saying ready: a job published right after is then seen as new.
    let last = Atomics.load(c, w.GEN);
    post({ kind: 'ready', tid });
    for (;;) {
      let gen = Atomics.load(c, w.GEN);
      if (gen === last) {
        // Spin a little: in a training step the next kernel usually follows within microseconds.
        const until = performance.now() + spinMs;
        let n = 0;
        while ((gen = Atomics.load(c, w.GEN)) === last) {
          if ((++n & 255) === 0 && performance.now() > until) break;
        }
        while (gen === last) {
          Atomics.add(c, w.SLEEPERS, 1);
          Atomics.wait(c, w.GEN, last);
          Atomics.sub(c, w.SLEEPERS, 1);
          gen = Atomics.load(c, w.GEN);
        }
      }
      last = gen;
      if (Atomics.load(c, w.STOP)) break;
      try {
        run(tid);
      } catch (e) {
        // A trap: report it and leave; the leader sees `dead` and the call fails.
        markDead(c, w, tid, 2);
        post({ kind: 'failed', tid, message: `trapped: ${describe(e)}` });
        break;
      }
      Atomics.add(c, w.DONE, 1);
      Atomics.notify(c, w.DONE);
    }
    if (nodeThreads) port.close();
    else g.close();
  };

  /** dead[tid] = why (1 exited, 2 threw): first report wins; wakes the leader. */
  const markDead = (c: Int32Array, w: CtrlWords, tid: number, why: number) => {
    if (Atomics.compareExchange(c, w.DEAD + tid, 0, why) !== 0) return false;
    Atomics.compareExchange(c, w.FAILED, 0, tid + 1);
    Atomics.add(c, w.DONE, 1);
    Atomics.notify(c, w.DONE);
    return true;
  };

  // ---- manager ----
  const runManager = (m: Extract<ToManager, { kind: 'start' }>) => {
    const w = m.words;
    const c = new Int32Array(m.memory.buffer, m.ctrl, w.WORDS);
    const workers: any[] = [];
    let stopping = false;
    let ready = 0;
    const failed = (tid: number, message: string, why: number) => {
      if (stopping) return;
      // A trapped worker marked itself dead already; its message is forwarded all the same.
      markDead(c, w, tid, why);
      post({ kind: 'failed', tid, message });
    };
    const spawn = (tid: number) => {
      if (nodeThreads) {
        const wk = new nodeThreads.Worker(m.source, { eval: true });
        wk.on('message', (r: FromWorker) => onReport(r));
        wk.on('error', (e: any) => failed(tid, `threw: ${describe(e)}`, 2));
        wk.on('exit', (code: number) => failed(tid, `exited (code ${code})`, 1));
        return wk;
      }
      const url = URL.createObjectURL(new Blob([m.source], { type: 'text/javascript' }));
      const wk = new g.Worker(url, { type: 'module' });
      wk.onmessage = (e: any) => onReport(e.data);
      wk.onerror = (e: any) => {
        if (e && e.preventDefault) e.preventDefault();
        failed(tid, `threw: ${(e && e.message) || 'an error'}`, 2);
      };
      wk.onmessageerror = () => failed(tid, 'could not receive its start message', 2);
      return wk;
    };
    const onReport = (r: FromWorker) => {
      if (r.kind === 'ready') {
        if (++ready === m.stacks.length) post({ kind: 'ready', tid: 0 });
      } else failed(r.tid, r.message, 2);
    };
    const onCommand = (cmd: ToManager) => {
      if (cmd.kind === 'kill') {
        const wk = workers[cmd.tid - 1];
        if (!wk) return;
        wk.terminate();
        // Web workers end without an event: report it here (Node reports 'exit' as well).
        failed(cmd.tid, 'was terminated', 1);
      } else if (cmd.kind === 'stop') {
        stopping = true;
        Atomics.store(c, w.STOP, 1);
        Atomics.add(c, w.GEN, 1);
        Atomics.notify(c, w.GEN);
        for (const wk of workers) wk.terminate();
        if (nodeThreads) port.close();
        else g.close();
      }
    };
    if (nodeThreads) port.on('message', onCommand);
    else g.onmessage = (e: any) => onCommand(e.data);
    try {
      m.stacks.forEach((stackTop, i) => {
        const tid = i + 1;
        const wk = spawn(tid);
        workers.push(wk);
        const start: ToWorker = { kind: 'run', module: m.module, memory: m.memory, ctrl: m.ctrl, words: w, tid, stackTop, spinMs: m.spinMs };
        wk.postMessage(start);
      });
    } catch (e) {
      failed(workers.length + 1, `could not be created: ${describe(e)}`, 2);
    }
  };
}

/**
 * The worker script. `__name` covers tools that wrap functions for their names (esbuild's
 * keepNames, as vitest uses): the stringified function may call it.
 */
export function poolThreadSource(): string {
  return `var __name = (f) => f;\n(${poolThreadMain.toString()})();\n`;
}
