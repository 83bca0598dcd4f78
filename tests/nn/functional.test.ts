// wg.batchNorm, wg.layerNorm, wg.dropout and wg.embedding: values against float64 references
// written here, both backends, gradients against finite differences and WebGPU against the CPU.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, expectNoGpuErrors, initBoth, seeded, useBackend, wg } from '../helpers';
import { checkGpuMatchesCpu, checkGradients, rng, uniform } from '../autograd/gradcheck';
import type { Tensor } from '../../src/node';

beforeAll(initBoth);
afterAll(expectNoGpuErrors);

/** Rows of `x` [n, d] normalized with per-column (axis 'col') or per-row statistics, in float64. */
function refNormalize(x: number[], n: number, d: number, over: 'col' | 'row', eps: number, gamma: number[], beta: number[], stats?: { mean: number[]; variance: number[] }): number[] {
  const out = new Array<number>(n * d);
  const groups = over === 'col' ? d : n;
  for (let g = 0; g < groups; g++) {
    const idx = Array.from({ length: over === 'col' ? n : d }, (_, k) => (over === 'col' ? k * d + g : g * d + k));
    const mean = stats ? stats.mean[g] : idx.reduce((s, i) => s + x[i], 0) / idx.length;
    const variance = stats ? stats.variance[g] : idx.reduce((s, i) => s + (x[i] - mean) ** 2, 0) / idx.length;
    for (const i of idx) {
      const c = i % d;
      out[i] = ((x[i] - mean) / Math.sqrt(variance + eps)) * gamma[c] + beta[c];
    }
  }
  return out;
}

describe('batchNorm', () => {
  it('normalizes the last axis with the given statistics, then scales and shifts', async () => {
    const [n, d] = [5, 3];
    const x = seeded(n * d, 1, -2, 2);
    const [mean, variance, gamma, beta] = [seeded(d, 2), seeded(d, 3, 0.5, 2), seeded(d, 4), seeded(d, 5)];
    const expected = refNormalize(x, n, d, 'col', 1e-3, gamma, beta, { mean, variance });
    await checkBoth(() => wg.batchNorm(wg.tensor(x).reshape([n, d]), wg.tensor(mean), wg.tensor(variance), { gamma: wg.tensor(gamma), beta: wg.tensor(beta) }), expected, { rtol: 1e-5, atol: 1e-5 });
  });

  it('with batch statistics of a rank-4 input, gradients match finite differences', async () => {
    await useBackend('cpu');
    const next = rng(101);
    const f = (x: Tensor, g: Tensor, b: Tensor) => wg.batchNorm(x, x.mean([0, 1, 2]), x.variance([0, 1, 2]), { gamma: g, beta: b });
    await checkGradients(f, [uniform(next, [2, 2, 2, 3]), uniform(next, [3]), uniform(next, [3])]);
    await checkGpuMatchesCpu(f, [uniform(next, [2, 3, 3, 4]), uniform(next, [4]), uniform(next, [4])]);
  });

  it('throws ShapeError naming the shapes when a statistic does not match the last axis', () => {
    expect(() => wg.batchNorm(wg.zeros([4, 3]), wg.zeros([4]), wg.ones([3]))).toThrow(wg.ShapeError);
    expect(() => wg.batchNorm(wg.zeros([4, 3]), wg.zeros([4]), wg.ones([3]))).toThrow(/mean must have shape \[3\].*\[4,3\]/);
  });
});

