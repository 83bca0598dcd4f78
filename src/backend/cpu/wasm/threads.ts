// How a range kernel runs: on this thread alone, or shared out over worker threads (Node's
// worker_threads, or Web Workers in a cross-origin isolated page) that run kernels-shared.wasm
// on the same shared memory. The CPU backend's `execute` is synchronous, so this thread blocks
// until the workers are done: in Atomics.wait where allowed, else spinning (a page's main thread).

import { WebgradError } from '../../../errors';
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

const RANGE_KERNELS: readonly RangeKernel[] = [
  'matmulPanels',
  'convForwardBlocks',
  'convInputGradBlocks',
  'convWeightGradSlabs',
  'groupedForward',
  'groupedInputGrad',
  'groupedWeightGrad',
  'softmaxRows',
  'crossEntropyRows',
  'crossEntropyGradRows',
];

/** The control block's int32 slots (a SharedArrayBuffer separate from the wasm memory). */
const SLOT = { generation: 0, pending: 1, fn: 2, total: 3, scratch: 4, scratchBytes: 5, argCount: 6, hasGeometry: 7, failed: 8, taken: 9, args: 16, geometry: 32 } as const;
const CONTROL_INTS = 48;

/**
 * How long a job may wait for every worker to take it before the caller gives up, loudly: long
 * enough for a worker descheduled on a loaded machine (seconds, in a busy test run).
 */
const TAKE_TIMEOUT_MS = 10_000;

/** How long init waits for a Web Worker's 'ready' before running on this thread alone. */
const START_TIMEOUT_MS = 10_000;

/**
 * The worker's loop, given `module, memory, control, id, threads, kernels` and `post`: wait for
 * a new generation, count itself in `taken`, take thread `id`'s share of the range, run it,
 * count down `pending` and wake the caller on the last one. It says 'ready' once instantiated.
 */
const WORKER_LOOP = `
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(control);
post('ready');
let seen = 0;
for (;;) {
  Atomics.wait(c, ${SLOT.generation}, seen);
  seen = Atomics.load(c, ${SLOT.generation});
  Atomics.add(c, ${SLOT.taken}, 1);
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

/** Node's worker (CommonJS, run with `eval`): its data comes as workerData. */
const NODE_WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { module, memory, control, id, threads, kernels } = workerData;
const post = (m) => parentPort.postMessage(m);
${WORKER_LOOP}`;

/** A browser's Web Worker (from a Blob URL): its data comes in the first message. */
const WEB_WORKER = `
self.onmessage = (event) => {
  self.onmessage = null;
  const { module, memory, control, id, threads, kernels } = event.data;
  const post = (m) => self.postMessage(m);
  ${WORKER_LOOP}
};
`;

interface WorkerData {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  id: number;
  threads: number;
  kernels: readonly RangeKernel[];
}

/** Where worker threads run: how many cores, and how to start one that resolves on 'ready'. */
interface Platform {
  cores: number;
  /** Whether this thread may block in Atomics.wait (Node, a Worker; not a page's main thread). */
  canWait: boolean;
  start(data: WorkerData): Promise<void>;
}

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

/** Node's worker_threads, unref'd: they never keep Node alive. */
async function nodePlatform(): Promise<Platform> {
  const [os, { Worker }] = await Promise.all([import('node:os'), import('node:worker_threads')]);
  return {
    cores: os.availableParallelism(),
    canWait: true,
    start: (workerData) =>
      new Promise((resolve, reject) => {
        const w = new Worker(NODE_WORKER, { eval: true, workerData });
        w.once('message', () => resolve(w.unref())).once('error', reject);
      }),
  };
}

/** Whether Atomics.wait may block here (it throws on a page's main thread, before comparing). */
function atomicsWaitAllowed(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Web Workers from one Blob URL; only a cross-origin isolated page may share memory with them. */
function webPlatform(): Platform | null {
  if (typeof Worker !== 'function' || typeof Blob !== 'function' || !globalThis.crossOriginIsolated) return null;
  const url = URL.createObjectURL(new Blob([WEB_WORKER], { type: 'text/javascript' }));
  return {
    cores: globalThis.navigator?.hardwareConcurrency ?? 1,
    canWait: atomicsWaitAllowed(),
    start: (data) =>
      new Promise((resolve, reject) => {
        const w = new Worker(url);
        const late = setTimeout(() => reject(new WebgradError(`webgrad wasm kernels: a worker did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
        w.onmessage = () => resolve(clearTimeout(late));
        w.onerror = (e) => reject(new WebgradError(`webgrad wasm kernels: a worker failed to start: ${e.message}`));
        w.postMessage(data);
      }),
  };
}

/** Node or a cross-origin isolated browser context, where SharedArrayBuffer exists; else null. */
async function platform(): Promise<Platform | null> {
  if (typeof SharedArrayBuffer !== 'function') return null;
  return isNode ? nodePlatform() : webPlatform();
}

/**
 * Blocks until every worker counted down `pending`: with Atomics.wait where this thread may,
 * else spinning on Atomics.load. If the workers have not all taken the job within
 * TAKE_TIMEOUT_MS, throws rather than hang.
 */
function awaitWorkers(c: Int32Array, workers: number, canWait: boolean): void {
  const since = performance.now();
  for (let left = Atomics.load(c, SLOT.pending); left > 0; left = Atomics.load(c, SLOT.pending)) {
    if (Atomics.load(c, SLOT.taken) < workers && performance.now() - since > TAKE_TIMEOUT_MS) {
      throw new WebgradError(`webgrad wasm kernels: ${workers - Atomics.load(c, SLOT.taken)} of ${workers} worker threads did not take a job within ${TAKE_TIMEOUT_MS} ms`);
    }
    if (canWait) Atomics.wait(c, SLOT.pending, left, TAKE_TIMEOUT_MS / 4);
  }
}

/**
 * Worker threads on kernels-shared.wasm (compiled only when they start; up to 8 threads, this
 * one included), or null where there are none to start: no SharedArrayBuffer, a browser page
 * that is not cross-origin isolated, a single core. In Node and in a Worker this thread waits
 * on them with Atomics.wait; on a page's main thread it spins (execute blocks it anyway).
 */
export async function startThreads(compile: () => Promise<WebAssembly.Module>): Promise<{ runner: KernelRunner; kernels: KernelExports } | null> {
  const where = await platform();
  const threads = Math.min(8, where?.cores ?? 1);
  if (!where || threads < 2) return null;
  const module = await compile();
  const memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAX_PAGES, shared: true });
  const kernels = instantiateShared(module, memory);
  const control = new SharedArrayBuffer(CONTROL_INTS * 4);
  const c = new Int32Array(control);
  // Every worker runs before any job is posted: a job waits for all of them.
  await Promise.all(Array.from({ length: threads - 1 }, (_, i) => where.start({ module, memory, control, id: i + 1, threads, kernels: RANGE_KERNELS })));
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
      Atomics.store(c, SLOT.taken, 0);
      Atomics.store(c, SLOT.pending, threads - 1);
      Atomics.add(c, SLOT.generation, 1);
      Atomics.notify(c, SLOT.generation);
      const hi = Math.floor(total / threads);
      if (hi > 0) (kernels[fn] as (...xs: number[]) => void)(scratch, ...args, 0, hi);
      awaitWorkers(c, threads - 1, where.canWait);
      if (Atomics.exchange(c, SLOT.failed, 0)) throw new WebgradError(`webgrad wasm kernels: ${fn} failed on a worker thread`);
    },
  };
  return { runner, kernels };
}
