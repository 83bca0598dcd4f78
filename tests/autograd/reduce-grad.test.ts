// Gradients of reductions, softmax and logSoftmax against finite differences, and how max/min
// share the gradient between ties (as PyTorch's amax/amin).

import { beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/node';
import { checkGradients, distinct, randomShape, rng, uniform } from './gradcheck';

beforeAll(async () => {
  await wg.init({ backend: 'cpu' });
});

/** A random shape of rank 1…3 and a random non-empty subset of its axes. */
function shapeAndAxes(seed: number): { shape: number[]; axes: number[]; next: () => number } {
  const next = rng(seed);
  const shape = randomShape(next, 1 + Math.floor(next() * 3));
  let axes = shape.flatMap((_, i) => (next() < 0.5 ? [i] : []));
  if (axes.length === 0) axes = [Math.floor(next() * shape.length)];
  return { shape, axes, next };
}

describe('reduction gradients match finite differences', () => {
  for (let run = 0; run < 3; run++) {
    const keep = run === 1;
    it(`sum and mean (run ${run})`, async () => {
      const { shape, axes, next } = shapeAndAxes(400 + run);
      await checkGradients((x) => x.sum(axes, keep), [uniform(next, shape)]);
      await checkGradients((x) => x.mean(axes, keep), [uniform(next, shape)]);
    });

    it(`max and min without ties (run ${run})`, async () => {
      const { shape, axes, next } = shapeAndAxes(410 + run);
      await checkGradients((x) => x.max(axes, keep), [distinct(next, shape)]);
      await checkGradients((x) => x.min(axes, keep), [distinct(next, shape)]);
    });

    it(`prod (run ${run})`, async () => {
      const { shape, axes, next } = shapeAndAxes(420 + run);
      await checkGradients((x) => x.prod(axes, keep), [uniform(next, shape, { lo: 0.5, hi: 1.5 })]);
    });

    it(`variance and logSumExp (run ${run})`, async () => {
      const { shape, axes, next } = shapeAndAxes(430 + run);
      await checkGradients((x) => x.variance(axes, keep), [uniform(next, shape)]);
      await checkGradients((x) => x.logSumExp(axes, keep), [uniform(next, shape)]);
    });

    it(`softmax and logSoftmax (run ${run})`, async () => {
      const next = rng(440 + run);
      const shape = randomShape(next, 1 + Math.floor(next() * 3));
      const axis = Math.floor(next() * shape.length);
      await checkGradients((x) => x.softmax(axis), [uniform(next, shape)]);
      await checkGradients((x) => x.logSoftmax(axis), [uniform(next, shape)]);
    });
  }

  it('reduction over every axis (no axis given)', async () => {
    const next = rng(450);
    await checkGradients((x) => x.max(), [distinct(next, [2, 3])]);
    await checkGradients((x) => x.prod(), [uniform(next, [2, 3], { lo: 0.5, hi: 1.5 })]);
    await checkGradients((x) => x.variance(), [uniform(next, [5])]);
  });
});

describe('losses written from the core ops differentiate with respect to their targets too', () => {
  it('cross-entropy with probability targets: logits and targets', async () => {
    const next = rng(460);
    const ce = (logits: wg.Tensor, targets: wg.Tensor) => logits.logSoftmax().mul(targets).sum(1).mean().neg();
    await checkGradients(ce, [uniform(next, [3, 4]), uniform(next, [3, 4], { lo: 0, hi: 1 })]);
  });

  it('mean squared error: predictions and targets', async () => {
    const next = rng(461);
    await checkGradients((p, t) => p.sub(t).square().mean(), [uniform(next, [4, 2]), uniform(next, [4, 2])]);
  });
});

describe('ties, zeros and large values', () => {
  it('max and min split the gradient evenly over tied extremes', async () => {
    const x = wg.tensor([[1, 3, 3], [2, 0, 0]], { requiresGrad: true });
    x.max(1).sum().add(x.min(1).sum()).backward();
    expect(await x.grad!.array()).toEqual([[1, 0.5, 0.5], [1, 0.5, 0.5]]);
  });

  it('max over everything splits among all tied maxima', async () => {
    const x = wg.tensor([4, 1, 4, 4], { requiresGrad: true });
    x.max().backward();
    const g = (await x.grad!.data()) as Float32Array;
    expect(Array.from(g)).toEqual([1 / 3, 0, 1 / 3, 1 / 3].map(Math.fround));
  });

  it('prod has the exact gradient where elements are 0', async () => {
    const x = wg.tensor([[2, 0, 3], [0, 5, 0], [2, 3, 4]], { requiresGrad: true });
    x.prod(1).sum().backward();
    expect(await x.grad!.array()).toEqual([[0, 6, 0], [0, 0, 0], [12, 8, 6]]);
  });

  it('softmax and logSoftmax gradients stay finite for logits of magnitude 1000', async () => {
    const x = wg.tensor([[1000, -1000, 0], [500, 500, -1000]], { requiresGrad: true });
    const w = wg.tensor([[1, 2, 3], [-1, 0.5, 2]]);
    x.logSoftmax().mul(w).sum().add(x.softmax().mul(w).sum()).backward();
    const g = (await x.grad!.data()) as Float32Array;
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
    // logSoftmax: w − s·Σw; softmax: s·(w − Σ s·w); s is one-hot on row 0, halves on row 1.
    expect(g[0]).toBeCloseTo(1 - 6 + 0, 4);
    expect(g[3]).toBeCloseTo(-1 - 0.75 + 0.5 * (-1 + 0.25), 4);
    expect(g[5]).toBeCloseTo(2, 4);
  });

  it('logSumExp gradient is the softmax of its inputs', async () => {
    const x = wg.tensor([[0, Math.log(3)]], { requiresGrad: true });
    x.logSumExp(1).sum().backward();
    const g = (await x.grad!.data()) as Float32Array;
    expect(g[0]).toBeCloseTo(0.25, 6);
    expect(g[1]).toBeCloseTo(0.75, 6);
  });
});
