// Kernels with several outputs (DESIGN.md "Training on the engine"): elementwise roots of one size
// realize as one kernel that shares its loads, and in-place assigns read their old contents through
// the output's own binding. The hand-written Adam step below is the optimizer's shape: p, m and v
// in one dispatch, written into their own buffers.

import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/node';
import { webgpuBackend } from '../../src/runtime';
import { countWork, expectClose, expectNoGpuErrors, initBoth, seeded, useBackend, wg } from '../helpers';

beforeAll(initBoth);

const B1 = 0.9;
const B2 = 0.999;
const LR = 0.01;
const EPS = 1e-8;

function storageOf(t: Tensor) {
  const op = t.node.op;
  if (op.kind !== 'buffer') throw new Error('not realized');
  return op.storage;
}

/** One Adam step by hand: p, m, v updated with assign. */
function adamStep(p: Tensor, g: Tensor, m: Tensor, v: Tensor, t: number): void {
  wg.noGrad(() => {
    const m1 = m.mul(B1).add(g.mul(1 - B1));
    const v1 = v.mul(B2).add(g.square().mul(1 - B2));
    const mHat = m1.div(1 - B1 ** t);
    const vHat = v1.div(1 - B2 ** t);
    p.assign(p.sub(mHat.mul(LR).div(vHat.sqrt().add(EPS))));
    m.assign(m1);
    v.assign(v1);
  });
}

/** The same steps in float64, from PyTorch's documented Adam update. */
function adamReference(p0: number[], grads: number[][]): number[] {
  const p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g, step) => {
    const t = step + 1;
    for (let i = 0; i < p.length; i++) {
      m[i] = B1 * m[i] + (1 - B1) * g[i];
      v[i] = B2 * v[i] + (1 - B2) * g[i] * g[i];
      p[i] -= (LR * (m[i] / (1 - B1 ** t))) / (Math.sqrt(v[i] / (1 - B2 ** t)) + EPS);
    }
  });
  return p;
}

for (const backend of ['webgpu', 'cpu'] as const) {
  describe(`several outputs on ${backend}`, () => {
    it('runs a hand-written Adam step (p, m, v with assign) as 1 dispatch in the same buffers', async () => {
      await useBackend(backend);
      const n = 300;
      const p0 = seeded(n, 11);
      const grads = [1, 2, 3].map((s) => seeded(n, 20 + s));
      const p = wg.tensor(p0);
      const m = wg.zeros([n]);
      const v = wg.zeros([n]);
      wg.realize(p, m, v);
      const before = [p, m, v].map(storageOf);
      const work: number[] = [];
      const planHits: number[] = [];
      for (let t = 1; t <= 3; t++) {
        const g = wg.tensor(grads[t - 1]);
        wg.realize(g);
        const w = await countWork(() => {
          adamStep(p, g, m, v, t);
          wg.realize(p, m, v);
        });
        work.push(w.dispatches);
        planHits.push(wg.stats().planCacheHits);
      }
      if (backend === 'webgpu') expect(work).toEqual([1, 1, 1]);
      // The bias corrections 1 − βᵗ change every step: runtime scalars, so step 1's plan serves the rest.
      if (backend === 'webgpu') expect(planHits).toEqual([0, 1, 1]);
      expect([p, m, v].map(storageOf)).toEqual(before);
      expectClose(await p.data(), adamReference(p0, grads), { rtol: 1e-5, atol: 1e-6 });
      expectNoGpuErrors();
    });

    it('computes a value that is both a root and read by another root once', async () => {
      await useBackend(backend);
      const x = wg.tensor(seeded(10, 5));
      const e = x.exp();
      const y = e.add(1);
      const w = await countWork(() => wg.realize(e, y));
      if (backend === 'webgpu') expect(w.dispatches).toBe(1);
      const xs = seeded(10, 5);
      expectClose(await e.data(), xs.map(Math.exp), { rtol: 1e-5 });
      expectClose(await y.data(), xs.map((v) => Math.exp(v) + 1), { rtol: 1e-5 });
    });

    it('copies through a temporary when an assigned kernel reads its target at other positions', async () => {
      await useBackend(backend);
      const t = wg.tensor([1, 2, 3, 4]);
      wg.realize(t);
      const s = storageOf(t);
      t.assign(t.slice([1], [3]).pad([[0, 1]]).add(t));
      expectClose(await t.data(), [3, 5, 7, 4]);
      expect(storageOf(t)).toBe(s);
      expectNoGpuErrors();
    });
  });
}

it('fits an update reading more gradients than bindings allow but for its in-place aliases into 1 dispatch', async () => {
  await useBackend('webgpu');
  // p's own kernel (gradients, p, m, v and its output) fills the limit; the merged kernel, which
  // reads p, m and v through its outputs' bindings, needs one binding fewer.
  const limit = webgpuBackend()!.device.limits.maxStorageBuffersPerShaderStage;
  const n = 260;
  // Gradients of one sign: a sum that cancels to ~1e-8 would make Adam's first step (±lr·g/(|g| + ε)) hang on float32 rounding.
  const parts = Array.from({ length: limit - 4 }, (_, i) => seeded(n, 40 + i, 0.1, 1));
  const p0 = seeded(n, 12);
  const p = wg.tensor(p0);
  const m = wg.zeros([n]);
  const v = wg.zeros([n]);
  const gs = parts.map((g) => wg.tensor(g));
  wg.realize(p, m, v, ...gs);
  const w = await countWork(() => {
    adamStep(p, gs.reduce((a, b) => a.add(b)), m, v, 1);
    wg.realize(p, m, v);
  });
  expect(w.dispatches).toBe(1);
  const g = p0.map((_, i) => parts.reduce((a, part) => a + part[i], 0));
  expectClose(await p.data(), adamReference(p0, [g]), { rtol: 1e-5, atol: 1e-6 });
  expectNoGpuErrors();
});

it('explains an assigned multi-output kernel as writing in place', async () => {
  await useBackend('webgpu');
  const p = wg.tensor([1, 2]);
  const m = wg.tensor([0, 0]);
  wg.realize(p, m);
  m.assign(m.mul(0.5).add(p));
  p.assign(p.sub(m));
  const lines = wg.explain(p, m).split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/writes t\d+ \[2\] f32 \(in place\), t\d+ \[2\] f32 \(in place\)/);
});
