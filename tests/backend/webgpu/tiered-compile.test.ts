// Tiered compilation (Planner.tieredCompile): a new plan whose kernels offer a quick-to-compile
// variant (GpuLaunch.quick: matmul's small 4×4 tile (shaders/matmul_quick.wgsl) for every tile, conv's
// direct kernels for its wide tiles) first
// runs that variant, then swaps in the fast one once built; both compute the CPU backend's values.

import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { forceKernelVariant } from '../../../src/backend/webgpu/calibrate';
import { CONV_FAMILIES } from '../../../src/ops/conv';
import { webgpuBackend } from '../../../src/runtime';
import type { Tensor } from '../../../src/node';
import { expectClose, expectNoGpuErrors, initBoth, randomTensor, useBackend, wg } from '../../helpers';

beforeAll(initBoth);
afterEach(() => {
  vi.restoreAllMocks();
  const b = webgpuBackend();
  if (b) {
    b.plans.deferCompile = false;
    b.plans.tieredCompile = false;
  }
});

/** Turns tiering on and records the entry point of every pipeline built from now on (and in `events`, each request and build in order). */
async function tiering(events: string[] = []): Promise<Map<GPUComputePipeline, string>> {
  await useBackend('webgpu');
  const b = webgpuBackend()!;
  b.plans.deferCompile = true;
  b.plans.tieredCompile = true;
  const entries = new Map<GPUComputePipeline, string>();
  const create = b.device.createComputePipelineAsync.bind(b.device);
  vi.spyOn(b.device, 'createComputePipelineAsync').mockImplementation(async (d) => {
    const entry = d.compute.entryPoint ?? '';
    events.push(`request ${entry}`);
    const p = await create(d);
    events.push(`built ${entry}`);
    entries.set(p, entry);
    return p;
  });
  return entries;
}

/** The entry points the plan of the latest realize dispatched, sorted. */
function lastEntries(entries: Map<GPUComputePipeline, string>): string[] {
  return webgpuBackend()!.plans.last!.kernels.flatMap((k) => (k.kind === 'dispatch' ? [entries.get(k.pipeline) ?? 'compiled before'] : [])).sort();
}

// On SwiftShader a 128×64 · 64×256 product takes the wide tile, and a 512×128 · 128×64 xᵀ·y (a weight gradient) the
// outer-product tile. Each test fuses its own elementwise op onto them: pipelines of its own.
const inputs = (): Tensor[] => [randomTensor([128, 64], 1), randomTensor([64, 256], 2), randomTensor([128, 512], 3)];
const products = (op: (t: Tensor) => Tensor) => ([a, b, c]: Tensor[]) => [op(a.matmul(b)), op(c.transpose().matmul(a))];

describe('tiered compilation on WebGPU', () => {
  it('runs the quick variants first, then the fast ones once compiled, with the values of the CPU backend', async () => {
    const entries = await tiering();
    const graph = products((t) => t.relu());
    const xs = inputs();
    wg.realize(...xs);
    const first = wg.tidy(() => graph(xs));
    wg.realize(...first);
    const before = await Promise.all(first.map((t) => t.data()));
    expect(lastEntries(entries)).toEqual(['main_quick', 'main_quick']);
    await webgpuBackend()!.plans.upgraded();
    const second = wg.tidy(() => graph(xs));
    wg.realize(...second);
    const after = await Promise.all(second.map((t) => t.data()));
    expect(lastEntries(entries)).toEqual(['main_outer', 'main_wide']);
    await useBackend('cpu');
    const cpu = await Promise.all(wg.tidy(() => graph(inputs())).map((t) => t.data()));
    before.forEach((v, i) => expectClose(v, cpu[i], { rtol: 1e-4, atol: 1e-5 }));
    after.forEach((v, i) => expectClose(v, cpu[i], { rtol: 1e-4, atol: 1e-5 }));
    for (const t of [...xs, ...first, ...second]) t.dispose();
    expectNoGpuErrors();
  });

  it('runs a swapped plan with no pipeline built and nothing uploaded', async () => {
    await tiering();
    const graph = products((t) => t.abs());
    const xs = inputs();
    wg.realize(...xs);
    const first = wg.tidy(() => graph(xs));
    wg.realize(...first);
    await first[0].data();
    await webgpuBackend()!.plans.upgraded();
    wg.resetStats();
    const out = wg.tidy(() => graph(xs));
    wg.realize(...out);
    await out[0].data();
    expect(wg.stats()).toMatchObject({ pipelinesCreated: 0, bytesUploaded: 0, planCacheHits: 1 });
    for (const t of [...xs, ...first, ...out]) t.dispose();
  });

  it('swaps only once no other plan is compiling: a later realize of the same step gets its quick kernels built first', async () => {
    const events: string[] = [];
    await tiering(events);
    const b = webgpuBackend()!;
    const xs = inputs();
    wg.realize(...xs);
    // Two plans issued back to back, as a backward pass and an optimizer's update are.
    const first = wg.tidy(() => products((t) => t.sigmoid())(xs));
    wg.realize(...first);
    const second = wg.tidy(() => xs[0].matmul(xs[1]).tanh());
    wg.realize(second);
    await second.data();
    await b.plans.upgraded();
    const lastQuick = events.lastIndexOf('built main_quick');
    const firstFast = events.findIndex((e) => e === 'request main_wide' || e === 'request main_outer');
    expect(lastQuick).toBeGreaterThanOrEqual(0);
    expect(firstFast).toBeGreaterThan(lastQuick);
    for (const t of [...xs, ...first, second]) t.dispose();
  });

  it('compiles only the fast variant when tiering is off', async () => {
    const entries = await tiering();
    webgpuBackend()!.plans.tieredCompile = false;
    const graph = products((t) => t.neg());
    const xs = inputs();
    wg.realize(...xs);
    const out = wg.tidy(() => graph(xs));
    wg.realize(...out);
    await out[0].data();
    expect(lastEntries(entries)).toEqual(['main_outer', 'main_wide']);
    for (const t of [...xs, ...out]) t.dispose();
  });

  it("runs a convolution's direct kernel first, its fused bias and ReLU included, then its wide tile", async () => {
    const entries = await tiering();
    const [x, w, bias] = [randomTensor([2, 6, 7, 8], 4), randomTensor([3, 3, 8, 32], 5), randomTensor([32], 6)];
    const graph = () => wg.conv2d(x, w, { padding: 'same', bias }).relu();
    forceKernelVariant(CONV_FAMILIES.forward, 'wide16x32');
    try {
      wg.realize(x, w, bias);
      const first = wg.tidy(graph);
      const before = await first.data();
      expect(lastEntries(entries)).toEqual(['main_vec4x8']);
      await webgpuBackend()!.plans.upgraded();
      const second = wg.tidy(graph);
      const after = await second.data();
      expect(lastEntries(entries)).toEqual(['main_wide']);
      await useBackend('cpu');
      const cpu = await wg.tidy(() => wg.conv2d(randomTensor([2, 6, 7, 8], 4), randomTensor([3, 3, 8, 32], 5), { padding: 'same', bias: randomTensor([32], 6) }).relu()).data();
      expectClose(before, cpu, { rtol: 1e-4, atol: 1e-5 });
      expectClose(after, cpu, { rtol: 1e-4, atol: 1e-5 });
      for (const t of [x, w, bias, first, second]) t.dispose();
    } finally {
      forceKernelVariant(CONV_FAMILIES.forward, undefined);
    }
  }, 120_000);
});
