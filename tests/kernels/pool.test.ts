// maxPool2d, avgPool2d and globalAvgPool2d (API.md "Neural-network functions") on both backends
// against an independent reference: window/stride/padding combinations on awkward sizes, Keras
// and PyTorch edge averaging, fusion of the following elementwise ops, and argument errors.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { checkBoth, countWork, expectNoGpuErrors, initBoth, seeded, sizeOf, wg } from '../helpers';
import { refPool } from './conv-reference';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

type Pad = 'valid' | 'same' | number;
async function checkPool(kind: 'max' | 'avg', xs: number[], k: [number, number], s: [number, number], padding: [Pad, Pad], includePad = false) {
  const x = seeded(sizeOf(xs), xs[1] * 7 + xs[2]);
  const ref = refPool(kind, x, xs, { k, s, padding, includePad });
  const pad = typeof padding[0] === 'number' ? (padding as [number, number]) : (padding[0] as 'valid' | 'same');
  const got = await checkBoth(
    () => {
      const t = wg.tensor(new Float32Array(x), { shape: xs });
      const opts = { kernelSize: k, stride: s, padding: pad };
      return kind === 'max' ? wg.maxPool2d(t, opts) : wg.avgPool2d(t, { ...opts, countIncludePad: includePad });
    },
    ref.data,
    { rtol: 1e-5, atol: 1e-6 },
  );
  expect(got.shape).toEqual(ref.shape);
}

