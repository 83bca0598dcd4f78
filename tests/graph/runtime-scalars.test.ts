// Numbers are inputs (DESIGN.md "Training on the engine"): a loop whose numbers change every
// step (a learning-rate schedule, a bias correction, an activation's alpha) reuses one plan and
// its pipelines, on fused kernels and on the epilogues of hand-written ones, and still computes
// the values of the CPU backend.

import { beforeAll, describe, expect, it } from 'vitest';
import { lowerKernel, gpuTarget } from '../../src/backend/webgpu/lower';
import { schedule } from '../../src/graph/schedule';
import type { Tensor } from '../../src/node';
import { expectClose, expectNoGpuErrors, initBoth, randomTensor, useBackend, wg } from '../helpers';

beforeAll(initBoth);

const STEPS = 50;
const lrAt = (step: number) => 0.1 / (1 + step);
const cAt = (step: number) => 3 + step * 0.37;

/** `steps` updates of p with numbers changing each step; the stats of steps 2… and the final values. */
async function runLoop(backend: 'webgpu' | 'cpu', steps: number, update: (p: Tensor, step: number) => Tensor, init: () => Tensor) {
  await useBackend(backend);
  let p = wg.keep(init());
  wg.realize(p);
  const before = wg.stats();
  let after1 = before;
  for (let step = 0; step < steps; step++) {
    const next = wg.tidy(() => wg.keep(update(p, step)));
    wg.realize(next);
    p.dispose();
    p = next;
    if (step === 0) after1 = wg.stats();
  }
  const last = wg.stats();
  const values = await p.data();
  p.dispose();
  return { values, firstStepPipelines: after1.pipelinesCreated - before.pipelinesCreated, pipelines: last.pipelinesCreated - after1.pipelinesCreated, hits: last.planCacheHits - after1.planCacheHits, misses: last.planCacheMisses - after1.planCacheMisses };
}

describe('runtime scalars', () => {
  it('a loop with a learning rate and a constant changing every step compiles one plan and hits it on steps 2–50', async () => {
    const update = (p: Tensor, step: number) => p.mul(1 - lrAt(step)).add(p.square().mul(lrAt(step) / cAt(step)));
    const init = () => randomTensor([33, 17], 1);
    wg.resetStats();
    const gpu = await runLoop('webgpu', STEPS, update, init);
    expect(gpu.firstStepPipelines).toBe(1);
    expect(gpu.pipelines).toBe(0);
    expect(gpu.hits).toBe(STEPS - 1);
    expect(gpu.misses).toBe(0);
    const cpu = await runLoop('cpu', STEPS, update, init);
    expectClose(gpu.values, cpu.values, { rtol: 1e-5, atol: 1e-6 });
    expectNoGpuErrors();
  });

  it('a matmul with a bias and a changing scale in its epilogue hits the plan cache every step', async () => {
    const w = () => randomTensor([12, 12], 2);
    const b = () => randomTensor([12], 3);
    const update = (p: Tensor, step: number) => p.matmul(w()).add(b()).mul(0.15 + 0.01 * step);
    await useBackend('webgpu');
    const kernels = schedule([update(randomTensor([8, 12], 4), 0).node], { maxBuffers: 10 });
    expect(kernels.map((k) => k.kind === 'custom' && k.epilogue !== null)).toEqual([true]);
    expect(lowerKernel(kernels[0], gpuTarget('swiftshader')).scalars.length).toBeGreaterThan(0);
    const gpu = await runLoop('webgpu', 10, update, () => randomTensor([8, 12], 4));
    expect(gpu.pipelines).toBe(0);
    expect(gpu.hits).toBe(9);
    const cpu = await runLoop('cpu', 10, update, () => randomTensor([8, 12], 4));
    expectClose(gpu.values, cpu.values, { rtol: 1e-4, atol: 1e-5 });
    expectNoGpuErrors();
  });

  it('an activation parameter (leakyRelu and elu alpha) changing every step keeps the plan', async () => {
    const update = (p: Tensor, step: number) => p.leakyRelu(0.05 * (step + 1)).elu(0.5 + 0.1 * step).mul(1.01);
    const init = () => randomTensor([40], 5);
    const gpu = await runLoop('webgpu', 8, update, init);
    expect(gpu.pipelines).toBe(0);
    expect(gpu.hits).toBe(7);
    const cpu = await runLoop('cpu', 8, update, init);
    expectClose(gpu.values, cpu.values);
    expectNoGpuErrors();
  });

  it('int32 constants are runtime scalars too', async () => {
    const update = (p: Tensor, step: number) => p.cast('int32').mul(3).add(step - 7).cast('float32').mul(0.25);
    const init = () => randomTensor([20], 6).mul(10);
    const gpu = await runLoop('webgpu', 6, update, init);
    expect(gpu.pipelines).toBe(0);
    expect(gpu.hits).toBe(5);
    const cpu = await runLoop('cpu', 6, update, init);
    expectClose(gpu.values, cpu.values);
  });

  it('non-finite constants stay in the code and still compute as on the CPU', async () => {
    const x = () => randomTensor([6], 7);
    const r = await Promise.all(['webgpu', 'cpu'].map(async (b) => {
      await useBackend(b as 'webgpu' | 'cpu');
      return x().mul(2.5).maximum(-Infinity).where(x().greater(0), NaN).data();
    }));
    expectClose(r[0], r[1]);
  });
});
