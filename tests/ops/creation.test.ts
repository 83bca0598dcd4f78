// Creating tensors (API.md "Creation"): from nested and typed arrays, constants, ranges, eye,
// and the seeded random ops (determinism per seed and rough statistics), on both backends.

import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { checkBoth, expectNoGpuErrors, initBoth, wg } from '../helpers';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

describe('tensor()', () => {
  test('from nested arrays: shape inferred, float32 by default', async () => {
    const r = await checkBoth(() => wg.tensor([[[1, 2]], [[3, 4]], [[5, 6]]]), [1, 2, 3, 4, 5, 6]);
    expect(r.shape).toEqual([3, 1, 2]);
    expect(r.dtype).toBe('float32');
  });

  test('from a number: a rank-0 tensor', async () => {
    const t = wg.tensor(4.5);
    expect(t.shape).toEqual([]);
    expect(t.size).toBe(1);
    expect(t.rank).toBe(0);
    expect(await t.item()).toBe(4.5);
    expect(await t.array()).toBe(4.5);
  });

  test('from booleans: a bool tensor', async () => {
    const t = wg.tensor([[true, false], [false, true]]);
    expect(t.dtype).toBe('bool');
    expect(await t.array()).toEqual([[true, false], [false, true]]);
  });

  test('from typed arrays: dtype from the array, shape from opts', async () => {
    const f = wg.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [2, 3] });
    expect(f.dtype).toBe('float32');
    expect(await f.array()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const i = wg.tensor(new Int32Array([7, -8]));
    expect(i.dtype).toBe('int32');
    expect(i.shape).toEqual([2]);
    expect(Array.from(await i.data())).toEqual([7, -8]);
  });

  test('an explicit dtype converts the values', async () => {
    const t = wg.tensor([1.7, -2.2, 0], { dtype: 'int32' });
    expect(t.dtype).toBe('int32');
    expect(Array.from(await t.data())).toEqual([1, -2, 0]);
    const b = wg.tensor([0, 2, -1], { dtype: 'bool' });
    expect(await b.array()).toEqual([false, true, true]);
  });

  test('a nested array may be reshaped by opts.shape', async () => {
    const t = wg.tensor([1, 2, 3, 4], { shape: [2, 2] });
    expect(await t.array()).toEqual([[1, 2], [3, 4]]);
  });

  test('data() returns the matching typed array', async () => {
    expect(await wg.tensor([1]).data()).toBeInstanceOf(Float32Array);
    expect(await wg.tensor([1], { dtype: 'int32' }).data()).toBeInstanceOf(Int32Array);
    expect(await wg.tensor([true]).data()).toBeInstanceOf(Uint8Array);
  });

  test('print() logs the shape, dtype and values', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await wg.tensor([[1, 2]], { dtype: 'int32' }).print();
      expect(log).toHaveBeenCalledTimes(1);
      const text = String(log.mock.calls[0][0]);
      expect(text).toMatch(/\[1,2\]/);
      expect(text).toMatch(/int32/);
      expect(text).toMatch(/\[\[1,2\]\]/);
    } finally {
      log.mockRestore();
    }
  });

  test('an input tensor is not modified by the ops that read it', async () => {
    const values = new Float32Array([1, 2, 3]);
    const t = wg.tensor(values);
    values[0] = 100;
    await t.add(1).data();
    expect(Array.from(await t.data())).toEqual([1, 2, 3]);
  });
});

