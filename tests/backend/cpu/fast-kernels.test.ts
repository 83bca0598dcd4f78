// The CPU backend's WebAssembly SIMD kernels against the plain-TypeScript reference kernels
// (forced with usePlainKernels): matmul, conv2d forward and both gradients, pooling, the LSTM
// sequence kernels (their per-step products by the GEMM), on small and
// odd shapes — edge tiles, transposed operands, broadcast batches, strides, padding, groups —
// and split over worker threads against one thread (useThreads).

import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cpuKernel, usePlainKernels, useThreads } from '../../../src/backend/cpu/fast-kernels';
import { CONV2D, CONV2D_INPUT_GRAD, CONV2D_WEIGHT_GRAD } from '../../../src/ops/conv';
import { LSTM_BACKWARD, LSTM_FORWARD, lstmSequence } from '../../../src/nn/recurrent/lstm-op';
import { MATMUL } from '../../../src/ops/matmul';
import { AVG_POOL, MAX_POOL, MAX_POOL_GRAD } from '../../../src/ops/pool';
import { analyticGradients, rng, uniform, type Input } from '../../autograd/gradcheck';
import { expectClose, wg } from '../../helpers';
import type { AvgPoolOptions, Conv2dOptions, PoolOptions, Tensor } from '../../../src/node';

let features = { simd: false, threads: true };
beforeAll(async () => {
  features = await wg.init({ backend: 'cpu' });
});
afterAll(() => {
  usePlainKernels(false);
  useThreads(true);
});

/** f's value and its gradients (through wg.grad) with the plain kernels and with the fast ones. */
async function plainAndFast(f: (...xs: Tensor[]) => Tensor, inputs: readonly Input[]): Promise<Float32Array[][]> {
  const run = async (plain: boolean) => {
    usePlainKernels(plain);
    const value = (await f(...inputs.map((x) => wg.tensor(x.values, { shape: x.shape }))).data()) as Float32Array;
    return [value, ...(await analyticGradients(f, inputs, 5))];
  };
  return [await run(true), await run(false)];
}

async function expectFastMatchesPlain(f: (...xs: Tensor[]) => Tensor, inputs: readonly Input[]): Promise<void> {
  const [plain, fast] = await plainAndFast(f, inputs);
  fast.forEach((v, i) => expectClose(v, plain[i], { rtol: 1e-4, atol: 1e-5 }));
}

/** The same as the plain kernels bit for bit (pooling sums in the same order). */
async function expectFastEqualsPlain(f: (...xs: Tensor[]) => Tensor, inputs: readonly Input[]): Promise<void> {
  const [plain, fast] = await plainAndFast(f, inputs);
  fast.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(plain[i])));
}



describe('feature detection', () => {
  test('Node has WebAssembly SIMD, and worker threads where it has several cores; the fast kernels are looked up', () => {
    expect(features.simd).toBe(true);
    expect(features.threads).toBe(availableParallelism() > 1);
    for (const def of [MATMUL, CONV2D, CONV2D_INPUT_GRAD, CONV2D_WEIGHT_GRAD, MAX_POOL, MAX_POOL_GRAD, AVG_POOL, LSTM_FORWARD, LSTM_BACKWARD]) expect(cpuKernel(def)).not.toBe(def.cpu);
  });

  test('usePlainKernels(true) makes every kernel its plain-TypeScript reference, reported as no simd', async () => {
    usePlainKernels(true);
    expect((await wg.init({ backend: 'cpu' })).simd).toBe(false);
    for (const def of [MATMUL, CONV2D, CONV2D_INPUT_GRAD, CONV2D_WEIGHT_GRAD, MAX_POOL, MAX_POOL_GRAD, AVG_POOL, LSTM_FORWARD, LSTM_BACKWARD]) expect(cpuKernel(def)).toBe(def.cpu);
    usePlainKernels(false);
  });
});

