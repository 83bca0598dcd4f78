// binaryCrossEntropy and binaryCrossEntropyWithLogits (API.md "Losses"): against float64
// references of PyTorch's formulas; probabilities 0 and 1 and logits ±100, ±1e4 give finite
// losses and gradients; posWeight; finite differences and WebGPU against CPU.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { checkBoth, expectClose, expectNoGpuErrors, initBoth, seeded, useBackend, wg } from '../helpers';
import { checkGpuMatchesCpu, checkGradients, rng, uniform } from '../autograd/gradcheck';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const clampedLog = (x: number) => Math.max(Math.log(x), -100);
/** PyTorch's binary_cross_entropy per element. */
const bce = (p: number, t: number) => -(t * clampedLog(p) + (1 - t) * clampedLog(1 - p));
/** PyTorch's binary_cross_entropy_with_logits per element, pos_weight w. */
const bceLogits = (x: number, t: number, w = 1) => (1 - t) * x + (1 + (w - 1) * t) * (Math.log1p(Math.exp(-Math.abs(x))) + Math.max(-x, 0));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const P = seeded(8, 51, 0.05, 0.95);
const T = seeded(8, 52, 0, 1);

describe('binaryCrossEntropy', () => {
  test('matches PyTorch on probabilities inside (0, 1), every reduction', async () => {
    const ref = P.map((p, i) => bce(p, T[i]));
    await checkBoth(() => wg.losses.binaryCrossEntropy(wg.tensor(P), wg.tensor(T)), [mean(ref)], { rtol: 1e-5 });
    await checkBoth(() => wg.losses.binaryCrossEntropy(wg.tensor(P), wg.tensor(T), { reduction: 'none' }), ref, { rtol: 1e-5, atol: 1e-6 });
  });

  test('clamps the logs at −100: probabilities 0 and 1 give losses 0 or 100', async () => {
    await checkBoth(() => wg.losses.binaryCrossEntropy(wg.tensor([0, 0, 1, 1]), wg.tensor([0, 1, 0, 1]), { reduction: 'none' }), [0, 100, 100, 0]);
  });

  test('has finite gradients at probabilities 0 and 1: (p − t) / max(p(1 − p), 1e-12)', async () => {
    for (const backend of ['cpu', 'webgpu'] as const) {
      await useBackend(backend);
      const p = wg.tensor([0, 0, 1, 1, 0.25], { requiresGrad: true });
      wg.losses.binaryCrossEntropy(p, wg.tensor([0, 1, 0, 1, 1]), { reduction: 'sum' }).backward();
      expectClose(await p.grad!.data(), [0, -1e12, 1e12, 0, -0.75 / 0.1875], { rtol: 1e-5 });
    }
  });

  test('has gradients in probabilities and targets that match finite differences, and WebGPU matches CPU', async () => {
    await useBackend('cpu');
    const next = rng(53);
    const inputs = [uniform(next, [2, 3], { lo: 0.1, hi: 0.9 }), uniform(next, [2, 3], { lo: 0, hi: 1 })];
    await checkGradients((p, t) => wg.losses.binaryCrossEntropy(p, t), inputs, { eps: 1e-3 });
    await checkGpuMatchesCpu((p, t) => wg.losses.binaryCrossEntropy(p, t), inputs);
  });
});

describe('binaryCrossEntropyWithLogits', () => {
  const X = [-3, -0.5, 0, 0.7, 2.5, -100, 100, -1e4, 1e4, 1e4];
  const Y = [0, 1, 0.5, 0.2, 1, 1, 0, 0.3, 0.3, 1];

  test('matches PyTorch, exact and finite for logits of ±100 and ±1e4', async () => {
    const ref = X.map((x, i) => bceLogits(x, Y[i]));
    await checkBoth(() => wg.losses.binaryCrossEntropyWithLogits(wg.tensor(X), wg.tensor(Y), { reduction: 'none' }), ref, { rtol: 1e-5, atol: 1e-6 });
    await checkBoth(() => wg.losses.binaryCrossEntropyWithLogits(wg.tensor(X), wg.tensor(Y), { reduction: 'sum' }), [ref.reduce((a, b) => a + b)], { rtol: 1e-5 });
  });

  test('has finite gradients, σ(x)·(1 + (w − 1)t) − w·t, at logits of ±100 and ±1e4', async () => {
    for (const backend of ['cpu', 'webgpu'] as const) {
      await useBackend(backend);
      const x = wg.tensor(X, { requiresGrad: true });
      wg.losses.binaryCrossEntropyWithLogits(x, wg.tensor(Y), { reduction: 'sum', posWeight: 2 }).backward();
      expectClose(await x.grad!.data(), X.map((v, i) => sigmoid(v) * (1 + Y[i]) - 2 * Y[i]), { rtol: 1e-5, atol: 1e-6 });
    }
  });

  test('weights the positive term by posWeight, a number or a tensor over the last axis', async () => {
    const x = seeded(6, 54, -2, 2);
    const t = [1, 0, 0.5, 0, 1, 0.25];
    const w = [3, 0.5, 2];
    await checkBoth(() => wg.losses.binaryCrossEntropyWithLogits(wg.tensor(x, { shape: [2, 3] }), wg.tensor(t, { shape: [2, 3] }), { posWeight: 3 }), [mean(x.map((v, i) => bceLogits(v, t[i], 3)))], { rtol: 1e-5 });
    await checkBoth(
      () => wg.losses.binaryCrossEntropyWithLogits(wg.tensor(x, { shape: [2, 3] }), wg.tensor(t, { shape: [2, 3] }), { posWeight: wg.tensor(w), reduction: 'none' }),
      x.map((v, i) => bceLogits(v, t[i], w[i % 3])),
      { rtol: 1e-5, atol: 1e-6 },
    );
  });

  test('has gradients that match finite differences, and WebGPU matches CPU', async () => {
    await useBackend('cpu');
    const next = rng(55);
    const inputs = [uniform(next, [2, 3], { lo: -4, hi: 4 }), uniform(next, [2, 3], { lo: 0, hi: 1 })];
    await checkGradients((x, t) => wg.losses.binaryCrossEntropyWithLogits(x, t, { posWeight: 1.5 }), inputs);
    await checkGpuMatchesCpu((x, t) => wg.losses.binaryCrossEntropyWithLogits(x, t), inputs);
  });

  test('refuses a posWeight that does not broadcast to the logits', () => {
    expect(() => wg.losses.binaryCrossEntropyWithLogits(wg.zeros([2, 3]), wg.zeros([2, 3]), { posWeight: wg.zeros([2]) })).toThrow(wg.ShapeError);
    expect(() => wg.losses.binaryCrossEntropyWithLogits(wg.zeros([2, 3]), wg.zeros([2, 3]), { posWeight: NaN })).toThrow(wg.ArgumentError);
  });
});
