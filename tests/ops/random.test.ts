// Random numbers on the device: Threefry 2x32-20 matches its published known answers, rand,
// randn and randint have the right distributions on 1e5 draws, both backends draw the same
// numbers for the same seed, and a random tensor is a lazy node that fuses into its consumer
// (no upload, no extra dispatch, no new pipeline for a new draw).

import { beforeAll, describe, expect, it } from 'vitest';
import { threefry } from '../../src/ops/threefry';
import { expectClose, expectNoGpuErrors, initBoth, onBoth, randomTensor, useBackend, wg } from '../helpers';

beforeAll(initBoth);

const N = 100_000;

/** Kolmogorov–Smirnov statistic of `values` against the continuous CDF `cdf`. */
function ksStatistic(values: ArrayLike<number>, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(values).sort();
  let d = 0;
  sorted.forEach((x, i) => {
    const f = cdf(x);
    d = Math.max(d, Math.abs(f - i / sorted.length), Math.abs((i + 1) / sorted.length - f));
  });
  return d;
}

/** The 1% critical value of the KS statistic for n samples. */
const ksCritical = (n: number) => 1.63 / Math.sqrt(n);

/** Standard normal CDF through erfc by its continued-fraction-free Chebyshev fit (Numerical Recipes erfcc, |ε| < 1.2e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(poly);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

function meanAndVariance(v: ArrayLike<number>): [number, number] {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  const mean = s / v.length;
  let q = 0;
  for (let i = 0; i < v.length; i++) q += (v[i] - mean) ** 2;
  return [mean, q / (v.length - 1)];
}

describe('Threefry 2x32-20', () => {
  it('matches the known-answer vectors of Random123 (and JAX)', () => {
    const out = new Uint32Array(2);
    expect(Array.from(threefry(0, 0, 0, 0, out))).toEqual([0x6b200159, 0x99ba4efe]);
    expect(Array.from(threefry(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, out))).toEqual([0x1cb996fc, 0xbb002be7]);
    expect(Array.from(threefry(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, out))).toEqual([0xc4923a9c, 0x483df7a0]);
  });
});

describe('distributions (1e5 draws on WebGPU)', () => {
  it('rand is uniform on [0, 1): mean, variance and a KS bound', async () => {
    await useBackend('webgpu');
    const v = await wg.rand([N], { seed: 1 }).data();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...v)).toBeLessThan(1);
    const [mean, variance] = meanAndVariance(v);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
    expect(ksStatistic(v, (x) => Math.min(Math.max(x, 0), 1))).toBeLessThan(ksCritical(N));
  });

  it('randn is standard normal: mean, variance and a KS bound', async () => {
    await useBackend('webgpu');
    const v = await wg.randn([N], { seed: 2 }).data();
    expect(v.every(Number.isFinite)).toBe(true);
    const [mean, variance] = meanAndVariance(v);
    expect(Math.abs(mean)).toBeLessThan(0.016);
    expect(Math.abs(variance - 1)).toBeLessThan(0.025);
    expect(ksStatistic(v, normalCdf)).toBeLessThan(ksCritical(N));
  });

  it('randint gives exact integers in [low, high) with a flat histogram (χ² bound)', async () => {
    await useBackend('webgpu');
    const t = wg.randint(-3, 4, [N], { seed: 3 });
    expect(t.dtype).toBe('int32');
    const v = await t.data();
    expect(v.filter((x) => !Number.isInteger(x) || x < -3 || x >= 4).length).toBe(0);
    const counts = new Array<number>(7).fill(0);
    for (const x of v) counts[x + 3]++;
    const expected = N / 7;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(22.46); // χ²(6 dof) at 0.999
  });
});

describe('both backends draw the same numbers', () => {
  it('rand bit for bit', async () => {
    const { gpu, cpu } = await onBoth(() => wg.rand([7, 9, 11], { seed: 11 }));
    expect(Array.from(gpu.data)).toEqual(Array.from(cpu.data));
  });

  it('randint bit for bit, over the whole int32 range too', async () => {
    const small = await onBoth(() => wg.randint(-3, 4, [5, 50], { seed: 13 }));
    expect(Array.from(small.gpu.data)).toEqual(Array.from(small.cpu.data));
    const wide = await onBoth(() => wg.randint(-2147483648, 2147483647, [500], { seed: 14 }));
    expect(Array.from(wide.gpu.data)).toEqual(Array.from(wide.cpu.data));
    expect(new Set(wide.gpu.data).size).toBeGreaterThan(490);
  });

  it('randn within 1e-5', async () => {
    const { gpu, cpu } = await onBoth(() => wg.randn([4096], { seed: 12 }));
    expectClose(gpu.data, cpu.data, { rtol: 1e-5, atol: 1e-5 });
  });

  it('two large draws realized together (one vec4 kernel with over 32 index names)', async () => {
    // The generated kernel once named an index `i32`, shadowing the type its own bitcasts use.
    const draw = () => [wg.randn([3, 3, 16, 32], { seed: 21 }), wg.randn([144, 32], { seed: 22 })];
    const read = async (backend: 'cpu' | 'webgpu') => {
      await useBackend(backend);
      const ts = draw();
      wg.realize(...ts);
      return Promise.all(ts.map((t) => t.data()));
    };
    const cpu = await read('cpu');
    const gpu = await read('webgpu');
    expectNoGpuErrors();
    cpu.forEach((c, i) => expectClose(gpu[i], c, { rtol: 1e-5, atol: 1e-5 }));
  });

  it('the global stream after wg.seed', async () => {
    const { gpu, cpu } = await onBoth(() => {
      wg.seed(99);
      return wg.rand([4]).add(wg.randn([4])).add(wg.randint(0, 5, [4]));
    });
    expectClose(gpu.data, cpu.data, { rtol: 1e-5, atol: 1e-5 });
  });

  it('a random mask in a matmul epilogue', async () => {
    const { gpu, cpu } = await onBoth(() => randomTensor([9, 12], 1).matmul(randomTensor([12, 8], 2)).mul(wg.rand([9, 8], { seed: 5 }).greaterEqual(0.5)));
    expectClose(gpu.data, cpu.data, { rtol: 1e-5, atol: 1e-5 });
    expectNoGpuErrors();
  });
});

describe('random tensors are lazy device nodes', () => {
  it('a dropout-style mask fuses into its consumer: 1 dispatch, 0 bytes uploaded', async () => {
    await useBackend('webgpu');
    const x = randomTensor([64, 33], 4).mul(2);
    wg.realize(x); // on the device now: the masked product uploads nothing
    wg.resetStats();
    const y = x.mul(wg.rand(x.shape, { seed: 6 }).greaterEqual(0.5));
    wg.realize(y);
    expect(wg.stats()).toMatchObject({ dispatches: 1, submits: 1, bytesUploaded: 0 });
    const got = await y.data();
    await useBackend('cpu');
    const want = await randomTensor([64, 33], 4).mul(2).mul(wg.rand([64, 33], { seed: 6 }).greaterEqual(0.5)).data();
    expect(Array.from(got)).toEqual(Array.from(want));
    expectNoGpuErrors();
  });

  it('a second draw of the same shape, with a new seed or from the global stream, creates no pipeline', async () => {
    await useBackend('webgpu');
    wg.realize(wg.rand([3, 70]));
    wg.resetStats();
    const again = [wg.rand([3, 70]), wg.rand([3, 70], { seed: 8 }), wg.rand([3, 70], { seed: 9 })];
    for (const t of again) wg.realize(t);
    expect(wg.stats()).toMatchObject({ pipelinesCreated: 0, planCacheHits: 3, planCacheMisses: 0 });
  });

  it('the same seed gives the same tensor; different calls give different tensors', async () => {
    await useBackend('webgpu');
    const a = Array.from(await wg.randn([50], { seed: 42 }).data());
    expect(Array.from(await wg.randn([50], { seed: 42 }).data())).toEqual(a);
    expect(Array.from(await wg.randn([50], { seed: 43 }).data())).not.toEqual(a);
    wg.seed(7);
    const first = Array.from(await wg.rand([50]).data());
    const second = Array.from(await wg.rand([50]).data());
    expect(second).not.toEqual(first);
    wg.seed(7);
    expect(Array.from(await wg.rand([50]).data())).toEqual(first);
    expect(Array.from(await wg.rand([50]).data())).toEqual(second);
  });

  it('a lazy random tensor read by two graphs gives both the same values', async () => {
    await useBackend('webgpu');
    const r = wg.rand([20], { seed: 3 });
    const [a, b] = await Promise.all([r.mul(1).data(), r.add(0).data()]);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe('random op arguments', () => {
  it('rejects a dtype the op cannot produce', () => {
    expect(() => wg.rand([2], { dtype: 'int32' })).toThrow(wg.DTypeError);
    expect(() => wg.randn([2], { dtype: 'bool' })).toThrow(wg.DTypeError);
    expect(() => wg.randint(0, 3, [2], { dtype: 'bool' })).toThrow(wg.DTypeError);
  });

  it('randint with dtype float32 gives the same integers as floats', async () => {
    await useBackend('webgpu');
    const f = wg.randint(0, 9, [30], { seed: 4, dtype: 'float32' });
    expect(f.dtype).toBe('float32');
    expect(Array.from(await f.data())).toEqual(Array.from(await wg.randint(0, 9, [30], { seed: 4 }).data()));
  });

  it('rejects bad ranges and seeds', () => {
    expect(() => wg.randint(3, 3, [2])).toThrow(wg.ArgumentError);
    expect(() => wg.randint(0, 2 ** 31 + 1, [2])).toThrow(wg.ArgumentError);
    expect(() => wg.rand([2], { seed: NaN })).toThrow(wg.ArgumentError);
    expect(() => wg.seed(Infinity)).toThrow(wg.ArgumentError);
  });
});
