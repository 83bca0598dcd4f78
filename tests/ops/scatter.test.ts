// scatterAdd (gather's gradient kernels) on both backends against an independent loop: every
// axis, repeated and out-of-range indices, indices of rank 2, and buckets of rows that end early.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { scatterAdd } from '../../src/ops/scatter';
import { at, checkBoth, expectNoGpuErrors, initBoth, seeded, seededInts, sizeOf, tabulate, unravel, wg } from '../helpers';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

/** out[..., a, ...] = Σ over positions p of `idx` with idx[p] = a of g[..., p, ...]. */
function refScatter(g: number[], gShape: number[], idx: number[], idxShape: number[], axis: number, size: number): number[] {
  const outShape = [...gShape.slice(0, axis), size, ...gShape.slice(axis + idxShape.length)];
  return tabulate(outShape, (o) => {
    let s = 0;
    for (let p = 0; p < idx.length; p++) {
      if (idx[p] !== o[axis]) continue;
      s += at(g, gShape, [...o.slice(0, axis), ...unravel(p, idxShape), ...o.slice(axis + 1)]);
    }
    return s;
  });
}

describe('scatterAdd', () => {
  for (const axis of [0, 1, 2]) {
    test(`adds slices along axis ${axis}, repeats summed`, async () => {
      const gShape = [3, 4, 5];
      gShape[axis] = 6;
      const g = seeded(sizeOf(gShape), 90 + axis);
      const idx = [1, 3, 1, 0, 3, 3];
      const expected = refScatter(g, gShape, idx, [6], axis, 4);
      const r = await checkBoth(() => scatterAdd(wg.tensor(g, { shape: gShape }), wg.tensor(idx, { dtype: 'int32' }), axis, 4), expected, { rtol: 1e-5, atol: 1e-5 });
      expect(r.shape).toEqual(gShape.map((d, i) => (i === axis ? 4 : d)));
    });
  }

  test('indices outside [0, size) add nothing and untouched rows are zero', async () => {
    const g = seeded(12, 95);
    const idx = [-1, 5, 2, 9];
    await checkBoth(() => scatterAdd(wg.tensor(g, { shape: [4, 3] }), wg.tensor(idx, { dtype: 'int32' }), 0, 6), refScatter(g, [4, 3], idx, [4], 0, 6));
  });

  test('indices of rank 2 replace two axes of the values', async () => {
    const g = seeded(2 * 2 * 3 * 5, 96);
    const idx = [4, 0, 4, 2, 1, 4];
    const expected = refScatter(g, [2, 2, 3, 5], idx, [2, 3], 1, 6);
    const r = await checkBoth(() => scatterAdd(wg.tensor(g, { shape: [2, 2, 3, 5] }), wg.tensor(idx, { shape: [2, 3], dtype: 'int32' }), 1, 6), expected, { atol: 1e-5 });
    expect(r.shape).toEqual([2, 6, 5]);
  });

  test('many rows of width 1 and of width 100, in buckets whose last one is short', async () => {
    // 5000 rows of one element: 64 buckets of 79 rows, the last of 23; 97 rows of 100 elements:
    // buckets of 2 rows, the last of one, and rows that start mid-way through the 64 threads.
    const idx = seededInts(3000, 97, -2, 5002);
    const g1 = seeded(3000, 98);
    await checkBoth(() => scatterAdd(wg.tensor(g1, { shape: [3000, 1] }), wg.tensor(idx, { dtype: 'int32' }), 0, 5000), refScatter(g1, [3000, 1], idx, [3000], 0, 5000), { atol: 1e-5 });
    const small = idx.slice(0, 300).map((v) => v % 97);
    const g2 = seeded(300 * 100, 99);
    await checkBoth(() => scatterAdd(wg.tensor(g2, { shape: [300, 100] }), wg.tensor(small, { dtype: 'int32' }), 0, 97), refScatter(g2, [300, 100], small, [300], 0, 97), { atol: 1e-5 });
  });

  test('with no indices, the output is all zeros', async () => {
    await checkBoth(() => scatterAdd(wg.zeros([0, 3]), wg.zeros([0], { dtype: 'int32' }), 0, 2), [0, 0, 0, 0, 0, 0]);
  });

  test('rejects values that are not float32 and indices that do not fit the values', () => {
    expect(() => scatterAdd(wg.tensor([1, 2], { dtype: 'int32' }), wg.tensor([0, 1], { dtype: 'int32' }), 0, 2)).toThrow(wg.DTypeError);
    expect(() => scatterAdd(wg.tensor([1, 2, 3]), wg.tensor([0, 1], { dtype: 'int32' }), 0, 2)).toThrow(/scatterAdd.*\[3\].*\[2\]/);
  });
});
