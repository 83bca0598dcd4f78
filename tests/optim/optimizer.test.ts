// What every optimizer shares (src/optim/optimizer.ts): parameter groups with their own options,
// modules re-read at each step, parameters without a gradient skipped, NaN gradients passed on,
// zeroGrad, schedules as learning rates, and options out of range rejected at construction.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { expectClose, expectNoGpuErrors, initBoth, useBackend, wg } from '../helpers';
import type { Tensor } from '../../src/node';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

/** Gradient of Σ p²/2 is p itself: an SGD step multiplies p by (1 − lr). */
const halfSquares = (ps: Tensor[]) => ps.map((p) => p.square().sum().mul(0.5)).reduce((a, b) => a.add(b));

describe('parameter groups', () => {
  test('each group steps with its own learning rate, the others with the defaults', async () => {
    await useBackend('webgpu');
    const a = wg.tensor([1, 2], { requiresGrad: true });
    const b = wg.tensor([4], { requiresGrad: true });
    const opt = new wg.optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    halfSquares([a, b]).backward();
    opt.step();
    expectClose(await a.data(), [0.9, 1.8]);
    expectClose(await b.data(), [2]);
  });

  test('options of a group can be changed between steps, as PyTorch param_groups', async () => {
    await useBackend('cpu');
    const a = wg.tensor([1], { requiresGrad: true });
    const opt = new wg.optim.SGD([a], { lr: 0.5 });
    opt.paramGroups[0].lr = 0.25;
    halfSquares([a]).backward();
    opt.step();
    expectClose(await a.data(), [0.75]);
  });

  test('a parameter in two groups is an error at step', async () => {
    await useBackend('cpu');
    const a = wg.tensor([1], { requiresGrad: true });
    const opt = new wg.optim.SGD([{ params: [a] }, { params: [a] }], { lr: 0.5 });
    halfSquares([a]).backward();
    expect(() => opt.step()).toThrow(wg.ArgumentError);
  });
});

describe('parameter sources', () => {
  test('a module is re-read at every step, so parameters created after the optimizer are taken', async () => {
    await useBackend('webgpu');
    const module = { params: [wg.tensor([1], { requiresGrad: true })], parameters() { return this.params; } };
    const opt = new wg.optim.SGD(module, { lr: 0.5 });
    module.params.push(wg.tensor([2, 2], { requiresGrad: true }));
    halfSquares(module.params).backward();
    opt.step();
    expectClose(await module.params[0].data(), [0.5]);
    expectClose(await module.params[1].data(), [1, 1]);
  });

  test("trains a wg.nn.Module in API.md's PyTorch loop, taking the layers' parameters built after it", async () => {
    await useBackend('webgpu');
    class Net extends wg.nn.Module {
      fc1 = wg.layers.dense({ units: 8 });
      fc2 = wg.layers.dense({ units: 3 });
      override forward(x: Tensor): Tensor {
        return this.fc2.apply(this.fc1.apply(x).relu()) as Tensor;
      }
    }
    wg.seed(3);
    const net = new Net();
    const opt = new wg.optim.Adam(net, { lr: 0.05 });
    const x = wg.randn([16, 4], { seed: 5 });
    const y = wg.randint(0, 3, [16], { seed: 6 });
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) {
      opt.zeroGrad();
      const loss = wg.losses.crossEntropy(net.forward(x), y);
      loss.backward();
      opt.step();
      losses.push(await loss.item());
    }
    expect(opt.state.size).toBe(4);
    expect(losses[19]).toBeLessThan(losses[0] * 0.7);
  });

  test('step() with no parameters says so', async () => {
    await useBackend('cpu');
    const opt = new wg.optim.Adam([]);
    expect(() => opt.step()).toThrow(/holds no parameters/);
    const empty = new wg.optim.Adam({ parameters: () => [] });
    expect(() => empty.step()).toThrow(wg.ArgumentError);
  });

  test('a parameter list of the wrong kind is an ArgumentError', () => {
    expect(() => new wg.optim.SGD([1, 2] as unknown as Tensor[])).toThrow(wg.ArgumentError);
    expect(() => new wg.optim.SGD(42 as unknown as Tensor[])).toThrow(wg.ArgumentError);
  });
});

