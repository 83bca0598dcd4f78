// Dataset: batches cover every example once with x and y paired, shuffles are seeded and change
// per iteration, take/split/map/batch compose, and batches are gathered on the device.

import { beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, initBoth, useBackend, wg } from '../helpers';

/** x[i] = [i, −i] and y[i] = i, so a batch shows which rows it holds and that they pair up. */
function rows(n: number) {
  const x = wg.tensor(Float32Array.from({ length: 2 * n }, (_, k) => (k % 2 ? -1 : 1) * Math.floor(k / 2)), { shape: [n, 2] });
  const y = wg.tensor(Int32Array.from({ length: n }, (_, i) => i), { shape: [n], dtype: 'int32' });
  return { x, y };
}

async function collect(ds: wg.data.Dataset): Promise<{ sizes: number[]; ys: number[] }> {
  const sizes: number[] = [];
  const ys: number[] = [];
  for await (const { x, y } of ds) {
    const xs = Array.from(await x.data());
    const yv = Array.from(await y.data());
    expect(xs).toEqual(yv.flatMap((i) => [i, -i]));
    sizes.push(y.shape[0] ?? 1);
    ys.push(...yv);
  }
  return { sizes, ys };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('dataset', () => {
  beforeAll(async () => {
    await initBoth();
  });

  it('batches in order, the last batch smaller', async () => {
    const { x, y } = rows(10);
    const ds = wg.data.dataset(x, y).batch(4);
    expect(ds.length).toBe(3);
    expect(await collect(ds)).toEqual({ sizes: [4, 4, 2], ys: range(10) });
  });

  it('drops the remainder when asked', async () => {
    const { x, y } = rows(10);
    expect((await collect(wg.data.dataset(x, y).batch(4, { dropRemainder: true }))).sizes).toEqual([4, 4]);
  });

  it('a shuffled dataset yields every example once, x and y paired', async () => {
    const { x, y } = rows(50);
    const { sizes, ys } = await collect(wg.data.dataset(x, y).shuffle(3).batch(16));
    expect(sizes).toEqual([16, 16, 16, 2]);
    expect([...ys].sort((a, b) => a - b)).toEqual(range(50));
    expect(ys).not.toEqual(range(50));
  });

  it('the same seed gives the same sequence of orders, and each iteration a new one', async () => {
    const { x, y } = rows(40);
    const a = wg.data.dataset(x, y).shuffle(7).batch(8);
    const b = wg.data.dataset(x, y).shuffle(7).batch(8);
    const [a1, a2] = [(await collect(a)).ys, (await collect(a)).ys];
    const [b1, b2] = [(await collect(b)).ys, (await collect(b)).ys];
    expect(a1).toEqual(b1);
    expect(a2).toEqual(b2);
    expect(a1).not.toEqual(a2);
  });

  it('yields single examples before batch', async () => {
    const { x, y } = rows(3);
    const items = [...wg.data.dataset(x, y)];
    expect(items.map((b) => b.x.shape)).toEqual([[2], [2], [2]]);
    expect(await items[2].x.array()).toEqual([2, -2]);
    expect(await items[1].y.item()).toBe(1);
  });

  it('take counts examples before batch and batches after', async () => {
    const { x, y } = rows(20);
    expect(await collect(wg.data.dataset(x, y).take(10).batch(4))).toEqual({ sizes: [4, 4, 2], ys: range(10) });
    expect(await collect(wg.data.dataset(x, y).batch(4).take(2))).toEqual({ sizes: [4, 4], ys: range(8) });
    const shuffledFirst = await collect(wg.data.dataset(x, y).take(6).shuffle(1).batch(6));
    expect([...shuffledFirst.ys].sort((a, b) => a - b)).toEqual(range(6));
    expect(wg.data.dataset(x, y).shuffle(1).take(6).size).toBe(6);
  });

  it('split divides the examples by position', async () => {
    const { x, y } = rows(10);
    const [a, b] = wg.data.dataset(x, y).split(0.7);
    expect([a.size, b.size]).toEqual([7, 3]);
    expect((await collect(b.batch(8))).ys).toEqual([7, 8, 9]);
    const [c] = wg.data.dataset(x, y).shuffle(2).batch(5).split(0.5);
    expect([...(await collect(c)).ys].sort((p, q) => p - q)).toEqual(range(5));
  });

  it('map transforms each batch', async () => {
    const { x, y } = rows(6);
    const ds = wg.data.dataset(x, y).batch(3).map(({ x: bx, y: by }) => ({ x: bx.mul(2), y: by.add(100) }));
    const out = [];
    for await (const b of ds) out.push(...Array.from(await b.y.data()));
    expect(out).toEqual([100, 101, 102, 103, 104, 105]);
    const [first] = ds;
    expect(await first.x.array()).toEqual([[0, -0], [2, -2], [4, -4]]);
  });

  it('batches are slices or gathers on the device: an epoch uploads at most its order', async () => {
    await useBackend('webgpu');
    const { x, y } = rows(256);
    wg.realize(x.add(0), y.add(0)); // x and y move to the device once
    for (const [ds, maxBytes] of [[wg.data.dataset(x, y).batch(64), 0], [wg.data.dataset(x, y).shuffle(0).batch(64), 256 * 4]] as const) {
      wg.resetStats();
      for (const b of ds) wg.realize(b.x, b.y);
      expect(wg.stats().bytesUploaded).toBeLessThanOrEqual(maxBytes);
      expect(wg.stats().bytesRead).toBe(0);
    }
  });

  it('a shuffled batch is the same on both backends', async () => {
    await checkBoth(() => {
      const { x, y } = rows(30);
      const [batch] = wg.data.dataset(x, y).shuffle(11).batch(9);
      return batch.x;
    });
  });

  it('rejects x and y of different lengths and bad arguments', () => {
    const { x } = rows(4);
    expect(() => wg.data.dataset(x, wg.zeros([3]))).toThrow(wg.ShapeError);
    const ds = wg.data.dataset(x, wg.zeros([4]));
    expect(() => ds.batch(0)).toThrow(wg.ArgumentError);
    expect(() => ds.batch(2).batch(2)).toThrow(/already batched/);
    expect(() => ds.split(1)).toThrow(wg.ArgumentError);
    expect(() => ds.take(-1)).toThrow(wg.ArgumentError);
  });
});
