// `t.assign(value)` (API.md "Engine"): the tensor keeps its buffer and takes the value's contents
// at the next realize, after every read of the old contents in that realize; a graph built from
// the old contents and realized later is a StaleTensorError. Both backends.

import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/node';
import { expectClose, expectNoGpuErrors, initBoth, refMatmul, seeded, useBackend, wg } from '../helpers';

beforeAll(initBoth);

function storageOf(t: Tensor) {
  const op = t.node.op;
  if (op.kind !== 'buffer') throw new Error('not realized');
  return op.storage;
}

for (const backend of ['webgpu', 'cpu'] as const) {
  describe(`assign on ${backend}`, () => {
    it('writes the value into the same storage', async () => {
      await useBackend(backend);
      const t = wg.tensor([1, 2, 3]);
      wg.realize(t);
      const before = storageOf(t);
      t.assign(t.mul(2).add(1));
      wg.realize(t);
      expect(storageOf(t)).toBe(before);
      expectClose(await t.data(), [3, 5, 7]);
      t.assign(10);
      expectClose(await t.data(), [10, 10, 10]);
      expect(storageOf(t)).toBe(before);
      expectNoGpuErrors();
    });

    it('lets kernels of the same realize read the old contents', async () => {
      await useBackend(backend);
      const p = wg.tensor([1, 2, 3, 4]);
      wg.realize(p);
      const old = p.mul(10); // built before the assign, realized with it
      p.assign(p.add(1));
      wg.realize(old, p);
      expectClose(await old.data(), [10, 20, 30, 40]);
      expectClose(await p.data(), [2, 3, 4, 5]);
      expectNoGpuErrors();
    });

    it('refuses a graph built from overwritten contents with StaleTensorError', async () => {
      await useBackend(backend);
      const p = wg.tensor([1, 2]);
      wg.realize(p);
      const old = p.square();
      p.assign(p.neg());
      wg.realize(p);
      await expect(old.data()).rejects.toThrow(wg.StaleTensorError);
      await expect(old.data()).rejects.toThrow(/\[2\] float32 tensor.*assign\(\) has overwritten/);
      // Built after the assign: fine, and it sees the new contents.
      expectClose(await p.square().data(), [1, 4]);
    });

    it('keeps a detached handle on the shared storage, as PyTorch', async () => {
      await useBackend(backend);
      const p = wg.tensor([5, 6]);
      wg.realize(p);
      const d = p.detach();
      p.assign(p.add(1));
      wg.realize(p);
      expectClose(await d.data(), [6, 7]);
      expectClose(await d.add(1).data(), [7, 8]);
    });

    it('assigns a matmul that reads its own target', async () => {
      await useBackend(backend);
      const a = seeded(12, 3);
      const b = seeded(16, 4);
      const x = wg.tensor(a, { shape: [3, 4] });
      const w = wg.tensor(b, { shape: [4, 4] });
      wg.realize(w);
      const before = storageOf(w);
      w.assign(x.matmul(w).sum(0, true).broadcastTo([4, 4]).mul(0.5).add(w));
      const prod = refMatmul(a, b, 3, 4, 4);
      const colSums = [0, 1, 2, 3].map((j) => prod[j] + prod[4 + j] + prod[8 + j]);
      const expected = b.map((v, i) => v + 0.5 * colSums[i % 4]);
      expectClose(await w.data(), expected, { rtol: 1e-5, atol: 1e-5 });
      expect(storageOf(w)).toBe(before);
      expectNoGpuErrors();
    });

    it('assigns a lazy tensor that was never realized by giving it a buffer', async () => {
      await useBackend(backend);
      const m = wg.zeros([3]);
      m.assign(m.add(2));
      expectClose(await m.data(), [2, 2, 2]);
      const s = storageOf(m);
      m.assign(m.add(2));
      expectClose(await m.data(), [4, 4, 4]);
      expect(storageOf(m)).toBe(s);
    });

    it('leaves the assigned value tensor independent', async () => {
      await useBackend(backend);
      const t = wg.tensor([1, 1]);
      const v = wg.tensor([2, 3]);
      wg.realize(t, v);
      t.assign(v);
      wg.realize(t);
      t.assign(t.mul(4));
      wg.realize(t);
      expectClose(await v.data(), [2, 3]);
      expectClose(await t.data(), [8, 12]);
    });

    it('checks shape, dtype and disposal at the call', async () => {
      await useBackend(backend);
      const t = wg.zeros([2, 2]);
      expect(() => t.assign(wg.zeros([4]))).toThrow(wg.ShapeError);
      expect(() => t.assign(wg.zeros([2, 2], { dtype: 'int32' }))).toThrow(/assign: a \[2,2\] float32 tensor cannot take a \[2,2\] int32 value/);
      const d = wg.zeros([2, 2]);
      d.dispose();
      expect(() => t.assign(d)).toThrow(wg.DisposedError);
      expect(() => d.assign(1)).toThrow(wg.DisposedError);
    });

    it('updates in place for many steps without growing memory', async () => {
      await useBackend(backend);
      const p = wg.tensor(seeded(1000, 7), { shape: [10, 100] });
      wg.realize(p);
      const totals: number[] = [];
      for (let step = 0; step < 50; step++) {
        p.assign(p.mul(0.9).add(1));
        wg.realize(p);
        const m = wg.memory();
        totals.push(m.liveBytes + m.pooledBytes);
      }
      expect(new Set(totals.slice(2))).toEqual(new Set([totals[2]]));
      const expected = seeded(1000, 7).map((v) => {
        let x = v;
        for (let i = 0; i < 50; i++) x = Math.fround(Math.fround(x * 0.9) + 1);
        return x;
      });
      expectClose(await p.data(), expected, { rtol: 1e-5 });
    });
  });
}
