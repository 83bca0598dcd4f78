// standardize, minMaxScale, oneHot and trainTestSplit against references computed here, on both
// backends; constant features, stratified shares and seeded splits.

import { beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, expectClose, initBoth, seeded, useBackend, wg } from '../helpers';

const N = 12;
const F = 3;
/** Column 0 and 1 vary, column 2 is constant (std 0, range 0). */
const values = seeded(N * F, 5, -3, 7).map((v, i) => (i % F === 2 ? 4 : v));
const column = (j: number) => values.filter((_, i) => i % F === j);
const meanOf = (c: number[]) => c.reduce((a, b) => a + b, 0) / c.length;
const stdOf = (c: number[]) => Math.sqrt(meanOf(c.map((v) => (v - meanOf(c)) ** 2)));
const matrix = () => wg.tensor(new Float32Array(values), { shape: [N, F] });

describe('preprocessing', () => {
  beforeAll(async () => {
    await initBoth();
  });

  it('standardize subtracts the feature mean and divides by the feature std; a constant feature becomes 0', async () => {
    const expected = values.map((v, i) => {
      const c = column(i % F);
      return stdOf(c) === 0 ? 0 : (v - meanOf(c)) / stdOf(c);
    });
    await checkBoth(() => wg.data.standardize(matrix()).x, expected, { rtol: 1e-4, atol: 1e-5 });
    const { mean, std } = wg.data.standardize(matrix());
    expectClose(await mean.data(), [0, 1, 2].map((j) => meanOf(column(j))), { rtol: 1e-5 });
    expectClose(await std.data(), [stdOf(column(0)), stdOf(column(1)), 1], { rtol: 1e-4 });
  });

  it('standardize applies given statistics to other data', async () => {
    await useBackend('cpu');
    const { mean, std } = wg.data.standardize(matrix());
    const other = wg.tensor([[0, 0, 4]]);
    const expected = [0, 1].map((j) => (0 - meanOf(column(j))) / stdOf(column(j))).concat([0]);
    expectClose(await wg.data.standardize(other, { mean, std }).x.data(), expected, { rtol: 1e-4 });
  });

  it('minMaxScale maps each feature onto the range; a constant feature maps to its low end', async () => {
    const lo = -1;
    const hi = 1;
    const expected = values.map((v, i) => {
      const c = column(i % F);
      const [mn, mx] = [Math.min(...c), Math.max(...c)];
      return mx === mn ? lo : lo + ((v - mn) * (hi - lo)) / (mx - mn);
    });
    await checkBoth(() => wg.data.minMaxScale(matrix(), { range: [lo, hi] }).x, expected, { rtol: 1e-5, atol: 1e-6 });
    expect(() => wg.data.minMaxScale(matrix(), { range: [1, 1] })).toThrow(wg.ArgumentError);
  });

  it('oneHot turns int32 labels into float32 rows', async () => {
    await checkBoth(() => wg.data.oneHot(wg.tensor([2, 0], { dtype: 'int32' }), 3), [0, 0, 1, 1, 0, 0]);
  });

  it('rejects non-float data', () => {
    expect(() => wg.data.standardize(wg.zeros([2, 2], { dtype: 'int32' }))).toThrow(wg.DTypeError);
  });

  describe('trainTestSplit', () => {
    const n = 40;
    const data = () => ({
      x: wg.tensor(Float32Array.from({ length: n }, (_, i) => i * 10), { shape: [n, 1] }),
      // Classes 0 (30 examples) and 1 (10).
      y: wg.tensor(Int32Array.from({ length: n }, (_, i) => (i % 4 === 3 ? 1 : 0)), { dtype: 'int32' }),
    });

    it('partitions the examples, x and y paired, testFraction of them (rounded up) in test', async () => {
      await useBackend('webgpu');
      const { x, y } = data();
      const { train, test } = await wg.data.trainTestSplit(x, y, { testFraction: 0.3, seed: 1 });
      expect(test.x.shape).toEqual([12, 1]);
      expect(train.y.shape).toEqual([28]);
      const ids = [...Array.from(await train.x.data()), ...Array.from(await test.x.data())].map((v) => v / 10);
      expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      const testIds = Array.from(await test.x.data()).map((v) => v / 10);
      expect(Array.from(await test.y.data())).toEqual(testIds.map((i) => (i % 4 === 3 ? 1 : 0)));
    });

    it('keeps each class share with stratify', async () => {
      const { x, y } = data();
      const { train, test } = await wg.data.trainTestSplit(x, y, { testFraction: 0.2, seed: 4, stratify: true });
      const count = async (t: wg.Tensor, c: number) => Array.from(await t.data()).filter((v) => v === c).length;
      expect([await count(test.y, 0), await count(test.y, 1)]).toEqual([6, 2]);
      expect([await count(train.y, 0), await count(train.y, 1)]).toEqual([24, 8]);
    });

    it('the same seed gives the same split', async () => {
      const a = await wg.data.trainTestSplit(data().x, data().y, { seed: 9 });
      const b = await wg.data.trainTestSplit(data().x, data().y, { seed: 9 });
      expect(Array.from(await a.test.x.data())).toEqual(Array.from(await b.test.x.data()));
    });

    it('rejects a bad fraction and stratify without class labels', async () => {
      const { x, y } = data();
      await expect(wg.data.trainTestSplit(x, y, { testFraction: 1 })).rejects.toThrow(wg.ArgumentError);
      await expect(wg.data.trainTestSplit(x, x, { stratify: true })).rejects.toThrow(wg.DTypeError);
      await expect(wg.data.trainTestSplit(x, wg.zeros([3]))).rejects.toThrow(wg.ShapeError);
    });
  });
});
