// The matmul kernels of shaders/matmul.wgsl on WebGPU (SwiftShader in CI) against the CPU
// backend's blocked kernel: awkward sizes, tiny and skinny shapes, transposed operands, batch
// broadcasting, and epilogues fused into the one dispatch.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/node';
import { uncapturedErrors } from '../../src/backend/webgpu/device';
import { matmulClass, matmulCpu, matmulLaunch, MATMUL_VARIANTS, type MatmulAttrs, type MatmulVariant } from '../../src/ops/matmul';
import { forceKernelVariant, KernelCalibration } from '../../src/backend/webgpu/calibrate';
import { gpuTarget } from '../../src/backend/webgpu/lower';
import { runLaunchOn } from './launch-runner';
import { webgpuBackend } from '../../src/runtime';
import { values } from '../arrays';

type Tensor = wg.Tensor;

function t(shape: number[], seed: number): Tensor {
  return wg.tensor(values(shape.reduce((a, b) => a * b, 1), seed), { shape });
}

/** Runs `f` on webgpu and on cpu (same inputs) and expects equal shapes and close values. */
async function matchesCpu(f: () => Tensor, atol = 1e-4): Promise<Float32Array> {
  await wg.setBackend('webgpu');
  const g = f();
  const gpu = (await g.data()) as Float32Array;
  await wg.setBackend('cpu');
  const c = f();
  const cpu = (await c.data()) as Float32Array;
  await wg.setBackend('webgpu');
  expect(g.shape).toEqual(c.shape);
  expect(gpu.length).toBe(cpu.length);
  let worst = 0;
  for (let i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(gpu[i] - cpu[i]) - 1e-4 * Math.abs(cpu[i]));
  expect(worst).toBeLessThanOrEqual(atol);
  return gpu;
}

beforeAll(async () => {
  await wg.init({ backend: 'webgpu' });
});

afterEach(() => {
  expect(uncapturedErrors).toEqual([]);
});

