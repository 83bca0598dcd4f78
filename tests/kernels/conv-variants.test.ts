// Every convolution kernel variant (the direct tiles and each wide tile of src/ops/conv-wide.ts)
// forced through forceKernelVariant: forward, input and weight gradients on WebGPU equal the CPU
// backend over stride, padding, dilation, groups, ragged pixel tiles and split reductions.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { forceKernelVariant } from '../../src/backend/webgpu/calibrate';
import { gpuTarget } from '../../src/backend/webgpu/lower';
import { CONV_FAMILIES, CONV_VARIANTS, CONV_WINOGRAD, CONV2D, convCandidates, type ConvFamily, CONV2D_INPUT_GRAD, CONV2D_WEIGHT_GRAD, convCalibration, convClass, weightGradAttrs } from '../../src/ops/conv';
import { checkGpuMatchesCpu, rng, uniform } from '../autograd/gradcheck';
import { checkBoth, expectNoGpuErrors, initBoth, wg } from '../helpers';
import type { Conv2dOptions } from '../../src/node';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

function force(variant: string | undefined): void {
  for (const family of Object.values(CONV_FAMILIES)) forceKernelVariant(family, variant);
}

describe('conv kernel variants on WebGPU equal the CPU, forward and backward', () => {
  // [name, x shape, w shape, options]. The first runs all three kernels of every wide tile (its
  // tiles divide 32 channels) and the weight gradient on one tap per tile; the second the
  // forward and the weight gradient whose row groups span taps (8 channels per group); the
  // third the forward reading input channels one at a time; the fourth the input gradient's
  // unit-stride tile, over a window with padding on one side only.
  const cases: [string, number[], number[], Conv2dOptions][] = [
    ['stride [2,1], dilation [1,2], same, ragged pixel tiles', [1, 7, 6, 32], [3, 3, 32, 32], { stride: [2, 1], dilation: [1, 2], padding: 'same' }],
    ['2 groups of 8 → 32 channels, explicit padding', [1, 5, 9, 16], [3, 2, 8, 64], { groups: 2, padding: [1, 2] }],
    ['a first layer: 3 → 32 channels one at a time, stride 2', [1, 9, 7, 3], [3, 3, 3, 32], { stride: 2, padding: 'same' }],
    ['unit stride, dilation [1,2], same on a 2×3 window, 2 groups of 32 → 16 channels', [1, 5, 7, 64], [2, 3, 32, 32], { dilation: [1, 2], padding: 'same', groups: 2 }],
  ];
  CONV_VARIANTS.forEach((variant, v) =>
    cases.forEach(([name, xs, ws, opts], k) =>
      test(`${variant}: ${name}`, async () => {
        // A batch per variant, so no plan compiled for another variant is reused.
        const xShape = [xs[0] + v, ...xs.slice(1)];
        const next = rng(1000 + 10 * v + k);
        const [x, w] = [uniform(next, xShape), uniform(next, ws)];
        force(variant);
        try {
          // The gradients of a weighted sum never run the forward kernel: it is checked on its own.
          await checkBoth(() => wg.conv2d(wg.tensor(x.values, { shape: x.shape }), wg.tensor(w.values, { shape: w.shape }), opts), undefined, { rtol: 1e-4, atol: 1e-4 });
          await checkGpuMatchesCpu((a, b) => wg.conv2d(a, b, opts), [x, w]);
        } finally {
          force(undefined);
          await wg.init({ backend: 'webgpu' });
        }
        // Compiling the unrolled wide tiles takes SwiftShader tens of seconds on a busy machine.
      }, 180_000),
    ),
  );

  // [name, x shape, w shape, options]: an odd number of pixels over 256 (odd per image, an odd
  // batch 3 + 2v per variant), so the reduction is split in chunks, the last ending mid-step
  // (the wide tiles take 4 pixels a step); 4 channels read as one vec4 per tap, 5 one at a
  // time (several row tiles, the last one ragged).
  const dwCases: [string, number[], number[], Conv2dOptions][] = [
    ['4 → 32 channels, valid, 99 pixels an image', [3, 13, 11, 4], [3, 3, 4, 32], {}],
    ['5 → 32 channels, stride 2, same, 143 pixels an image', [3, 25, 21, 5], [3, 3, 5, 32], { stride: 2, padding: 'same' }],
  ];
  CONV_VARIANTS.forEach((variant, v) =>
    dwCases.forEach(([name, xs, ws, opts], k) =>
      test(`${variant}: the weight gradient over split chunks with a ragged end, ${name}`, async () => {
        const next = rng(2000 + 10 * v + k);
        const [x, w] = [uniform(next, [xs[0] + 2 * v, ...xs.slice(1)]), uniform(next, ws)];
        force(variant);
        try {
          await checkGpuMatchesCpu((b) => wg.conv2d(wg.tensor(x.values, { shape: x.shape }), b, opts), [w]);
        } finally {
          force(undefined);
          await wg.init({ backend: 'webgpu' });
        }
      }, 180_000),
    ),
  );

  test('SwiftShader takes wide tiles for large convs whose channels they divide, short reductions within its unroll budget the short-reduction kernel, else the direct kernels', () => {
    const large = { n: 32, h: 32, w: 32, cin: 16, oh: 32, ow: 32, cout: 32, kh: 3, kw: 3, sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1, groups: 1 };
    const entry = (attrs: Partial<typeof large>) => CONV2D.gpu({ op: { attrs: { ...large, ...attrs } } } as Parameters<typeof CONV2D.gpu>[0], gpuTarget('swiftshader')).entryPoint;
    expect(convClass(large)).toBe('large');
    expect(entry({})).toBe('main_wide');
    expect(entry({ n: 1 })).toBe('main_vec4x8');
    expect(entry({ cin: 3, n: 64 })).toBe('short_reduction');
    expect(entry({ cin: 3 })).toBe('short_reduction');
    expect(entry({ cin: 4, cout: 64, n: 1 })).toBe('main_vec4x8');
    expect(entry({ cin: 5, n: 8 })).toBe('main_x16');
    expect(entry({ cin: 3, cout: 30 })).toBe('main');
    expect(entry({ cout: 24 })).toBe('main_vec4x8');
    force('direct');
    try {
      expect(entry({})).toBe('main_vec4x8');
      expect(entry({ cin: 3 })).toBe('main_x16');
    } finally {
      force(undefined);
    }
    force('wide32x16');
    try {
      expect(entry({ cin: 3, n: 64 })).toBe('main_wide');
    } finally {
      force(undefined);
    }
  });
});

