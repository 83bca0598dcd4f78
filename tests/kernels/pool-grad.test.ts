// Gradients of maxPool2d, avgPool2d and globalAvgPool2d: finite differences on the CPU backend
// (max pooling on distinct values, so no window has a tie), routing to the first maximum on
// ties (as PyTorch), even spreading for averages, the second-order VJP of the average-pool
// gradient, and the WebGPU backward kernels against the CPU on awkward sizes.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { checkGpuMatchesCpu, checkGradients, distinct, dot, finiteDiff, rng, uniform } from '../autograd/gradcheck';
import { checkBoth, expectClose, expectNoGpuErrors, initBoth, seeded, sizeOf, wg } from '../helpers';
import { refPool } from './conv-reference';
import type { AvgPoolOptions, PoolOptions, Tensor } from '../../src/node';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

/** The gradient of Σ pool(x)·r with respect to x, through the op's VJP. */
function poolGrad(pool: (x: Tensor) => Tensor, x: Tensor, r: readonly number[]): Tensor {
  const y = pool(x);
  return y.gradFn!.vjp(wg.tensor(new Float32Array(r), { shape: y.shape }), y)[0]!;
}

describe('pool gradients match finite differences (CPU)', () => {
  const configs: [string, PoolOptions][] = [
    ['2×2 valid', { kernelSize: 2 }],
    ['3×3 stride 2 same', { kernelSize: 3, stride: 2, padding: 'same' }],
    ['3×2 stride [1,2] padding 1', { kernelSize: [3, 2], stride: [1, 2], padding: [1, 1] }],
  ];
  configs.forEach(([name, opts], k) => {
    test(`maxPool2d ${name}`, async () => {
      await wg.init({ backend: 'cpu' });
      await checkGradients((x) => wg.maxPool2d(x, opts), [distinct(rng(700 + k), [2, 5, 6, 3])], { eps: 1e-3 });
      await wg.init({ backend: 'webgpu' });
    });
    for (const countIncludePad of [false, true])
      test(`avgPool2d ${name}, countIncludePad ${countIncludePad}`, async () => {
        await wg.init({ backend: 'cpu' });
        await checkGradients((x) => wg.avgPool2d(x, { ...opts, countIncludePad }), [uniform(rng(710 + k), [2, 5, 6, 3])]);
        await wg.init({ backend: 'webgpu' });
      });
  });

  test('globalAvgPool2d', async () => {
    await wg.init({ backend: 'cpu' });
    await checkGradients((x) => wg.globalAvgPool2d(x), [uniform(rng(720), [2, 3, 5, 4])]);
    await wg.init({ backend: 'webgpu' });
  });
});

describe('where the gradient goes', () => {
  test('max pooling routes each window gradient to its first maximum on ties (both backends)', async () => {
    // All-equal input: every window's first pixel (top-left real pixel) gets the gradient.
    const r = seeded(2 * 2, 3);
    const build = () => {
      const x = wg.tensor(new Float32Array(16).fill(1), { shape: [1, 4, 4, 1], requiresGrad: true });
      return poolGrad((t) => wg.maxPool2d(t, { kernelSize: 3, stride: 2, padding: 'same' }), x, r);
    };
    // 'same' on 4 with k 3, s 2: 2 outputs, total padding 1, all of it bottom/right; windows
    // start at rows/cols 0 and 2.
    const expected = new Array<number>(16).fill(0);
    expected[0] = r[0];
    expected[2] = r[1];
    expected[8] = r[2];
    expected[10] = r[3];
    await checkBoth(build, expected);
  });

  test('vec4 max pooling routes each channel to its own first maximum on ties (both backends)', async () => {
    // 4×4 image, 4 channels, 2×2 windows of zeros but pixel (1,1) = 1 + c; channels 0 and 1
    // tie it at the row-major earlier pixel (0,1), so those go there and channels 2, 3 to (1,1).
    const x = new Float32Array(64).fill(0);
    for (let c = 0; c < 4; c++) {
      x[(1 * 4 + 1) * 4 + c] = 1 + c;
      if (c < 2) x[(0 * 4 + 1) * 4 + c] = 1 + c;
    }
    const r = seeded(16, 4);
    const expected = new Array<number>(64).fill(0);
    for (let c = 0; c < 4; c++) expected[(c < 2 ? 4 : 20) + c] = r[c];
    for (let o = 1; o < 4; o++) for (let c = 0; c < 4; c++) {
      const [oy, ox] = [Math.floor(o / 2), o % 2];
      expected[(2 * oy * 4 + 2 * ox) * 4 + c] = r[o * 4 + c];
    }
    await checkBoth(() => poolGrad((t) => wg.maxPool2d(t, { kernelSize: 2 }), wg.tensor(x, { shape: [1, 4, 4, 4], requiresGrad: true }), r), expected);
  });

  test('max pooling gradients sum where windows overlap, matching the reference argmax', async () => {
    const xs = [2, 7, 5, 3];
    const x = seeded(sizeOf(xs), 21);
    const ref = refPool('max', x, xs, { k: [3, 3], s: [1, 2], padding: ['same', 'same'] });
    const r = seeded(ref.data.length, 22);
    const expected = new Array<number>(x.length).fill(0);
    ref.argmax.forEach((i, o) => (expected[i] += r[o]));
    await checkBoth(() => poolGrad((t) => wg.maxPool2d(t, { kernelSize: 3, stride: [1, 2], padding: 'same' }), wg.tensor(new Float32Array(x), { shape: xs, requiresGrad: true }), r), expected, { rtol: 1e-5, atol: 1e-6 });
  });

  test('average pooling spreads each window gradient evenly over its real pixels', async () => {
    // 3×3 image, 2×2 windows at stride 1: the centre is in four windows, corners in one.
    const got = await checkBoth(() => poolGrad((t) => wg.avgPool2d(t, { kernelSize: 2, stride: 1 }), wg.tensor(new Float32Array(9).fill(1), { shape: [1, 3, 3, 1], requiresGrad: true }), [1, 1, 1, 1]));
    expect(Array.from(got.data)).toEqual([0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25]);
  });
});

