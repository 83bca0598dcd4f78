// Shared gradient checks for the autograd suites: seeded random shapes and values, central
// finite differences on the CPU backend, and WebGPU gradients compared with CPU gradients.
// Every check reduces f's output with a random cotangent, so the whole VJP is exercised.

import { expect } from 'vitest';
import * as wg from '../../src/node';
import { randomUniform } from '../../src/ops/threefry';

/** A seeded uniform generator in [0, 1) (the library's own Threefry: drawing values is not under test). */
export function rng(seed: number): () => number {
  let index = 0;
  return () => randomUniform(seed, 0, index++);
}

export interface Input {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** A shape of `rank` axes, each of size 1…maxDim. */
export function randomShape(next: () => number, rank: number, maxDim = 4): number[] {
  return Array.from({ length: rank }, () => 1 + Math.floor(next() * maxDim));
}

/** A shape that broadcasts to `shape`: some leading axes dropped, some axes set to 1. */
export function broadcastPartner(next: () => number, shape: readonly number[]): number[] {
  const drop = Math.floor(next() * (shape.length + 1));
  return shape.slice(drop).map((d) => (next() < 0.4 ? 1 : d));
}

export interface ValueOptions {
  lo?: number;
  hi?: number;
  /** Points the values keep `margin` away from (kinks, where differences are meaningless). */
  avoid?: readonly number[];
  margin?: number;
}

/** Uniform values in [lo, hi) of `shape`, away from the `avoid` points. */
export function uniform(next: () => number, shape: readonly number[], opts: ValueOptions = {}): Input {
  const { lo = -2, hi = 2, avoid = [], margin = 0.05 } = opts;
  const n = shape.reduce((p, d) => p * d, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let v: number;
    do v = lo + (hi - lo) * next();
    while (avoid.some((a) => Math.abs(v - a) < margin));
    values[i] = v;
  }
  return { shape: [...shape], values };
}

/** Values of `shape` that are pairwise at least `spacing` apart (no ties for max/min/sort). */
export function distinct(next: () => number, shape: readonly number[], spacing = 0.1): Input {
  const n = shape.reduce((p, d) => p * d, 1);
  const ranks = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
  }
  return { shape: [...shape], values: Float32Array.from(ranks, (r) => (r - n / 2) * spacing) };
}

/** Values given directly. */
export function input(shape: readonly number[], values: readonly number[]): Input {
  return { shape: [...shape], values: Float32Array.from(values) };
}

function tensorsOf(inputs: readonly Input[], requiresGrad: boolean): wg.Tensor[] {
  return inputs.map((x) => wg.tensor(x.values, { shape: x.shape, requiresGrad }));
}

type Fn = (...xs: wg.Tensor[]) => wg.Tensor;

/** f reduced to a scalar with a fixed random cotangent: Σ f(x) · w. */
function weighted(f: Fn, outShape: readonly number[], seed: number): { loss: Fn; weights: Float64Array } {
  const next = rng(seed);
  const n = outShape.reduce((p, d) => p * d, 1);
  const weights = Float64Array.from({ length: n }, () => 0.5 + next());
  const w = wg.tensor(Float32Array.from(weights), { shape: outShape });
  return { loss: (...xs) => f(...xs).mul(w).sum(), weights };
}

/** The analytic gradients of Σ f(x) · w (a fixed random cotangent w from `seed`) with respect to each input, through wg.grad. */
export async function analyticGradients(f: Fn, inputs: readonly Input[], seed: number): Promise<Float32Array[]> {
  const outShape = f(...tensorsOf(inputs, false)).shape;
  const { loss } = weighted(f, outShape, seed);
  const grads = wg.grad(loss)(...tensorsOf(inputs, true));
  wg.realize(...grads);
  return Promise.all(grads.map(async (g) => (await g.data()) as Float32Array));
}

/**
 * Central finite differences of `f` (a scalar function of a flat float32 input) at the
 * positions `at` of `x`, with step `eps`; the step is divided by as rounded to float32.
 */
export async function finiteDiff(f: (x: Float32Array) => Promise<number>, x: Float32Array, at: Iterable<number>, eps: number): Promise<number[]> {
  const out: number[] = [];
  for (const i of at) {
    const plus = x.slice();
    const minus = x.slice();
    plus[i] += eps;
    minus[i] -= eps;
    out.push(((await f(plus)) - (await f(minus))) / (plus[i] - minus[i]));
  }
  return out;
}

/** Σ y·r in float64. */
export function dot(y: ArrayLike<number>, r: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i] * r[i];
  return s;
}

export interface GradCheckOptions {
  /** Finite-difference step. */
  eps?: number;
  atol?: number;
  rtol?: number;
  seed?: number;
}

/**
 * Asserts that webgrad's gradients of `f` at `inputs` match central finite differences of the
 * forward pass (both on the CPU backend), with tolerances fit for float32.
 */
export async function checkGradients(f: Fn, inputs: readonly Input[], opts: GradCheckOptions = {}): Promise<void> {
  const { eps = 1e-2, atol = 2e-3, rtol = 1e-2, seed = 7 } = opts;
  expect(wg.getBackend()).toBe('cpu');
  const analytic = await analyticGradients(f, inputs, seed);
  const outShape = f(...tensorsOf(inputs, false)).shape;
  const { weights } = weighted(f, outShape, seed);
  const evaluate = async (xs: Input[]): Promise<number> => dot((await wg.noGrad(() => f(...tensorsOf(xs, false))).data()) as Float32Array, weights);
  const failures: string[] = [];
  for (let k = 0; k < inputs.length; k++) {
    const x = inputs[k].values;
    const withInput = (v: Float32Array) => inputs.map((inp, i) => (i === k ? { shape: inp.shape, values: v } : inp));
    const numeric = await finiteDiff((v) => evaluate(withInput(v)), x, x.map((_, j) => j), eps);
    numeric.forEach((d, j) => {
      const got = analytic[k][j];
      if (!(Math.abs(got - d) <= atol + rtol * Math.abs(d))) {
        failures.push(`input ${k} [${inputs[k].shape}] element ${j} (x = ${x[j]}): analytic ${got}, finite difference ${d}`);
      }
    });
  }
  expect(failures, failures.slice(0, 8).join('\n')).toEqual([]);
}

/**
 * Asserts that the WebGPU backend computes the same gradients of `f` as the CPU backend; returns
 * the CPU gradients. Leaves the CPU backend active.
 */
export async function checkGpuMatchesCpu(f: Fn, inputs: readonly Input[], opts: { atol?: number; rtol?: number } = {}): Promise<Float32Array[]> {
  const { atol = 1e-4, rtol = 1e-3 } = opts;
  await wg.init({ backend: 'cpu' });
  const cpu = await analyticGradients(f, inputs, 11);
  await wg.init({ backend: 'webgpu' });
  try {
    const gpu = await analyticGradients(f, inputs, 11);
    gpu.forEach((g, k) => {
      const bad = Array.from(g).flatMap((v, j) => (Math.abs(v - cpu[k][j]) <= atol + rtol * Math.abs(cpu[k][j]) ? [] : [`input ${k} element ${j}: gpu ${v}, cpu ${cpu[k][j]}`]));
      expect(bad, bad.slice(0, 8).join('\n')).toEqual([]);
    });
  } finally {
    await wg.init({ backend: 'cpu' });
  }
  return cpu;
}
