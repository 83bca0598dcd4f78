// The loop a PyTorch user writes (DESIGN.md "Updates are in place"): forward, backward, an update
// by assign, 1000 steps with no tidy, no dispose and no await inside the loop, so the collector
// never runs the FinalizationRegistry meanwhile. Memory must not depend on it: parameters keep
// their buffers, a replaced gradient is released at once, intermediates go back to the pool.

import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/node';
import { expectNoGpuErrors, initBoth, seeded, useBackend, wg } from '../helpers';

beforeAll(initBoth);

const SIZES = [16, 32, 8];
const BATCH = 32;

for (const backend of ['webgpu', 'cpu'] as const) {
  describe(`a training loop with no tidy on ${backend}`, () => {
    it('keeps liveBytes + pooledBytes flat from step 3 to 1000', async () => {
      await useBackend(backend);
      const x = wg.tensor(seeded(BATCH * SIZES[0], 1), { shape: [BATCH, SIZES[0]] });
      const y = wg.tensor(seeded(BATCH * SIZES[2], 2), { shape: [BATCH, SIZES[2]] });
      const params: Tensor[] = [];
      for (let i = 0; i + 1 < SIZES.length; i++) {
        params.push(wg.tensor(seeded(SIZES[i] * SIZES[i + 1], 10 + i, -0.3, 0.3), { shape: [SIZES[i], SIZES[i + 1]], requiresGrad: true }));
        params.push(wg.zeros([SIZES[i + 1]], { requiresGrad: true }));
      }
      wg.realize(x, y, ...params);
      const bytes: number[] = [];
      const tensors: number[] = [];
      const losses: Tensor[] = [];
      for (let step = 1; step <= 1000; step++) {
        const h = x.matmul(params[0]).add(params[1]).relu();
        const loss = h.matmul(params[2]).add(params[3]).sub(y).square().mean();
        loss.backward();
        wg.noGrad(() => {
          for (const p of params) p.assign(p.sub(p.grad!.mul(0.05)));
        });
        wg.realize(...params);
        for (const p of params) p.grad = null;
        if (step === 1 || step === 1000) losses.push(loss);
        const m = wg.memory();
        bytes.push(m.liveBytes + m.pooledBytes);
        tensors.push(m.liveTensors);
      }
      console.log(`${backend}: bytes at steps 1, 3, 1000: ${bytes[0]}, ${bytes[2]}, ${bytes[999]}; live tensors ${tensors[2]} → ${tensors[999]}`);
      // Flat but for the loss: each step's loss value rides along with the update (it could not be
      // computed after it) and stays on the device while its handle lives, until the collector
      // runs its FinalizationRegistry callback, which happens only between jobs: a loop that never
      // awaits keeps every dropped handle, and nothing can tell them from live ones (a WeakRef
      // keeps its target for the job it was made in). That is one value per step, genuinely held:
      // on WebGPU one 256-byte buffer, the smallest any storage binding can take here (SwiftShader's
      // minStorageBufferOffsetAlignment, so sub-allocating from a slab would save nothing); on the
      // CPU its 4 bytes. See wg.memory()'s doc comment.
      const perStepLoss = backend === 'webgpu' ? 256 : 4;
      const growth = bytes.slice(2).map((b, i) => b - bytes[2] - i * perStepLoss);
      expect(new Set(growth), 'liveBytes + pooledBytes from step 3 to 1000, less one loss value per step').toEqual(new Set([0]));
      const [first, last] = await Promise.all(losses.map((l) => l.item()));
      expect(last).toBeLessThan(first * 0.5);
      expectNoGpuErrors();
    }, 300_000);
  });
}
