// The kernel benchmark page: times webgrad (webgpu and cpu backends) and TensorFlow.js 4.22
// (webgpu, wasm, cpu) on matmul, conv2d, max-pool and softmax in this browser, and reports rows
// in `window.__results` for bench/run-kernels.mjs (and as a table for a person). Not a test.

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as wg from '../src/index';
import { pageReport } from './page-report';

/** One measured cell of the table. */
export interface BenchRow {
  workload: string;
  engine: string;
  medianMs: number | null;
  gflops: number | null;
  runs: number;
  note?: string;
}

const results = pageReport((row: BenchRow) => [row.workload, row.engine, row.medianMs?.toFixed(1) ?? '–', row.gflops?.toFixed(2) ?? '–', row.note ?? String(row.runs)]);

/** Timed runs per cell: at least MIN_RUNS after one warm-up, more while under BUDGET_MS. */
const MIN_RUNS = 3;
const MAX_RUNS = 10;
const BUDGET_MS = 4000;

interface Workload {
  name: string;
  /** Floating-point operations of one run, for GFLOP/s (null: not a FLOP-bound kernel). */
  flops: number | null;
  /** webgrad: builds inputs on the active backend, returns the op to time. */
  webgrad: (() => () => wg.Tensor) | null;
  /** TensorFlow.js: builds inputs on the active backend, returns the op to time. */
  tfjs: () => () => tf.Tensor;
}

type Wg = typeof wg & {
  maxPool2d?: (x: wg.Tensor, opts: { kernelSize: number }) => wg.Tensor;
};
const lib = wg as Wg;

function seededValues(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const wgInput = (shape: number[], seed: number): wg.Tensor => {
  const t = wg.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed), { shape });
  wg.realize(t);
  return t;
};
const tfInput = (shape: number[], seed: number): tf.Tensor => tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed), shape);

const CONV_X = [32, 32, 32, 16];
const CONV_W = [3, 3, 16, 32];

function workloads(): Workload[] {
  const list: Workload[] = [];
  for (const n of [256, 512, 1024]) {
    list.push({
      name: `matmul ${n}×${n}·${n}×${n}`,
      flops: 2 * n ** 3,
      webgrad: () => {
        const a = wgInput([n, n], 1);
        const b = wgInput([n, n], 2);
        return () => a.matmul(b);
      },
      tfjs: () => {
        const a = tfInput([n, n], 1);
        const b = tfInput([n, n], 2);
        return () => tf.matMul(a, b);
      },
    });
  }
  const convFlops = 2 * 32 * 32 * 32 * 32 * 3 * 3 * 16;
  list.push({
    name: 'conv2d 32×32×32×16 → 32, 3×3 same',
    flops: convFlops,
    webgrad:
      typeof lib.conv2d === 'function'
        ? () => {
            const x = wgInput(CONV_X, 3);
            const w = wgInput(CONV_W, 4);
            return () => lib.conv2d(x, w, { padding: 'same' });
          }
        : null,
    tfjs: () => {
      const x = tfInput(CONV_X, 3) as tf.Tensor4D;
      const w = tfInput(CONV_W, 4) as tf.Tensor4D;
      return () => tf.conv2d(x, w, 1, 'same');
    },
  });
  list.push({
    name: 'maxPool 2×2 of 32×32×32×32',
    flops: null,
    webgrad:
      typeof lib.maxPool2d === 'function'
        ? () => {
            const x = wgInput([32, 32, 32, 32], 5);
            return () => lib.maxPool2d!(x, { kernelSize: 2 });
          }
        : null,
    tfjs: () => {
      const x = tfInput([32, 32, 32, 32], 5) as tf.Tensor4D;
      return () => tf.maxPool(x, 2, 2, 'valid');
    },
  });
  list.push({
    name: 'softmax 4096×1000',
    flops: null,
    webgrad: () => {
      const x = wgInput([4096, 1000], 6);
      return () => x.softmax();
    },
    tfjs: () => {
      const x = tfInput([4096, 1000], 6);
      return () => tf.softmax(x);
    },
  });
  return list;
}

/** Median ms of `run` (which must finish, results read back) after one warm-up run. */
async function time(run: () => Promise<void>): Promise<{ medianMs: number; runs: number }> {
  await run();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < MIN_RUNS || (times.length < MAX_RUNS && performance.now() - start < BUDGET_MS)) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)], runs: times.length };
}

async function measure(workload: Workload, engine: string, prepare: () => () => Promise<void>): Promise<void> {
  try {
    const run = prepare();
    const { medianMs, runs } = await time(run);
    results.add({ workload: workload.name, engine, medianMs, gflops: workload.flops === null ? null : workload.flops / medianMs / 1e6, runs });
  } catch (err) {
    results.add({ workload: workload.name, engine, medianMs: null, gflops: null, runs: 0, note: `failed: ${err instanceof Error ? err.message : String(err)}` });
  }
}

async function benchWebgrad(backend: 'webgpu' | 'cpu', list: Workload[]): Promise<void> {
  await wg.init({ backend });
  for (const w of list) {
    if (!w.webgrad) {
      results.add({ workload: w.name, engine: `webgrad-${backend}`, medianMs: null, gflops: null, runs: 0, note: 'op not available yet' });
      continue;
    }
    const build = w.webgrad;
    await measure(w, `webgrad-${backend}`, () => {
      const op = build();
      return async () => {
        const y = op();
        await y.data();
        y.dispose();
      };
    });
  }
}

async function benchTfjs(backend: 'webgpu' | 'wasm' | 'cpu', list: Workload[]): Promise<void> {
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend ${backend} did not initialize`);
  await tf.ready();
  for (const w of list) {
    await measure(w, `tfjs-${backend}`, () => {
      const op = w.tfjs();
      return async () => {
        const y = op();
        await y.data();
        y.dispose();
      };
    });
  }
}

async function main(): Promise<void> {
  setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  const list = workloads();
  await benchWebgrad('webgpu', list);
  for (const backend of ['webgpu', 'wasm', 'cpu'] as const) {
    try {
      await benchTfjs(backend, list);
    } catch (err) {
      for (const w of list) results.add({ workload: w.name, engine: `tfjs-${backend}`, medianMs: null, gflops: null, runs: 0, note: `failed: ${String(err)}` });
    }
  }
  await benchWebgrad('cpu', list);
}

main()
  .catch((err) => results.add({ workload: 'page', engine: '-', medianMs: null, gflops: null, runs: 0, note: `failed: ${String(err)}` }))
  .finally(() => results.finish());