describe('wasm matmul equals the plain kernel, forward and backward', () => {
  const cases: [string, number[], number[]][] = [
    ['1×1 · 1×1', [1, 1], [1, 1]],
    ['one full 4×8 tile', [4, 6], [6, 8]],
    ['edge tiles on both sides: 5×9 · 9×17', [5, 9], [9, 17]],
    ['odd sizes: 13×33 · 33×29', [13, 33], [33, 29]],
    ['a batch of 3 against one b', [3, 7, 5], [5, 11]],
    ['batch broadcast 2×1 against 1×3', [2, 1, 6, 4], [1, 3, 4, 9]],
  ];
  cases.forEach(([name, as, bs], c) =>
    test(name, async () => {
      const next = rng(100 + c);
      await expectFastMatchesPlain((a, b) => a.matmul(b), [uniform(next, as), uniform(next, bs)]);
    }),
  );

  test('transposed operands are read transposed: aᵀ · bᵀ with 7×10 and 9×7', async () => {
    const next = rng(120);
    await expectFastMatchesPlain((a, b) => a.transpose([1, 0]).matmul(b.transpose([1, 0])), [uniform(next, [7, 10]), uniform(next, [9, 7])]);
  });

  test('a reduction longer than one 256-deep block: 6×300 · 300×10', async () => {
    const next = rng(121);
    await expectFastMatchesPlain((a, b) => a.matmul(b), [uniform(next, [6, 300]), uniform(next, [300, 10])]);
  });

  test('more rows than one 512-row block: 601×5 · 5×9', async () => {
    const next = rng(122);
    await expectFastMatchesPlain((a, b) => a.matmul(b), [uniform(next, [601, 5]), uniform(next, [5, 9])]);
  });
});

describe('the LSTM kernels with wasm per-step products equal the plain ones, forward and backward', () => {
  const cases: [string, number, number, number][] = [
    ['one row, one step, one unit', 1, 1, 1],
    ['odd sizes: 3 rows, 4 steps, 5 units', 3, 4, 5],
    ['a product big enough for the worker threads (1.6M multiply-adds a step): 16 rows, 2 steps, 160 units', 16, 2, 160],
  ];
  cases.forEach(([name, b, t, h], c) =>
    test(name, async () => {
      const next = rng(130 + c);
      // The h and c slots of the cache: the outputs that carry gradient back into all four inputs.
      const states = (xw: Tensor, u: Tensor, h0: Tensor, c0: Tensor) => lstmSequence(xw, u, h0, c0).slice([0, 0, 0, 0], [b, t, 2, h]);
      // The recurrent kernel at a layer's initial scale (±1/√h): wider, the gates saturate and float32 sums drift past the tolerance.
      const u = uniform(next, [h, 4 * h], { lo: -1 / Math.sqrt(h), hi: 1 / Math.sqrt(h) });
      await expectFastMatchesPlain(states, [uniform(next, [b, t, 4 * h]), u, uniform(next, [b, h]), uniform(next, [b, h])]);
    }),
  );
});

describe('wasm conv2d equals the plain kernels, forward and both gradients', () => {
  const cases: [string, number[], number[], Conv2dOptions][] = [
    ['3 → 8 channels, same padding', [2, 5, 6, 3], [3, 3, 3, 8], { padding: 'same' }],
    ['5 → 12 channels, stride 2, same (edge tiles of channels)', [2, 7, 5, 5], [3, 3, 5, 12], { stride: 2, padding: 'same' }],
    ['4 → 9 channels, explicit padding [1, 2], kernel 3×2', [1, 6, 5, 4], [3, 2, 4, 9], { padding: [1, 2] }],
    ['8 → 16 channels, dilation 2, same', [2, 9, 7, 8], [3, 3, 8, 16], { padding: 'same', dilation: 2 }],
    ['16 → 16 channels in 2 groups, stride [2, 1]', [1, 5, 6, 16], [3, 3, 8, 16], { groups: 2, stride: [2, 1], padding: 'same' }],
    ['12 → 16 channels in 4 groups, valid, stride 3', [1, 10, 8, 12], [2, 2, 3, 16], { groups: 4, stride: 3 }],
    ['depthwise 6 → 12 channels (the plain kernels run where a group has under 4 channels)', [1, 7, 6, 6], [3, 3, 1, 12], { groups: 6, stride: 2, padding: 'same' }],
    ['a split weight-gradient reduction over 578 pixels', [2, 17, 17, 4], [3, 3, 4, 8], { padding: 'same' }],
    ['32 → 8 channels: 288 kernel rows, more than one 256-deep block', [1, 6, 7, 32], [3, 3, 32, 8], { padding: 'same' }],
  ];
  cases.forEach(([name, xs, ws, opts], c) =>
    test(name, async () => {
      const next = rng(200 + c);
      await expectFastMatchesPlain((x, w) => wg.conv2d(x, w, opts), [uniform(next, xs), uniform(next, ws)]);
    }),
  );

  test('conv2dTranspose 4 → 8 channels, stride 2, output padding 1', async () => {
    const next = rng(220);
    await expectFastMatchesPlain((x, w) => wg.conv2dTranspose(x, w, { stride: 2, padding: 'same', outputPadding: 1 }), [uniform(next, [1, 4, 5, 8]), uniform(next, [3, 3, 4, 8])]);
  });
});