describe('step', () => {
  test('skips a parameter without a gradient: its value and state stay, its step count too', async () => {
    await useBackend('webgpu');
    const used = wg.tensor([1, -1], { requiresGrad: true });
    const unused = wg.tensor([3], { requiresGrad: true });
    const opt = new wg.optim.Adam([used, unused], { lr: 0.1 });
    halfSquares([used]).backward();
    opt.step();
    expect(unused.grad).toBeNull();
    expectClose(await unused.data(), [3]);
    expect(opt.state.has(unused)).toBe(false);
    expect(opt.state.get(used)!.step).toBe(1);
    // Adam's first step moves every coordinate by lr·sign(g) (to float32 precision).
    expectClose(await used.data(), [0.9, -0.9], { rtol: 1e-5 });
  });

  test('a NaN gradient propagates into the parameter (no silent masking)', async () => {
    for (const backend of ['cpu', 'webgpu'] as const) {
      await useBackend(backend);
      const p = wg.tensor([1, 2], { requiresGrad: true });
      const opt = new wg.optim.Adam([p], { lr: 0.1 });
      p.mul(wg.tensor([NaN, 1])).sum().backward();
      opt.step();
      const v = await p.data();
      expect(Number.isNaN(v[0]), backend).toBe(true);
      expectClose([v[1]], [1.9], { rtol: 1e-5 });
    }
  });

  test('keeps the parameter tensor: same object, still a leaf that requires gradients', async () => {
    await useBackend('webgpu');
    const p = wg.tensor([1, 2], { requiresGrad: true });
    const opt = new wg.optim.SGD([p], { lr: 0.5 });
    halfSquares([p]).backward();
    opt.step();
    expect(p.requiresGrad).toBe(true);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
    halfSquares([p]).backward();
    opt.step();
    expectClose(await p.data(), [0.25, 0.5]);
  });

  test('zeroGrad drops the gradients, so the next backward does not accumulate onto them', async () => {
    await useBackend('cpu');
    const p = wg.tensor([2], { requiresGrad: true });
    const opt = new wg.optim.SGD([p], { lr: 1 });
    halfSquares([p]).backward();
    halfSquares([p]).backward();
    expectClose(await p.grad!.data(), [4]);
    opt.zeroGrad();
    expect(p.grad).toBeNull();
  });

  test('a schedule as lr is called with the step index, 0 on the first step', async () => {
    await useBackend('webgpu');
    const p = wg.tensor([1], { requiresGrad: true });
    const seen: number[] = [];
    const opt = new wg.optim.SGD([p], { lr: (step) => (seen.push(step), 0.5 ** (step + 1)) });
    const values: number[] = [];
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      halfSquares([p]).backward();
      opt.step();
      values.push(await p.item());
    }
    expect(seen).toEqual([0, 1, 2]);
    expectClose(values, [0.5, 0.5 * 0.75, 0.5 * 0.75 * 0.875]);
  });

  test('a schedule that returns a negative learning rate is an ArgumentError at that step', async () => {
    await useBackend('cpu');
    const p = wg.tensor([1], { requiresGrad: true });
    const opt = new wg.optim.SGD([p], { lr: (step) => 0.1 - step });
    halfSquares([p]).backward();
    opt.step();
    opt.zeroGrad();
    halfSquares([p]).backward();
    expect(() => opt.step()).toThrow(/learning rate must be a finite number ≥ 0, got -0.9 at step 1/);
  });
});

describe('options out of range throw an ArgumentError at construction', () => {
  const p = () => [wg.tensor([1], { requiresGrad: true })];
  const cases: [string, () => unknown][] = [
    ['SGD lr < 0', () => new wg.optim.SGD(p(), { lr: -0.1 })],
    ['SGD momentum < 0', () => new wg.optim.SGD(p(), { momentum: -1 })],
    ['SGD nesterov without momentum', () => new wg.optim.SGD(p(), { nesterov: true })],
    ['SGD nesterov with dampening', () => new wg.optim.SGD(p(), { momentum: 0.9, dampening: 0.1, nesterov: true })],
    ['Adam lr NaN', () => new wg.optim.Adam(p(), { lr: NaN })],
    ['Adam beta1 = 1', () => new wg.optim.Adam(p(), { betas: [1, 0.999] })],
    ['Adam beta2 < 0', () => new wg.optim.Adam(p(), { betas: [0.9, -0.1] })],
    ['Adam eps = 0', () => new wg.optim.Adam(p(), { eps: 0 })],
    ['Adam weightDecay < 0', () => new wg.optim.Adam(p(), { weightDecay: -1 })],
    ['AdamW eps < 0', () => new wg.optim.AdamW(p(), { eps: -1e-8 })],
    ['AdamW betas not a pair', () => new wg.optim.AdamW(p(), { betas: [0.9] as unknown as [number, number] })],
    ['RMSprop alpha < 0', () => new wg.optim.RMSprop(p(), { alpha: -0.5 })],
    ['RMSprop eps = 0', () => new wg.optim.RMSprop(p(), { eps: 0 })],
    ['Adagrad lr < 0', () => new wg.optim.Adagrad(p(), { lr: -1 })],
    ['Adagrad eps = 0', () => new wg.optim.Adagrad(p(), { eps: 0 })],
    ['a group with lr < 0', () => new wg.optim.Adam([{ params: p(), lr: -1 }])],
  ];
  for (const [what, make] of cases) test(what, () => expect(make).toThrow(wg.ArgumentError));
});

describe('defaults', () => {
  test("are PyTorch's", () => {
    const p = [wg.tensor([1], { requiresGrad: true })];
    expect(new wg.optim.SGD(p).paramGroups[0]).toMatchObject({ lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
    expect(new wg.optim.Adam(p).paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false });
    expect(new wg.optim.AdamW(p).paramGroups[0]).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: false });
    expect(new wg.optim.RMSprop(p).paramGroups[0]).toMatchObject({ lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false });
    expect(new wg.optim.Adagrad(p).paramGroups[0]).toMatchObject({ lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 });
  });
});