describe('matmul kernels', () => {
  it.each([
    [1, 1, 1],
    [3, 5, 7],
    [17, 33, 65],
    [65, 17, 33],
    [33, 65, 17],
    [64, 64, 64],
    [1, 300, 65],
    [65, 300, 1],
    [4, 4, 2000],
    [3, 2000, 5],
  ])('m=%i k=%i n=%i matches the cpu backend', async (m, k, n) => {
    await matchesCpu(() => t([m, k], 1).matmul(t([k, n], 2)));
  });

  it('computes a known product', async () => {
    const y = wg.tensor([[1, 2, 3], [4, 5, 6]]).matmul(wg.tensor([[7, 8], [9, 10], [11, 12]]));
    expect(Array.from(await y.data())).toEqual([58, 64, 139, 154]);
  });

  it.each([
    [17, 33, 65],
    [16, 32, 64],
    [3, 300, 5],
  ])('reads transposed operands without a copy (%i, %i, %i)', async (m, k, n) => {
    await matchesCpu(() => t([k, m], 3).transpose().matmul(t([k, n], 4)));
    await matchesCpu(() => t([m, k], 5).matmul(t([n, k], 6).transpose()));
    await matchesCpu(() => t([k, m], 7).transpose().matmul(t([n, k], 8).transpose()));
    wg.resetStats();
    await t([k, m], 3).transpose().matmul(t([n, k], 8).transpose()).data();
    expect(wg.stats().dispatches).toBe(1);
  });

  it('broadcasts batch axes', async () => {
    await matchesCpu(() => t([2, 3, 5, 7], 9).matmul(t([7, 4], 10)));
    await matchesCpu(() => t([5, 7], 11).matmul(t([3, 7, 4], 12)));
    await matchesCpu(() => t([2, 3, 5, 7], 13).matmul(t([3, 7, 6], 14)));
    await matchesCpu(() => t([2, 1, 5, 7], 15).matmul(t([3, 7, 6], 16)));
    await matchesCpu(() => t([4, 9, 70], 17).matmul(t([4, 70, 3], 18)));
  });

  it('dense x.matmul(w).add(b).relu() realizes as one dispatch', async () => {
    const f = () => t([17, 33], 19).matmul(t([33, 65], 20)).add(t([65], 21)).relu();
    const y = await matchesCpu(f);
    expect(y.some((v) => v === 0)).toBe(true);
    wg.resetStats();
    await f().data();
    expect(wg.stats().dispatches).toBe(1);
  });

  it('fuses scaling, residual adds and reshapes into the epilogue', async () => {
    const f = () => t([2, 5, 8], 22).matmul(t([8, 12], 23)).mul(0.5).add(t([2, 5, 12], 24)).reshape([10, 12]).tanh();
    await matchesCpu(f);
    wg.resetStats();
    await f().data();
    expect(wg.stats().dispatches).toBe(1);
  });

  it('keeps the matmul value when it is also used elsewhere', async () => {
    const f = () => {
      const y = t([9, 6], 25).matmul(t([6, 10], 26));
      return y.relu().add(y.sum(1, true));
    };
    await matchesCpu(f);
  });

  it('products of different sizes with the same code share one pipeline', async () => {
    await t([17, 33], 60).matmul(t([33, 65], 61)).data();
    wg.resetStats();
    await matchesCpu(() => t([29, 41], 62).matmul(t([41, 73], 63)));
    expect(wg.stats()).toMatchObject({ pipelinesCreated: 0, planCacheMisses: 2 });
  });

  it('products of different sizes with the same fused bias, activation and transposed residual share one pipeline', async () => {
    const f = (m: number, k: number, n: number, seed: number) => () =>
      t([m, k], seed).matmul(t([k, n], seed + 1)).add(t([n], seed + 2)).relu().add(t([n, m], seed + 3).transpose());
    await matchesCpu(f(17, 33, 65, 70));
    wg.resetStats();
    await matchesCpu(f(29, 41, 73, 74));
    expect(wg.stats()).toMatchObject({ pipelinesCreated: 0, planCacheMisses: 2 });
  });

  it('writes a size once: a new graph of known sizes and a cached plan upload nothing', async () => {
    const [a, b] = [t([21, 35], 64), t([35, 43], 65)];
    await a.matmul(b).data();
    wg.resetStats();
    await a.matmul(b).relu().data();
    await a.matmul(b).relu().data();
    expect(wg.stats()).toMatchObject({ bytesUploaded: 0, planCacheHits: 1 });
  });

  it('gradients match the CPU backend', async () => {
    const grads = async () => {
      const a = wg.tensor(values(5 * 7, 27), { shape: [5, 7], requiresGrad: true });
      const b = wg.tensor(values(7 * 3, 28), { shape: [7, 3], requiresGrad: true });
      a.matmul(b).relu().sum().backward();
      return [Array.from(await a.grad!.data()), Array.from(await b.grad!.data())];
    };
    const gpu = await grads();
    await wg.setBackend('cpu');
    const cpu = await grads();
    await wg.setBackend('webgpu');
    for (let i = 0; i < 2; i++) for (let j = 0; j < cpu[i].length; j++) expect(gpu[i][j]).toBeCloseTo(cpu[i][j], 4);
  });
});

/** Runs the matmul launch chosen for `architecture` (or the forced `variant`) directly on the device. */
async function runLaunch(attrs: MatmulAttrs, a: Float32Array, b: Float32Array, architecture: string, variant?: MatmulVariant): Promise<{ entry: string; out: Float32Array }> {
  const launch = matmulLaunch(attrs, gpuTarget(architecture), variant);
  return { entry: launch.entryPoint, out: await runLaunchOn(launch, [a, b], attrs.batch * attrs.m * attrs.n) };
}