describe('wasm pooling equals the plain kernels exactly, forward and backward', () => {
  const cases: [string, number[], PoolOptions][] = [
    ['2×2 windows over 8 channels (two f32x4 lanes)', [2, 6, 5, 8], { kernelSize: 2 }],
    ['3×3 windows, stride 2, same padding, 6 channels (a scalar tail)', [1, 7, 8, 6], { kernelSize: 3, stride: 2, padding: 'same' }],
    ['overlapping 3×2 windows, stride 1, 3 channels (scalar only)', [2, 5, 6, 3], { kernelSize: [3, 2], stride: 1, padding: [1, 1] }],
  ];
  cases.forEach(([name, xs, opts], c) => {
    test(`maxPool2d: ${name}`, async () => {
      await expectFastEqualsPlain((x) => wg.maxPool2d(x, opts), [uniform(rng(300 + c), xs)]);
    });
    test(`avgPool2d: ${name}`, async () => {
      await expectFastEqualsPlain((x) => wg.avgPool2d(x, opts), [uniform(rng(310 + c), xs)]);
    });
  });

  test('maxPool2d keeps the first of tied maxima, routing the gradient there', async () => {
    const values = Float32Array.from({ length: 2 * 4 * 4 * 4 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    await expectFastEqualsPlain((x) => wg.maxPool2d(x, { kernelSize: 2 }), [{ shape: [2, 4, 4, 4], values }]);
  });

  test('avgPool2d counting padding divides by the full window', async () => {
    const opts: AvgPoolOptions = { kernelSize: 3, stride: 2, padding: 1, countIncludePad: true };
    await expectFastEqualsPlain((x) => wg.avgPool2d(x, opts), [uniform(rng(320), [1, 5, 6, 5])]);
  });
});

describe('wasm kernels split over worker threads equal one thread exactly', () => {
  /** f's value and gradients with threads, then on this thread alone. */
  async function expectThreadsEqualOne(f: (...xs: Tensor[]) => Tensor, inputs: readonly Input[]): Promise<void> {
    const run = async (threads: boolean) => {
      useThreads(threads);
      const value = (await f(...inputs.map((x) => wg.tensor(x.values, { shape: x.shape }))).data()) as Float32Array;
      return [value, ...(await analyticGradients(f, inputs, 6))];
    };
    const threaded = await run(true);
    const one = await run(false);
    useThreads(true);
    threaded.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(one[i])));
  }

  test('useThreads(false) reports no threads', async () => {
    useThreads(false);
    expect((await wg.init({ backend: 'cpu' })).threads).toBe(false);
    useThreads(true);
  });

  test('matmul 130×96 · 96×100 (1.2M multiply-adds), forward and backward', async () => {
    const next = rng(400);
    await expectThreadsEqualOne((a, b) => a.matmul(b), [uniform(next, [130, 96]), uniform(next, [96, 100])]);
  });

  test('conv2d 16 → 32 channels on 2×17×15 images, both gradients', async () => {
    const next = rng(401);
    await expectThreadsEqualOne((x, w) => wg.conv2d(x, w, { padding: 'same' }), [uniform(next, [2, 17, 15, 16]), uniform(next, [3, 3, 16, 32])]);
  });

  test('grouped conv2d 32 → 32 channels in 2 groups, stride 2', async () => {
    const next = rng(402);
    await expectThreadsEqualOne((x, w) => wg.conv2d(x, w, { padding: 'same', stride: 2, groups: 2 }), [uniform(next, [3, 24, 22, 32]), uniform(next, [3, 3, 16, 32])]);
  });
});

