// Reductions (sum mean max min prod variance logSumExp argmax argmin) on both backends against
// an independent nd reference: axis forms, keepDims, sizes that are not powers of two, large
// reductions that take the workgroup-cooperative path, and ties for argmax/argmin.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { checkBoth, expectNoGpuErrors, initBoth, randomTensor, refReduce, seeded, wg } from '../helpers';
import type { Tensor } from '../../src/node';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

const SHAPE = [3, 5, 7];
const DATA = seeded(105, 41, -2, 2);
const x = () => wg.tensor(DATA, { shape: SHAPE });

const sum = (a: number, v: number) => a + v;
const REF: Record<string, [number, (a: number, v: number) => number]> = {
  sum: [0, sum],
  prod: [1, (a, v) => a * v],
  max: [-Infinity, (a, v) => Math.max(a, v)],
  min: [Infinity, (a, v) => Math.min(a, v)],
};

function refMean(data: number[], shape: number[], axes: number[]): number[] {
  const n = axes.reduce((p, a) => p * shape[a], 1);
  return refReduce(data, shape, axes, 0, sum).map((v) => v / n);
}

function refVariance(data: number[], shape: number[], axes: number[]): number[] {
  const n = axes.reduce((p, a) => p * shape[a], 1);
  const sums = refReduce(data, shape, axes, 0, sum);
  const sq = refReduce(data, shape, axes, 0, (a, v) => a + v * v);
  return sums.map((s, i) => sq[i] / n - (s / n) ** 2);
}

function refLogSumExp(data: number[], shape: number[], axes: number[]): number[] {
  return refReduce(data, shape, axes, 0, (a, v) => a + Math.exp(v)).map(Math.log);
}

const AXES: [string, number | number[] | undefined, number[]][] = [
  ['all axes', undefined, [0, 1, 2]],
  ['axis 0', 0, [0]],
  ['axis 1', 1, [1]],
  ['axis -1', -1, [2]],
  ['axes [0, 2]', [0, 2], [0, 2]],
  ['axes [-1, 0] (unsorted, negative)', [-1, 0], [0, 2]],
];

function keptShape(axes: number[]): number[] {
  return SHAPE.map((d, i) => (axes.includes(i) ? 1 : d));
}
function droppedShape(axes: number[]): number[] {
  return SHAPE.filter((_, i) => !axes.includes(i));
}

describe('sum prod max min over every axis form', () => {
  for (const name of ['sum', 'prod', 'max', 'min'] as const) {
    for (const [label, axis, axes] of AXES) {
      test(`${name} over ${label}`, async () => {
        const [init, combine] = REF[name];
        const expected = refReduce(DATA, SHAPE, axes, init, combine);
        const r = await checkBoth(() => x()[name](axis), expected, { rtol: 1e-5, atol: 1e-5 });
        expect(r.shape).toEqual(droppedShape(axes));
        const k = await checkBoth(() => x()[name](axis, true), expected, { rtol: 1e-5, atol: 1e-5 });
        expect(k.shape).toEqual(keptShape(axes));
      });
    }
  }
});

describe('mean, variance and logSumExp', () => {
  for (const [label, axis, axes] of AXES) {
    test(`mean over ${label}`, async () => {
      const r = await checkBoth(() => x().mean(axis), refMean(DATA, SHAPE, axes), { atol: 1e-6 });
      expect(r.shape).toEqual(droppedShape(axes));
    });
    test(`variance (population) over ${label}`, async () => {
      const r = await checkBoth(() => x().variance(axis, true), refVariance(DATA, SHAPE, axes), { rtol: 1e-5, atol: 1e-6 });
      expect(r.shape).toEqual(keptShape(axes));
    });
    test(`logSumExp over ${label}`, async () => {
      const r = await checkBoth(() => x().logSumExp(axis), refLogSumExp(DATA, SHAPE, axes), { rtol: 1e-5, atol: 1e-6 });
      expect(r.shape).toEqual(droppedShape(axes));
    });
  }

  test('logSumExp of large values does not overflow', async () => {
    const v = [1000, 1000, 999];
    await checkBoth(() => wg.tensor(v).logSumExp(), [1000 + Math.log(2 + Math.exp(-1))], { rtol: 1e-6 });
  });

  test('logSumExp of an all -Infinity row is -Infinity, not NaN', async () => {
    await checkBoth(() => wg.tensor([[-Infinity, -Infinity], [0, 0]]).logSumExp(1), [-Infinity, Math.log(2)]);
  });

  test('variance of a constant is exactly 0', async () => {
    await checkBoth(() => wg.full([4, 6], 3.25).variance(1), [0, 0, 0, 0]);
  });

  test('mean of an int32 tensor is float32', async () => {
    const r = await checkBoth(() => wg.tensor([1, 2, 4], { dtype: 'int32' }).mean(), [7 / 3]);
    expect(r.dtype).toBe('float32');
  });
});

