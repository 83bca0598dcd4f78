// What every browser check is built from: the Check row, realizing a tensor on one backend,
// and comparing it with the cpu backend (`matchesCpu`) or with values computed here (`equals`).
// Only types come from the library here, so Node can read the table's names without a GPU.

import type * as Webgrad from '../../../src/index';
import { isClose, sizeOf, values } from '../../arrays';

export { values };

export type Wg = typeof Webgrad;
export type Tensor = Webgrad.Tensor;
type DType = Webgrad.DType;

export interface Check {
  name: string;
  run: (wg: Wg) => Promise<void>;
}

/** How close a result must be, and optionally the dtype it must have. */
export interface Expectation {
  atol?: number;
  rtol?: number;
  dtype?: DType;
}

/** A realized tensor as plain numbers. */
export interface Realized {
  shape: readonly number[];
  dtype: DType;
  values: number[];
}

/** Realizes `f` on the webgpu backend and on the cpu backend and compares dtype, shape and values. */
export async function matchesCpu(wg: Wg, f: (w: Wg) => Tensor, tol?: Expectation): Promise<void> {
  const gpu = await valuesOn(wg, 'webgpu', f);
  const cpu = await valuesOn(wg, 'cpu', f);
  const what = `webgpu vs cpu for ${source(f)}`;
  if (gpu.dtype !== cpu.dtype) throw new Error(`${what}: dtype ${gpu.dtype} but cpu gives ${cpu.dtype}`);
  if (tol?.dtype !== undefined && gpu.dtype !== tol.dtype) throw new Error(`${what}: dtype ${gpu.dtype}, expected ${tol.dtype}`);
  expectClose(gpu.shape, gpu.values, cpu.shape, cpu.values, tol, what);
}

/** Realizes `f` on the webgpu backend and compares it with values known independently. */
export async function equals(wg: Wg, f: (w: Wg) => Tensor, shape: number[], expected: ArrayLike<number>, tol?: Expectation): Promise<void> {
  const gpu = await valuesOn(wg, 'webgpu', f);
  const what = `webgpu vs expected for ${source(f)}`;
  if (tol?.dtype !== undefined && gpu.dtype !== tol.dtype) throw new Error(`${what}: dtype ${gpu.dtype}, expected ${tol.dtype}`);
  expectClose(gpu.shape, gpu.values, shape, expected, tol, what);
}

/** The text of a check's tensor function, for failure messages that say which call failed. */
function source(f: (w: Wg) => Tensor): string {
  const text = f.toString().replace(/\s+/g, ' ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/**
 * Builds and reads back `f` on `backend`, then returns to webgpu (the suite's default). Every
 * tensor `f` makes is disposed, so no check leaves tensors for the next backend switch to move.
 */
export async function valuesOn(wg: Wg, backend: 'webgpu' | 'cpu', f: (w: Wg) => Tensor): Promise<Realized> {
  await wg.setBackend(backend);
  try {
    const t = wg.tidy(() => f(wg));
    try {
      const values = await t.data();
      return { shape: t.shape, dtype: t.dtype, values: Array.from(values, Number) };
    } finally {
      t.dispose();
    }
  } finally {
    await wg.setBackend('webgpu');
  }
}

export function expectClose(
  shape: readonly number[],
  values: ArrayLike<number>,
  expectedShape: readonly number[],
  expected: ArrayLike<number>,
  { atol = 1e-5, rtol = 1e-4 }: Expectation = {},
  what: string,
): void {
  if (shape.join(',') !== expectedShape.join(',')) {
    throw new Error(`${what}: shape [${shape}] but expected [${expectedShape}]`);
  }
  if (values.length !== expected.length) {
    throw new Error(`${what}: ${values.length} values but expected ${expected.length}`);
  }
  for (let i = 0; i < values.length; i++) {
    const got = values[i]!;
    const want = expected[i]!;
    if (!isClose(got, want, rtol, atol)) throw new Error(`${what}: element ${i} is ${got}, expected ${want} (atol ${atol}, rtol ${rtol})`);
  }
}

export function assert(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}


/** A float32 tensor of `values(size, seed)`. */
export function fill(wg: Wg, shape: readonly number[], seed: number): Tensor {
  return wg.tensor(values(sizeOf(shape), seed), { shape });
}

/** An int32 tensor of deterministic integers in [low, high). */
export function fillInts(wg: Wg, shape: readonly number[], seed: number, low: number, high: number): Tensor {
  const ints = Int32Array.from(values(sizeOf(shape), seed), (v) => low + Math.floor(((v + 1) / 2) * (high - low)));
  return wg.tensor(ints, { shape });
}