describe('every matmul kernel on this device', () => {
  it.each([
    [1, 17, 33, 65, false, false],
    [2, 33, 65, 17, true, false],
    [1, 64, 32, 64, false, true],
    [3, 20, 21, 70, true, true],
  ])('batch %i, %i×%i · %i×… (transA %s, transB %s): shared-memory and register tiles match the cpu kernel', async (batch, m, k, n, transA, transB) => {
    const attrs: MatmulAttrs = { batch, m, k, n, batchA: batch, batchB: 1, transA, transB };
    const a = values(batch * m * k, 31);
    const b = values(k * n, 32);
    const want = matmulCpu(a, b, attrs);
    const entries = new Set<string>();
    for (const architecture of ['swiftshader', 'real-gpu']) {
      const { entry, out } = await runLaunch(attrs, a, b, architecture);
      entries.add(entry);
      for (let i = 0; i < want.length; i++) expect(Math.abs(out[i] - want[i])).toBeLessThan(1e-4);
    }
    expect([...entries].sort()).toEqual(['main_regtile', 'main_tiled']);
  });

  it('few outputs with a long K (a small recurrent weight gradient): one workgroup per output on GPUs, a register tile on SwiftShader, both match the cpu kernel', async () => {
    const attrs: MatmulAttrs = { batch: 1, m: 16, k: 640, n: 64, batchA: 1, batchB: 1, transA: true, transB: false };
    const a = values(16 * 640, 33);
    const b = values(640 * 64, 34);
    const want = matmulCpu(a, b, attrs);
    const entries: string[] = [];
    for (const architecture of ['real-gpu', 'swiftshader']) {
      const { entry, out } = await runLaunch(attrs, a, b, architecture);
      entries.push(entry);
      for (let i = 0; i < want.length; i++) expect(Math.abs(out[i] - want[i])).toBeLessThan(1e-3);
    }
    expect(entries).toEqual(['main_dot', 'main_regtile']);
  });
});

