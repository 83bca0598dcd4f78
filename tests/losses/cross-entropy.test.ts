// crossEntropy and nll (API.md "Losses"): against float64 references of PyTorch's formulas for
// class indices, probability targets and label smoothing, every reduction, any leading shape;
// finite at logits ±1e4; gradients by finite differences and WebGPU against CPU; the fused
// kernels' dispatch counts; bad arguments.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { checkBoth, countWork, expectClose, expectNoGpuErrors, initBoth, seeded, useBackend, wg } from '../helpers';
import { checkGpuMatchesCpu, checkGradients, rng, uniform } from '../autograd/gradcheck';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

const N = 6;
const C = 5;
const LOGITS = seeded(N * C, 41, -3, 3);
const LABELS = [0, 4, 2, 2, 1, 3];
const PROBS = (() => {
  const raw = seeded(N * C, 42, 0, 1);
  return raw.map((v, i) => v / raw.slice(i - (i % C), i - (i % C) + C).reduce((a, b) => a + b, 0));
})();

/** log Σ exp over each row of `x` (float64). */
const lse = (x: number[], r: number, cols = C) => {
  const row = x.slice(r * cols, (r + 1) * cols);
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
};
const rows = (n: number) => Array.from({ length: n }, (_, r) => r);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** PyTorch: (1 − ε)·(lse − x_y) + ε·mean_c(lse − x_c). */
const refIndexCE = (eps = 0) =>
  rows(N).map((r) => {
    const l = lse(LOGITS, r);
    const nll = l - LOGITS[r * C + LABELS[r]];
    const smooth = mean(LOGITS.slice(r * C, (r + 1) * C).map((v) => l - v));
    return (1 - eps) * nll + eps * smooth;
  });
/** PyTorch: −Σ_c t'_c log softmax(x)_c with t' = t(1 − ε) + ε/C. */
const refProbCE = (eps = 0) => rows(N).map((r) => -rows(C).reduce((s, c) => s + (PROBS[r * C + c] * (1 - eps) + eps / C) * (LOGITS[r * C + c] - lse(LOGITS, r)), 0));

const logits = () => wg.tensor(LOGITS, { shape: [N, C] });
const labels = () => wg.tensor(LABELS, { dtype: 'int32' });
const probs = () => wg.tensor(PROBS, { shape: [N, C] });

describe('crossEntropy with int32 class indices', () => {
  test('is the mean of log Σ exp − the label logit', async () => {
    await checkBoth(() => wg.losses.crossEntropy(logits(), labels()), [mean(refIndexCE())], { rtol: 1e-5 });
  });
  test("per row with reduction 'none', summed with 'sum'", async () => {
    await checkBoth(() => wg.losses.crossEntropy(logits(), labels(), { reduction: 'none' }), refIndexCE(), { rtol: 1e-5, atol: 1e-6 });
    await checkBoth(() => wg.losses.crossEntropy(logits(), labels(), { reduction: 'sum' }), [refIndexCE().reduce((a, b) => a + b)], { rtol: 1e-5 });
  });
  test('with label smoothing, as PyTorch', async () => {
    await checkBoth(() => wg.losses.crossEntropy(logits(), labels(), { labelSmoothing: 0.2 }), [mean(refIndexCE(0.2))], { rtol: 1e-5 });
  });
  test('over the last axis of [2, 3, C] logits with [2, 3] labels', async () => {
    const r = await checkBoth(() => wg.losses.crossEntropy(logits().reshape([2, 3, C]), labels().reshape([2, 3]), { reduction: 'none' }), refIndexCE(), { rtol: 1e-5, atol: 1e-6 });
    expect(r.shape).toEqual([2, 3]);
  });
  test('stays finite and exact for logits of ±1e4', async () => {
    const big = [1e4, -1e4, 0, -1e4, 1e4, 1e4];
    // Row 0: label 1 is 2e4 below the max; row 1: two tied maxima, label 2 one of them (log 2,
    // to the float32 spacing of 1e4, which the kernel's max + log Σ − x passes through).
    await checkBoth(() => wg.losses.crossEntropy(wg.tensor(big, { shape: [2, 3] }), wg.tensor([1, 2], { dtype: 'int32' }), { reduction: 'none' }), [2e4, Math.log(2)], { rtol: 1e-6, atol: 1e-3 });
  });
  test('has finite gradients at logits ±1e4: softmax − onehot', async () => {
    for (const backend of ['cpu', 'webgpu'] as const) {
      await useBackend(backend);
      const x = wg.tensor([1e4, -1e4, 0, -1e4, 1e4, 1e4], { shape: [2, 3], requiresGrad: true });
      wg.losses.crossEntropy(x, wg.tensor([1, 2], { dtype: 'int32' }), { reduction: 'sum' }).backward();
      expectClose(await x.grad!.data(), [1, -1, 0, 0, 0.5, -0.5], { atol: 1e-6 });
    }
  });
  test('has gradients that match finite differences (with smoothing too), and WebGPU matches CPU', async () => {
    await useBackend('cpu');
    const x = uniform(rng(43), [4, 3], { lo: -2, hi: 2 });
    const y = () => wg.tensor([2, 0, 1, 1], { dtype: 'int32' });
    await checkGradients((a) => wg.losses.crossEntropy(a, y()), [x]);
    await checkGradients((a) => wg.losses.crossEntropy(a, y(), { labelSmoothing: 0.3, reduction: 'sum' }), [x]);
    await checkGpuMatchesCpu((a) => wg.losses.crossEntropy(a, y()), [x]);
  });
  test('runs the fused kernels: forward 2 dispatches (kernel, mean), backward 2 (seed, gradient kernel)', async () => {
    await useBackend('webgpu');
    const x = logits().requiresGrad_();
    wg.realize(x);
    const y = labels();
    wg.realize(y);
    const forward = await countWork(() => wg.realize(wg.losses.crossEntropy(x, y)));
    const loss = wg.losses.crossEntropy(x, y);
    loss.backward();
    const both = await countWork(() => wg.realize(loss, x.grad!));
    console.log(`crossEntropy (mean, int labels): forward ${forward.dispatches} dispatches; forward + backward ${both.dispatches}`);
    expect(forward.dispatches).toBe(2);
    expect(both.dispatches).toBe(4);
    expect(both.submits).toBe(1);
  });
});

