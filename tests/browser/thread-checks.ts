// Browser checks of the CPU backend's worker threads: the dev server's COOP/COEP make the page
// cross-origin isolated, init reports threads, and a kernel split over Web Workers (this thread
// spinning) equals one thread bit for bit. useThreads is imported statically: a dynamic import
// by URL would get Vite's `?import` copy of the module, not the one the library runs.

import { useThreads } from '../../src/backend/cpu/fast-kernels';
import { assert, fill, type Check, type Tensor, type Wg } from './checks/compare';
import type { ThreadWorkerReport } from './thread-worker';

/** `f`'s value and the gradients of its sum on the cpu backend, with threads on or off. */
async function valueAndGrads(wg: Wg, threads: boolean, f: (w: Wg, ...xs: Tensor[]) => Tensor, inputs: (w: Wg) => Tensor[]): Promise<Float32Array[]> {
  useThreads(threads);
  await wg.setBackend('cpu');
  const xs = inputs(wg);
  const { value, grads } = wg.valueAndGrad((...ys: Tensor[]) => f(wg, ...ys).sum())(...xs);
  const out = [(await f(wg, ...xs).data()) as Float32Array, ...(await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array)))];
  value.dispose();
  return out;
}

/** Throws unless `f` and its gradients are bit for bit the same with threads and without. */
async function threadsEqualOne(wg: Wg, f: (w: Wg, ...xs: Tensor[]) => Tensor, inputs: (w: Wg) => Tensor[]): Promise<void> {
  const threaded = await valueAndGrads(wg, true, f, inputs);
  const one = await valueAndGrads(wg, false, f, inputs);
  useThreads(true);
  threaded.forEach((v, i) => {
    const diff = v.findIndex((x, j) => !Object.is(x, one[i]![j]));
    assert(v.length === one[i]!.length && diff < 0, `output ${i}: threaded ${v[diff]} but one thread ${one[i]![diff]} at ${diff}`);
  });
}

export const threadChecks: Check[] = [
  {
    name: 'threads: the page is cross-origin isolated and init reports cpu threads, off under useThreads(false)',
    run: async (wg) => {
      assert(globalThis.crossOriginIsolated === true, 'the page is not cross-origin isolated (COOP/COEP headers missing)');
      const info = await wg.init({ backend: 'cpu' });
      assert(info.backend === 'cpu' && info.simd === true && info.threads === true, `init reported ${JSON.stringify(info)}`);
      useThreads(false);
      const off = await wg.init({ backend: 'cpu' });
      useThreads(true);
      assert(off.threads === false, `useThreads(false) still reports ${JSON.stringify(off)}`);
    },
  },
  {
    name: 'threads: matmul 130×96 · 96×100 and its gradients equal one thread bit for bit',
    run: (wg) => threadsEqualOne(wg, (_w, a, b) => a!.matmul(b!), (w) => [fill(w, [130, 96], 500), fill(w, [96, 100], 501)]),
  },
  {
    name: 'threads: conv2d 16 → 32 channels on 2×17×15 images and both gradients equal one thread bit for bit',
    run: (wg) => threadsEqualOne(wg, (w, x, k) => w.conv2d(x!, k!, { padding: 'same' }), (w) => [fill(w, [2, 17, 15, 16], 502), fill(w, [3, 3, 16, 32], 503)]),
  },
  {
    name: 'threads: inside a Worker (the caller in Atomics.wait) init reports threads and a threaded matmul equals one thread',
    run: async () => {
      const worker = new Worker(new URL('./thread-worker.ts', import.meta.url), { type: 'module' });
      const report = await new Promise<ThreadWorkerReport | { error: string }>((resolve, reject) => {
        worker.onmessage = (e: MessageEvent<ThreadWorkerReport | { error: string }>) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(`the worker failed: ${e.message}`));
        worker.postMessage('run');
      }).finally(() => worker.terminate());
      if ('error' in report) throw new Error(`in the worker: ${report.error}`);
      assert(report.threads, 'init in the worker reported threads: false');
      const diff = report.threaded.findIndex((x, j) => !Object.is(x, report.one[j]));
      assert(report.threaded.length === 130 * 100 && diff < 0, `threaded ${report.threaded[diff]} but one thread ${report.one[diff]} at ${diff}`);
    },
  },
];