describe('every matmul variant, forced', () => {
  it.each([
    [1, 70, 36, 52, false, false],
    [2, 33, 64, 132, false, false],
    [1, 300, 8, 20, false, false],
    [2, 33, 65, 17, true, false],
    [3, 20, 21, 70, true, true],
  ])('batch %i, %i×%i · %i×… (transA %s, transB %s): each variant matches the cpu kernel', async (batch, m, k, n, transA, transB) => {
    const attrs: MatmulAttrs = { batch, m, k, n, batchA: batch, batchB: 1, transA, transB };
    const a = values(batch * m * k, 41);
    const b = values(k * n, 42);
    const want = matmulCpu(a, b, attrs);
    const entries = new Set<string>();
    for (const variant of MATMUL_VARIANTS) {
      const { entry, out } = await runLaunch(attrs, a, b, 'swiftshader', variant);
      entries.add(entry);
      for (let i = 0; i < want.length; i++) expect(Math.abs(out[i] - want[i])).toBeLessThan(1e-4);
    }
    // Wide tiles read untransposed vec4 operands only; others run the register tile instead.
    const wide = !transA && !transB && k % 4 === 0 && n % 4 === 0;
    expect([...entries].sort()).toEqual(wide ? ['main_regtile', 'main_tiled', 'main_wide'] : ['main_regtile', 'main_tiled']);
  });

  it('the register tile over several 64×64 workgroups each way, batched, with a fused bias and relu matches the cpu backend', async () => {
    const attrs: MatmulAttrs = { batch: 2, m: 130, k: 37, n: 70, batchA: 2, batchB: 2, transA: false, transB: false };
    expect(matmulLaunch(attrs, gpuTarget('swiftshader')).workgroups).toEqual([2, 3, 2]);
    await matchesCpu(() => t([2, 130, 37], 61).matmul(t([2, 37, 70], 62)).add(t([70], 63)).relu());
  });

  it.each([
    [1, 70, 36, 52, false, false, 1],
    [2, 33, 65, 17, true, false, 1],
    [3, 20, 21, 70, true, true, 3],
    [2, 5, 7, 3, false, true, 2],
  ])('batch %i, %i×%i · %i×… (transA %s, transB %s, %i B matrices): the quick variant every tile offers matches the cpu kernel', async (batch, m, k, n, transA, transB, batchB) => {
    const attrs: MatmulAttrs = { batch, m, k, n, batchA: batch, batchB, transA, transB };
    const a = values(batch * m * k, 43);
    const b = values(batchB * k * n, 44);
    const want = matmulCpu(a, b, attrs);
    for (const variant of MATMUL_VARIANTS.filter((v) => v !== 'tiled')) {
      const quick = matmulLaunch(attrs, gpuTarget('swiftshader'), variant).quick!;
      expect(quick.entryPoint).toBe('main_quick');
      const out = await runLaunchOn(quick, [a, b], batch * m * n);
      for (let i = 0; i < want.length; i++) expect(Math.abs(out[i] - want[i])).toBeLessThan(1e-4);
    }
  });

  it('quick variants of products with other sizes, transposes and alignments share one pipeline', () => {
    const launches = [
      { batch: 1, m: 128, k: 784, n: 256, batchA: 1, batchB: 1, transA: false, transB: false },
      { batch: 1, m: 784, k: 128, n: 256, batchA: 1, batchB: 1, transA: true, transB: false },
      { batch: 1, m: 128, k: 10, n: 128, batchA: 1, batchB: 1, transA: false, transB: true },
      { batch: 2, m: 33, k: 65, n: 17, batchA: 2, batchB: 1, transA: true, transB: true },
    ].map((attrs) => matmulLaunch(attrs, gpuTarget('swiftshader')).quick!);
    expect(new Set(launches.map((l) => `${l.code}|${l.entryPoint}|${JSON.stringify(l.constants ?? {})}`)).size).toBe(1);
  });

  it.each(MATMUL_VARIANTS.map((v, i) => [v, i]))('%s forced on the graph: product and gradients match the cpu backend', async (variant, i) => {
    // A size per variant, so no plan cached for another variant is reused.
    const [m, k, n] = [260 + 4 * Number(i), 36, 264];
    forceKernelVariant('matmul', String(variant));
    try {
      const run = async () => {
        const a = wg.tensor(values(m * k, 51), { shape: [m, k], requiresGrad: true });
        const b = wg.tensor(values(k * n, 52), { shape: [k, n], requiresGrad: true });
        const y = a.matmul(b);
        y.mul(y).sum().backward();
        return [await y.data(), await a.grad!.data(), await b.grad!.data()] as Float32Array[];
      };
      const gpu = await run();
      await wg.setBackend('cpu');
      const cpu = await run();
      await wg.setBackend('webgpu');
      for (let j = 0; j < 3; j++) {
        let worst = 0;
        for (let q = 0; q < cpu[j].length; q++) worst = Math.max(worst, Math.abs(gpu[j][q] - cpu[j][q]) / (1 + Math.abs(cpu[j][q])));
        expect(worst).toBeLessThan(1e-4);
      }
    } finally {
      forceKernelVariant('matmul', undefined);
    }
  });
});

