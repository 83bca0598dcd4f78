// The plan cache (DESIGN.md invariant 4): graphs of one structure share a key whatever buffers
// they read; a hit creates no pipeline, layout or buffer; a miss in an async realize compiles
// its pipelines with createComputePipelineAsync.

import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { graphSignature } from '../../src/graph/plan-cache';
import { webgpuBackend } from '../../src/runtime';
import type { Tensor } from '../../src/node';
import { expectClose, expectNoGpuErrors, initBoth, randomTensor, seeded, useBackend, wg } from '../helpers';

const keyOf = (...ts: Tensor[]) => graphSignature(ts.map((t) => t.node)).key;

beforeAll(initBoth);
afterEach(() => vi.restoreAllMocks());

describe('graphSignature', () => {
  it('gives graphs of the same structure the same key and binds their buffers as numbered leaves', () => {
    const [a, b, c, d] = [1, 2, 3, 4].map((s) => randomTensor([2, 3], s));
    const f = (x: Tensor, y: Tensor) => x.add(y).mul(2).relu().sum(1);
    const s1 = graphSignature([f(a, b).node]);
    const s2 = graphSignature([f(c, d).node]);
    expect(s2.key).toBe(s1.key);
    expect(s1.leaves).toEqual([a.node, b.node]);
    expect(s2.leaves).toEqual([c.node, d.node]);
  });

  it('tells apart which input is which, shapes, dtypes, ops, constant kinds and roots', () => {
    const a = randomTensor([2, 3], 1);
    const b = randomTensor([2, 3], 2);
    const keys = [
      keyOf(a.sub(b)),
      keyOf(b.sub(a).add(0)),
      keyOf(a.sub(a)),
      keyOf(a.add(b)),
      keyOf(a.sub(b).mul(2)),
      keyOf(a.sub(b).mul(wg.tensor(3))),
      keyOf(a.sub(b).mul(Infinity)),
      keyOf(randomTensor([3, 2], 1).sub(randomTensor([3, 2], 2))),
      keyOf(a.sub(b).cast('int32')),
      keyOf(a.sub(b), a.add(b)),
      keyOf(a.add(b), a.sub(b)),
      keyOf(a.sub(b).sum(0)),
      keyOf(a.sub(b).sum(1)),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    // b.sub(a) alone has the same structure as a.sub(b): leaves are numbered by first use.
    expect(keyOf(b.sub(a))).toBe(keys[0]);
  });

  it('keys finite numbers by their slot, not their value (they are runtime scalars)', () => {
    const a = randomTensor([2, 3], 1);
    expect(keyOf(a.mul(3).add(-0.25))).toBe(keyOf(a.mul(2).add(7.5)));
    expect(keyOf(a.leakyRelu(0.1))).toBe(keyOf(a.leakyRelu(0.3)));
    expect(keyOf(a.cast('int32').add(5))).toBe(keyOf(a.cast('int32').add(-9)));
  });
});

describe('the plan cache on WebGPU', () => {
  const x = () => randomTensor([64, 32], 5);
  const w = () => randomTensor([32, 16], 6);
  const f = (a: Tensor, b: Tensor) => a.matmul(b).add(1).relu().sum(1).mul(0.5);

  it('hits for every realize of the same structure after the first, creating no pipeline, layout or buffer', async () => {
    await useBackend('webgpu');
    const device = webgpuBackend()!.device;
    const run = () => wg.tidy(() => f(x(), w()));
    const first = run();
    wg.realize(first); // compiles
    const second = run();
    wg.realize(second); // a hit that fills the pool with this structure's buffers
    second.dispose();
    const creators = ['createComputePipeline', 'createComputePipelineAsync', 'createBindGroupLayout', 'createPipelineLayout', 'createShaderModule', 'createBuffer'] as const;
    const spies = creators.map((m) => vi.spyOn(device, m));
    wg.resetStats();
    const again = run();
    wg.realize(again);
    for (const s of spies) expect(s, s.getMockName()).not.toHaveBeenCalled();
    expect(wg.stats()).toMatchObject({ planCacheHits: 1, planCacheMisses: 0, pipelinesCreated: 0, submits: 1 });
    expectClose(await again.data(), await first.data());
    first.dispose();
    again.dispose();
    expectNoGpuErrors();
  });

  it('compiles a new structure with createComputePipelineAsync when the realize is async', async () => {
    await useBackend('webgpu');
    const device = webgpuBackend()!.device;
    const sync = vi.spyOn(device, 'createComputePipeline');
    const async = vi.spyOn(device, 'createComputePipelineAsync');
    wg.resetStats();
    const t = wg.tidy(() => wg.tensor(seeded(7 * 13, 9), { shape: [7, 13] }).exp().sum(0).sqrt().neg());
    const cpuValues = Array.from({ length: 13 }, (_, j) => -Math.sqrt(seeded(7 * 13, 9).filter((_, i) => i % 13 === j).reduce((s, v) => s + Math.exp(v), 0)));
    expectClose(await t.data(), cpuValues, { rtol: 1e-5 });
    expect(sync).not.toHaveBeenCalled();
    expect(async).toHaveBeenCalled();
    expect(wg.stats()).toMatchObject({ planCacheMisses: 1, planCacheHits: 0, submits: 2 });
    t.dispose();
    expectNoGpuErrors();
  });

  it('realizes graphs of one structure with different inputs to their own values', async () => {
    await useBackend('webgpu');
    const outs = [1, 2, 3].map((s) => wg.tidy(() => f(randomTensor([64, 32], s), randomTensor([32, 16], s + 10))));
    wg.realize(...outs.slice(0, 1));
    wg.realize(outs[1]);
    wg.realize(outs[2]);
    const gpu = await Promise.all(outs.map((o) => o.data()));
    await useBackend('cpu');
    const cpu = await Promise.all([1, 2, 3].map((s) => wg.tidy(() => f(randomTensor([64, 32], s), randomTensor([32, 16], s + 10))).data()));
    gpu.forEach((g, i) => expectClose(g, cpu[i], { rtol: 1e-4, atol: 1e-5 }));
    expect(gpu[0]).not.toEqual(gpu[1]);
    for (const o of outs) o.dispose();
    expectNoGpuErrors();
  });
});
