// The softmax kernels (shaders/softmax.wgsl, cross-entropy*.wgsl): WebGPU against the CPU
// backend and against values computed here, on awkward row lengths and logits of magnitude
// 1000; gradients against finite differences and GPU gradients against CPU gradients.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { softmaxCrossEntropy } from '../../src/ops/softmax';
import { checkGpuMatchesCpu, checkGradients, rng, uniform } from '../autograd/gradcheck';
import { checkBoth, expectClose, expectNoGpuErrors, initBoth, randomTensor, seeded, useBackend, wg } from '../helpers';

/** Row-wise softmax in float64, written independently of the library. */
function refSoftmax(x: readonly number[], cols: number, log: boolean): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length / cols; r++) {
    const row = x.slice(r * cols, (r + 1) * cols);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    for (const v of row) out.push(log ? v - lse : Math.exp(v - lse));
  }
  return out;
}

const labelsOf = (ls: number[]) => wg.tensor(ls, { dtype: 'int32' });

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

describe('softmax kernel', () => {
  it.each([1, 3, 17, 33, 65, 1000])('rows of %i match the reference on both backends', async (cols) => {
    const values = seeded(5 * cols, cols, -4, 4);
    const build = () => wg.tensor(values, { shape: [5, cols] }).softmax();
    await checkBoth(build, refSoftmax(values, cols, false), { atol: 1e-6, rtol: 1e-4 });
    const logBuild = () => wg.tensor(values, { shape: [5, cols] }).logSoftmax();
    await checkBoth(logBuild, refSoftmax(values, cols, true), { atol: 1e-5, rtol: 1e-4 });
  });

  it.each([
    [70, 65],
    [130, 3],
    [64, 1000],
  ])('%i rows of %i (one thread per row where rows are many or short) match the reference', async (rows, cols) => {
    const values = seeded(rows * cols, rows + cols, -30, 30);
    await checkBoth(() => wg.tensor(values, { shape: [rows, cols] }).softmax(), refSoftmax(values, cols, false), { atol: 1e-6, rtol: 1e-4 });
    await checkBoth(() => wg.tensor(values, { shape: [rows, cols] }).logSoftmax(), refSoftmax(values, cols, true), { atol: 1e-4, rtol: 1e-4 });
    const labels = Array.from({ length: rows }, (_, r) => (r * 5) % cols);
    const logp = refSoftmax(values, cols, true);
    await checkBoth(() => softmaxCrossEntropy(wg.tensor(values, { shape: [rows, cols] }), labelsOf(labels)), labels.map((l, r) => -logp[r * cols + l]), { atol: 1e-4, rtol: 1e-4 });
  });

  it('stays finite and exact for logits of magnitude 1000', async () => {
    const values = [1000, 999, -1000, 0, -1000, -999.5, -1000, 1000, 1000];
    const y = await checkBoth(() => wg.tensor(values, { shape: [3, 3] }).softmax(), refSoftmax(values, 3, false), { atol: 1e-6 });
    expect(Array.from(y.data).every(Number.isFinite)).toBe(true);
    await checkBoth(() => wg.tensor(values, { shape: [3, 3] }).logSoftmax(), refSoftmax(values, 3, true), { atol: 1e-3, rtol: 1e-6 });
  });

  it('works along a middle axis', async () => {
    await checkBoth(() => randomTensor([3, 17, 4], 3).mul(10).softmax(1), undefined, { atol: 1e-6 });
    await checkBoth(() => randomTensor([3, 17, 4], 4).logSoftmax(0), undefined, { atol: 1e-5 });
  });

  it('is one dispatch with its input prologue materialized and an epilogue fused', async () => {
    await useBackend('webgpu');
    const x = randomTensor([8, 65], 5);
    wg.realize(x);
    wg.resetStats();
    await x.softmax().mul(3).add(1).data();
    expect(wg.stats().dispatches).toBe(1);
  });

  it('gradients match finite differences and the GPU matches the CPU', async () => {
    const next = rng(21);
    const x = uniform(next, [3, 5]);
    await useBackend('cpu');
    await checkGradients((t) => t.softmax(), [x]);
    await checkGradients((t) => t.logSoftmax(), [x]);
    await checkGradients((t) => t.softmax(0), [x]);
    await checkGpuMatchesCpu((t) => t.softmax().mul(t), [x]);
    await checkGpuMatchesCpu((t) => t.logSoftmax(), [x]);
  });
});

describe('softmax cross-entropy', () => {
  it.each([1, 3, 17, 65, 1000])('per-row losses over %i classes match the reference', async (cols) => {
    const rows = 6;
    const values = seeded(rows * cols, cols + 1, -3, 3);
    const labels = Array.from({ length: rows }, (_, r) => (r * 7) % cols);
    const logp = refSoftmax(values, cols, true);
    const expected = labels.map((l, r) => -logp[r * cols + l]);
    await checkBoth(() => softmaxCrossEntropy(wg.tensor(values, { shape: [rows, cols] }), labelsOf(labels)), expected, { atol: 1e-5, rtol: 1e-4 });
  });

  it('is stable for logits of magnitude 1000 and NaN for labels out of range', async () => {
    const values = [1000, -1000, 0, -1000, 1000, 999];
    const gpu = await checkBoth(() => softmaxCrossEntropy(wg.tensor(values, { shape: [2, 3] }), labelsOf([1, 2])), [2000, 1 + Math.log(1 + Math.exp(-1))], { rtol: 1e-4 });
    expect(Array.from(gpu.data).every(Number.isFinite)).toBe(true);
    await checkBoth(() => softmaxCrossEntropy(wg.tensor([1, 2, 3, 4], { shape: [2, 2] }), labelsOf([2, -1])), [NaN, NaN]);
  });

  it('gradient is softmax minus one-hot, matching finite differences and the CPU', async () => {
    const x = uniform(rng(22), [4, 5], { lo: -3, hi: 3 });
    await useBackend('cpu');
    const f = (t: wg.Tensor) => softmaxCrossEntropy(t, labelsOf([0, 4, 2, 2]));
    await checkGradients(f, [x]);
    await checkGpuMatchesCpu(f, [x]);
    const g = wg.grad((t: wg.Tensor) => f(t).sum())(wg.tensor(x.values, { shape: x.shape }))[0];
    const probs = refSoftmax(Array.from(x.values), 5, false);
    const expected = probs.map((p, i) => p - (i % 5 === [0, 4, 2, 2][Math.floor(i / 5)] ? 1 : 0));
    expectClose(await g.data(), expected, { atol: 1e-6, rtol: 1e-5 });
  });

  it('rejects bad shapes and dtypes when called', () => {
    expect(() => softmaxCrossEntropy(wg.zeros([2, 3]), wg.zeros([2]))).toThrow(wg.DTypeError);
    expect(() => softmaxCrossEntropy(wg.zeros([2, 3]), labelsOf([0, 1, 2]))).toThrow(/labels must be \[N\] = \[2\]/);
    expect(() => softmaxCrossEntropy(wg.zeros([6]), labelsOf([0]))).toThrow(wg.ShapeError);
  });

});
