// Browser checks of the reductions: every axis form with and without keepDims, sizes that are
// not powers of two, one large reduction to one value, and argmax/argmin (int32, first on ties).

import { equals, fill, fillInts, matchesCpu, values, type Check, type Tensor, type Wg } from './compare';

type Reduction = 'sum' | 'mean' | 'max' | 'min' | 'prod' | 'variance' | 'logSumExp';
const REDUCTIONS: Reduction[] = ['sum', 'mean', 'max', 'min', 'prod', 'variance', 'logSumExp'];

const M = [[1, 2, 3], [4, 5, 6]];

export const reduceChecks: Check[] = [
  {
    name: 'sum, mean, max, min, prod, variance and logSumExp of a known matrix',
    run: async (wg) => {
      const m = (w: Wg) => w.tensor(M);
      const lse = (xs: number[]) => Math.log(xs.reduce((a, x) => a + Math.exp(x), 0));
      await equals(wg, (w) => m(w).sum(), [], [21]);
      await equals(wg, (w) => m(w).mean(0), [3], [2.5, 3.5, 4.5]);
      await equals(wg, (w) => m(w).max(1), [2], [3, 6]);
      await equals(wg, (w) => m(w).min(-1, true), [2, 1], [1, 4]);
      await equals(wg, (w) => m(w).prod(0), [3], [4, 10, 18]);
      await equals(wg, (w) => m(w).prod(), [], [720]);
      await equals(wg, (w) => m(w).variance(1), [2], [2 / 3, 2 / 3]);
      await equals(wg, (w) => m(w).variance(), [], [35 / 12]);
      await equals(wg, (w) => m(w).logSumExp(1, true), [2, 1], [lse([1, 2, 3]), lse([4, 5, 6])]);
      await equals(wg, (w) => w.sum(m(w), [0, 1], true), [1, 1], [21]);
    },
  },
  {
    name: 'every reduction over one axis, several axes and negative axes, with keepDims',
    run: async (wg) => {
      const x = (w: Wg) => fill(w, [3, 5, 7], 40).add(1.5);
      for (const r of REDUCTIONS) {
        for (const axis of [undefined, 0, 1, -1, [0, 2], [-1, -2]] as (number | number[] | undefined)[]) {
          for (const keepDims of [false, true]) {
            await matchesCpu(wg, (w) => (w[r] as (t: Tensor, a?: number | number[], k?: boolean) => Tensor)(x(w), axis, keepDims), { atol: 1e-4 });
          }
        }
      }
    },
  },
  {
    name: 'reductions over sizes that are not powers of two',
    run: async (wg) => {
      const x = (w: Wg) => fill(w, [37, 129], 41);
      for (const r of REDUCTIONS) {
        if (r === 'prod') continue;
        await matchesCpu(wg, (w) => x(w)[r](0), { atol: 1e-4 });
        await matchesCpu(wg, (w) => x(w)[r](1), { atol: 1e-4 });
      }
      await matchesCpu(wg, (w) => x(w).mul(0.1).add(1).prod(1), { rtol: 1e-3 });
    },
  },
  {
    name: 'a reduction of 100,003 elements to one value',
    run: async (wg) => {
      const n = 100_003;
      const xs = values(n, 42);
      let sum = 0;
      let max = -Infinity;
      let min = Infinity;
      for (const v of xs) {
        sum += v;
        max = Math.max(max, v);
        min = Math.min(min, v);
      }
      const big = (w: Wg) => w.tensor(xs);
      await equals(wg, (w) => big(w).sum(), [], [sum], { atol: 1e-2 });
      await equals(wg, (w) => big(w).mean(), [], [sum / n], { atol: 1e-6 });
      await equals(wg, (w) => big(w).max(), [], [max]);
      await equals(wg, (w) => big(w).min(), [], [min]);
      await equals(wg, (w) => w.ones([n]).sum(), [], [n]);
      await equals(wg, (w) => w.ones([n], { dtype: 'int32' }).sum(), [], [n], { dtype: 'int32' });
      await matchesCpu(wg, (w) => big(w).variance(), { atol: 1e-5 });
      await matchesCpu(wg, (w) => big(w).logSumExp(), { atol: 1e-4 });
    },
  },
  {
    name: 'reductions of int32 stay int32, of bool count as int32',
    run: async (wg) => {
      await equals(wg, (w) => w.tensor([[1, -2], [3, 4]], { dtype: 'int32' }).sum(0), [2], [4, 2], { dtype: 'int32' });
      await equals(wg, (w) => w.tensor([[1, -2], [3, 4]], { dtype: 'int32' }).max(1), [2], [1, 4], { dtype: 'int32' });
      await equals(wg, (w) => w.tensor([true, false, true, true]).sum(), [], [3], { dtype: 'int32' });
      await matchesCpu(wg, (w) => fillInts(w, [13, 17], 43, -9, 10).prod(0));
    },
  },
  {
    name: 'NaN and infinities propagate through reductions as in PyTorch',
    run: async (wg) => {
      const x = (w: Wg) => w.tensor([[1, NaN, 3], [4, 5, 6], [-Infinity, 0, 2]]);
      await equals(wg, (w) => x(w).sum(1), [3], [NaN, 15, -Infinity]);
      await equals(wg, (w) => x(w).max(1), [3], [NaN, 6, 2]);
      await equals(wg, (w) => x(w).min(1), [3], [NaN, 4, -Infinity]);
      await matchesCpu(wg, (w) => x(w).max(0).add(x(w).min(0)));
    },
  },
  {
    name: 'argmax and argmin give int32 indices, the first one on ties',
    run: async (wg) => {
      const m = (w: Wg) => w.tensor([[1, 7, 7, -2], [5, 5, 0, 0], [-1, -3, 4, -3]]);
      await equals(wg, (w) => m(w).argmax(), [], [1], { dtype: 'int32' });
      await equals(wg, (w) => m(w).argmin(), [], [9], { dtype: 'int32' });
      await equals(wg, (w) => m(w).argmax(1), [3], [1, 0, 2], { dtype: 'int32' });
      await equals(wg, (w) => m(w).argmin(-1), [3], [3, 2, 1], { dtype: 'int32' });
      await equals(wg, (w) => m(w).argmax(0, true), [1, 4], [1, 0, 0, 1], { dtype: 'int32' });
      await equals(wg, (w) => w.argmin(m(w), 0), [4], [2, 2, 1, 2], { dtype: 'int32' });
      await matchesCpu(wg, (w) => fill(w, [6, 37, 5], 44).argmax(1), { dtype: 'int32' });
      await matchesCpu(wg, (w) => fillInts(w, [9, 11], 45, 0, 3).argmin(0), { dtype: 'int32' });
      const n = 10_007;
      const peak = 6_001;
      await equals(wg, (w) => w.arange(n).sub(peak).abs().neg().argmax(), [], [peak], { dtype: 'int32' });
    },
  },
];
