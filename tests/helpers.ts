// Shared test helpers: run one computation on both backends (WebGPU through Dawn/SwiftShader
// and the CPU), or on the CPU and the node-by-node reference backend, compare arrays with tolerances, and small independent reference
// implementations (seeded values, nd-indexing, reductions) that share no code with src/.

import { expect } from 'vitest';
import * as wg from '../src/node';
import { uncapturedErrors } from '../src/backend/webgpu/device';
import { useReferenceBackend } from '../src/runtime';
import type { DType, Tensor, TypedArray } from '../src/node';
import { isClose, sizeOf } from './arrays';

export { wg };
export { sizeOf } from './arrays';

/** Initializes both backends once and leaves WebGPU active. */
export async function initBoth(): Promise<void> {
  await wg.init({ backend: 'cpu' });
  await wg.init({ backend: 'webgpu' });
}

/** Makes `name` the active backend without moving any data (tests build fresh tensors). */
export async function useBackend(name: 'webgpu' | 'cpu'): Promise<void> {
  await wg.init({ backend: name });
}

/** What one backend computed. */
export interface Result {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: TypedArray;
}

async function runOn(name: 'webgpu' | 'cpu', build: () => Tensor): Promise<Result> {
  await useBackend(name);
  const t = build();
  return { shape: [...t.shape], dtype: t.dtype, data: await t.data() };
}

/**
 * Builds the same computation on the webgpu and the cpu backend and returns both results.
 * `build` must create its tensors itself (or capture only unrealized `wg.tensor` inputs).
 * Leaves WebGPU active.
 */
export async function onBoth(build: () => Tensor): Promise<{ gpu: Result; cpu: Result }> {
  const cpu = await runOn('cpu', build);
  const gpu = await runOn('webgpu', build);
  return { gpu, cpu };
}

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

type Numeric = number | boolean | TypedArray | readonly Numeric[] | ArrayLike<number>;

function flat(x: Numeric | unknown): number[] {
  if (typeof x === 'number') return [x];
  if (typeof x === 'boolean') return [x ? 1 : 0];
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as ArrayLike<number>);
  if (Array.isArray(x)) return x.flatMap((v) => flat(v));
  throw new Error(`expectClose: cannot compare ${String(x)}`);
}

/**
 * Asserts `actual` ≈ `expected` elementwise (typed arrays, nested arrays, numbers; NaN matches
 * NaN, ±Infinity must match exactly): |a − e| ≤ atol + rtol·|e|. Defaults: rtol 1e-5, atol 1e-6.
 */
export function expectClose(actual: unknown, expected: unknown, tol: Tolerance = {}): void {
  const rtol = tol.rtol ?? 1e-5;
  const atol = tol.atol ?? 1e-6;
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length, 'number of elements').toBe(e.length);
  const bad: string[] = [];
  for (let i = 0; i < e.length && bad.length < 5; i++) {
    if (!isClose(a[i], e[i], rtol, atol)) bad.push(`[${i}] got ${a[i]}, expected ${e[i]}`);
  }
  expect(bad, `mismatches (rtol ${rtol}, atol ${atol})`).toEqual([]);
}

/**
 * Runs `build` on both backends, asserts they agree in shape, dtype and values, optionally
 * against `expected` values computed in the test, and returns the WebGPU result.
 */
export async function checkBoth(build: () => Tensor, expected?: unknown, tol: Tolerance = {}): Promise<Result> {
  const { gpu, cpu } = await onBoth(build);
  expect(gpu.shape, 'shape: webgpu vs cpu').toEqual(cpu.shape);
  expect(gpu.dtype, 'dtype: webgpu vs cpu').toBe(cpu.dtype);
  expectClose(gpu.data, cpu.data, tol);
  if (expected !== undefined) {
    expectClose(cpu.data, expected, tol);
    expectClose(gpu.data, expected, tol);
  }
  expectNoGpuErrors();
  return gpu;
}

/** What the CPU backend and the reference computed: one result per tensor `build` returns. */
export interface ReferencePair {
  readonly cpu: Result[];
  readonly reference: Result[];
}

async function runAll(build: () => Tensor | Tensor[]): Promise<Result[]> {
  const made = build();
  const ts = Array.isArray(made) ? made : [made];
  // One realize for all, so same-size roots can share a multi-output kernel.
  wg.realize(...ts);
  return Promise.all(ts.map(async (t) => ({ shape: [...t.shape], dtype: t.dtype, data: await t.data() })));
}