describe('crossEntropy with probability targets', () => {
  test('is the mean of −Σ t · log softmax(x)', async () => {
    await checkBoth(() => wg.losses.crossEntropy(logits(), probs()), [mean(refProbCE())], { rtol: 1e-5 });
  });
  test('with label smoothing, as PyTorch', async () => {
    await checkBoth(() => wg.losses.crossEntropy(logits(), probs(), { labelSmoothing: 0.1, reduction: 'none' }), refProbCE(0.1), { rtol: 1e-5, atol: 1e-6 });
  });
  test('stays finite for logits of ±1e4', async () => {
    await checkBoth(() => wg.losses.crossEntropy(wg.tensor([1e4, -1e4], { shape: [1, 2] }), wg.tensor([0.25, 0.75], { shape: [1, 2] })), [0.75 * 2e4], { rtol: 1e-6 });
  });
  test('has gradients in logits and targets that match finite differences', async () => {
    await useBackend('cpu');
    const next = rng(44);
    await checkGradients((a, t) => wg.losses.crossEntropy(a, t), [uniform(next, [3, 4]), uniform(next, [3, 4], { lo: 0, hi: 1 })]);
  });
});

describe('nll', () => {
  test('is −logProbs at the labels, and equals crossEntropy of the log-softmax', async () => {
    const logP = rows(N).flatMap((r) => LOGITS.slice(r * C, (r + 1) * C).map((v) => v - lse(LOGITS, r)));
    await checkBoth(() => wg.losses.nll(wg.tensor(logP, { shape: [N, C] }), labels(), { reduction: 'none' }), LABELS.map((l, r) => -logP[r * C + l]), { rtol: 1e-5, atol: 1e-6 });
    await checkBoth(() => wg.losses.nll(logits().logSoftmax(), labels()), [mean(refIndexCE())], { rtol: 1e-5 });
  });
  test('ignores −Infinity log-probabilities off the labels', async () => {
    await checkBoth(() => wg.losses.nll(wg.tensor([[-Infinity, -0.5], [-1, -Infinity]]), wg.tensor([1, 0], { dtype: 'int32' })), [0.75]);
  });
  test('has gradients that match finite differences', async () => {
    await useBackend('cpu');
    await checkGradients((a) => wg.losses.nll(a, wg.tensor([1, 0, 2], { dtype: 'int32' }), { reduction: 'sum' }), [uniform(rng(45), [3, 3])]);
  });
});

describe('cross-entropy refuses', () => {
  test('labels of the wrong shape or dtype', () => {
    expect(() => wg.losses.crossEntropy(wg.zeros([4, 3]), wg.zeros([3], { dtype: 'int32' }))).toThrow(wg.ShapeError);
    expect(() => wg.losses.crossEntropy(wg.zeros([4, 3]), wg.zeros([4], { dtype: 'bool' }))).toThrow(wg.DTypeError);
    expect(() => wg.losses.crossEntropy(wg.zeros([4, 3]), wg.zeros([4, 2]))).toThrow(wg.ShapeError);
    expect(() => wg.losses.nll(wg.zeros([4, 3]), wg.zeros([4]))).toThrow(wg.DTypeError);
  });
  test('label smoothing outside [0, 1]', () => {
    expect(() => wg.losses.crossEntropy(wg.zeros([4, 3]), wg.zeros([4], { dtype: 'int32' }), { labelSmoothing: 1.5 })).toThrow(wg.ArgumentError);
  });
});