describe('constants and ranges', () => {
  test('zeros, ones and full', async () => {
    expect((await checkBoth(() => wg.zeros([2, 3]), [0, 0, 0, 0, 0, 0])).shape).toEqual([2, 3]);
    await checkBoth(() => wg.ones([4]), [1, 1, 1, 1]);
    await checkBoth(() => wg.full([2, 2], -3.5), [-3.5, -3.5, -3.5, -3.5]);
    expect((await checkBoth(() => wg.full([3], 7, { dtype: 'int32' }), [7, 7, 7])).dtype).toBe('int32');
    expect((await checkBoth(() => wg.ones([2], { dtype: 'bool' }), [1, 1])).dtype).toBe('bool');
  });

  test('zerosLike and onesLike copy shape and dtype', async () => {
    const base = wg.tensor([[1, 2, 3]], { dtype: 'int32' });
    const z = await checkBoth(() => wg.zerosLike(base), [0, 0, 0]);
    expect(z.shape).toEqual([1, 3]);
    expect(z.dtype).toBe('int32');
    const o = await checkBoth(() => wg.onesLike(base, { dtype: 'float32' }), [1, 1, 1]);
    expect(o.dtype).toBe('float32');
  });

  test('arange(n), arange(start, stop), arange(start, stop, step) and negative steps', async () => {
    await checkBoth(() => wg.arange(5), [0, 1, 2, 3, 4]);
    await checkBoth(() => wg.arange(2, 6), [2, 3, 4, 5]);
    await checkBoth(() => wg.arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75]);
    await checkBoth(() => wg.arange(5, 0, -2), [5, 3, 1]);
    expect((await checkBoth(() => wg.arange(3, 3), [])).shape).toEqual([0]);
    expect((await checkBoth(() => wg.arange(0, 3, 1, { dtype: 'int32' }), [0, 1, 2])).dtype).toBe('int32');
  });

  test('linspace includes both ends', async () => {
    await checkBoth(() => wg.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1]);
    await checkBoth(() => wg.linspace(-2, 2, 1), [-2]);
    await checkBoth(() => wg.linspace(3, -3, 4), [3, 1, -1, -3]);
  });

  test('eye is the identity matrix', async () => {
    const r = await checkBoth(() => wg.eye(3), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(r.shape).toEqual([3, 3]);
  });
});

describe('random ops', () => {
  test('the same seed gives the same values, another seed different ones', async () => {
    const a = await wg.rand([50], { seed: 42 }).data();
    const b = await wg.rand([50], { seed: 42 }).data();
    const c = await wg.rand([50], { seed: 43 }).data();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  test('wg.seed makes the sequence of unseeded draws repeatable', async () => {
    wg.seed(7);
    const a1 = Array.from(await wg.randn([20]).data());
    const a2 = Array.from(await wg.rand([20]).data());
    wg.seed(7);
    expect(Array.from(await wg.randn([20]).data())).toEqual(a1);
    expect(Array.from(await wg.rand([20]).data())).toEqual(a2);
    expect(a1).not.toEqual(a2.slice(0, 20));
  });

  test('a seeded random tensor has the same values on both backends', async () => {
    await checkBoth(() => wg.randn([3, 4], { seed: 5 }).mul(2), Array.from(await wg.randn([3, 4], { seed: 5 }).data()).map((v) => v * 2));
  });

  test('rand is uniform on [0, 1): mean ≈ 1/2, variance ≈ 1/12', async () => {
    const v = Array.from(await wg.rand([20000], { seed: 1 }).data());
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThan(1);
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const s2 = v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length;
    expect(Math.abs(m - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(s2 - 1 / 12)).toBeLessThan(0.005);
  });

  test('randn is standard normal: mean ≈ 0, std ≈ 1, about 68% within one std', async () => {
    const v = Array.from(await wg.randn([20001], { seed: 2 }).data());
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    const within = v.filter((x) => Math.abs(x) < 1).length / v.length;
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(s - 1)).toBeLessThan(0.03);
    expect(Math.abs(within - 0.6827)).toBeLessThan(0.02);
    expect(v.every(Number.isFinite)).toBe(true);
  });

  test('randint draws every integer of [low, high) and nothing else', async () => {
    const t = wg.randint(-2, 3, [4000], { seed: 3 });
    expect(t.dtype).toBe('int32');
    const v = Array.from(await t.data());
    const counts = new Map<number, number>();
    for (const x of v) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
    for (const c of counts.values()) expect(Math.abs(c - 800)).toBeLessThan(120);
  });

  test('random tensors accept requiresGrad', () => {
    expect(wg.randn([2], { requiresGrad: true, seed: 1 }).requiresGrad).toBe(true);
  });
});
