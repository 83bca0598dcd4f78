// Browser checks of the movement ops (views realized on their own and read by kernels) and of
// joining and indexing: concat, stack, pad, gather and oneHot.

import { equals, fill, matchesCpu, type Check, type Wg } from './compare';

/** 0, 1, …, 23 as a [2, 3, 4] tensor. */
const cube = (w: Wg) => w.arange(24).reshape([2, 3, 4]);

export const movementChecks: Check[] = [
  {
    name: 'reshape with -1 and flatten from an axis',
    run: async (wg) => {
      await equals(wg, (w) => w.arange(6).reshape([-1, 2]), [3, 2], [0, 1, 2, 3, 4, 5]);
      await equals(wg, (w) => w.arange(6).reshape([1, 3, -1]).add(1), [1, 3, 2], [1, 2, 3, 4, 5, 6]);
      await equals(wg, (w) => cube(w).flatten(), [24], Array.from({ length: 24 }, (_, i) => i));
      await equals(wg, (w) => cube(w).flatten(1).slice([0, 10], [2, 2]), [2, 2], [10, 11, 22, 23]);
      await matchesCpu(wg, (w) => fill(w, [4, 6, 5], 50).transpose([2, 0, 1]).reshape([5, -1]).flatten().mul(2));
    },
  },
  {
    name: 'transpose reverses axes by default and follows a permutation',
    run: async (wg) => {
      await equals(wg, (w) => w.arange(6).reshape([2, 3]).transpose(), [3, 2], [0, 3, 1, 4, 2, 5]);
      await equals(wg, (w) => cube(w).transpose([1, 2, 0]).slice([2, 3, 0], [1, 1, 2]), [1, 1, 2], [11, 23]);
      await equals(wg, (w) => cube(w).transpose().reshape([-1]).slice([0], [4]), [4], [0, 12, 4, 16]);
      await matchesCpu(wg, (w) => fill(w, [3, 4, 5, 2], 51).transpose([3, 1, 0, 2]).add(fill(w, [5], 52)));
      await matchesCpu(wg, (w) => fill(w, [7, 9], 53).transpose().transpose([1, 0]).transpose().exp());
    },
  },
  {
    name: 'expandDims and squeeze, with negative axes',
    run: async (wg) => {
      await equals(wg, (w) => w.tensor([1, 2, 3]).expandDims(0), [1, 3], [1, 2, 3]);
      await equals(wg, (w) => w.tensor([1, 2, 3]).expandDims(-1).mul(w.tensor([1, 10])), [3, 2], [1, 10, 2, 20, 3, 30]);
      await equals(wg, (w) => w.expandDims(w.tensor([[1, 2]]), 1), [1, 1, 2], [1, 2]);
      await equals(wg, (w) => w.zeros([1, 3, 1, 2]).add(1).squeeze(), [3, 2], [1, 1, 1, 1, 1, 1]);
      await equals(wg, (w) => w.ones([1, 3, 1, 2]).squeeze(-2), [1, 3, 2], [1, 1, 1, 1, 1, 1]);
      await equals(wg, (w) => w.squeeze(w.tensor([[[5]], [[6]]]), [1, 2]), [2], [5, 6]);
    },
  },
  {
    name: 'broadcastTo repeats size-1 and missing axes',
    run: async (wg) => {
      await equals(wg, (w) => w.tensor([1, 2]).broadcastTo([3, 2]), [3, 2], [1, 2, 1, 2, 1, 2]);
      await equals(wg, (w) => w.tensor([[1], [2]]).broadcastTo([2, 1, 2, 3]), [2, 1, 2, 3], [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2]);
      await equals(wg, (w) => w.broadcastTo(w.tensor([true, false]), [2, 2]), [2, 2], [1, 0, 1, 0], { dtype: 'bool' });
      await matchesCpu(wg, (w) => fill(w, [3, 1, 5], 54).broadcastTo([2, 3, 4, 5]).transpose([3, 2, 1, 0]).sum(1));
    },
  },
  {
    name: 'slice with -1 sizes, negative begins and a shorter begin',
    run: async (wg) => {
      await equals(wg, (w) => w.arange(10).slice(3, -1), [7], [3, 4, 5, 6, 7, 8, 9]);
      await equals(wg, (w) => w.arange(10).slice([-3]), [3], [7, 8, 9]);
      await equals(wg, (w) => cube(w).slice([1, -2, 1], [-1, 1, 2]), [1, 1, 2], [17, 18]);
      await equals(wg, (w) => cube(w).slice([0, 2]), [2, 1, 4], [8, 9, 10, 11, 20, 21, 22, 23]);
      await equals(wg, (w) => cube(w).transpose([2, 0, 1]).slice([-1, 0, 1], [1, -1, 1]), [1, 2, 1], [7, 19]);
      await matchesCpu(wg, (w) => fill(w, [9, 11, 7], 55).slice([2, -5, 1], [-1, 3, 5]).mul(fill(w, [9, 11, 7], 56).slice([0, 0, 0], [7, 3, 5])));
    },
  },
  {
    name: 'concat along each axis, of float32, int32 and bool',
    run: async (wg) => {
      await equals(wg, (w) => w.concat([w.tensor([[1, 2]]), w.tensor([[3, 4], [5, 6]])], 0), [3, 2], [1, 2, 3, 4, 5, 6]);
      await equals(wg, (w) => w.concat([w.tensor([[1], [2]]), w.tensor([[3, 4], [5, 6]])], -1), [2, 3], [1, 3, 4, 2, 5, 6]);
      await equals(wg, (w) => w.concat([w.tensor([1, -2], { dtype: 'int32' }), w.tensor([3], { dtype: 'int32' })]), [3], [1, -2, 3], { dtype: 'int32' });
      await equals(wg, (w) => w.concat([w.tensor([true]), w.tensor([false, true])]), [3], [1, 0, 1], { dtype: 'bool' });
      await equals(wg, (w) => w.tensor([1, 2]).concat(w.tensor([-Infinity])), [3], [1, 2, -Infinity]);
      for (const axis of [0, 1, 2]) {
        await matchesCpu(wg, (w) => w.concat([fill(w, [2, 3, 4], 57), fill(w, [2, 3, 4], 58).transpose([0, 1, 2]).mul(2), fill(w, [2, 3, 4], 59)], axis));
      }
    },
  },
  {
    name: 'stack on a new first, middle and last axis',
    run: async (wg) => {
      const a = (w: Wg) => w.tensor([[1, 2], [3, 4]]);
      const b = (w: Wg) => w.tensor([[5, 6], [7, 8]]);
      await equals(wg, (w) => w.stack([a(w), b(w)]), [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
      await equals(wg, (w) => w.stack([a(w), b(w)], 1), [2, 2, 2], [1, 2, 5, 6, 3, 4, 7, 8]);
      await equals(wg, (w) => w.stack([a(w), b(w)], -1), [2, 2, 2], [1, 5, 2, 6, 3, 7, 4, 8]);
      await matchesCpu(wg, (w) => w.stack([fill(w, [3, 5], 60), fill(w, [3, 5], 61), fill(w, [5, 3], 62).transpose()], 1));
    },
  },
  {
    name: 'pad with zeros and with a value, on every side',
    run: async (wg) => {
      await equals(wg, (w) => w.tensor([[1, 2], [3, 4]]).pad([[1, 0], [0, 2]]), [3, 4], [0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0]);
      await equals(wg, (w) => w.tensor([1, 2]).pad([[2, 1]], -7.5), [5], [-7.5, -7.5, 1, 2, -7.5]);
      await equals(wg, (w) => w.pad(w.tensor([5, 6], { dtype: 'int32' }), [[1, 1]], 9), [4], [9, 5, 6, 9], { dtype: 'int32' });
      await matchesCpu(wg, (w) => fill(w, [3, 4, 5], 63).transpose([2, 0, 1]).pad([[1, 2], [0, 3], [2, 0]], 3).mul(2));
    },
  },
  {
    name: 'gather on the first, a middle and the last axis, with 2-D indices',
    run: async (wg) => {
      const idx = (w: Wg, xs: number[]) => w.tensor(xs, { dtype: 'int32' });
      await equals(wg, (w) => cube(w).gather(idx(w, [1, 0, 1])), [3, 3, 4], [...range(12, 24), ...range(0, 12), ...range(12, 24)]);
      await equals(wg, (w) => cube(w).gather(idx(w, [2, 0]), 1), [2, 2, 4], [8, 9, 10, 11, 0, 1, 2, 3, 20, 21, 22, 23, 12, 13, 14, 15]);
      await equals(wg, (w) => cube(w).gather(idx(w, [3, 3, 0]), -1).slice([1, 2]), [1, 1, 3], [23, 23, 20]);
      await equals(wg, (w) => w.gather(w.tensor([10, 20, 30]), w.tensor([[2, 0], [1, 1]], { dtype: 'int32' })), [2, 2], [30, 10, 20, 20]);
      await equals(wg, (w) => w.tensor([4, 5], { dtype: 'int32' }).gather(idx(w, [1, 0])), [2], [5, 4], { dtype: 'int32' });
      for (const axis of [0, 1, 2]) {
        await matchesCpu(wg, (w) => fill(w, [5, 6, 7], 64).gather(w.tensor([[4, 0, 2], [1, 1, 3]], { dtype: 'int32' }), axis));
      }
    },
  },
  {
    name: 'oneHot of int32 indices of any shape',
    run: async (wg) => {
      await equals(wg, (w) => w.oneHot(w.tensor([2, 0, 1], { dtype: 'int32' }), 3), [3, 3], [0, 0, 1, 1, 0, 0, 0, 1, 0], { dtype: 'float32' });
      await equals(wg, (w) => w.tensor([[1], [3]], { dtype: 'int32' }).oneHot(4), [2, 1, 4], [0, 1, 0, 0, 0, 0, 0, 1]);
      await matchesCpu(wg, (w) => w.randint(0, 10, [6, 7], { seed: 65 }).oneHot(10).sum(1));
    },
  },
];

function range(start: number, stop: number): number[] {
  return Array.from({ length: stop - start }, (_, i) => start + i);
}
