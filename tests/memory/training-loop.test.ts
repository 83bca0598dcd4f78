// A thousand steps of a hand-written training loop on WebGPU (DESIGN.md invariants 3–5): memory
// stays flat, every step after the first hits the plan cache, no pipelines appear after step 1,
// and a step whose loss is not read is exactly one submit. Also: the step's buffer plan, and
// the same steps on the CPU backend giving the same losses.

import { beforeAll, describe, expect, it } from 'vitest';
import { createMlp, stepGraph, trainStep } from '../../bench/mlp-step';
import { topoSort } from '../../src/graph/ir';
import { webgpuBackend } from '../../src/runtime';
import { expectClose, expectNoGpuErrors, initBoth, useBackend, wg } from '../helpers';

// Two hidden layers, as the step benchmark's 784-256-128-10, scaled down for SwiftShader.
const SIZES = [32, 64, 32, 10];
const BATCH = 64;
const LR = 0.1;

beforeAll(initBoth);

describe('a training loop on WebGPU', () => {
  it('keeps memory flat, hits the plan cache and submits once per step for 1000 steps', async () => {
    await useBackend('webgpu');
    const mlp = createMlp(wg, SIZES, BATCH);
    wg.resetStats();
    const totals: number[] = [];
    const tensors: number[] = [];
    const pipelinesAfter: number[] = [];
    const submitsPerStep: number[] = [];
    const losses: number[] = [];
    for (let step = 1; step <= 1000; step++) {
      const submitsBefore = wg.stats().submits;
      const loss = trainStep(wg, mlp, LR);
      if (step % 50 === 0 || step === 1) losses.push(await loss.item());
      else submitsPerStep.push(wg.stats().submits - submitsBefore);
      loss.dispose();
      const m = wg.memory();
      totals.push(m.liveBytes + m.pooledBytes);
      tensors.push(m.liveTensors);
      pipelinesAfter.push(wg.stats().pipelinesCreated);
    }
    const s = wg.stats();
    console.log(
      `training loop: ${s.realizes} realizes, ${s.planCacheHits} hits, ${s.planCacheMisses} misses, ${s.pipelinesCreated} pipelines, ` +
        `${s.dispatches / s.realizes} dispatches/step, device bytes ${totals[2]} (live+pooled), loss ${losses[0].toFixed(4)} → ${losses[losses.length - 1].toFixed(4)}`,
    );
    expect(new Set(totals.slice(2)), 'liveBytes + pooledBytes from step 3 to 1000').toEqual(new Set([totals[2]]));
    expect(new Set(tensors.slice(2)), 'live tensors from step 3 to 1000').toEqual(new Set([tensors[2]]));
    expect(s.planCacheMisses).toBe(1);
    expect(s.planCacheHits).toBe(999);
    expect(new Set(pipelinesAfter), 'pipelines created after step 1').toEqual(new Set([pipelinesAfter[0]]));
    expect(new Set(submitsPerStep), 'submits of a step whose loss is not read').toEqual(new Set([1]));
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
    for (const p of mlp.params) p.dispose();
    expectNoGpuErrors();
  }, 300_000);

  it("plans one step's intermediates into less than half the bytes of the graph's values", async () => {
    await useBackend('webgpu');
    const mlp = createMlp(wg, SIZES, BATCH);
    const { next, loss } = wg.tidy(() => stepGraph(wg, mlp, LR));
    const roots = [...next, loss].map((t) => t.node);
    // Every value the step computes, as an engine that materializes each op would hold them.
    const values = topoSort(roots).filter((n) => !roots.includes(n) && n.op.kind !== 'buffer' && n.op.kind !== 'const' && n.op.kind !== 'view');
    const valueBytes = values.reduce((sum, n) => sum + 4 * n.shape.reduce((p, d) => p * d, 1), 0);
    wg.realize(...next, loss);
    const plan = webgpuBackend()!.plans.last!;
    const { peakBytes, intermediateBytes, liveBytesPeak, slotBytes } = plan.memory;
    const kept = next.length + 1;
    console.log(
      `step plan: ${plan.kernels.length} kernels (${plan.kernels.length - kept} intermediates) in ${slotBytes.length} slots; peak ${peakBytes} B = ` +
        `${(peakBytes / valueBytes).toFixed(3)} of the graph's ${values.length} values (${valueBytes} B), ` +
        `${(peakBytes / intermediateBytes).toFixed(3)} of its materialized intermediates (${intermediateBytes} B), ` +
        `${(peakBytes / liveBytesPeak).toFixed(3)} of the most bytes live at once (${liveBytesPeak} B)`,
    );
    expect(peakBytes).toBeLessThan(valueBytes / 2);
    expect(peakBytes).toBeLessThan(intermediateBytes);
    expect(slotBytes.length).toBeLessThan(plan.kernels.length - kept);
    expect(peakBytes).toBeLessThanOrEqual(1.25 * liveBytesPeak);
    for (const t of [...next, loss, ...mlp.params]) t.dispose();
  });

  it('warmup compiles the step so the first realize is a cache hit that creates no pipeline', async () => {
    await useBackend('webgpu');
    const mlp = createMlp(wg, [8, 12, 3], 5, 7);
    await wg.warmup(() => {
      const { next, loss } = stepGraph(wg, mlp, LR);
      return [...next, loss];
    });
    wg.resetStats();
    trainStep(wg, mlp, LR).dispose();
    expect(wg.stats()).toMatchObject({ planCacheHits: 1, planCacheMisses: 0, pipelinesCreated: 0, submits: 1 });
    for (const p of mlp.params) p.dispose();
    expectNoGpuErrors();
  });
});

describe('the training loop on both backends', () => {
  it('gives the same losses and parameters on webgpu and cpu', async () => {
    const run = async (name: 'webgpu' | 'cpu') => {
      await useBackend(name);
      const mlp = createMlp(wg, [6, 8, 4], 5, 3);
      const losses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const loss = trainStep(wg, mlp, LR);
        losses.push(await loss.item());
        loss.dispose();
      }
      const params = await Promise.all(mlp.params.map((p) => p.data()));
      for (const p of mlp.params) p.dispose();
      return { losses, params };
    };
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    expectClose(gpu.losses, cpu.losses, { rtol: 1e-4, atol: 1e-5 });
    gpu.params.forEach((p, i) => expectClose(p, cpu.params[i], { rtol: 1e-4, atol: 1e-5 }));
    expect(cpu.losses[4]).toBeLessThan(cpu.losses[0]);
    expectNoGpuErrors();
  });
});
