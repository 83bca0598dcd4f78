// Movement and joining ops (reshape, flatten, transpose, expandDims, squeeze, broadcastTo,
// slice, pad, concat, stack) on both backends against independent index arithmetic, and the
// invariant that views are index arithmetic in their consumer: no extra dispatches.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { at, checkBoth, countWork, expectNoGpuErrors, initBoth, refTranspose, seeded, tabulate, useBackend, wg } from '../helpers';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

const D24 = seeded(24, 71);
const x234 = () => wg.tensor(D24, { shape: [2, 3, 4] });

describe('reshape and flatten', () => {
  test('reshape keeps row-major order', async () => {
    const r = await checkBoth(() => x234().reshape([4, 6]), D24);
    expect(r.shape).toEqual([4, 6]);
  });

  test('reshape with one -1 infers the size', async () => {
    expect((await checkBoth(() => x234().reshape([-1, 4]), D24)).shape).toEqual([6, 4]);
    expect((await checkBoth(() => x234().reshape([3, -1]), D24)).shape).toEqual([3, 8]);
  });

  test('reshape of a transposed view reads the transposed order', async () => {
    const expected = refTranspose(D24, [2, 3, 4], [2, 1, 0]);
    await checkBoth(() => x234().transpose().reshape([4, 6]), expected);
  });

  test('reshape to a scalar and back', async () => {
    await checkBoth(() => wg.tensor([5]).reshape([]).add(1).reshape([1, 1]), [6]);
  });

  test('flatten from axis 0 and from axis 1', async () => {
    expect((await checkBoth(() => x234().flatten(), D24)).shape).toEqual([24]);
    expect((await checkBoth(() => x234().flatten(1), D24)).shape).toEqual([2, 12]);
    expect((await checkBoth(() => wg.flatten(x234(), -1), D24)).shape).toEqual([2, 3, 4]);
  });
});

describe('transpose, expandDims, squeeze, broadcastTo', () => {
  test('transpose defaults to reversing the axes', async () => {
    const r = await checkBoth(() => x234().transpose(), refTranspose(D24, [2, 3, 4], [2, 1, 0]));
    expect(r.shape).toEqual([4, 3, 2]);
  });

  for (const perm of [[0, 2, 1], [1, 0, 2], [2, 0, 1], [1, 2, 0]]) {
    test(`transpose with perm ${perm.join(',')}`, async () => {
      const r = await checkBoth(() => x234().transpose(perm), refTranspose(D24, [2, 3, 4], perm));
      expect(r.shape).toEqual(perm.map((p) => [2, 3, 4][p]));
    });
  }

  test('a transpose of a transpose', async () => {
    const once = refTranspose(D24, [2, 3, 4], [1, 2, 0]);
    await checkBoth(() => x234().transpose([1, 2, 0]).transpose([2, 1, 0]), refTranspose(once, [3, 4, 2], [2, 1, 0]));
  });

  test('expandDims at the front, middle and end (negative axis)', async () => {
    expect((await checkBoth(() => x234().expandDims(0), D24)).shape).toEqual([1, 2, 3, 4]);
    expect((await checkBoth(() => x234().expandDims(2), D24)).shape).toEqual([2, 3, 1, 4]);
    expect((await checkBoth(() => x234().expandDims(-1), D24)).shape).toEqual([2, 3, 4, 1]);
  });

  test('squeeze all size-1 axes or one given axis', async () => {
    const t = () => wg.tensor(D24, { shape: [1, 2, 1, 12, 1] });
    expect((await checkBoth(() => t().squeeze(), D24)).shape).toEqual([2, 12]);
    expect((await checkBoth(() => t().squeeze(2), D24)).shape).toEqual([1, 2, 12, 1]);
    expect((await checkBoth(() => t().squeeze([0, -1]), D24)).shape).toEqual([2, 1, 12]);
  });

  test('broadcastTo adds leading axes and expands size-1 axes', async () => {
    const v = [1, 2, 3];
    const r = await checkBoth(() => wg.tensor(v, { shape: [3, 1] }).broadcastTo([2, 3, 4]), tabulate([2, 3, 4], ([, j]) => v[j]));
    expect(r.shape).toEqual([2, 3, 4]);
  });

  test('a broadcast scalar', async () => {
    await checkBoth(() => wg.tensor(7).broadcastTo([2, 2]), [7, 7, 7, 7]);
  });
});

