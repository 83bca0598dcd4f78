// How a range kernel runs: on this thread alone, or shared out over worker threads (Node's
// worker_threads) that run kernels-shared.wasm on the same shared memory. The CPU backend's
// `execute` is synchronous, so this thread blocks in Atomics.wait until the workers are done;
// a browser's main thread may not, so browsers run single-threaded.

import { instantiateShared, SHARED_MAX_PAGES, type KernelExports, type RangeKernel } from './instance';

/** Runs `fn(scratch, ...args, lo, hi)` over 0..total, each thread with its own scratch. */
export interface KernelRunner {
  readonly threads: number;
  /** `geometry`: setConv's arguments, for kernels that read the conv geometry. */
  run(fn: RangeKernel, total: number, scratch: number, scratchBytes: number, args: readonly number[], geometry?: readonly number[]): void;
}

/** This thread alone. */
export function singleThread(k: KernelExports): KernelRunner {
  return {
    threads: 1,
    run: (fn, total, scratch, _bytes, args) => (k[fn] as (...xs: number[]) => void)(scratch, ...args, 0, total),
  };
}

const RANGE_KERNELS: readonly RangeKernel[] = ['matmulPanels', 'convForwardBlocks', 'convInputGradBlocks', 'convWeightGradSlabs'];

/** The control block's int32 slots (a SharedArrayBuffer separate from the wasm memory). */
const SLOT = { generation: 0, pending: 1, fn: 2, total: 3, scratch: 4, scratchBytes: 5, argCount: 6, hasGeometry: 7, failed: 8, args: 16, geometry: 32 } as const;
const CONTROL_INTS = 48;

/**
 * The worker's loop (CommonJS, run with `eval`): wait for a new generation, take thread `id`'s
 * share of the range, run it, count down `pending` and wake the caller on the last one. It
 * says 'ready' once instantiated.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, control, id, threads, kernels } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(control);
parentPort.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(c, ${SLOT.generation}, seen);
  seen = Atomics.load(c, ${SLOT.generation});
  try {
    if (c[${SLOT.hasGeometry}]) k.setConv(...Array.from(c.subarray(${SLOT.geometry}, ${SLOT.geometry} + 16)));
    const total = c[${SLOT.total}];
    const lo = Math.floor((total * id) / threads), hi = Math.floor((total * (id + 1)) / threads);
    const args = Array.from(c.subarray(${SLOT.args}, ${SLOT.args} + c[${SLOT.argCount}]));
    if (lo < hi) k[kernels[c[${SLOT.fn}]]](c[${SLOT.scratch}] + id * c[${SLOT.scratchBytes}], ...args, lo, hi);
  } catch (e) {
    Atomics.store(c, ${SLOT.failed}, 1);
  }
  if (Atomics.sub(c, ${SLOT.pending}, 1) === 1) Atomics.notify(c, ${SLOT.pending});
}
`;

/** The cores worker threads could use: Node's, where SharedArrayBuffer exists; else 1. */
async function nodeCores(): Promise<number> {
  const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';
  if (!isNode || typeof SharedArrayBuffer !== 'function') return 1;
  const os = await import('node:os');
  return os.availableParallelism();
}

/**
 * Worker threads on kernels-shared.wasm (compiled only when they start; up to 8 threads, this
 * one included), or null where there are none to start: browsers, a single core. Workers are
 * unref'd: they never keep Node alive.
 */
export async function startThreads(compile: () => Promise<WebAssembly.Module>): Promise<{ runner: KernelRunner; kernels: KernelExports } | null> {
  const threads = Math.min(8, await nodeCores());
  if (threads < 2) return null;
  const module = await compile();
  const { Worker } = await import('node:worker_threads');
  const memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true });
  const kernels = instantiateShared(module, memory);
  const control = new SharedArrayBuffer(CONTROL_INTS * 4);
  const c = new Int32Array(control);
  const workers = Array.from({ length: threads - 1 }, (_, i) => new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, id: i + 1, threads, kernels: RANGE_KERNELS } }));
  // Every worker runs before any job is posted: a job waits for all of them, so one that never
  // started would block this thread for good.
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.once('message', resolve).once('error', reject))));
  for (const w of workers) w.unref();
  const runner: KernelRunner = {
    threads,
    run(fn, total, scratch, scratchBytes, args, geometry) {
      c[SLOT.fn] = RANGE_KERNELS.indexOf(fn);
      c[SLOT.total] = total;
      c[SLOT.scratch] = scratch;
      c[SLOT.scratchBytes] = scratchBytes;
      c[SLOT.argCount] = args.length;
      c.set(args, SLOT.args);
      c[SLOT.hasGeometry] = geometry ? 1 : 0;
      if (geometry) c.set(geometry, SLOT.geometry);
      Atomics.store(c, SLOT.pending, threads - 1);
      Atomics.add(c, SLOT.generation, 1);
      Atomics.notify(c, SLOT.generation);
      const hi = Math.floor(total / threads);
      if (hi > 0) (kernels[fn] as (...xs: number[]) => void)(scratch, ...args, 0, hi);
      for (let left = Atomics.load(c, SLOT.pending); left > 0; left = Atomics.load(c, SLOT.pending)) Atomics.wait(c, SLOT.pending, left);
      if (Atomics.exchange(c, SLOT.failed, 0)) throw new Error(`webgrad wasm kernels: ${fn} failed on a worker thread`);
    },
  };
  return { runner, kernels };
}
