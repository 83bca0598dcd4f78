// Big elementwise kernels compute several items per invocation (src/graph/codegen.ts): a loop of
// elements 64 apart, or vec4s where every array is read at the element's own index. Both variants
// of the 'elementwise-items' family run against the CPU backend on sizes around the thresholds.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forceKernelVariant } from '../../src/backend/webgpu/calibrate';
import { ELEMENT_LOOP_MIN, ELEMENTWISE_ITEMS_FAMILY, generateFused, type ReduceDevice } from '../../src/graph/codegen';
import { schedule, type FusedKernel } from '../../src/graph/schedule';
import type { Tensor } from '../../src/node';
import { checkBoth, expectClose, expectNoGpuErrors, initBoth, seeded, useBackend, wg } from '../helpers';

beforeAll(initBoth);

const SWIFTSHADER: ReduceDevice = { sharedMemoryTiles: false, variant: () => undefined };
const REAL_GPU: ReduceDevice = { sharedMemoryTiles: true, variant: () => undefined };

const buf = (shape: number[], seed = 1): Tensor => wg.tensor(new Float32Array(seeded(shape.reduce((a, b) => a * b, 1), seed)), { shape });
const only = (t: Tensor): FusedKernel => {
  const ks = schedule([t.node], { maxBuffers: 8 });
  expect(ks).toHaveLength(1);
  expect(ks[0].kind).toBe('fused');
  return ks[0] as FusedKernel;
};