describe('dtypes of reductions', () => {
  test('sum of int32 stays int32 and is exact', async () => {
    const r = await checkBoth(() => wg.tensor([2147483, 7, -9, 100000], { dtype: 'int32' }).sum(), [2147483 + 7 - 9 + 100000]);
    expect(r.dtype).toBe('int32');
  });

  test('sum of bool counts the true values (int32)', async () => {
    const r = await checkBoth(() => wg.tensor([[true, false, true], [true, true, true]]).sum(1), [2, 3]);
    expect(r.dtype).toBe('int32');
  });

  test('max and min of int32 include the extremes', async () => {
    const v = [-2147483648, 5, 2147483647, 0];
    await checkBoth(() => wg.tensor(v, { dtype: 'int32' }).max(), [2147483647]);
    await checkBoth(() => wg.tensor(v, { dtype: 'int32' }).min(), [-2147483648]);
  });

  test('prod of int32', async () => {
    await checkBoth(() => wg.tensor([[1, 2, 3], [-4, 5, 6]], { dtype: 'int32' }).prod(1), [6, -120]);
  });
});

describe('large reductions (workgroup-cooperative path)', () => {
  test('sum of 1000 values per row, 3 rows', async () => {
    const data = seeded(3000, 51, 0, 1);
    const expected = refReduce(data, [3, 1000], [1], 0, sum);
    await checkBoth(() => wg.tensor(data, { shape: [3, 1000] }).sum(1), expected, { rtol: 1e-5 });
  });

  test('max, min and prod of 131 values (just over 2 × 64 threads) per row', async () => {
    const data = seeded(262, 52, 0.9, 1.1);
    const t = () => wg.tensor(data, { shape: [2, 131] });
    await checkBoth(() => t().max(1), refReduce(data, [2, 131], [1], -Infinity, (a, v) => Math.max(a, v)));
    await checkBoth(() => t().min(1), refReduce(data, [2, 131], [1], Infinity, (a, v) => Math.min(a, v)));
    await checkBoth(() => t().prod(1), refReduce(data, [2, 131], [1], 1, (a, v) => a * v), { rtol: 1e-4 });
  });

  test('sum of exactly 128 values per output over the leading axis', async () => {
    const data = seeded(128 * 5, 53);
    await checkBoth(() => wg.tensor(data, { shape: [128, 5] }).sum(0), refReduce(data, [128, 5], [0], 0, sum), { atol: 1e-5 });
  });

  test('a long sum of ones is exact (no drift)', async () => {
    await checkBoth(() => wg.ones([5000]).sum(), [5000]);
  });

  test('mean and variance of 100 000 values (the split two-pass sum)', async () => {
    const data = seeded(100000, 54, 0, 2);
    const m = data.reduce(sum, 0) / data.length;
    const v = data.reduce((a, e) => a + (e - m) ** 2, 0) / data.length;
    await checkBoth(() => wg.tensor(data).mean(), [m], { rtol: 1e-5 });
    await checkBoth(() => wg.tensor(data).variance(), [v], { rtol: 1e-4 });
  });

  test('sum over a fused elementwise prologue with 300 values per row', async () => {
    const data = seeded(900, 55);
    const expected = refReduce(data.map((v) => Math.exp(v - 1)), [3, 300], [1], 0, sum);
    await checkBoth(() => wg.tensor(data, { shape: [3, 300] }).sub(1).exp().sum(1), expected, { rtol: 1e-5 });
  });

  test('logSumExp over 500 values per row', async () => {
    const data = seeded(1000, 56, -5, 5);
    await checkBoth(() => wg.tensor(data, { shape: [2, 500] }).logSumExp(1), refLogSumExp(data, [2, 500], [1]), { rtol: 1e-5 });
  });

  test('many outputs with long reductions (per-thread loop path)', async () => {
    const data = seeded(20000 * 2, 57).map((v) => Math.round(v * 8));
    // 2 values per output over 20 000 outputs, then 200 per output over 200 outputs.
    await checkBoth(() => wg.tensor(data, { shape: [20000, 2] }).sum(1), refReduce(data, [20000, 2], [1], 0, sum));
    await checkBoth(() => wg.tensor(data, { shape: [200, 200] }).max(1), refReduce(data, [200, 200], [1], -Infinity, (a, v) => Math.max(a, v)));
  });
});

