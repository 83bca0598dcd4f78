// The Winograd F(2×2, 3×3) kernel (src/ops/conv-winograd.ts) forced through forceKernelVariant:
// the forward conv (with a fused bias + ReLU) and its input gradient on WebGPU equal the CPU
// backend over padding, odd sizes and batches; gradients through it match finite differences;
// geometries it does not fit fall back; and which shapes take it by default.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { forceKernelVariant } from '../../src/backend/webgpu/calibrate';
import { gpuTarget } from '../../src/backend/webgpu/lower';
import { CONV_FAMILIES, CONV_WINOGRAD, CONV2D, CONV2D_INPUT_GRAD, type ConvGeometry } from '../../src/ops/conv';
import { analyticGradients, checkGpuMatchesCpu, dot, finiteDiff, rng, uniform, type Input } from '../autograd/gradcheck';
import { checkBoth, expectNoGpuErrors, initBoth, wg } from '../helpers';
import type { Conv2dOptions } from '../../src/node';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

/** Runs `body` with the forward and input-gradient families forced to Winograd. */
async function withWinograd<T>(body: () => Promise<T>): Promise<T> {
  forceKernelVariant(CONV_FAMILIES.forward, CONV_WINOGRAD);
  forceKernelVariant(CONV_FAMILIES.inputGrad, CONV_WINOGRAD);
  try {
    return await body();
  } finally {
    forceKernelVariant(CONV_FAMILIES.forward, undefined);
    forceKernelVariant(CONV_FAMILIES.inputGrad, undefined);
    await wg.init({ backend: 'webgpu' });
  }
}

/** Winograd's transforms round more than a direct sum: float32 error a few ulps of the terms. */
const TOLERANCE = { rtol: 1e-4, atol: 1e-4 };

const geometry = (attrs: Partial<ConvGeometry>): ConvGeometry => ({ n: 2, h: 6, w: 6, cin: 8, oh: 6, ow: 6, cout: 16, kh: 3, kw: 3, sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1, groups: 1, ...attrs });
const node = (a: ConvGeometry) => ({ op: { attrs: a } }) as Parameters<typeof CONV2D.gpu>[0];

describe('Winograd F(2×2, 3×3) on WebGPU equals the CPU, forward and input gradient', () => {
  // [name, x shape, w shape, options]: odd sizes leave edge tiles half outside the image.
  const cases: [string, number[], number[], Conv2dOptions][] = [
    ['same, odd 5×7, batch 2, 4 → 8 channels', [2, 5, 7, 4], [3, 3, 4, 8], { padding: 'same' }],
    ['valid, batch 3, 8 → 16 channels', [3, 6, 5, 8], [3, 3, 8, 16], { padding: 'valid' }],
    ['explicit padding [2, 0], 12 → 8 channels', [1, 5, 6, 12], [3, 3, 12, 8], { padding: [2, 0] }],
  ];
  cases.forEach(([name, xs, ws, opts], k) =>
    test(name, async () => {
      const next = rng(3000 + k);
      const [x, w] = [uniform(next, xs), uniform(next, ws)];
      await withWinograd(async () => {
        await checkBoth(() => wg.conv2d(wg.tensor(x.values, { shape: x.shape }), wg.tensor(w.values, { shape: w.shape }), opts), undefined, TOLERANCE);
        await checkGpuMatchesCpu((a, b) => wg.conv2d(a, b, opts), [x, w], TOLERANCE);
      });
    }, 180_000),
  );

  test('with a fused bias and ReLU epilogue', async () => {
    const next = rng(3100);
    const [x, w, b] = [uniform(next, [2, 7, 5, 8]), uniform(next, [3, 3, 8, 16]), uniform(next, [16])];
    const t = (i: Input) => wg.tensor(i.values, { shape: i.shape });
    await withWinograd(() => checkBoth(() => wg.conv2d(t(x), t(w), { padding: 'same', bias: t(b) }).relu(), undefined, TOLERANCE));
  }, 180_000);

  test('conv2dTranspose at stride 1 (the input-gradient kernel as a layer)', async () => {
    const next = rng(3200);
    const [x, w] = [uniform(next, [2, 5, 6, 16]), uniform(next, [3, 3, 8, 16])];
    const t = (i: Input) => wg.tensor(i.values, { shape: i.shape });
    for (const padding of ['same', 'valid'] as const) {
      await withWinograd(() => checkBoth(() => wg.conv2dTranspose(t(x), t(w), { padding }), undefined, TOLERANCE));
    }
  }, 180_000);
});