/**
 * Builds the same computation on the reference backend (node by node, src/backend/reference)
 * and on the CPU backend (the fused schedule), realizing what `build` returns together, and
 * asserts they agree in shape, dtype and values: bit for bit (NaN matching NaN) unless `tol`
 * is given (the generated loops match the reference exactly; the WebAssembly kernels, such as
 * matmul, round differently). `build` must create its tensors itself. Leaves the CPU backend active.
 */
export async function checkReference(build: () => Tensor | Tensor[], tol?: Tolerance): Promise<ReferencePair> {
  await wg.init({ backend: 'cpu' });
  useReferenceBackend();
  const reference = await runAll(build);
  await wg.init({ backend: 'cpu' });
  const cpu = await runAll(build);
  expect(cpu.length).toBe(reference.length);
  cpu.forEach((c, i) => {
    const r = reference[i];
    expect(c.shape, `shape of result ${i}: cpu vs reference`).toEqual(r.shape);
    expect(c.dtype, `dtype of result ${i}: cpu vs reference`).toBe(r.dtype);
    if (tol) expectClose(c.data, r.data, tol);
    else expect(Array.from(c.data), `values of result ${i}: cpu vs reference`).toEqual(Array.from(r.data));
  });
  return { cpu, reference };
}

/** Asserts the WebGPU device reported no validation or other error (each one is a bug). */
export function expectNoGpuErrors(): void {
  expect(uncapturedErrors).toEqual([]);
}

/** Deterministic values uniform in [lo, hi), independent of webgrad's random ops. */
export function seeded(n: number, seed = 1, lo = -1, hi = 1): number[] {
  let s = seed >>> 0 || 1;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = Math.fround(lo + ((s >>> 0) / 4294967296) * (hi - lo));
  }
  return out;
}

/** Deterministic integers in [lo, hi). */
export function seededInts(n: number, seed = 1, lo = -5, hi = 5): number[] {
  return seeded(n, seed, 0, 1).map((v) => lo + Math.floor(v * (hi - lo)));
}

/** A float32 tensor of `shape` with seeded values in [lo, hi). */
export function randomTensor(shape: readonly number[], seed = 1, lo = -1, hi = 1): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return wg.tensor(new Float32Array(seeded(n, seed, lo, hi)), { shape });
}

export function strides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i];
  }
  return out;
}

/** The multi-index of flat position `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  return strides(shape).map((s, a) => Math.floor(i / s) % shape[a]);
}

/** out[idx] = f(idx) over every multi-index of `shape`, in row-major order. */
export function tabulate(shape: readonly number[], f: (idx: number[]) => number): number[] {
  return Array.from({ length: sizeOf(shape) }, (_, i) => f(unravel(i, shape)));
}

/** Value of `data` (row-major, `shape`) at a multi-index. */
export function at(data: ArrayLike<number>, shape: readonly number[], idx: readonly number[]): number {
  const st = strides(shape);
  return data[idx.reduce((o, v, a) => o + v * st[a], 0)];
}

/**
 * Reference reduction: folds `data` of `shape` over `axes` with `combine`, starting from
 * `init`, visiting elements in increasing index order; reduced axes are kept as size 1.
 */
export function refReduce(
  data: ArrayLike<number>,
  shape: readonly number[],
  axes: readonly number[],
  init: number,
  combine: (acc: number, x: number, pos: number) => number,
): number[] {
  const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const redShape = axes.map((a) => shape[a]);
  return tabulate(outShape, (o) =>
    tabulate(redShape, (r) => {
      const idx = [...o];
      axes.forEach((a, k) => (idx[a] = r[k]));
      return at(data, shape, idx);
    }).reduce((acc, x, pos) => combine(acc, x, pos), init),
  );
}

/** Reference permutation of `data` of `shape`: out axis i is input axis perm[i]. */
export function refTranspose(data: ArrayLike<number>, shape: readonly number[], perm: readonly number[]): number[] {
  const outShape = perm.map((p) => shape[p]);
  return tabulate(outShape, (o) => {
    const idx = new Array<number>(shape.length);
    perm.forEach((p, i) => (idx[p] = o[i]));
    return at(data, shape, idx);
  });
}

/** Reference matrix product of row-major a [m,k] and b [k,n], in float64. */
export function refMatmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let q = 0; q < k; q++) for (let j = 0; j < n; j++) out[i * n + j] += a[i * k + q] * b[q * n + j];
  return out;
}

/** Counts the dispatches and submits of `fn` (which should realize or read back). */
export async function countWork(fn: () => Promise<unknown> | unknown): Promise<{ dispatches: number; submits: number; realizes: number }> {
  wg.resetStats();
  await fn();
  const s = wg.stats();
  return { dispatches: s.dispatches, submits: s.submits, realizes: s.realizes };
}
