// A synchronous realize of a new graph with its pipelines compiled asynchronously (the browser's
// path, Planner.deferCompile): it returns before anything is submitted, and the values, the
// stats, the order of later realizes, releases and readbacks stay those of the CPU backend.

import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { webgpuBackend } from '../../../src/runtime';
import type { Tensor } from '../../../src/node';
import { expectClose, expectNoGpuErrors, initBoth, randomTensor, useBackend, wg } from '../../helpers';

beforeAll(initBoth);
afterEach(() => {
  vi.restoreAllMocks();
  const b = webgpuBackend();
  if (b) b.plans.deferCompile = false;
});

async function deferring(): Promise<void> {
  await useBackend('webgpu');
  webgpuBackend()!.plans.deferCompile = true;
}

/** A few Adam steps of a two-layer MLP on one batch; the losses and the final first kernel. */
async function adamSteps(steps: number): Promise<{ losses: number[]; kernel: Float32Array }> {
  const params = [randomTensor([12, 9], 1), randomTensor([9], 2), randomTensor([9, 4], 3), randomTensor([4], 4)].map((p) => p.requiresGrad_());
  const x = randomTensor([6, 12], 5);
  const labels = wg.tensor([0, 3, 1, 2, 3, 0], { shape: [6], dtype: 'int32' });
  const opt = new wg.optim.Adam(params, { lr: 0.05 });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const loss = wg.losses.crossEntropy(x.matmul(params[0]).add(params[1]).relu().matmul(params[2]).add(params[3]), labels);
    loss.backward();
    opt.step();
    losses.push(await loss.item());
    loss.dispose();
  }
  const kernel = (await params[0].data()) as Float32Array;
  opt.zeroGrad();
  for (const t of [...params, x, labels]) t.dispose();
  return { losses, kernel };
}

describe('deferred compilation on WebGPU', () => {
  it('returns from the realize of a new graph before submitting, then computes the values of the CPU backend', async () => {
    await deferring();
    const a = randomTensor([17, 5], 11);
    const b = randomTensor([5, 7], 12);
    const f = (x: Tensor, y: Tensor) => x.matmul(y).mul(0.5).exp().sum(0).sqrt();
    wg.realize(a, b);
    const submit = vi.spyOn(webgpuBackend()!.device.queue, 'submit');
    wg.resetStats();
    const out = wg.tidy(() => f(a, b));
    wg.realize(out);
    expect(submit).not.toHaveBeenCalled();
    // Counted when issued, as a synchronous realize counts them.
    expect(wg.stats()).toMatchObject({ planCacheMisses: 1, submits: 1 });
    const gpu = await out.data();
    expect(submit).toHaveBeenCalledTimes(2); // the realize, then the readback
    await useBackend('cpu');
    expectClose(gpu, await wg.tidy(() => f(randomTensor([17, 5], 11), randomTensor([5, 7], 12))).data(), { rtol: 1e-5 });
    for (const t of [a, b, out]) t.dispose();
    expectNoGpuErrors();
  });

  it('runs later realizes, disposals and uploads after the waiting one, in program order', async () => {
    await deferring();
    const run = () => {
      const a = randomTensor([33, 8], 21);
      const first = wg.tidy(() => a.mul(3).add(1).neg());
      wg.realize(first); // new: waits for its pipeline
      a.dispose(); // its buffer may go back to the pool only after the first kernel read it
      const b = randomTensor([33, 8], 22); // an upload, maybe into a pooled buffer
      const second = wg.tidy(() => first.mul(b).sum(1));
      wg.realize(second); // new too, reads what the first writes
      first.assign(first.add(b)); // in place, after both
      wg.realize(first);
      b.dispose();
      return [first, second];
    };
    const gpu = run();
    const gpuValues = [await gpu[0].data(), await gpu[1].data()];
    await useBackend('cpu');
    const cpu = run();
    expectClose(gpuValues[0], await cpu[0].data(), { rtol: 1e-5 });
    expectClose(gpuValues[1], await cpu[1].data(), { rtol: 1e-5 });
    for (const t of [...gpu, ...cpu]) t.dispose();
    expectNoGpuErrors();
  });

  it('trains with Adam to the losses and parameters of the CPU backend', async () => {
    await deferring();
    const gpu = await adamSteps(4);
    await useBackend('cpu');
    const cpu = await adamSteps(4);
    expectClose(gpu.losses, cpu.losses, { rtol: 1e-4 });
    expectClose(gpu.kernel, cpu.kernel, { rtol: 1e-4, atol: 1e-5 });
    expectNoGpuErrors();
  });
});