describe('argmax and argmin', () => {
  const refArg = (data: number[], shape: number[], axis: number, better: (a: number, b: number) => boolean) =>
    refReduce(data, shape, [axis], NaN, () => 0).map((_, o) => {
      const outShape = shape.map((d, i) => (i === axis ? 1 : d));
      const st = outShape.map((_d, i) => outShape.slice(i + 1).reduce((p, q) => p * q, 1));
      const idx = st.map((s, i) => Math.floor(o / s) % outShape[i]);
      const inSt = shape.map((_d, i) => shape.slice(i + 1).reduce((p, q) => p * q, 1));
      let best = 0;
      let bestV = NaN;
      for (let j = 0; j < shape[axis]; j++) {
        const id = [...idx];
        id[axis] = j;
        const v = data[id.reduce((s, e, i) => s + e * inSt[i], 0)];
        if (j === 0 || better(v, bestV)) {
          best = j;
          bestV = v;
        }
      }
      return best;
    });

  for (const axis of [0, 1, 2]) {
    test(`argmax and argmin along axis ${axis} are int32 indices`, async () => {
      const r = await checkBoth(() => x().argmax(axis), refArg(DATA, SHAPE, axis, (a, b) => a > b));
      expect(r.dtype).toBe('int32');
      expect(r.shape).toEqual(droppedShape([axis]));
      await checkBoth(() => x().argmin(axis), refArg(DATA, SHAPE, axis, (a, b) => a < b));
    });
  }

  test('without an axis: the flat index', async () => {
    const i = DATA.indexOf(Math.max(...DATA));
    await checkBoth(() => x().argmax(), [i]);
    await checkBoth(() => x().argmin(), [DATA.indexOf(Math.min(...DATA))]);
  });

  test('keepDims keeps the reduced axis as size 1', async () => {
    const r = await checkBoth(() => x().argmax(1, true), refArg(DATA, SHAPE, 1, (a, b) => a > b));
    expect(r.shape).toEqual([3, 1, 7]);
  });

  test('ties go to the first index', async () => {
    const t = () => wg.tensor([[1, 3, 3, 0], [2, 2, 2, 2], [0, -1, 5, 5]]);
    await checkBoth(() => t().argmax(1), [1, 0, 2]);
    await checkBoth(() => t().argmin(1), [3, 0, 1]);
  });

  test('ties go to the first index in a long (cooperative) reduction', async () => {
    const n = 300;
    const row = Array.from({ length: n }, (_, j) => (j === 70 || j === 130 || j === 250 ? 9 : (j % 7) - 3));
    const low = row.map((v) => -v);
    await checkBoth(() => wg.tensor([row, low]).argmax(1), [70, 0]);
    // row's minimum -3 first appears at index 0 (0 % 7 − 3).
    await checkBoth(() => wg.tensor([row, low]).argmin(1), [0, 70]);
  });

  test('argmax of an all-equal long row is 0', async () => {
    await checkBoth(() => wg.zeros([2, 200]).argmax(1), [0, 0]);
  });

  test('argmax of int32 values', async () => {
    await checkBoth(() => wg.tensor([[3, 9, 9], [-5, -7, -6]], { dtype: 'int32' }).argmax(1), [1, 0]);
  });
});

describe('reductions composed with other ops', () => {
  test('a reduction of a transposed view', async () => {
    const data = seeded(24, 61);
    const t = (): Tensor => wg.tensor(data, { shape: [2, 3, 4] }).transpose([2, 0, 1]);
    await checkBoth(() => t().sum(2), transposeSum(data), { atol: 1e-6 });
  });

  test('normalizing rows: x / x.sum(1, keepDims)', async () => {
    const data = seeded(12, 62, 0.5, 2);
    const sums = refReduce(data, [3, 4], [1], 0, sum);
    await checkBoth(() => {
      const t = wg.tensor(data, { shape: [3, 4] });
      return t.div(t.sum(1, true));
    }, data.map((v, i) => v / sums[Math.floor(i / 4)]));
  });

  test('a reduction over a size-1 axis is the identity', async () => {
    await checkBoth(() => randomTensor([4, 1, 3], 63).sum(1), seeded(12, 63));
  });

  test('reductions of a rank-0 tensor', async () => {
    await checkBoth(() => wg.tensor(3.5).sum(), [3.5]);
    await checkBoth(() => wg.tensor(3.5).max(), [3.5]);
  });

  test('two reductions of the same tensor in one expression', async () => {
    const data = seeded(20, 64);
    const s = refReduce(data, [4, 5], [1], 0, sum);
    const m = refReduce(data, [4, 5], [1], -Infinity, (a, v) => Math.max(a, v));
    await checkBoth(() => {
      const t = wg.tensor(data, { shape: [4, 5] });
      return t.sum(1).sub(t.max(1));
    }, s.map((v, i) => v - m[i]), { atol: 1e-6 });
  });
});

/** Σ over axis 1 of x [2,3,4], laid out as the transposed [4,2] result. */
function transposeSum(data: number[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) out.push([0, 1, 2].reduce((a, j) => a + data[i * 12 + j * 4 + k], 0));
  return out;
}
