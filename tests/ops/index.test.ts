// Indexing: gather along any axis with int32 indices of any shape (a hand-written kernel) and
// oneHot, on both backends against independent index arithmetic.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { at, checkBoth, expectNoGpuErrors, initBoth, seeded, tabulate, useBackend, wg } from '../helpers';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

const SHAPE = [3, 4, 5];
const DATA = seeded(60, 81);
const x = () => wg.tensor(DATA, { shape: SHAPE });

describe('gather', () => {
  for (const axis of [0, 1, 2, -1]) {
    test(`gather along axis ${axis}`, async () => {
      const a = axis < 0 ? axis + 3 : axis;
      const idx = [2, 0, 2, 1].map((v) => v % SHAPE[a]);
      const outShape = SHAPE.map((d, i) => (i === a ? idx.length : d));
      const expected = tabulate(outShape, (o) => {
        const src = [...o];
        src[a] = idx[o[a]];
        return at(DATA, SHAPE, src);
      });
      const r = await checkBoth(() => x().gather(wg.tensor(idx, { dtype: 'int32' }), axis), expected);
      expect(r.shape).toEqual(outShape);
    });
  }

  test('indices of rank 2 add their axes in place of the gathered one', async () => {
    const idx = [[0, 3], [1, 1], [2, 0]];
    const r = await checkBoth(
      () => wg.gather(x(), wg.tensor(idx, { dtype: 'int32' }), 1),
      tabulate([3, 3, 2, 5], ([i, j, k, l]) => at(DATA, SHAPE, [i, idx[j][k], l])),
    );
    expect(r.shape).toEqual([3, 3, 2, 5]);
  });

  test('a gather of computed values and computed indices', async () => {
    const v = [10, 20, 30, 40];
    await checkBoth(() => wg.tensor(v).mul(2).gather(wg.tensor([3, 1], { dtype: 'int32' }).add(-1)), [60, 20]);
  });

  test('gather from int32 and bool tensors keeps the dtype', async () => {
    const i = await checkBoth(() => wg.tensor([5, 6, 7], { dtype: 'int32' }).gather(wg.tensor([2, 2, 0], { dtype: 'int32' })), [7, 7, 5]);
    expect(i.dtype).toBe('int32');
    const b = await checkBoth(() => wg.tensor([true, false]).gather(wg.tensor([1, 0], { dtype: 'int32' })), [0, 1]);
    expect(b.dtype).toBe('bool');
  });

  test('int32 words that are NaN bit patterns as floats pass through unchanged', async () => {
    const words = [-1, -4194305, 2143289344, 2139095041];
    await checkBoth(() => wg.tensor(words, { dtype: 'int32' }).gather(wg.tensor([3, 2, 1, 0], { dtype: 'int32' })), [...words].reverse());
  });

  test('an elementwise chain after a float32 gather runs in its epilogue: one dispatch', async () => {
    const table = wg.tensor(seeded(12, 83), { shape: [4, 3] });
    const ids = wg.tensor([2, 3, 0], { dtype: 'int32' });
    const build = () => table.gather(ids).mul(2).add(1).clip(0, 1.5);
    const expected = [2, 3, 0].flatMap((r) => [0, 1, 2].map((c) => Math.min(1.5, Math.max(0, seeded(12, 83)[r * 3 + c] * 2 + 1))));
    await checkBoth(build, expected);
    wg.realize(table.add(0), ids.add(0));
    const out = build();
    wg.resetStats();
    wg.realize(out);
    expect(wg.stats().dispatches).toBe(1);
  });

  test('out-of-range indices known at the call are an ArgumentError naming the first one', () => {
    expect(() => wg.tensor([1, 2, 3]).gather(wg.tensor([1, 3, -1], { dtype: 'int32' }))).toThrow(/gather: index 3 .*axis 0 of \[3\] of size 3/);
    expect(() => wg.tensor([1, 2, 3]).gather(wg.tensor([-1], { dtype: 'int32' }))).toThrow(wg.ArgumentError);
  });

  test('out-of-range indices computed lazily are an ArgumentError when the value is read, on both backends', async () => {
    for (const backend of ['webgpu', 'cpu'] as const) {
      await useBackend(backend);
      const bad = wg.tensor([1, 2, 3]).gather(wg.tensor([-2, 2, 0], { dtype: 'int32' }).add(1));
      await expect(bad.data()).rejects.toThrow(/gather: index (-1|3) is out of range for an axis of size 3/);
      // The report is cleared: the next computation reads normally.
      expect(Array.from(await wg.tensor([1, 2, 3]).gather(wg.tensor([2, 0], { dtype: 'int32' }).add(0)).data())).toEqual([3, 1]);
    }
    expectNoGpuErrors();
  });

  test('an embedding-style lookup: rows of a table', async () => {
    const table = seeded(10 * 4, 82);
    const ids = [7, 0, 7, 3, 9];
    await checkBoth(
      () => wg.tensor(table, { shape: [10, 4] }).gather(wg.tensor(ids, { dtype: 'int32' })),
      ids.flatMap((r) => table.slice(r * 4, r * 4 + 4)),
    );
  });
});

describe('oneHot', () => {
  test('rows of length depth with a single 1', async () => {
    const r = await checkBoth(() => wg.oneHot(wg.tensor([0, 2, 1], { dtype: 'int32' }), 3), [1, 0, 0, 0, 0, 1, 0, 1, 0]);
    expect(r.shape).toEqual([3, 3]);
    expect(r.dtype).toBe('float32');
  });

  test('indices of rank 2; lazily computed out-of-range indices give all-zero rows', async () => {
    const r = await checkBoth(() => wg.tensor([[0, 4], [-2, -1]], { dtype: 'int32' }).add(1).oneHot(2), [0, 1, 0, 0, 0, 0, 1, 0]);
    expect(r.shape).toEqual([2, 2, 2]);
  });

  test('out-of-range indices known at the call are an ArgumentError (as PyTorch)', () => {
    expect(() => wg.oneHot(wg.tensor([5, 6, 7], { dtype: 'int32' }), 3)).toThrow(/oneHot: index 5 .*depth of size 3/);
    expect(() => wg.oneHot(wg.tensor([0, -1], { dtype: 'int32' }), 3)).toThrow(wg.ArgumentError);
  });
});
