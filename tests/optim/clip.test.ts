// Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_): the total norm, the
// scaled gradients, parameters without a gradient skipped, on both backends.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { expectClose, expectNoGpuErrors, initBoth, useBackend, wg } from '../helpers';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

/** Two parameters whose gradients are exactly `ga` and `gb` (the loss is Σ g·p). */
function withGrads(ga: number[], gb: number[]) {
  const a = wg.tensor(ga.map(() => 0), { requiresGrad: true });
  const b = wg.tensor(gb.map(() => 0), { requiresGrad: true });
  const unused = wg.tensor([5], { requiresGrad: true });
  a.mul(wg.tensor(ga)).sum().add(b.mul(wg.tensor(gb)).sum()).backward();
  return { a, b, unused };
}

describe('clipGradNorm', () => {
  for (const backend of ['cpu', 'webgpu'] as const) {
    test(`returns the total 2-norm and scales every gradient by maxNorm / (norm + 1e-6) (${backend})`, async () => {
      await useBackend(backend);
      const { a, b, unused } = withGrads([3, 0, -4], [12]);
      const norm = wg.optim.clipGradNorm([a, b, unused], 6.5);
      expectClose([await norm.item()], [13]);
      const s = 6.5 / (13 + 1e-6);
      expectClose(await a.grad!.data(), [3 * s, 0, -4 * s]);
      expectClose(await b.grad!.data(), [12 * s]);
      expect(unused.grad).toBeNull();
    });
  }

  test('leaves gradients below maxNorm as they are', async () => {
    await useBackend('webgpu');
    const { a, b } = withGrads([0.3, 0.4], [0]);
    const norm = wg.optim.clipGradNorm({ parameters: () => [a, b] }, 1);
    expectClose([await norm.item()], [0.5]);
    expectClose(await a.grad!.data(), [0.3, 0.4]);
  });

  test('is computed with the optimizer step that follows, and the step uses the clipped gradients', async () => {
    await useBackend('webgpu');
    const { a, b } = withGrads([3, 4], [0]);
    const opt = new wg.optim.SGD([a, b], { lr: 1 });
    const norm = wg.optim.clipGradNorm([a, b], 1);
    wg.resetStats();
    opt.step();
    expect(wg.stats().realizes).toBe(1);
    expectClose(await a.data(), [-0.6, -0.8], { rtol: 1e-5 });
    expectClose([await norm.item()], [5]);
  });
});

describe('clipGradValue', () => {
  test('clips every gradient to [−value, value] on both backends', async () => {
    for (const backend of ['cpu', 'webgpu'] as const) {
      await useBackend(backend);
      const { a, b, unused } = withGrads([3, -0.2, -4], [0.5]);
      wg.optim.clipGradValue([a, b, unused], 0.5);
      expectClose(await a.grad!.data(), [0.5, -0.2, -0.5]);
      expectClose(await b.grad!.data(), [0.5]);
      expect(unused.grad).toBeNull();
    }
  });

  test('a negative value is an ArgumentError', () => {
    expect(() => wg.optim.clipGradValue([], -1)).toThrow(wg.ArgumentError);
    expect(() => wg.optim.clipGradNorm([], NaN)).toThrow(wg.ArgumentError);
  });
});