describe('the generated code of big elementwise kernels', () => {
  it('reads and writes vec4s, 8 per invocation on SwiftShader and 1 on real GPUs, where the size is a multiple of 4', () => {
    const k = only(buf([6144], 1).mul(buf([6144], 2)).exp());
    const swift = generateFused(k, SWIFTSHADER);
    expect(swift.code).toMatch(/var<storage, read> in0: array<vec4<f32>>/);
    expect(swift.code).toMatch(/var<storage, read_write> out: array<vec4<f32>>/);
    expect(swift.workgroups).toEqual([3, 1, 1]);
    expect(generateFused(k, REAL_GPU).workgroups).toEqual([24, 1, 1]);
  });

  it('loops over 8 scalar elements on SwiftShader where the size is not a multiple of 4, one on real GPUs', () => {
    const k = only(buf([4097], 1).add(buf([4097], 2)));
    const swift = generateFused(k, SWIFTSHADER);
    expect(swift.code).not.toMatch(/vec4<f32>>/);
    expect(swift.code).toMatch(/for \(var k = 0u; k < 8u; k\+\+\)/);
    expect(swift.workgroups).toEqual([9, 1, 1]);
    expect(generateFused(k, REAL_GPU).workgroups).toEqual([65, 1, 1]);
  });

  it('keeps one element per invocation under the threshold', () => {
    const k = only(buf([ELEMENT_LOOP_MIN - 4], 1).neg());
    const g = generateFused(k, SWIFTSHADER);
    expect(g.code).not.toMatch(/for \(var k/);
    expect(g.workgroups).toEqual([Math.ceil((ELEMENT_LOOP_MIN - 4) / 64), 1, 1]);
  });

  it('keeps one element per invocation where the element code is long (SwiftShader would unroll the loop 8 times)', () => {
    let t = buf([4097], 1);
    const b = buf([4097], 2);
    for (let i = 0; i < 90; i++) t = t.sin().add(b);
    const g = generateFused(only(t), SWIFTSHADER);
    expect(g.code).not.toMatch(/for \(var k/);
    expect(g.workgroups).toEqual([65, 1, 1]);
  });

  it('reads a broadcast input as scalars and the others as vec4s', () => {
    const g = generateFused(only(buf([96, 64], 1).add(buf([64], 2))), SWIFTSHADER);
    expect(g.code).toMatch(/in0: array<vec4<f32>>/);
    expect(g.code).toMatch(/in1: array<f32>/);
  });

  it('keeps the scalar loop where an element reads a concat (its branches would be written 4 times)', () => {
    const g = generateFused(only(wg.concat([buf([4096], 1), buf([2048], 2)]).exp()), SWIFTSHADER);
    expect(g.code).not.toMatch(/vec4<f32>>/);
    expect(g.workgroups).toEqual([12, 1, 1]);
  });

  it('reads a transposed input as scalars', () => {
    const g = generateFused(only(buf([64, 96], 1).transpose([1, 0]).relu()), SWIFTSHADER);
    expect(g.code).toMatch(/in0: array<f32>/);
    expect(g.code).toMatch(/out: array<vec4<f32>>/);
  });
});

// Sizes differ per variant, so neither reuses a plan compiled for the other.
const SIZES: Record<string, number[]> = {
  many: [1, 3, 4095, 4096, 4097, 4607, 4609, 6140, 6144, 6148],
  one: [2, 5, 4094, 4098, 4100, 4354, 6136, 6152],
};

describe.each(['many', 'one'])("elementwise kernels with the '%s' items variant", (variant) => {
  afterEach(() => forceKernelVariant(ELEMENTWISE_ITEMS_FAMILY, undefined));
  const sizes = SIZES[variant];
  const force = () => forceKernelVariant(ELEMENTWISE_ITEMS_FAMILY, variant);

  it('a float chain with runtime scalars and a random row, as on the CPU backend', async () => {
    force();
    for (const n of sizes) {
      const a = seeded(n, n, -2, 2);
      const b = seeded(n, n + 1, 0.5, 2);
      await checkBoth(
        () => {
          const x = wg.tensor(a);
          const mask = wg.rand([n], { seed: n }).greaterEqual(0.5);
          return x.mul(0.75).sub(wg.tensor(b).log()).tanh().mul(mask).add(x.square().mul(1e-3));
        },
        undefined,
        { rtol: 1e-5, atol: 1e-6 },
      );
    }
  });

  it('bool and int32 outputs, and a bool input', async () => {
    force();
    for (const n of sizes) {
      const a = seeded(n, 2 * n, -3, 3);
      const f = a.map(Math.fround);
      await checkBoth(() => wg.tensor(a).greater(0.25), f.map((v) => Number(v > 0.25)));
      await checkBoth(() => wg.tensor(a).mul(10).cast('int32').add(3), f.map((v) => Math.trunc(Math.fround(v * 10)) + 3));
      await checkBoth(() => {
        const mask = wg.tensor(a).lessEqual(0);
        wg.realize(mask);
        return wg.where(mask, wg.tensor(a).neg(), 1);
      }, f.map((v) => (v <= 0 ? -v : 1)));
    }
  });

  it('views folded into the index: transpose, broadcast, pad, concat and slice', async () => {
    force();
    for (const n of sizes) {
      const rows = Math.max(1, Math.floor(Math.sqrt(n)));
      const cols = Math.max(1, Math.floor(n / rows));
      const m = seeded(rows * cols, n + 3);
      const bias = seeded(cols, n + 4);
      const v = seeded(n, n + 5);
      await checkBoth(() => wg.tensor(m, { shape: [rows, cols] }).transpose([1, 0]).add(wg.tensor(bias, { shape: [cols, 1] })).relu());
      await checkBoth(() => wg.tensor(v).pad([[3, 5]]).mul(2).slice([1], [n + 6]).sub(1));
      await checkBoth(() => wg.concat([wg.tensor(v), wg.tensor(v).neg(), wg.tensor(v.slice(0, 4))]).exp());
    }
  });

  it('several outputs written over the inputs they read (in-place assigns), as a float64 reference', async () => {
    await useBackend('webgpu');
    force();
    for (const n of sizes) {
      const p0 = seeded(n, 3 * n);
      const m0 = seeded(n, 3 * n + 1);
      const g = seeded(n, 3 * n + 2);
      const p = wg.tensor(p0);
      const m = wg.tensor(m0);
      const grad = wg.tensor(g);
      wg.realize(p, m, grad);
      // Each output reads the other's old value: a value stored before it is read would show.
      wg.noGrad(() => {
        const pNew = p.sub(m.mul(0.5));
        const mNew = m.mul(0.9).add(grad).add(p);
        p.assign(pNew);
        m.assign(mNew);
      });
      wg.realize(p, m);
      const f = Math.fround;
      expectClose(await p.data(), p0.map((x, i) => f(x) - f(m0[i]) * 0.5), { rtol: 1e-5, atol: 1e-6 });
      expectClose(await m.data(), m0.map((x, i) => f(x) * 0.9 + f(g[i]) + f(p0[i])), { rtol: 1e-5, atol: 1e-6 });
    }
    expectNoGpuErrors();
  });
});
