// A module Worker for thread-checks.ts: in a Worker the CPU backend's caller may block in
// Atomics.wait, so this runs the threaded matmul there and posts its values with threads on
// and off (and what init reported) back to the page.

import * as wg from '../../src/index';
import { useThreads } from '../../src/backend/cpu/fast-kernels';

/** The message this worker posts: init's report and the matmul's values both ways. */
export interface ThreadWorkerReport {
  threads: boolean;
  threaded: number[];
  one: number[];
}

async function matmulValues(threads: boolean): Promise<number[]> {
  useThreads(threads);
  const a = wg.tensor(Array.from({ length: 130 * 96 }, (_, i) => Math.sin(i)), { shape: [130, 96] });
  const b = wg.tensor(Array.from({ length: 96 * 100 }, (_, i) => Math.cos(i)), { shape: [96, 100] });
  return Array.from((await a.matmul(b).data()) as Float32Array);
}

self.onmessage = async () => {
  try {
    const info = await wg.init({ backend: 'cpu' });
    const threaded = await matmulValues(true);
    const one = await matmulValues(false);
    useThreads(true);
    const report: ThreadWorkerReport = { threads: info.threads, threaded, one };
    self.postMessage(report);
  } catch (err) {
    self.postMessage({ error: String(err) });
  }
};
