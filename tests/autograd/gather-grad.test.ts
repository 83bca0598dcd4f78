// gather's gradient (scatterAdd): finite differences on small shapes along every axis, and an
// embedding's gradient — a 10,000 × 64 table, 4,096 tokens with repeats — equal on WebGPU and the
// CPU, computed without the one-hot matrix the gradient used to build (164 MB at this size).

import { beforeAll, describe, expect, it } from 'vitest';
import { scatterAdd } from '../../src/ops/scatter';
import { webgpuBackend } from '../../src/runtime';
import { expectClose, expectNoGpuErrors, initBoth, seeded, seededInts, useBackend, wg } from '../helpers';
import { checkGpuMatchesCpu, checkGradients, randomShape, rng, uniform } from './gradcheck';

beforeAll(initBoth);

describe('gather gradient against finite differences', () => {
  for (let run = 0; run < 3; run++) {
    it(`along every axis of a random rank-3 shape, with repeated and out-of-range indices (run ${run})`, async () => {
      await useBackend('cpu');
      const next = rng(700 + run);
      const shape = randomShape(next, 3, 4);
      for (let axis = 0; axis < 3; axis++) {
        const n = shape[axis];
        // Every row twice, one row three times, one index past the end.
        const idx = wg.tensor([...Array.from({ length: n }, (_, i) => i), n - 1, 0, n, Math.floor(n / 2)], { dtype: 'int32' });
        await checkGradients((x) => x.gather(idx, axis).square(), [uniform(next, shape)]);
      }
    });
  }

  it('with indices of rank 2 along a middle axis', async () => {
    await useBackend('cpu');
    const next = rng(710);
    const idx = wg.tensor([[2, 0, 2], [1, 1, 3]], { dtype: 'int32' });
    await checkGradients((x) => x.gather(idx, 1).exp(), [uniform(next, [2, 4, 3])]);
  });

  it('of scatterAdd itself, whose gradient is a gather, and of a gather of a gather on WebGPU', async () => {
    await useBackend('cpu');
    const next = rng(720);
    const idx = wg.tensor([3, 0, 3, 5], { dtype: 'int32' });
    await checkGradients((g) => scatterAdd(g, idx, 1, 4).square(), [uniform(next, [2, 4, 3])]);
    const b = wg.tensor([1, 2, 1, 0], { dtype: 'int32' });
    await checkGpuMatchesCpu((x) => x.gather(idx, 1).gather(b, 1).tanh(), [uniform(next, [2, 4])]);
  });
});

describe('an embedding gradient', () => {
  const V = 10_000;
  const D = 64;
  const N = 4096;
  const tokens = seededInts(N, 31, 0, 2500); // 4,096 draws from 2,500 rows: many repeats
  const upstream = seeded(N * D, 32);
  const table = seeded(V * D, 33);

  /** The table's gradient for upstream values g at the gathered rows. */
  function embeddingGrad(ids: wg.Tensor, g: wg.Tensor): wg.Tensor {
    const t = wg.tensor(table, { shape: [V, D], requiresGrad: true });
    const rows = t.gather(ids, 0);
    rows.backward(g);
    // Dropped, so the forward rows do not ride along with the gradient's realize.
    rows.dispose();
    return t.grad!;
  }

  it('equals the CPU and allocates less than twice the table', async () => {
    await useBackend('cpu');
    const cpu = await embeddingGrad(wg.tensor(tokens, { dtype: 'int32' }), wg.tensor(upstream, { shape: [N, D] })).data();

    await useBackend('webgpu');
    const ids = wg.tensor(tokens, { dtype: 'int32' });
    const g = wg.tensor(upstream, { shape: [N, D] });
    // Upload the inputs first, so the measurement counts only what the gradient allocates.
    await wg.add(ids, 0).data();
    await wg.add(g, 0).data();
    const pool = webgpuBackend()!.pool;
    pool.trim();
    pool.peakBytes = pool.liveBytes;
    const before = pool.liveBytes;
    const grad = embeddingGrad(ids, g);
    wg.resetStats();
    const start = performance.now();
    wg.realize(grad);
    const allocated = pool.peakBytes - before;
    const gpu = await grad.data();
    const ms = performance.now() - start;
    const tableBytes = V * D * 4;
    console.log(`embedding gradient ${V}×${D}, ${N} tokens: ${wg.stats().dispatches} dispatches, ${ms.toFixed(1)} ms with readback, ${allocated} B allocated (${(allocated / tableBytes).toFixed(2)}× the table)`);
    expect(wg.stats().dispatches).toBe(2);
    expect(allocated).toBeLessThan(2 * tableBytes);
    expectClose(gpu, cpu, { rtol: 1e-5, atol: 1e-5 });
    // The reference, summed here: row r gets every upstream row whose token is r.
    const ref = new Float64Array(V * D);
    tokens.forEach((r, j) => {
      for (let i = 0; i < D; i++) ref[r * D + i] += upstream[j * D + i];
    });
    expectClose(cpu, ref, { rtol: 1e-4, atol: 1e-5 });
    expectNoGpuErrors();
  }, 120_000);
});
