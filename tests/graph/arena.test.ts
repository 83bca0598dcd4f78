// Arenas (src/arena.ts): tensors moved into aligned ranges of one storage keep their values and
// identity, are read by kernels at their offsets, and one assign of the whole arena updates all
// of them in one dispatch. Both backends.

import { beforeAll, describe, expect, it } from 'vitest';
import { arenaOf, packTensors } from '../../src/arena';
import { countWork, expectClose, expectNoGpuErrors, initBoth, seeded, useBackend, wg } from '../helpers';

beforeAll(initBoth);

for (const backend of ['webgpu', 'cpu'] as const) {
  describe(`arenas on ${backend}`, () => {
    it('keeps each tensor’s values and lets kernels read it at its offset', async () => {
      await useBackend(backend);
      const a = wg.tensor(seeded(12, 1), { shape: [3, 4] });
      const b = wg.tensor(seeded(5, 2));
      const c = wg.tensor(seeded(70, 3), { shape: [7, 10] });
      const arena = packTensors([a, b, c]);
      expect(arena.offsets).toEqual([0, 64, 128]);
      expect(arena.all.shape).toEqual([256]);
      expectClose(await a.data(), seeded(12, 1));
      expectClose(await b.data(), seeded(5, 2));
      expectClose(await c.data(), seeded(70, 3));
      const x = wg.tensor(seeded(8, 4), { shape: [2, 4] });
      const y = x.matmul(a.transpose()).sum(1);
      const expected = [0, 1].map((i) => [0, 1, 2].reduce((s, j) => s + [0, 1, 2, 3].reduce((t, k) => t + seeded(8, 4)[i * 4 + k] * seeded(12, 1)[j * 4 + k], 0), 0));
      expectClose(await y.data(), expected, { rtol: 1e-5 });
      expectNoGpuErrors();
    });

    it('updates every member with one assign of the whole arena, in one dispatch', async () => {
      await useBackend(backend);
      const a = wg.tensor([1, 2, 3]);
      const b = wg.tensor([[4, 5], [6, 7]]);
      const arena = packTensors([a, b]);
      const grads = [wg.tensor([1, 1, 1]), wg.tensor([[2, 2], [2, 2]])];
      const w = await countWork(() => {
        arena.all.assign(arena.all.sub(arenaOf(arena, grads).mul(0.5)));
        wg.realize(arena.all);
      });
      if (backend === 'webgpu') expect(w.dispatches).toBe(1);
      expectClose(await a.data(), [0.5, 1.5, 2.5]);
      expectClose(await b.data(), [3, 4, 5, 6]);
      expect(() => a.add(1)).not.toThrow();
      expectClose(await a.add(1).data(), [1.5, 2.5, 3.5]);
      // A member assigned on its own writes its range only.
      b.assign(b.mul(0));
      expectClose(await b.data(), [0, 0, 0, 0]);
      expectClose(await a.data(), [0.5, 1.5, 2.5]);
      expectNoGpuErrors();
    });

    it('frees the arena once every member and the arena tensor are gone', async () => {
      await useBackend(backend);
      const before = wg.memory().liveBytes;
      const a = wg.tensor(seeded(1000, 5));
      const b = wg.tensor(seeded(1000, 6));
      const arena = packTensors([a, b]);
      const s = a.add(b);
      wg.realize(s);
      s.dispose();
      a.dispose();
      b.dispose();
      arena.all.dispose();
      expect(wg.memory().liveBytes).toBe(before);
    });
  });
}
