// NaN, infinities and empty tensors through every reduction and the softmax family, on both
// backends, against references written here from PyTorch's documented semantics: NaN
// propagates (and is the extreme of argmax/argmin), logsumexp shifts by the max unless it is
// infinite, softmax rows with a NaN or an infinite max are NaN, and reducing nothing gives 0
// (sum), 1 (prod), NaN (mean, variance), −∞ (logsumexp) or an error (max, min, argmax, argmin).

import { beforeAll, describe, expect, test } from 'vitest';
import { checkBoth, initBoth, onBoth, useBackend, wg } from '../helpers';
import type { Tensor } from '../../src/node';
import { softmaxCrossEntropy } from '../../src/ops/softmax';

beforeAll(initBoth);

const nanMax = (xs: number[]) => (xs.some(Number.isNaN) ? NaN : Math.max(...xs));
const nanMin = (xs: number[]) => (xs.some(Number.isNaN) ? NaN : Math.min(...xs));
const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => total(xs) / xs.length;

/** PyTorch's argmax/argmin: the first NaN if there is one, else the first extreme. */
function argExtreme(xs: number[], pick: (xs: number[]) => number): number {
  const nan = xs.findIndex(Number.isNaN);
  return nan >= 0 ? nan : xs.indexOf(pick(xs));
}

/** torch.logsumexp: max-shifted, the shift replaced by 0 where the max is infinite. */
function logSumExp(xs: number[]): number {
  const m = nanMax(xs);
  const shift = Math.abs(m) === Infinity ? 0 : m;
  return Math.log(total(xs.map((x) => Math.exp(x - shift)))) + shift;
}

function softmax(xs: number[], log: boolean): number[] {
  const m = nanMax(xs);
  const s = total(xs.map((x) => Math.exp(x - m)));
  return xs.map((x) => (log ? x - m - Math.log(s) : Math.exp(x - m) / s));
}

const REDUCTIONS: Record<string, { run: (t: Tensor) => Tensor; ref: (xs: number[]) => number }> = {
  sum: { run: (t) => t.sum(), ref: total },
  mean: { run: (t) => t.mean(), ref: mean },
  prod: { run: (t) => t.prod(), ref: (xs) => xs.reduce((a, b) => a * b, 1) },
  max: { run: (t) => t.max(), ref: nanMax },
  min: { run: (t) => t.min(), ref: nanMin },
  argmax: { run: (t) => t.argmax(), ref: (xs) => argExtreme(xs, (v) => Math.max(...v)) },
  argmin: { run: (t) => t.argmin(), ref: (xs) => argExtreme(xs, (v) => Math.min(...v)) },
  logSumExp: { run: (t) => t.logSumExp(), ref: logSumExp },
  variance: { run: (t) => t.variance(), ref: (xs) => mean(xs.map((x) => (x - mean(xs)) ** 2)) },
};

const SPECIAL: Record<string, number[]> = {
  'a NaN': [NaN, 1, 2],
  'two NaNs': [3, NaN, NaN],
  '+Inf': [1, Infinity, 2],
  '−Inf': [-Infinity, 1],
  '+Inf and −Inf': [Infinity, -Infinity],
  'all −Inf': [-Infinity, -Infinity],
  'all +Inf': [Infinity, Infinity],
};

/** The same specials inside 200 values, so the GPU reduces them with a whole workgroup. */
const long = (xs: number[]) => [...Array.from({ length: 120 }, (_, i) => 0.5 + (i % 7) / 10), ...xs, ...Array.from({ length: 80 - xs.length }, () => 0.25)];

describe('reductions over NaN and infinities follow PyTorch', () => {
  for (const [name, { run, ref }] of Object.entries(REDUCTIONS)) {
    for (const [what, xs] of Object.entries(SPECIAL)) {
      test(`${name} of ${what}, in a short and in a long row`, async () => {
        await checkBoth(() => run(wg.tensor(xs)), [ref(xs)]);
        await checkBoth(() => run(wg.tensor(long(xs))), [ref(long(xs))]);
      });
    }
  }
});

