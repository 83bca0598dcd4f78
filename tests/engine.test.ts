// The Engine API of API.md: default initialization on first readback, init options and result,
// getBackend/setBackend with tensors that move between backends, realize, memory(),
// stats()/resetStats(), explain() and seed(). Runs in its own worker, so the first test sees an
// uninitialized engine.

import { afterAll, describe, expect, test } from 'vitest';
import { expectNoGpuErrors, wg } from './helpers';

afterAll(expectNoGpuErrors);

describe('initialization', () => {
  test('ops before init are lazy; the first readback initializes with defaults (webgpu here)', async () => {
    const y = wg.tensor([1, 2]).add(1);
    expect(Array.from(await y.data())).toEqual([2, 3]);
    expect(wg.getBackend()).toBe('webgpu');
  });

  test('init returns the backend, the adapter and the device limits', async () => {
    const info = await wg.init({ backend: 'webgpu' });
    expect(info.backend).toBe('webgpu');
    expect(typeof info.adapter.vendor).toBe('string');
    expect(typeof info.adapter.architecture).toBe('string');
    expect(typeof info.adapter.description).toBe('string');
    expect(info.limits.maxStorageBuffersPerShaderStage).toBeGreaterThanOrEqual(8);
    expect(info.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(64);
  });

  test("init({ backend: 'cpu' }) selects the cpu backend", async () => {
    const info = await wg.init({ backend: 'cpu' });
    expect(info.backend).toBe('cpu');
    expect(wg.getBackend()).toBe('cpu');
    expect(Array.from(await wg.tensor([3]).mul(2).data())).toEqual([6]);
    await wg.init({ backend: 'webgpu' });
    expect(wg.getBackend()).toBe('webgpu');
  });
});

describe('setBackend: tensors stay usable across a switch', () => {
  test('a tensor computed on webgpu is read and used on cpu', async () => {
    await wg.setBackend('webgpu');
    const g = wg.tensor([[1, 2], [3, 4]]).mul(10);
    wg.realize(g);
    const lazy = g.add(1);
    await wg.setBackend('cpu');
    expect(wg.getBackend()).toBe('cpu');
    expect(await g.array()).toEqual([[10, 20], [30, 40]]);
    expect(await lazy.array()).toEqual([[11, 21], [31, 41]]);
    expect(await g.sum(1).array()).toEqual([30, 70]);
  });

  test('a tensor computed on cpu is read and used on webgpu', async () => {
    await wg.setBackend('cpu');
    const c = wg.arange(6).reshape([2, 3]).square();
    wg.realize(c);
    await wg.setBackend('webgpu');
    expect(wg.getBackend()).toBe('webgpu');
    expect(await c.array()).toEqual([[0, 1, 4], [9, 16, 25]]);
    expect(await c.matmul(wg.ones([3, 1])).array()).toEqual([[5], [50]]);
  });

  test('switching back and forth keeps the values', async () => {
    let t = wg.tensor([1, 2, 3]);
    for (let i = 0; i < 3; i++) {
      await wg.setBackend(i % 2 ? 'webgpu' : 'cpu');
      t = t.add(1);
      wg.realize(t);
    }
    await wg.setBackend('webgpu');
    expect(Array.from(await t.data())).toEqual([4, 5, 6]);
  });

  test('setting the active backend again does nothing', async () => {
    await wg.setBackend('webgpu');
    await wg.setBackend('webgpu');
    expect(wg.getBackend()).toBe('webgpu');
  });
});

describe('realize, stats, memory, explain, seed', () => {
  test('realize computes without reading back', async () => {
    const y = wg.tensor([1, 2, 3]).exp();
    wg.resetStats();
    wg.realize(y);
    const s = wg.stats();
    expect(s.realizes).toBe(1);
    expect(s.bytesRead).toBe(0);
    expect(s.bytesUploaded).toBe(12);
    wg.resetStats();
    await y.data();
    expect(wg.stats()).toMatchObject({ realizes: 0, dispatches: 0, bytesRead: 12 });
  });

  test('stats has every counter of API.md and resetStats zeroes them', async () => {
    await wg.tensor([1]).add(1).data();
    const keys = ['realizes', 'dispatches', 'submits', 'pipelinesCreated', 'planCacheHits', 'planCacheMisses', 'bytesUploaded', 'bytesRead'];
    expect(Object.keys(wg.stats()).sort()).toEqual([...keys].sort());
    wg.resetStats();
    for (const k of keys) expect(wg.stats()[k as keyof wg.Stats]).toBe(0);
  });

  test('stats() is a snapshot, not a live view', async () => {
    wg.resetStats();
    const before = wg.stats();
    await wg.tensor([2]).mul(3).data();
    expect(before.realizes).toBe(0);
    expect(wg.stats().realizes).toBe(1);
  });

  test('the same graph realized twice creates no new pipelines the second time', async () => {
    const run = () => wg.tensor([1, 2, 3, 4]).mul(3).sub(1).sqrt().data();
    await run();
    wg.resetStats();
    await run();
    expect(wg.stats().pipelinesCreated).toBe(0);
  });

  test('memory() counts live tensors and device bytes, with a peak at least as high', async () => {
    const before = wg.memory();
    const keep = [wg.ones([1000]).mul(2), wg.ones([2000]).mul(3)];
    wg.realize(...keep);
    const after = wg.memory();
    expect(after.liveTensors).toBeGreaterThanOrEqual(before.liveTensors + 2);
    expect(after.liveBytes).toBeGreaterThanOrEqual(before.liveBytes + 12000);
    expect(after.peakBytes).toBeGreaterThanOrEqual(after.liveBytes);
    expect(after.pooledBytes).toBeGreaterThanOrEqual(0);
    for (const t of keep) t.dispose();
    const freed = wg.memory();
    expect(freed.liveTensors).toBe(after.liveTensors - 2);
    expect(freed.liveBytes).toBeLessThanOrEqual(after.liveBytes - 12000);
  });

  test('memory() on the cpu backend counts host bytes', async () => {
    await wg.setBackend('cpu');
    try {
      const t = wg.ones([500]).mul(2);
      wg.realize(t);
      expect(wg.memory().liveBytes).toBeGreaterThanOrEqual(2000);
    } finally {
      await wg.setBackend('webgpu');
    }
  });

  test('explain describes without computing', () => {
    const y = wg.tensor([1, 2]).add(3).relu();
    wg.resetStats();
    const text = wg.explain(y);
    expect(text.split('\n')).toHaveLength(1);
    expect(text).toMatch(/relu/);
    expect(wg.stats().dispatches).toBe(0);
  });

  test('wg.seed makes every random op repeatable; explicit seeds are independent of it', async () => {
    wg.seed(123);
    const a = [Array.from(await wg.rand([5]).data()), Array.from(await wg.randint(0, 100, [5]).data())];
    wg.seed(123);
    const b = [Array.from(await wg.rand([5]).data()), Array.from(await wg.randint(0, 100, [5]).data())];
    expect(b).toEqual(a);
    wg.seed(999);
    const c = Array.from(await wg.rand([5], { seed: 1 }).data());
    wg.seed(5);
    expect(Array.from(await wg.rand([5], { seed: 1 }).data())).toEqual(c);
  });
});
