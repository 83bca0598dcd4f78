// The outer-product tiles for a transposed A (src/ops/matmul-outer.ts) on WebGPU against the CPU
// matmul kernel: K not a multiple of 4 (the one-k tail), M and N past a tile's edge, batches
// that reuse one B, and which shapes they accept.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/node';
import { uncapturedErrors } from '../../src/backend/webgpu/device';
import { gpuTarget } from '../../src/backend/webgpu/lower';
import { matmulCpu, matmulLaunch, type MatmulAttrs } from '../../src/ops/matmul';
import { outerTileFits, outerTileLaunch } from '../../src/ops/matmul-outer';
import { values } from '../arrays';
import { expectClose } from '../helpers';
import { runLaunchOn } from './launch-runner';

beforeAll(async () => {
  await wg.init({ backend: 'webgpu' });
});

afterEach(() => {
  expect(uncapturedErrors).toEqual([]);
});

describe('outer-product matmul tiles', () => {
  it.each([
    [1, 4, 1, 4],
    [1, 36, 7, 20],
    [1, 260, 130, 132],
    [3, 64, 33, 20],
    [1, 16, 8, 8],
    [2, 300, 128, 40],
  ])('batch %i, M %i, K %i, N %i: equal the cpu kernel', async (batch, m, k, n) => {
    const attrs: MatmulAttrs = { batch, m, k, n, batchA: batch, batchB: 1, transA: true, transB: false };
    const a = values(batch * k * m, 41);
    const b = values(k * n, 42);
    const regtile = matmulLaunch(attrs, gpuTarget('swiftshader'), 'regtile');
    const launch = outerTileLaunch(attrs, regtile.constants, regtile.dims!);
    const out = await runLaunchOn(launch, [a, b], batch * m * n);
    expectClose(out, matmulCpu(a, b, attrs), { atol: 1e-4, rtol: 1e-4 });
  });

  it('run where a wide tile is chosen and A is transposed, the wide tile where it is not', () => {
    const attrs: MatmulAttrs = { batch: 1, m: 784, k: 128, n: 256, batchA: 1, batchB: 1, transA: true, transB: false };
    for (const variant of ['wide32x16', 'wide64x8'] as const) {
      expect(matmulLaunch(attrs, gpuTarget('swiftshader'), variant).entryPoint).toBe('main_outer');
      expect(matmulLaunch({ ...attrs, transA: false }, gpuTarget('swiftshader'), variant).entryPoint).toBe('main_wide');
    }
    expect(matmulLaunch(attrs, gpuTarget('swiftshader'), 'regtile').entryPoint).toBe('main_regtile');
  });

  it('take only a transposed A and an untransposed B with M and N multiples of 4', () => {
    const base: MatmulAttrs = { batch: 1, m: 8, k: 5, n: 12, batchA: 1, batchB: 1, transA: true, transB: false };
    expect(outerTileFits(base)).toBe(true);
    expect(outerTileFits({ ...base, transA: false })).toBe(false);
    expect(outerTileFits({ ...base, transB: true })).toBe(false);
    expect(outerTileFits({ ...base, m: 6 })).toBe(false);
    expect(outerTileFits({ ...base, n: 10 })).toBe(false);
  });
});
