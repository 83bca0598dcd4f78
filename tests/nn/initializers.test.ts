// wg.initializers and wg.regularizers: each initializer's distribution by its Keras definition
// (limits, standard deviations, fans of conv kernels, orthogonality), reproducibility under
// wg.seed, and the penalties a model exposes through regularizationLoss().

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose, expectNoGpuErrors, initBoth, useBackend, wg } from '../helpers';
import type { Tensor } from '../../src/node';

beforeAll(async () => {
  await initBoth();
  await useBackend('cpu');
});
afterAll(expectNoGpuErrors);

async function moments(t: Tensor): Promise<{ mean: number; std: number; maxAbs: number }> {
  const v = Array.from(await t.data());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, maxAbs: Math.max(...v.map(Math.abs)) };
}

describe('initializers', () => {
  it('glorotUniform: uniform in ±√(6 / (fanIn + fanOut)), fans of a conv kernel include its window', async () => {
    const limit = Math.sqrt(6 / (3 * 3 * 16 + 3 * 3 * 32));
    const m = await moments(wg.initializers.glorotUniform().init([3, 3, 16, 32]));
    expect(m.maxAbs).toBeLessThanOrEqual(limit);
    expect(m.maxAbs).toBeGreaterThan(0.95 * limit);
    expect(m.std).toBeCloseTo(limit / Math.sqrt(3), 2);
  });

  it.each([
    ['heNormal', 2, 'fanIn'],
    ['lecunNormal', 1, 'fanIn'],
    ['glorotNormal', 1, 'fanAvg'],
  ] as const)('%s: truncated normal with standard deviation √(%i / fan)', async (name, scale, mode) => {
    const [fanIn, fanOut] = [200, 100];
    const fan = mode === 'fanIn' ? fanIn : (fanIn + fanOut) / 2;
    const m = await moments(wg.initializers[name]().init([fanIn, fanOut]));
    const std = Math.sqrt(scale / fan);
    expect(Math.abs(m.std - std) / std).toBeLessThan(0.03);
    expect(m.maxAbs).toBeLessThanOrEqual((2 * std) / 0.8796 + 1e-6);
  });

  it('heUniform: uniform in ±√(6 / fanIn)', async () => {
    const m = await moments(wg.initializers.heUniform().init([50, 400]));
    expect(m.maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / 50));
    expect(m.maxAbs).toBeGreaterThan(0.95 * Math.sqrt(6 / 50));
  });

  it('orthogonal gives orthonormal columns (rows when wide), times gain', async () => {
    for (const [rows, cols] of [[8, 5], [4, 12]]) {
      const q = wg.initializers.orthogonal({ gain: 2 }).init([rows, cols]);
      const gram = rows >= cols ? q.transpose().matmul(q) : q.matmul(q.transpose());
      const k = Math.min(rows, cols);
      expectClose(await gram.data(), Array.from({ length: k * k }, (_, i) => (i % (k + 1) === 0 ? 4 : 0)), { atol: 1e-5 });
    }
  });

  it('constants, ones, zeros, randomNormal and randomUniform', async () => {
    expect(Array.from(await wg.initializers.constant({ value: 0.5 }).init([3]).data())).toEqual([0.5, 0.5, 0.5]);
    expect(Array.from(await wg.initializers.ones().init([2]).data())).toEqual([1, 1]);
    expect(Array.from(await wg.initializers.zeros().init([2]).data())).toEqual([0, 0]);
    const n = await moments(wg.initializers.randomNormal({ mean: 1, stddev: 0.1 }).init([100, 100]));
    expect(n.mean).toBeCloseTo(1, 2);
    expect(n.std).toBeCloseTo(0.1, 2);
    const u = Array.from(await wg.initializers.randomUniform({ minval: 2, maxval: 3 }).init([1000]).data());
    expect(u.every((v) => v >= 2 && v < 3)).toBe(true);
  });

  it('are reproducible under wg.seed and follow it in layers', async () => {
    wg.seed(9);
    const a = await wg.layers.dense({ units: 4, inputShape: [3] }).kernel!.data();
    wg.seed(9);
    const b = await wg.layers.dense({ units: 4, inputShape: [3] }).kernel!.data();
    expect(b).toEqual(a);
    const c = await wg.layers.dense({ units: 4, inputShape: [3] }).kernel!.data();
    expect(c).not.toEqual(a);
  });

  it('layers take an initializer by name or as an object', async () => {
    const layer = wg.layers.dense({ units: 2, inputShape: [2], kernelInitializer: 'ones', biasInitializer: wg.initializers.constant({ value: 3 }) });
    expect(Array.from(await layer.kernel!.data())).toEqual([1, 1, 1, 1]);
    expect(Array.from(await layer.bias!.data())).toEqual([3, 3]);
    expect(() => wg.layers.dense({ units: 2, inputShape: [2], kernelInitializer: 'nope' as 'ones' })).toThrow(/unknown initializer 'nope'/);
  });
});

describe('regularizers', () => {
  const w = () => wg.tensor([[1, -2], [3, -4]]);

  it('l1, l2 and l1l2 are a·Σ|w| + b·Σw² (Keras default factor 0.01)', async () => {
    expect(await wg.regularizers.l1().penalty(w()).item()).toBeCloseTo(0.1, 6);
    expect(await wg.regularizers.l2(0.5).penalty(w()).item()).toBeCloseTo(15, 5);
    expect(await wg.regularizers.l1l2({ l1: 0.1, l2: 0.01 }).penalty(w()).item()).toBeCloseTo(1 + 0.3, 5);
    expect(() => wg.regularizers.l2(-1)).toThrow(wg.ArgumentError);
  });

  it("a model's regularizationLoss sums its layers' kernel penalties, biases untouched", async () => {
    class Net extends wg.nn.Module {
      a = wg.layers.dense({ units: 2, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'ones', kernelRegularizer: wg.regularizers.l2(0.1) });
      b = wg.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', kernelRegularizer: wg.regularizers.l1(0.5) });
      c = wg.layers.dense({ units: 1, inputShape: [2], kernelInitializer: 'ones' });
    }
    expect(await new Net().regularizationLoss().item()).toBeCloseTo(0.1 * 4 + 0.5 * 2, 6);
    expect(await new wg.nn.Module().regularizationLoss().item()).toBe(0);
  });

  it('its gradient reaches the kernels', async () => {
    const layer = wg.layers.dense({ units: 2, inputShape: [2], kernelInitializer: 'ones', kernelRegularizer: wg.regularizers.l2(0.25) });
    layer.regularizationLoss().backward();
    expect(Array.from(await layer.kernel!.grad!.data())).toEqual([0.5, 0.5, 0.5, 0.5]);
  });
});
