// Gradients of conv2d, conv1d and conv2dTranspose: first-order checks through backward()
// against finite differences on the CPU over strides, padding, dilation, groups and bias; the
// gradient kernels (input gradient = transposed conv, split-K weight gradient) on WebGPU
// against the CPU over every kernel variant (scalar, vec4, vec8, depthwise, grouped, split
// reductions); and second-order gradients, the VJPs of the gradient kernels called directly.

import { afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { checkGpuMatchesCpu, checkGradients, dot, finiteDiff, rng, uniform } from '../autograd/gradcheck';
import { expectClose, expectNoGpuErrors, initBoth, seeded, sizeOf, useBackend, wg } from '../helpers';
import type { Conv2dOptions, Tensor } from '../../src/node';
import { gpuTarget } from '../../src/backend/webgpu/lower';
import { CONV2D_INPUT_GRAD } from '../../src/ops/conv';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

describe('conv2d gradients match finite differences', () => {
  beforeEach(() => useBackend('cpu'));
  afterEach(() => useBackend('webgpu'));

  const cases: [string, Conv2dOptions, number[], number[]][] = [
    ['valid, stride 1', {}, [2, 4, 5, 2], [3, 2, 2, 3]],
    ['same padding, stride 2', { padding: 'same', stride: 2 }, [1, 5, 6, 2], [3, 3, 2, 2]],
    ['explicit padding, dilation 2', { padding: [1, 2], dilation: 2 }, [1, 5, 5, 1], [2, 2, 1, 2]],
    ['groups 2', { groups: 2, padding: 1 }, [1, 4, 4, 4], [3, 3, 2, 2]],
  ];
  cases.forEach(([name, opts, xs, ws], k) =>
    test(name, async () => {
      const next = rng(800 + k);
      await checkGradients((x, w) => wg.conv2d(x, w, opts), [uniform(next, xs), uniform(next, ws)]);
    }),
  );

  test('with bias', async () => {
    const next = rng(810);
    await checkGradients((x, w, b) => wg.conv2d(x, w, { padding: 'same', bias: b }), [uniform(next, [1, 3, 4, 2]), uniform(next, [3, 3, 2, 3]), uniform(next, [3])]);
  });

  test('depthwise with multiplier 2, strides [2,3] and dilation [1,2]', async () => {
    const next = rng(930);
    await checkGradients((x, w, b) => wg.conv2d(x, w, { groups: 3, stride: [2, 3], dilation: [1, 2], padding: 'same', bias: b }), [uniform(next, [1, 5, 7, 3]), uniform(next, [2, 3, 1, 6]), uniform(next, [6])]);
  });
});

describe('conv1d and conv2dTranspose gradients match finite differences', () => {
  beforeEach(() => useBackend('cpu'));
  afterEach(() => useBackend('webgpu'));

  test('conv1d, stride 2, same padding, with bias', async () => {
    const next = rng(820);
    await checkGradients((x, w, b) => wg.conv1d(x, w, { stride: 2, padding: 'same', bias: b }), [uniform(next, [2, 7, 2]), uniform(next, [3, 2, 3]), uniform(next, [3])]);
  });

  test('conv2dTranspose, stride 2', async () => {
    const next = rng(821);
    await checkGradients((x, w) => wg.conv2dTranspose(x, w, { stride: 2 }), [uniform(next, [1, 3, 3, 2]), uniform(next, [3, 3, 2, 2])]);
  });

  test('conv2dTranspose, same padding, output padding, with bias', async () => {
    const next = rng(822);
    await checkGradients((x, w, b) => wg.conv2dTranspose(x, w, { stride: 2, padding: 'same', outputPadding: 1, bias: b }), [uniform(next, [1, 2, 3, 3]), uniform(next, [3, 3, 2, 3]), uniform(next, [2])]);
  });
});

describe('conv gradients on WebGPU equal the CPU for every kernel variant', () => {
  const cases: [string, number[], number[], Conv2dOptions][] = [
    ['scalar kernels: 3 → 5 channels, stride 2, same', [2, 5, 7, 3], [3, 3, 3, 5], { stride: 2, padding: 'same' }],
    ['first-layer kernels: 1 → 16 channels, same', [2, 9, 7, 1], [3, 3, 1, 16], { padding: 'same' }],
    ['one input channel a group: 2 groups of 1 → 4, stride 2, 35 pixels', [1, 7, 5, 2], [3, 3, 1, 8], { groups: 2, stride: 2, padding: 'same' }],
    ['vec4 kernels: 4 → 12 channels, explicit padding', [1, 6, 5, 4], [3, 2, 4, 12], { padding: [1, 2] }],
    ['vec8 kernels: 8 → 16 channels, dilation 2, same', [2, 9, 7, 8], [3, 3, 8, 16], { padding: 'same', dilation: 2 }],
    ['grouped vec8: 16 → 16 channels in 2 groups, stride [2,1]', [1, 5, 6, 16], [3, 3, 8, 16], { groups: 2, stride: [2, 1], padding: 'same' }],
    ['depthwise with multiplier 2, stride 2', [1, 7, 6, 6], [3, 3, 1, 12], { groups: 6, stride: 2, padding: 'same' }],
    ['split weight-gradient reduction over 578 pixels', [2, 17, 17, 4], [3, 3, 4, 8], { padding: 'same' }],
  ];
  cases.forEach(([name, xs, ws, opts], k) =>
    test(name, async () => {
      const next = rng(900 + k);
      await checkGpuMatchesCpu((x, w) => wg.conv2d(x, w, opts), [uniform(next, xs), uniform(next, ws)]);
      await wg.init({ backend: 'webgpu' });
    }),
  );

  test('the input gradient of one input channel a group takes its own kernel', () => {
    const a = { n: 2, h: 9, w: 7, cin: 1, oh: 9, ow: 7, cout: 16, kh: 3, kw: 3, sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1, groups: 1 };
    const entry = (attrs: Partial<typeof a>) => CONV2D_INPUT_GRAD.gpu({ op: { attrs: { ...a, ...attrs } } } as Parameters<typeof CONV2D_INPUT_GRAD.gpu>[0], gpuTarget('swiftshader')).entryPoint;
    expect([entry({}), entry({ cin: 2, cout: 8, groups: 2 }), entry({ cout: 6 }), entry({ cin: 2 })]).toEqual(['main_one_channel', 'main_one_channel', 'main', 'main_vec4']);
  });

  test('conv2dTranspose with 8 → 16 channels, stride 2, dilation 2', async () => {
    const next = rng(920);
    await checkGpuMatchesCpu((x, w) => wg.conv2dTranspose(x, w, { stride: 2, dilation: 2, padding: 1 }), [uniform(next, [2, 4, 5, 16]), uniform(next, [3, 3, 8, 16])]);
    await wg.init({ backend: 'webgpu' });
  });

  test('conv2d then conv2dTranspose, with relu between', async () => {
    const next = rng(830);
    const f = (x: Tensor, w: Tensor, v: Tensor) => wg.conv2dTranspose(wg.conv2d(x, w, { stride: 2, padding: 'same' }).relu(), v, { stride: 2, padding: 'same' });
    await checkGpuMatchesCpu(f, [uniform(next, [2, 6, 6, 3]), uniform(next, [3, 3, 3, 4]), uniform(next, [3, 3, 2, 4])]);
    await wg.init({ backend: 'webgpu' });
  });
});

/**
 * Second order: each gradient kernel's VJP, called directly, against central differences of
 * that kernel's output (conv is bilinear, so differences are exact up to rounding).
 */
describe('VJPs of the gradient kernels (second order) match finite differences', () => {
  const xs = [2, 5, 4, 3];
  const ws = [3, 2, 3, 4];
  const opts: Conv2dOptions = { stride: [2, 1], padding: 'same', dilation: [1, 2] };
  const ys = [2, 3, 4, 4];
  const x0 = new Float32Array(seeded(sizeOf(xs), 40));
  const w0 = new Float32Array(seeded(sizeOf(ws), 41));
  const dy0 = new Float32Array(seeded(sizeOf(ys), 42));

  /** conv2d's VJP at (x, w) for output gradient dy: the input- and weight-gradient tensors. */
  function grads(x: Float32Array, w: Float32Array, dy: Float32Array): { dx: Tensor; dw: Tensor } {
    const xt = wg.tensor(x, { shape: xs, requiresGrad: true });
    const wt = wg.tensor(w, { shape: ws, requiresGrad: true });
    const dyt = wg.tensor(dy, { shape: ys, requiresGrad: true });
    const y = wg.conv2d(xt, wt, opts);
    expect(y.shape).toEqual(ys);
    const [dx, dw] = y.gradFn!.vjp(dyt, y);
    return { dx: dx!, dw: dw! };
  }

  const at = (n: number) => Array.from({ length: 6 }, (_, i) => Math.floor((i * n) / 6 + 1) % n);

  test('weight gradient: d<G, dW>/dx and d<G, dW>/ddy', async () => {
    await wg.init({ backend: 'cpu' });
    const { dw } = grads(x0, w0, dy0);
    const G = new Float32Array(seeded(sizeOf(ws), 43));
    const [gx, gdy] = dw.gradFn!.vjp(wg.tensor(G, { shape: ws }), dw);
    const loss = async (x: Float32Array, dy: Float32Array) => dot(await grads(x, w0, dy).dw.data(), G);
    const byX = await finiteDiff((x) => loss(x, dy0), x0, at(x0.length), 0.5);
    const byDy = await finiteDiff((dy) => loss(x0, dy), dy0, at(dy0.length), 0.5);
    const ax = await gx!.data();
    const ady = await gdy!.data();
    expectClose(at(x0.length).map((i) => ax[i]), byX, { rtol: 1e-3, atol: 1e-4 });
    expectClose(at(dy0.length).map((i) => ady[i]), byDy, { rtol: 1e-3, atol: 1e-4 });
    await wg.init({ backend: 'webgpu' });
  });

  test('input gradient: d<G, dX>/ddy and d<G, dX>/dw', async () => {
    await wg.init({ backend: 'cpu' });
    const { dx } = grads(x0, w0, dy0);
    const G = new Float32Array(seeded(sizeOf(xs), 44));
    const [gdy, gw] = dx.gradFn!.vjp(wg.tensor(G, { shape: xs }), dx);
    const loss = async (w: Float32Array, dy: Float32Array) => dot(await grads(x0, w, dy).dx.data(), G);
    const byDy = await finiteDiff((dy) => loss(w0, dy), dy0, at(dy0.length), 0.5);
    const byW = await finiteDiff((w) => loss(w, dy0), w0, at(w0.length), 0.5);
    const ady = await gdy!.data();
    const aw = await gw!.data();
    expectClose(at(dy0.length).map((i) => ady[i]), byDy, { rtol: 1e-3, atol: 1e-4 });
    expectClose(at(w0.length).map((i) => aw[i]), byW, { rtol: 1e-3, atol: 1e-4 });
    await wg.init({ backend: 'webgpu' });
  });
});