describe('layerNorm', () => {
  it("normalizes each row with its own mean and population variance (PyTorch's layer_norm)", async () => {
    const [n, d] = [4, 6];
    const x = seeded(n * d, 7, -3, 3);
    const [gamma, beta] = [seeded(d, 8), seeded(d, 9)];
    const expected = refNormalize(x, n, d, 'row', 1e-5, gamma, beta);
    await checkBoth(() => wg.layerNorm(wg.tensor(x).reshape([n, d]), { gamma: wg.tensor(gamma), beta: wg.tensor(beta) }), expected, { rtol: 1e-4, atol: 1e-5 });
  });

  it('normalizes another axis when asked, γ and β along it', async () => {
    const x = seeded(2 * 3 * 2, 10, -2, 2);
    // Axis 1 of [2, 3, 2]: transpose to rows of 3, normalize, transpose back.
    const rows = [0, 1].flatMap((a) => [0, 1].map((c) => [0, 1, 2].map((b) => x[a * 6 + b * 2 + c])));
    const gamma = [0.5, 1, 2];
    const normed = rows.map((r) => refNormalize(r, 1, 3, 'row', 1e-5, gamma, [0, 0, 0]));
    const expected = [0, 1].flatMap((a) => [0, 1, 2].flatMap((b) => [0, 1].map((c) => normed[a * 2 + c][b])));
    await checkBoth(() => wg.layerNorm(wg.tensor(x).reshape([2, 3, 2]), { axis: 1, gamma: wg.tensor(gamma) }), expected, { rtol: 1e-4, atol: 1e-5 });
  });

  it('gradients match finite differences and WebGPU equals the CPU', async () => {
    await useBackend('cpu');
    const next = rng(102);
    const f = (x: Tensor, g: Tensor, b: Tensor) => wg.layerNorm(x, { gamma: g, beta: b });
    await checkGradients(f, [uniform(next, [3, 4]), uniform(next, [4]), uniform(next, [4])]);
    await checkGpuMatchesCpu(f, [uniform(next, [5, 7]), uniform(next, [7]), uniform(next, [7])]);
  });
});

describe('dropout', () => {
  it('zeroes about `rate` of the elements and scales the rest by 1/(1 − rate)', async () => {
    await useBackend('cpu');
    wg.seed(3);
    const y = (await wg.dropout(wg.ones([100, 100]), 0.3).data()) as Float32Array;
    const kept = y.filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.7)]));
    expect(kept.length / y.length).toBeGreaterThan(0.67);
    expect(kept.length / y.length).toBeLessThan(0.73);
  });

  it('is the identity when not training or at rate 0', () => {
    const x = wg.ones([3]);
    expect(wg.dropout(x, 0.5, { training: false })).toBe(x);
    expect(wg.dropout(x, 0)).toBe(x);
  });

  it('draws the same mask on both backends for the same seed', async () => {
    await checkBoth(() => wg.dropout(wg.tensor(seeded(64, 11)).reshape([8, 8]), 0.5, { seed: 42 }));
  });

  it('passes gradients only through kept elements, scaled', async () => {
    await useBackend('cpu');
    const x = wg.ones([50], { requiresGrad: true });
    const y = wg.dropout(x, 0.5, { seed: 5 });
    y.sum().backward();
    const [g, v] = [await x.grad!.data(), await y.data()];
    expect(Array.from(g)).toEqual(Array.from(v));
  });

  it('rejects a rate outside [0, 1)', () => {
    expect(() => wg.dropout(wg.ones([2]), 1)).toThrow(wg.ArgumentError);
  });
});

describe('embedding', () => {
  it('takes the rows of the table at the indices', async () => {
    const table = seeded(5 * 3, 12);
    const idx = [[4, 0], [2, 2]];
    const expected = idx.flat().flatMap((i) => table.slice(i * 3, i * 3 + 3));
    const got = await checkBoth(() => wg.embedding(wg.tensor(idx, { dtype: 'int32' }), wg.tensor(table).reshape([5, 3])), expected);
    expect(got.shape).toEqual([2, 2, 3]);
  });

  it('adds the gradient of every use of a row into that row', async () => {
    for (const backend of ['cpu', 'webgpu'] as const) {
      await useBackend(backend);
      const table = wg.zeros([4, 2], { requiresGrad: true });
      const w = wg.tensor([[1, 2], [3, 4], [5, 6]]);
      wg.embedding(wg.tensor([1, 3, 1], { dtype: 'int32' }), table).mul(w).sum().backward();
      expect(await table.grad!.array()).toEqual([[0, 0], [6, 8], [0, 0], [3, 4]]);
    }
  });

  it('rejects float indices and a table that is not [V, D]', () => {
    expect(() => wg.embedding(wg.zeros([2]), wg.zeros([3, 2]))).toThrow(wg.DTypeError);
    expect(() => wg.embedding(wg.zeros([2], { dtype: 'int32' }), wg.zeros([3]))).toThrow(wg.ShapeError);
  });
});