test('the forward and input-gradient wide tiles offer their direct kernels, computing the same output, as quick variants', () => {
  const large = { n: 32, h: 32, w: 32, cin: 16, oh: 32, ow: 32, cout: 32, kh: 3, kw: 3, sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1, groups: 1 };
  const node = { op: { attrs: large } } as Parameters<typeof CONV2D.gpu>[0];
  const forward = CONV2D.gpu(node, gpuTarget('swiftshader'));
  const inputGrad = CONV2D_INPUT_GRAD.gpu(node, gpuTarget('swiftshader'));
  expect([forward.entryPoint, forward.quick?.entryPoint]).toEqual(['main_wide', 'main_vec4x8']);
  expect([inputGrad.entryPoint, inputGrad.quick?.entryPoint]).toEqual(['main_wide', 'main_vec4x8']);
  expect(CONV2D.gpu({ op: { attrs: { ...large, n: 1 } } } as typeof node, gpuTarget('swiftshader')).quick).toBeUndefined();
});

test('a chosen wide tile whose columns do not divide the channels gives way to one whose columns do, not to the direct kernel', () => {
  // Calibration picks one tile per shape class on its probe; W5's input gradient has 16 channels.
  const w5 = { n: 32, h: 32, w: 32, cin: 16, oh: 32, ow: 32, cout: 32, kh: 3, kw: 3, sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1, groups: 1 };
  const node = (attrs: Partial<typeof w5>) => ({ op: { attrs: { ...w5, ...attrs } } }) as Parameters<typeof CONV2D.gpu>[0];
  const target = gpuTarget('swiftshader');
  force('wide16x32');
  try {
    const inputGrad = CONV2D_INPUT_GRAD.gpu(node({}), target);
    // The 32×16 tile: 32768 input pixels / 32 rows, one column tile of 16 channels, 64 a workgroup.
    expect([inputGrad.entryPoint, inputGrad.workgroups]).toEqual(['main_wide', [16, 1, 1]]);
    expect(CONV2D.gpu(node({}), target).entryPoint).toBe('main_wide');
    expect(CONV2D_INPUT_GRAD.gpu(node({ cin: 24 }), target).entryPoint).toBe('main_vec4x8');
  } finally {
    force(undefined);
  }
});