describe('slice', () => {
  const ref = (begin: number[], size: number[]) => tabulate(size, (o) => at(D24, [2, 3, 4], o.map((v, i) => v + begin[i])));

  test('a plain box', async () => {
    const r = await checkBoth(() => x234().slice([1, 1, 1], [1, 2, 2]), ref([1, 1, 1], [1, 2, 2]));
    expect(r.shape).toEqual([1, 2, 2]);
  });

  test('size -1 takes the rest of the axis', async () => {
    const r = await checkBoth(() => x234().slice([0, 1, 2], [-1, -1, -1]), ref([0, 1, 2], [2, 2, 2]));
    expect(r.shape).toEqual([2, 2, 2]);
  });

  test('negative begin counts from the end', async () => {
    await checkBoth(() => x234().slice([-1, -2, -3], [1, 2, 2]), ref([1, 1, 1], [1, 2, 2]));
  });

  test('a begin shorter than the rank slices the leading axes only', async () => {
    const r = await checkBoth(() => x234().slice([1], [1]), ref([1, 0, 0], [1, 3, 4]));
    expect(r.shape).toEqual([1, 3, 4]);
    await checkBoth(() => wg.slice(x234(), 1), ref([1, 0, 0], [1, 3, 4]));
  });

  test('a slice of a transposed view', async () => {
    const tr = refTranspose(D24, [2, 3, 4], [2, 0, 1]); // [4,2,3]
    await checkBoth(() => x234().transpose([2, 0, 1]).slice([1, 0, 1], [2, 2, 2]), tabulate([2, 2, 2], (o) => at(tr, [4, 2, 3], [o[0] + 1, o[1], o[2] + 1])));
  });

  test('a zero-length slice', async () => {
    const r = await checkBoth(() => x234().slice([0, 0, 2], [2, 3, 0]), []);
    expect(r.shape).toEqual([2, 3, 0]);
  });
});

describe('pad', () => {
  test('zero padding on both sides of each axis', async () => {
    const v = [1, 2, 3, 4, 5, 6];
    const r = await checkBoth(() => wg.tensor(v, { shape: [2, 3] }).pad([[1, 0], [2, 1]]), tabulate([3, 6], ([i, j]) => (i >= 1 && j >= 2 && j < 5 ? v[(i - 1) * 3 + (j - 2)] : 0)));
    expect(r.shape).toEqual([3, 6]);
  });

  test('padding with a value', async () => {
    await checkBoth(() => wg.tensor([1, 2]).pad([[2, 1]], -1.5), [-1.5, -1.5, 1, 2, -1.5]);
  });

  test('padding an int32 tensor with a value keeps int32', async () => {
    const r = await checkBoth(() => wg.tensor([1, 2], { dtype: 'int32' }).pad([[1, 1]], 9), [9, 1, 2, 9]);
    expect(r.dtype).toBe('int32');
  });

  test('padding keeps the dtype: bool with true, int32 with a truncated value', async () => {
    const b = await checkBoth(() => wg.tensor([true, false]).pad([[1, 0]], 1), [1, 1, 0]);
    expect(b.dtype).toBe('bool');
    const i = await checkBoth(() => wg.tensor([5], { dtype: 'int32' }).pad([[0, 1]], 2.7), [5, 2]);
    expect(i.dtype).toBe('int32');
  });

  test('padding a computed value reads no garbage from padding lanes', async () => {
    await checkBoth(() => wg.tensor([0, -1]).log().pad([[1, 1]]), [0, -Infinity, NaN, 0]);
  });

  test('a pad of a slice', async () => {
    await checkBoth(() => wg.tensor([1, 2, 3, 4]).slice([1], [2]).pad([[1, 2]], 7), [7, 2, 3, 7, 7]);
  });
});