describe('maxPool2d and avgPool2d', () => {
  test('2×2 max and average of a 4×4 grid, values by hand', async () => {
    const grid = () => wg.tensor(Array.from({ length: 16 }, (_, i) => i)).reshape([1, 4, 4, 1]);
    await checkBoth(() => wg.maxPool2d(grid(), { kernelSize: 2 }), [5, 7, 13, 15]);
    await checkBoth(() => wg.avgPool2d(grid(), { kernelSize: 2 }), [2.5, 4.5, 10.5, 12.5]);
  });

  const configs: [[number, number], [number, number], [Pad, Pad]][] = [
    [[2, 2], [2, 2], ['valid', 'valid']],
    [[3, 3], [2, 2], ['same', 'same']],
    [[3, 3], [1, 1], [1, 1]],
    [[3, 2], [2, 1], ['same', 'same']],
    [[2, 3], [1, 2], [1, 0]],
    [[5, 5], [3, 3], ['same', 'same']],
  ];
  for (const kind of ['max', 'avg'] as const)
    for (const [k, s, padding] of configs)
      test(`${kind}: window ${k}, stride ${s}, padding ${JSON.stringify(padding)} on 17×3, 1×33 and 3×65 images`, async () => {
        for (const [h, w, c] of [[17, 3, 3], [1 + (k[0] > 1 && padding[0] === 'valid' ? k[0] : 0), 33, 1], [3 + k[0], 65, 5]]) {
          await checkPool(kind, [2, h, w, c], k, s, padding);
        }
      });

  test('max: channels in vec4s (4, 12 and 40: whole, partial and several blocks per invocation) on odd sizes', async () => {
    for (const [k, s, padding] of configs) {
      for (const [h, w, c] of [[7, 9, 4], [5, 11, 12], [9, 5, 40]]) await checkPool('max', [2, h, w, c], k, s, padding);
    }
  });

  test('countIncludePad: true divides edge windows by the full window (PyTorch), false by real pixels (Keras)', async () => {
    const ones = () => wg.ones([1, 3, 3, 1]);
    await checkBoth(() => wg.avgPool2d(ones(), { kernelSize: 3, stride: 1, padding: 1 }), [1, 1, 1, 1, 1, 1, 1, 1, 1]);
    await checkBoth(() => wg.avgPool2d(ones(), { kernelSize: 3, stride: 1, padding: 1, countIncludePad: true }), [4, 6, 4, 6, 9, 6, 4, 6, 4].map((v) => v / 9));
    await checkPool('avg', [2, 17, 5, 3], [3, 3], [2, 2], ['same', 'same'], true);
    await checkPool('avg', [1, 9, 8, 4], [2, 3], [1, 2], [1, 1], true);
  });

  test('max pooling ignores padding even when every real value is negative', async () => {
    await checkBoth(() => wg.maxPool2d(wg.full([1, 2, 2, 1], -3), { kernelSize: 3, stride: 1, padding: 'same' }), [-3, -3, -3, -3]);
  });

  test('elementwise ops after a pool run in its kernel', async () => {
    const x = wg.tensor(new Float32Array(seeded(2 * 6 * 6 * 3, 5)), { shape: [2, 6, 6, 3] });
    wg.realize(x);
    expect((await countWork(() => wg.maxPool2d(x, { kernelSize: 2 }).mul(2).relu().data())).dispatches).toBe(1);
    expect((await countWork(() => wg.avgPool2d(x, { kernelSize: 3, padding: 'same' }).sigmoid().data())).dispatches).toBe(1);
  });

  test('elementwise ops after a vec4 max pool run in its kernel, on every channel', async () => {
    const xs = [2, 7, 5, 12];
    const x = seeded(sizeOf(xs), 6);
    const ref = refPool('max', x, xs, { k: [2, 2], s: [2, 2], padding: ['valid', 'valid'] });
    const bias = Array.from({ length: 12 }, (_, i) => i / 4 - 1.5);
    const expected = ref.data.map((v, i) => Math.max(2 * v + bias[i % 12], 0));
    const build = () => wg.maxPool2d(wg.tensor(new Float32Array(x), { shape: xs }), { kernelSize: 2 }).mul(2).add(wg.tensor(bias)).relu();
    await checkBoth(build, expected, { rtol: 1e-5, atol: 1e-6 });
    const t = wg.tensor(new Float32Array(x), { shape: xs });
    wg.realize(t);
    expect((await countWork(() => wg.maxPool2d(t, { kernelSize: 2 }).mul(2).add(wg.tensor(bias)).relu().data())).dispatches).toBe(1);
  });

  test('errors name the op, the shapes and what was expected', () => {
    const x = wg.zeros([1, 4, 4, 2]);
    expect(() => wg.maxPool2d(wg.zeros([4, 4, 2]), { kernelSize: 2 })).toThrow(/maxPool2d: expected x of shape \[N,H,W,C\].*\[4,4,2\]/);
    expect(() => wg.maxPool2d(x, { kernelSize: 0 })).toThrow(wg.ArgumentError);
    expect(() => wg.avgPool2d(x, { kernelSize: 2, stride: [1, 0] })).toThrow(/avgPool2d: stride must be an integer ≥ 1/);
    expect(() => wg.maxPool2d(x, { kernelSize: 5 })).toThrow(/maxPool2d: the window 5 along height is larger than the padded input 4/);
    expect(() => wg.maxPool2d(x, { kernelSize: 2, padding: 2 })).toThrow(/maxPool2d: padding 2 along height must be at most half the window 2/);
    expect(() => wg.avgPool2d(x, { kernelSize: 2, padding: 'full' as 'same' })).toThrow(/avgPool2d: padding must be 'valid', 'same'/);
    expect(() => wg.maxPool2d(x, undefined as unknown as { kernelSize: number })).toThrow(/maxPool2d: expected options/);
    expect(() => wg.globalAvgPool2d(wg.zeros([2, 3]))).toThrow(/globalAvgPool2d: expected x of shape \[N,H,W,C\]/);
  });
});

describe('globalAvgPool2d', () => {
  test('means over H and W → [N, C] on an awkward 17×33 image', async () => {
    const xs = [2, 17, 33, 3];
    const x = seeded(sizeOf(xs), 9);
    const expected = [0, 1].flatMap((b) => [0, 1, 2].map((c) => {
      let s = 0;
      for (let i = 0; i < 17 * 33; i++) s += x[(b * 17 * 33 + i) * 3 + c];
      return s / (17 * 33);
    }));
    const got = await checkBoth(() => wg.globalAvgPool2d(wg.tensor(new Float32Array(x), { shape: xs })), expected, { rtol: 1e-5, atol: 1e-6 });
    expect(got.shape).toEqual([2, 3]);
  });
});