describe('wide tile workgroups', () => {
  const square = (size: number): MatmulAttrs => ({ batch: 1, m: size, k: size, n: size, batchA: 1, batchB: 1, transA: false, transB: false });
  const groups = (size: number) => matmulLaunch(square(size), gpuTarget('swiftshader'), 'wide32x16').workgroups.reduce((a, b) => a * b, 1);

  it('a 256 × 256 product spreads over at least 4 workgroups in smaller groups', () => {
    expect(groups(256)).toBe(8);
    expect(matmulLaunch(square(256), gpuTarget('swiftshader'), 'wide32x16').code).toContain('@workgroup_size(4, 4)');
  });

  it('larger products keep 8 × 8 groups', () => {
    expect(groups(1024)).toBe(32);
    expect(matmulLaunch(square(1024), gpuTarget('swiftshader'), 'wide32x16').code).toContain('@workgroup_size(8, 8)');
  });

  it('a 256 × 256 product in 4 × 4 groups matches the cpu kernel', async () => {
    const attrs = square(256);
    const a = values(256 * 256, 61);
    const b = values(256 * 256, 62);
    const want = matmulCpu(a, b, attrs);
    const { entry, out } = await runLaunch(attrs, a, b, 'swiftshader', 'wide32x16');
    expect(entry).toBe('main_wide');
    for (let i = 0; i < want.length; i++) expect(Math.abs(out[i] - want[i])).toBeLessThan(1e-3);
  });
});

describe('matmul calibration', () => {
  it('classes shapes by their outputs and columns', () => {
    const attrs = (m: number, n: number): MatmulAttrs => ({ batch: 1, m, k: 64, n, batchA: 1, batchB: 1, transA: false, transB: false });
    expect(matmulClass(attrs(128, 128))).toBe('small');
    expect(matmulClass(attrs(32768, 32))).toBe('skinny');
    expect(matmulClass(attrs(1024, 1024))).toBe('large');
  });

  it('records the fastest candidate per class, reuses it for the adapter, and a forced variant overrides it', async () => {
    const device = webgpuBackend()!.device;
    const attrs: MatmulAttrs = { batch: 1, m: 64, k: 64, n: 64, batchA: 1, batchB: 1, transA: false, transB: false };
    const target = gpuTarget('swiftshader');
    const bindingBytes = [64 * 64 * 4, 64 * 64 * 4, 64 * 64 * 4];
    const family = {
      family: 'matmul',
      classes: [{ shapeClass: 'small', candidates: (['regtile', 'tiled'] as const).map((variant) => ({ variant, launch: matmulLaunch(attrs, target, variant), bindingBytes })) }],
    };
    // No budget: both candidates are timed however long a loaded machine takes to compile them.
    const calibration = new KernelCalibration(device, { matmul: () => family }, { adapterKey: 'test-adapter', store: null, background: true, budgetMs: Infinity });
    expect(calibration.variant('matmul', 'small')).toBeUndefined();
    await calibration.settled();
    const chosen = calibration.variant('matmul', 'small');
    expect(['regtile', 'tiled']).toContain(chosen);
    // Measured once for the adapter: asking again times nothing.
    await calibration.calibrate('matmul', 'small');
    expect(calibration.measuredCandidates).toBe(2);
    const calibrated = gpuTarget('swiftshader', (f, c) => calibration.variant(f, c));
    expect(matmulLaunch(attrs, calibrated).entryPoint).toBe(chosen === 'tiled' ? 'main_tiled' : 'main_regtile');
    forceKernelVariant('matmul', 'wide32x16');
    try {
      expect(matmulLaunch(attrs, calibrated).entryPoint).toBe('main_wide');
    } finally {
      forceKernelVariant('matmul', undefined);
    }
  });
});

describe('cpu matmul kernel', () => {
  it('matches a plain triple loop, transposed and batched', () => {
    const [batch, m, k, n] = [3, 5, 6, 7];
    const a = values(batch * m * k, 29);
    const b = values(k * n, 30);
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const out = matmulCpu(a, b, { batch, m, k, n, batchA: batch, batchB: 1, transA, transB });
        for (let p = 0; p < batch; p++) {
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let s = 0;
              for (let q = 0; q < k; q++) {
                const av = transA ? a[p * m * k + q * m + i] : a[p * m * k + i * k + q];
                const bv = transB ? b[j * k + q] : b[q * n + j];
                s += av * bv;
              }
              expect(out[p * m * n + i * n + j]).toBeCloseTo(s, 5);
            }
          }
        }
      }
    }
  });
});
