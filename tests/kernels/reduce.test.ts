// Reductions on WebGPU: the workgroup tree reduction (one workgroup per output when few outputs
// each reduce many values) and the two-pass split of large sums, on sizes that are not powers of
// two, against the CPU backend and float64 references computed here.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forceKernelVariant } from '../../src/backend/webgpu/calibrate';
import { REDUCE_FOLD_FAMILY } from '../../src/graph/codegen';
import { checkBoth, expectNoGpuErrors, initBoth, seeded, useBackend, wg } from '../helpers';

const SIZES = [1, 3, 17, 1000, 100003];

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

// Both folds of a cooperative reduce's 64 partials run here whatever the adapter picks: the tree
// real GPUs take and the serial fold SwiftShader takes. Sizes differ per fold, so neither reuses
// a plan compiled for the other.
describe.each(['tree', 'serial'])('cooperative reduces folded as a %s', (fold) => {
  const n = fold === 'tree' ? 1001 : 1003;
  afterEach(() => forceKernelVariant(REDUCE_FOLD_FAMILY, undefined));

  it('sum, max, argmax and argmin over one axis, and a tie across threads', async () => {
    forceKernelVariant(REDUCE_FOLD_FAMILY, fold);
    const v = seeded(3 * n, n, -2, 2);
    const x = () => wg.tensor(v, { shape: [3, n] });
    const rows = [0, 1, 2].map((r) => v.slice(r * n, (r + 1) * n).map(Math.fround));
    await checkBoth(() => x().sum(1), rows.map((r) => r.reduce((s, a) => s + a, 0)), { rtol: 1e-5, atol: 1e-4 });
    await checkBoth(() => x().max(1), rows.map((r) => Math.max(...r)));
    await checkBoth(() => x().argmax(1), rows.map((r) => r.indexOf(Math.max(...r))));
    await checkBoth(() => x().argmin(1), rows.map((r) => r.indexOf(Math.min(...r))));
    const tied = new Array<number>(n).fill(0);
    tied[n - 1] = tied[700] = tied[300] = 5;
    await checkBoth(() => wg.tensor(tied).argmax(), [300]);
  });
});

describe('tree reductions over one axis', () => {
  it.each(SIZES)('sum, mean, max, min, argmax and argmin of %i values', async (n) => {
    const v = seeded(n, n, -2, 2);
    const x = () => wg.tensor(v, { shape: [n] });
    const total = v.reduce((s, a) => s + a, 0);
    await checkBoth(() => x().sum(), [total], { rtol: 1e-5, atol: 1e-4 });
    await checkBoth(() => x().mean(), [total / n], { rtol: 1e-5, atol: 1e-6 });
    await checkBoth(() => x().max(), [Math.max(...v.map(Math.fround))]);
    await checkBoth(() => x().min(), [Math.min(...v.map(Math.fround))]);
    const f = v.map(Math.fround);
    await checkBoth(() => x().argmax(), [f.indexOf(Math.max(...f))]);
    await checkBoth(() => x().argmin(), [f.indexOf(Math.min(...f))]);
  });

  it.each([
    [[7, 1000], 1],
    [[1000, 7], 0],
    [[3, 17, 65], 1],
    [[33, 129], [0, 1]],
    [[3, 100003], 1],
  ] as [number[], number | number[]][])('shape %j over axis %j matches the cpu backend', async (shape, axis) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const v = seeded(size, size, -1, 1);
    await checkBoth(() => wg.tensor(v, { shape }).sum(axis), undefined, { rtol: 1e-5, atol: 1e-4 });
    await checkBoth(() => wg.tensor(v, { shape }).max(axis));
    await checkBoth(() => wg.tensor(v, { shape }).square().mean(axis, true), undefined, { rtol: 1e-5, atol: 1e-6 });
  });

  it('argmax picks the first of tied maxima across threads', async () => {
    const v = new Array<number>(1000).fill(0);
    v[700] = 5;
    v[300] = 5;
    v[999] = 5;
    await checkBoth(() => wg.tensor(v).argmax(), [300]);
  });

  it('products of sizes that are not powers of two', async () => {
    const v = seeded(129, 5, 0.9, 1.1);
    await checkBoth(() => wg.tensor(v).prod(), [v.reduce((p, a) => p * a, 1)], { rtol: 1e-5 });
  });
});

describe('two-pass split of huge sums', () => {
  it('a single sum over 100003 values runs as two dispatches, its prologue fused', async () => {
    await useBackend('webgpu');
    const v = seeded(100003, 9, -1, 1);
    const x = wg.tensor(v);
    wg.realize(x);
    wg.resetStats();
    const y = await x.square().sum().data();
    expect(wg.stats().dispatches).toBe(2);
    expect(y[0]).toBeCloseTo(v.reduce((s, a) => s + a * a, 0), 1);
  });

  it('sums of ones stay exact past float32 sequential rounding', async () => {
    await checkBoth(() => wg.ones([3000017]).sum(), [3000017]);
  });

  it('bool sums count', async () => {
    const v = seeded(70001, 11, -1, 1);
    await checkBoth(() => wg.tensor(v).greater(0).sum(), [v.filter((a) => Math.fround(a) > 0).length]);
  });

  it('gradients flow through the split', async () => {
    await useBackend('cpu');
    const x = wg.tensor(seeded(70001, 12), { requiresGrad: true });
    const [g] = wg.grad((t: wg.Tensor) => t.mul(2).sum())(x);
    const data = await g.data();
    expect(data.length).toBe(70001);
    expect(data.every((d) => d === 2)).toBe(true);
  });

  it.each([
    [[5001, 3], 0],
    [[7, 9, 70, 5], [0, 1, 2]],
    [[5, 4099], 1],
    [[3, 4100, 2], 1],
  ] as [number[], number | number[]][])('shape %j summed over axes %j (column, row and middle partials, padded) matches float64 sums', async (shape, axis) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const v = seeded(size, size + 1, -1, 1);
    const axes = typeof axis === 'number' ? [axis] : axis;
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const want = new Array<number>(kept.reduce((a, b) => a * b, 1)).fill(0);
    v.forEach((x, flat) => {
      const out = shape.reduce((o, _, i) => (axes.includes(i) ? o : o * kept[i] + (Math.floor(flat / strides[i]) % shape[i])), 0);
      want[out] += x;
    });
    await checkBoth(() => wg.tensor(v, { shape }).sum(axis), want, { rtol: 1e-5, atol: 1e-4 });
  });
});
