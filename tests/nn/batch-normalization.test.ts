// The BatchNormalization layer: batch statistics in training with the moving statistics updated
// (momentum, the unbiased batch variance) with the next realize; moving statistics in eval();
// WebGPU against the CPU.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, expectClose, expectNoGpuErrors, initBoth, seeded, useBackend, wg } from '../helpers';

beforeAll(initBoth);
afterAll(expectNoGpuErrors);

const [n, c] = [6, 3];
const values = seeded(n * c, 21, -2, 3);

/** Per-channel mean and variance (biased or unbiased) of `values` [n, c], in float64. */
function stats(unbiased: boolean): { mean: number[]; variance: number[] } {
  const mean = Array.from({ length: c }, (_, j) => values.filter((_, i) => i % c === j).reduce((a, b) => a + b, 0) / n);
  const variance = mean.map((m, j) => values.filter((_, i) => i % c === j).reduce((a, v) => a + (v - m) ** 2, 0) / (unbiased ? n - 1 : n));
  return { mean, variance };
}

describe('batchNormalization', () => {
  it('normalizes with the batch statistics in training (biased variance, ε = 1e-3)', async () => {
    const { mean, variance } = stats(false);
    const expected = values.map((v, i) => (v - mean[i % c]) / Math.sqrt(variance[i % c] + 1e-3));
    await checkBoth(() => wg.layers.batchNormalization({ inputShape: [c] }).apply(wg.tensor(values).reshape([n, c])), expected, { atol: 1e-5, rtol: 1e-4 });
  });

  it('moves its statistics by momentum toward the batch mean and the unbiased batch variance', async () => {
    for (const backend of ['cpu', 'webgpu'] as const) {
      await useBackend(backend);
      const bn = wg.layers.batchNormalization({ momentum: 0.9, inputShape: [c] });
      const x = wg.tensor(values).reshape([n, c]);
      wg.realize(bn.apply(x));
      bn.apply(x);
      const { mean, variance } = stats(true);
      // Two steps from (0, 1): m₂ = 0.81·m₀ + 0.19·batch.
      expectClose(await bn.movingMean!.data(), mean.map((m) => 0.19 * m), { atol: 1e-6, rtol: 1e-5 });
      expectClose(await bn.movingVariance!.data(), variance.map((v) => 0.81 + 0.19 * v), { atol: 1e-6, rtol: 1e-5 });
    }
  });

  it('uses the moving statistics and changes nothing after eval()', async () => {
    await useBackend('cpu');
    const bn = wg.layers.batchNormalization({ momentum: 0.5, epsilon: 0.01, inputShape: [c] });
    const x = wg.tensor(values).reshape([n, c]);
    bn.apply(x);
    bn.eval();
    const [mm, mv] = [await bn.movingMean!.data(), await bn.movingVariance!.data()];
    const y = await bn.apply(x).data();
    expectClose(y, values.map((v, i) => (v - mm[i % c]) / Math.sqrt(mv[i % c] + 0.01)), { atol: 1e-5, rtol: 1e-5 });
    expect(await bn.movingMean!.data()).toEqual(mm);
  });

  it('trains γ and β; the moving statistics get no gradient', async () => {
    await useBackend('cpu');
    const bn = wg.layers.batchNormalization({ inputShape: [c] });
    bn.apply(wg.tensor(values).reshape([n, c])).mul(wg.tensor(seeded(n * c, 3)).reshape([n, c])).sum().backward();
    expect(bn.gamma!.grad).not.toBeNull();
    expect(bn.beta!.grad).not.toBeNull();
    expect(bn.movingMean!.requiresGrad).toBe(false);
  });
});