test('the average-pool gradient kernel is differentiable: its VJP (avgPool) matches finite differences', async () => {
  await wg.init({ backend: 'cpu' });
  const xs = [1, 5, 4, 2];
  const opts: AvgPoolOptions = { kernelSize: 3, stride: 2, padding: 'same' };
  const ys = [1, 3, 2, 2];
  const g0 = new Float32Array(seeded(sizeOf(ys), 30));
  const G = new Float32Array(seeded(sizeOf(xs), 31));
  const dxOf = (g: Float32Array) => {
    const x = wg.tensor(new Float32Array(sizeOf(xs)), { shape: xs, requiresGrad: true });
    const y = wg.avgPool2d(x, opts);
    return y.gradFn!.vjp(wg.tensor(g, { shape: ys, requiresGrad: true }), y)[0]!;
  };
  const dx = dxOf(g0);
  const [gg] = dx.gradFn!.vjp(wg.tensor(G, { shape: xs }), dx);
  const at = Array.from({ length: g0.length }, (_, i) => i);
  const numeric = await finiteDiff(async (g) => dot(await dxOf(g).data(), G), g0, at, 0.5);
  expectClose(await gg!.data(), numeric, { rtol: 1e-4, atol: 1e-5 });
  await wg.init({ backend: 'webgpu' });
});

test('disjoint-window gradients write every input pixel, even into a recycled buffer', async () => {
  // 11×9 with 2×2 windows at stride 2: the last row and column belong to no window. 2 channels
  // run the scalar kernels, 8 the max pool's vec4 one.
  for (const c of [2, 8]) {
    const xs = [1, 11, 9, c];
    const x = new Float32Array(seeded(sizeOf(xs), 50));
    for (const pool of [(t: Tensor) => wg.maxPool2d(t, { kernelSize: 2 }), (t: Tensor) => wg.avgPool2d(t, { kernelSize: 2, stride: [3, 2] })]) {
      // Leave non-zero values in the pooled buffer the gradient will be written to.
      const junk = wg.full(xs, 7);
      wg.realize(junk);
      junk.dispose();
      const y = pool(wg.tensor(x, { shape: xs }));
      const r = seeded(sizeOf(y.shape), 51);
      await checkBoth(() => poolGrad(pool, wg.tensor(x, { shape: xs, requiresGrad: true }), r));
    }
  }
});

describe('pool backward kernels on WebGPU equal the CPU', () => {
  const cases: [string, number[], (x: Tensor) => Tensor][] = [
    ['maxPool2d 3×3 stride 2 same on 17×33', [2, 17, 33, 3], (x) => wg.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 'same' })],
    ['maxPool2d 2×2 on 65×3', [1, 65, 3, 5], (x) => wg.maxPool2d(x, { kernelSize: 2 })],
    ['avgPool2d 3×2 stride 1 padding 1, Keras edges', [2, 9, 17, 3], (x) => wg.avgPool2d(x, { kernelSize: [3, 2], stride: 1, padding: 1 })],
    ['avgPool2d 5×5 stride 3 same, PyTorch edges', [1, 17, 13, 2], (x) => wg.avgPool2d(x, { kernelSize: 5, stride: 3, padding: 'same', countIncludePad: true })],
    ['maxPool2d 2×2 stride 3 (disjoint windows with gaps: one invocation per window cell)', [1, 11, 8, 2], (x) => wg.maxPool2d(x, { kernelSize: 2, stride: 3 })],
    ['maxPool2d 2×2 padding 1 (disjoint windows, padded edges)', [2, 7, 6, 3], (x) => wg.maxPool2d(x, { kernelSize: 2, padding: 1 })],
    ['avgPool2d 2×3 stride 3 same (disjoint windows, padded edges)', [2, 10, 11, 3], (x) => wg.avgPool2d(x, { kernelSize: [2, 3], stride: 3, padding: 'same' })],
    ['globalAvgPool2d', [2, 7, 9, 3], (x) => wg.globalAvgPool2d(x)],
    ['maxPool2d 2×2 on 7×9 with 12 channels (vec4 cells, a partial block per invocation)', [2, 7, 9, 12], (x) => wg.maxPool2d(x, { kernelSize: 2 })],
    ['maxPool2d 2×2 stride 3 padding 1 with 40 channels (vec4 cells, gaps, padded edges)', [1, 8, 7, 40], (x) => wg.maxPool2d(x, { kernelSize: 2, stride: 3, padding: 1 })],
    ['maxPool2d 3×3 stride 2 same with 8 channels (overlapping windows after a vec4 forward)', [1, 9, 6, 8], (x) => wg.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 'same' })],
  ];
  cases.forEach(([name, xs, f], k) =>
    test(name, async () => {
      await checkGpuMatchesCpu(f, [distinct(rng(740 + k), xs, 0.01)]);
      await wg.init({ backend: 'webgpu' });
    }),
  );
});
