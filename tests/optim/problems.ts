// The two problems the optimizer suites step on: a small quadratic and a small tanh MLP, each
// with float64 gradients written here (independent of webgrad's autograd), and a runner that
// steps a webgrad optimizer on either backend and records the parameters after every step.

import { expectClose, useBackend, wg } from '../helpers';
import type { Tensor } from '../../src/node';

/** Parameters as plain float64 arrays, one per tensor. */
export type Values = number[][];

export interface Problem {
  readonly shapes: readonly (readonly number[])[];
  readonly init: Values;
  /** The float64 gradient of the loss at `params`. */
  grads(params: Values): Values;
  /** The loss as a webgrad graph of the parameters. */
  loss(params: Tensor[]): Tensor;
}

const f32 = (xs: number[]) => xs.map(Math.fround);

/** ½ Σ aᵢ (pᵢ − cᵢ)² over two parameters of shapes [6] and [2, 3]. */
export function quadratic(): Problem {
  const a = [[0.5, 1, 2, 3, 0.25, 1.5], [1, 2, 0.5, 0.75, 1.25, 4]];
  const c = [[1, -2, 0.5, 3, -1, 0], [0.3, -0.7, 2, 1, -1.5, 0.1]];
  return {
    shapes: [[6], [2, 3]],
    init: [f32([0.2, 0.4, -0.6, 0.8, 1, -1.2]), f32([-0.5, 0.25, 0.75, -1, 0.5, 2])],
    grads: (ps) => ps.map((p, k) => p.map((v, i) => a[k][i] * (v - c[k][i]))),
    loss: (ps) => ps.map((p, k) => p.sub(wg.tensor(c[k], { shape: p.shape })).square().mul(wg.tensor(a[k], { shape: p.shape })).sum().mul(0.5)).reduce((x, y) => x.add(y)),
  };
}

const X = [0.5, -1, 0.25, 1.5, 0.3, -0.2, -0.7, 0.8, 1.1, 0.05, -0.4, 0.9]; // [4, 3]
const Y = [0.2, -0.5, 1, 0.3, -0.8, 0.6, 0.1, 0.4]; // [4, 2]

/** A 3-5-2 MLP (tanh hidden layer) with the mean squared error on a fixed batch of 4. */
export function mlp(): Problem {
  const init = [
    f32(Array.from({ length: 15 }, (_, i) => 0.3 * Math.sin(1.7 * i + 0.3))),
    f32(Array.from({ length: 5 }, (_, i) => 0.1 * Math.cos(i))),
    f32(Array.from({ length: 10 }, (_, i) => 0.4 * Math.cos(1.3 * i + 0.5))),
    f32([0.05, -0.05]),
  ];
  return {
    shapes: [[3, 5], [5], [5, 2], [2]],
    init,
    grads: ([w1, b1, w2, b2]) => {
      const gw1 = new Array(15).fill(0), gb1 = new Array(5).fill(0), gw2 = new Array(10).fill(0), gb2 = [0, 0];
      for (let n = 0; n < 4; n++) {
        const h = Array.from({ length: 5 }, (_, j) => Math.tanh(b1[j] + [0, 1, 2].reduce((s, i) => s + X[n * 3 + i] * w1[i * 5 + j], 0)));
        const dO = [0, 1].map((k) => (2 * (b2[k] + h.reduce((s, hj, j) => s + hj * w2[j * 2 + k], 0) - Y[n * 2 + k])) / 8);
        for (let k = 0; k < 2; k++) {
          gb2[k] += dO[k];
          for (let j = 0; j < 5; j++) gw2[j * 2 + k] += h[j] * dO[k];
        }
        for (let j = 0; j < 5; j++) {
          const dz = (dO[0] * w2[j * 2] + dO[1] * w2[j * 2 + 1]) * (1 - h[j] * h[j]);
          gb1[j] += dz;
          for (let i = 0; i < 3; i++) gw1[i * 5 + j] += X[n * 3 + i] * dz;
        }
      }
      return [gw1, gb1, gw2, gb2];
    },
    loss: ([w1, b1, w2, b2]) => wg.tensor(X, { shape: [4, 3] }).matmul(w1).add(b1).tanh().matmul(w2).add(b2).sub(wg.tensor(Y, { shape: [4, 2] })).square().mean(),
  };
}

/** Fresh parameter tensors of a problem's initial values. */
export function paramsOf(problem: Problem): Tensor[] {
  return problem.init.map((v, k) => wg.tensor(v, { shape: problem.shapes[k], requiresGrad: true }));
}

/**
 * Steps an optimizer built by `make` on `problem` for `steps` steps (zeroGrad, backward, step)
 * on `backend`; returns the parameters after each step.
 */
export async function trajectory(backend: 'webgpu' | 'cpu', problem: Problem, make: (params: Tensor[]) => { zeroGrad(): void; step(): void }, steps = 5): Promise<Values[]> {
  await useBackend(backend);
  const params = paramsOf(problem);
  const opt = make(params);
  const out: Values[] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    problem.loss(params).backward();
    opt.step();
    out.push(await Promise.all(params.map(async (p) => Array.from(await p.data()))));
  }
  return out;
}

/**
 * Runs a float64 reference: `update(params, grads, t)` (t = 1, 2, …) returns the new
 * parameters; the gradients come from the problem's own float64 gradient.
 */
export function referenceTrajectory(problem: Problem, update: (params: Values, grads: Values, t: number) => Values, steps = 5): Values[] {
  let params = problem.init.map((p) => [...p]);
  const out: Values[] = [];
  for (let t = 1; t <= steps; t++) {
    params = update(params, problem.grads(params), t);
    out.push(params.map((p) => [...p]));
  }
  return out;
}

/** Asserts an optimizer matches its reference step for step on both backends. */
export async function expectMatchesReference(
  problem: Problem,
  make: (params: Tensor[]) => { zeroGrad(): void; step(): void },
  update: (params: Values, grads: Values, t: number) => Values,
  tol = { rtol: 1e-4, atol: 1e-5 },
): Promise<void> {
  const ref = referenceTrajectory(problem, update);
  for (const backend of ['cpu', 'webgpu'] as const) {
    const got = await trajectory(backend, problem, make);
    got.forEach((step, s) => step.forEach((p, k) => expectClose(p, ref[s][k], tol)));
  }
}