describe('the softmax family over NaN and infinities follows PyTorch', () => {
  for (const log of [false, true]) {
    const op = log ? 'logSoftmax' : 'softmax';
    for (const [what, xs] of Object.entries({ ...SPECIAL, 'only finite': [1, 2, 3] })) {
      test(`${op} of a row with ${what}: one row, 70 rows, a long row`, async () => {
        const apply = (t: Tensor) => (log ? t.logSoftmax() : t.softmax());
        await checkBoth(() => apply(wg.tensor(xs)), softmax(xs, log), { rtol: 1e-5, atol: 1e-6 });
        const rows = Array.from({ length: 70 }, (_, r) => (r % 3 === 0 ? xs : xs.map(() => r / 70)));
        await checkBoth(() => apply(wg.tensor(rows)), rows.flatMap((row) => softmax(row, log)), { rtol: 1e-5, atol: 1e-6 });
        await checkBoth(() => apply(wg.tensor(long(xs))), softmax(long(xs), log), { rtol: 1e-4, atol: 1e-6 });
      });
    }
  }

  test('softmax cross-entropy and its gradient: NaN for a row with a NaN or an infinite max', async () => {
    const rows = [[NaN, 1], [1, Infinity], [-Infinity, 1], [-Infinity, 1], [0, 0]];
    const labels = [1, 0, 0, 1, 0];
    const lossOf = (row: number[], label: number) => -softmax(row, true)[label];
    const logits = () => wg.tensor(rows, { requiresGrad: true });
    const ints = () => wg.tensor(labels, { dtype: 'int32' });
    await checkBoth(() => softmaxCrossEntropy(logits(), ints()), rows.map((r, i) => lossOf(r, labels[i])));
    const grads = rows.flatMap((r, i) => softmax(r, false).map((p, c) => p - (c === labels[i] ? 1 : 0)));
    await checkBoth(() => wg.grad((x: Tensor) => softmaxCrossEntropy(x, ints()).sum())(logits())[0], grads);
  });

  test('arithmetic on constants alone that is not finite gives NaN and Inf, not an invalid shader', async () => {
    await checkBoth(() => wg.zeros([2]).div(0), [NaN, NaN]);
    await checkBoth(() => wg.full([2], 1).div(0), [Infinity, Infinity]);
    await checkBoth(() => wg.full([2], -1).sqrt(), [NaN, NaN]);
    await checkBoth(() => wg.full([2], 1e30).mul(1e30), [Infinity, Infinity]);
  });

  test('exp keeps NaN NaN on the GPU (SwiftShader gives +Inf for a bare exp)', async () => {
    await checkBoth(() => wg.tensor([NaN, Infinity, -Infinity, 0]).exp(), [NaN, Infinity, 0, 1]);
  });
});

describe('reductions of nothing follow PyTorch', () => {
  const empty = () => wg.zeros([2, 0]);

  test('sum is 0, prod 1, mean and variance NaN, logSumExp −Inf', async () => {
    await checkBoth(() => empty().sum(1), [0, 0]);
    await checkBoth(() => empty().prod(1), [1, 1]);
    await checkBoth(() => empty().mean(1), [NaN, NaN]);
    await checkBoth(() => empty().variance(1), [NaN, NaN]);
    await checkBoth(() => empty().logSumExp(1), [-Infinity, -Infinity]);
    await checkBoth(() => empty().sum(), [0]);
    await checkBoth(() => empty().mean(), [NaN]);
  });

  test('max, min, argmax and argmin of nothing are a ShapeError at the call, on both backends', async () => {
    for (const backend of ['cpu', 'webgpu'] as const) {
      await useBackend(backend);
      for (const op of ['max', 'min', 'argmax', 'argmin'] as const) {
        expect(() => empty()[op](), `${op} on ${backend}`).toThrow(new RegExp(`^${op}: cannot reduce over no elements.*\\[2,0\\]`));
        expect(() => empty()[op](1)).toThrow(wg.ShapeError);
      }
    }
  });

  test('max over a non-empty axis of an empty tensor is empty, as PyTorch', async () => {
    const { gpu, cpu } = await onBoth(() => empty().max(0));
    expect(gpu.shape).toEqual([0]);
    expect(cpu.shape).toEqual([0]);
  });

  test('softmax and logSoftmax of an empty tensor are empty', async () => {
    const { gpu } = await onBoth(() => wg.zeros([0, 3]).softmax());
    expect(gpu.shape).toEqual([0, 3]);
    expect((await onBoth(() => wg.zeros([2, 0]).logSoftmax())).gpu.shape).toEqual([2, 0]);
  });

  test('a convolution over zero input channels gives zeros on both backends (no shader divides by zero)', async () => {
    await checkBoth(() => wg.conv2d(wg.zeros([1, 4, 4, 0]), wg.zeros([3, 3, 0, 2])), new Array(2 * 2 * 2).fill(0));
    await checkBoth(() => wg.conv2dTranspose(wg.zeros([1, 2, 2, 0]), wg.zeros([3, 3, 2, 0])), new Array(4 * 4 * 2).fill(0));
    await checkBoth(() => wg.conv1d(wg.zeros([1, 5, 0]), wg.zeros([3, 0, 2])), new Array(3 * 2).fill(0));
  });
});