describe('concat and stack', () => {
  test('concat along axis 0 and axis 1', async () => {
    const a = [[1, 2], [3, 4]];
    const b = [[5, 6]];
    const c = [[7], [8]];
    const r0 = await checkBoth(() => wg.concat([wg.tensor(a), wg.tensor(b)], 0), [1, 2, 3, 4, 5, 6]);
    expect(r0.shape).toEqual([3, 2]);
    const r1 = await checkBoth(() => wg.concat([wg.tensor(a), wg.tensor(c)], 1), [1, 2, 7, 3, 4, 8]);
    expect(r1.shape).toEqual([2, 3]);
  });

  test('concat of three along a negative axis', async () => {
    const r = await checkBoth(() => wg.concat([wg.ones([2, 1]), wg.zeros([2, 2]), wg.full([2, 1], 3)], -1), [1, 0, 0, 3, 1, 0, 0, 3]);
    expect(r.shape).toEqual([2, 4]);
  });

  test('the concat method takes one tensor or a list', async () => {
    await checkBoth(() => wg.tensor([1]).concat(wg.tensor([2])), [1, 2]);
    await checkBoth(() => wg.tensor([1]).concat([wg.tensor([2]), wg.tensor([3])]), [1, 2, 3]);
  });

  test('concat keeps NaN and Infinity of each part exact', async () => {
    await checkBoth(() => wg.concat([wg.tensor([NaN, 1]), wg.tensor([Infinity, -Infinity])]), [NaN, 1, Infinity, -Infinity]);
  });

  test('concat of int32 and of bool tensors', async () => {
    expect((await checkBoth(() => wg.concat([wg.tensor([1], { dtype: 'int32' }), wg.tensor([-2], { dtype: 'int32' })]), [1, -2])).dtype).toBe('int32');
    expect((await checkBoth(() => wg.concat([wg.tensor([true, false]), wg.tensor([true])]), [1, 0, 1])).dtype).toBe('bool');
  });

  test('stack adds a new axis', async () => {
    const a = [1, 2, 3];
    const b = [4, 5, 6];
    const r0 = await checkBoth(() => wg.stack([wg.tensor(a), wg.tensor(b)]), [1, 2, 3, 4, 5, 6]);
    expect(r0.shape).toEqual([2, 3]);
    const r1 = await checkBoth(() => wg.stack([wg.tensor(a), wg.tensor(b)], 1), [1, 4, 2, 5, 3, 6]);
    expect(r1.shape).toEqual([3, 2]);
    const rn = await checkBoth(() => wg.stack([wg.tensor(a), wg.tensor(b)], -1), [1, 4, 2, 5, 3, 6]);
    expect(rn.shape).toEqual([3, 2]);
  });
});

describe('views fuse into their consumer', () => {
  async function dispatchesOf(build: () => wg.Tensor): Promise<number> {
    await useBackend('webgpu');
    const t = build();
    const { dispatches } = await countWork(() => wg.realize(t));
    return dispatches;
  }

  test('reshape, transpose, slice and broadcast before an add: one dispatch', async () => {
    const n = await dispatchesOf(() => x234().transpose([2, 0, 1]).reshape([4, 6]).slice([1, 0], [2, -1]).add(wg.tensor([1, 2, 3, 4, 5, 6])));
    expect(n).toBe(1);
  });

  test('pad with a value: one dispatch', async () => {
    expect(await dispatchesOf(() => x234().pad([[0, 1], [1, 1], [0, 0]], 2).mul(3))).toBe(1);
  });

  test('concat of three tensors: one dispatch', async () => {
    expect(await dispatchesOf(() => wg.concat([x234(), x234().neg(), x234().exp()], 1))).toBe(1);
  });

  test('stack of two computed tensors: one dispatch', async () => {
    expect(await dispatchesOf(() => wg.stack([x234().relu(), x234().sigmoid()], 0))).toBe(1);
  });

  test('a movement op on a realized tensor reads it without a copy', async () => {
    await useBackend('webgpu');
    const base = x234().add(1);
    wg.realize(base);
    const { dispatches } = await countWork(() => wg.realize(base.transpose().slice([1, 0, 0], [2, -1, -1]).mul(2)));
    expect(dispatches).toBe(1);
  });
});