test('the gradient with respect to x through the Winograd kernels matches finite differences on WebGPU', async () => {
  const next = rng(3300);
  const [x, w] = [uniform(next, [1, 5, 5, 4]), uniform(next, [3, 3, 4, 8])];
  const f = (a: wg.Tensor) => wg.conv2d(a, wg.tensor(w.values, { shape: w.shape }), { padding: 'same' });
  await withWinograd(async () => {
    const [analytic] = await analyticGradients(f, [x], 5);
    // The cotangent analyticGradients used (seed 5): its fixed weights, recomputed.
    const draw = rng(5);
    const cotangent = Float64Array.from({ length: 5 * 5 * 8 }, () => 0.5 + draw());
    const evaluate = async (v: Float32Array) => dot((await f(wg.tensor(v, { shape: x.shape })).data()) as Float32Array, cotangent);
    const numeric = await finiteDiff(evaluate, x.values, x.values.keys(), 1e-2);
    const bad = numeric.flatMap((d, j) => (Math.abs(analytic[j] - d) <= 2e-3 + 1e-2 * Math.abs(d) ? [] : [`element ${j}: analytic ${analytic[j]}, finite difference ${d}`]));
    expect(bad, bad.slice(0, 8).join('\n')).toEqual([]);
  });
}, 180_000);

describe('geometries Winograd does not fit fall back to the other kernels, still equal to the CPU', () => {
  // [name, x shape, w shape, options, forward entry point taken when Winograd is forced].
  const cases: [string, number[], number[], Conv2dOptions][] = [
    ['3 input channels (not a multiple of 4)', [1, 6, 6, 3], [3, 3, 3, 8], { padding: 'same' }],
    ['12 output channels (not a multiple of 8)', [1, 6, 6, 4], [3, 3, 4, 12], { padding: 'same' }],
    ['stride 2', [1, 7, 7, 4], [3, 3, 4, 8], { stride: 2, padding: 'same' }],
    ['dilation 2', [1, 7, 7, 4], [3, 3, 4, 8], { dilation: 2, padding: 'same' }],
    ['a 5×5 kernel', [1, 7, 7, 4], [5, 5, 4, 8], { padding: 'same' }],
  ];
  cases.forEach(([name, xs, ws, opts], k) =>
    test(name, async () => {
      const next = rng(3400 + k);
      const [x, w] = [uniform(next, xs), uniform(next, ws)];
      await withWinograd(() => checkGpuMatchesCpu((a, b) => wg.conv2d(a, b, opts), [x, w]));
    }, 180_000),
  );

  test('forced Winograd takes main_winograd only where the geometry fits, per kernel', async () => {
    await withWinograd(async () => {
      const target = gpuTarget('swiftshader');
      const entries = (a: ConvGeometry) => [CONV2D.gpu(node(a), target).entryPoint, CONV2D_INPUT_GRAD.gpu(node(a), target).entryPoint];
      expect(entries(geometry({}))).toEqual(['main_winograd', 'main_winograd']);
      // 12 input and 8 output channels: the forward writes 8 (fits), the input gradient 12 (does not).
      expect(entries(geometry({ cin: 12, cout: 8 }))).toEqual(['main_winograd', 'main_vec4']);
      expect(entries(geometry({ cin: 3 }))[0]).not.toBe('main_winograd');
      expect(entries(geometry({ sh: 2, oh: 3 }))).not.toContain('main_winograd');
      expect(entries(geometry({ dh: 2, oh: 4 }))).not.toContain('main_winograd');
      expect(entries(geometry({ cin: 16, groups: 2 }))).not.toContain('main_winograd');
    });
  });
});

describe('which shapes take Winograd', () => {
  // The CNN's second conv at batch 256 (W4): large, 3×3 stride 1, 32 → 64 channels.
  const conv2 = geometry({ n: 256, h: 14, w: 14, oh: 14, ow: 14, cin: 32, cout: 64 });

  test('SwiftShader keeps the wide tiles by default: Winograd ran level with them there', () => {
    const target = gpuTarget('swiftshader');
    expect([CONV2D.gpu(node(conv2), target).entryPoint, CONV2D_INPUT_GRAD.gpu(node(conv2), target).entryPoint]).toEqual(['main_wide', 'main_wide']);
  });

  test('an adapter that measured Winograd fastest takes it, with the direct kernel as its quick variant', () => {
    const target = { ...gpuTarget(''), variant: () => CONV_WINOGRAD };
    for (const def of [CONV2D, CONV2D_INPUT_GRAD]) {
      const launch = def.gpu(node(conv2), target);
      expect([launch.entryPoint, launch.quick?.entryPoint]).toEqual(['main_winograd', 'main_vec4x8']);
    }
    // A stride-2 conv does not fit: the adapter's default kernel runs instead.
    expect(CONV2D.gpu(node({ ...conv2, sh: 2, sw: 2, oh: 7, ow: 7 }), target).entryPoint).not.toBe('main_winograd');
  });
});