describe('weight-gradient kernel choice on SwiftShader', () => {
  const conv1 = { n: 64, h: 28, w: 28, cin: 1, oh: 28, ow: 28, cout: 32, kh: 3, kw: 3, sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1, groups: 1 };
  const entry = (attrs: Partial<typeof conv1>) => {
    const a = weightGradAttrs({ ...conv1, ...attrs });
    return CONV2D_WEIGHT_GRAD.gpu({ op: { attrs: a } } as Parameters<typeof CONV2D_WEIGHT_GRAD.gpu>[0], gpuTarget('swiftshader')).entryPoint;
  };

  test('a first layer over many pixels takes the wide tile though the conv is small', () => {
    expect(convClass(conv1)).toBe('small');
    expect(entry({})).toBe('main_wide');
    expect(entry({ n: 4 })).toBe('main_x16');
  });

  test('large convs take the wide tile where it divides the output channels, small ones the direct kernels', () => {
    const conv2 = { h: 14, w: 14, oh: 14, ow: 14, cin: 32, cout: 64 };
    expect(entry(conv2)).toBe('main_wide');
    expect(entry({ ...conv2, cout: 24 })).toBe('main_vec8');
    expect(entry({ ...conv2, n: 2 })).toBe('main_vec8');
  });

  test('a wide tile offers the direct kernel, writing the same partial sums, as its quick variant', () => {
    for (const [attrs, quick] of [[{}, 'main_x16'], [{ h: 14, w: 14, oh: 14, ow: 14, cin: 32, cout: 64 }, 'main_vec8']] as const) {
      const a = weightGradAttrs({ ...conv1, ...attrs });
      const l = CONV2D_WEIGHT_GRAD.gpu({ op: { attrs: a } } as Parameters<typeof CONV2D_WEIGHT_GRAD.gpu>[0], gpuTarget('swiftshader'));
      expect([l.entryPoint, l.quick?.entryPoint]).toEqual(['main_wide', quick]);
      expect(l.quick?.constants).toMatchObject({ SPLIT: a.split, CHUNK: a.chunk });
    }
  });

  test('chunks of the split pixel reduction come in fours and cover every pixel once', () => {
    for (const n of [1, 3, 64]) {
      const a = weightGradAttrs({ ...conv1, n });
      const pixels = n * 28 * 28;
      expect(a.chunk % 4).toBe(0);
      expect((a.split - 1) * a.chunk).toBeLessThan(pixels);
      expect(a.split * a.chunk).toBeGreaterThanOrEqual(pixels);
    }
  });
});

describe('conv calibration', () => {
  test('offers every variant of each family on a large probe, includes resolved, Winograd for the forward and input gradient', () => {
    const families = convCalibration(gpuTarget('swiftshader'));
    expect(families.map((f) => f.family)).toEqual(Object.values(CONV_FAMILIES));
    for (const f of families) {
      expect(f.classes.map((c) => c.shapeClass)).toEqual(['large']);
      const entries = f.classes[0].candidates.map((c) => [c.variant, c.launch.entryPoint, /^\s*\/\/!INCLUDE/m.test(c.launch.code)]);
      const entry = (v: string) => (v === CONV_WINOGRAD ? 'main_winograd' : v === 'direct' ? expect.not.stringMatching(/^main_w/) : 'main_wide');
      expect(entries).toEqual(convCandidates(f.family as ConvFamily).map((v) => [v, entry(v), false]));
    }
    expect(families.map((f) => f.classes[0].candidates.some((c) => c.variant === CONV_WINOGRAD))).toEqual([true, true, false]);
  });
});
