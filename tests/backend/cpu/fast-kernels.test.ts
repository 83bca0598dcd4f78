// The CPU backend's WebAssembly SIMD kernels against the plain-TypeScript reference kernels
// (forced with usePlainKernels): matmul, conv2d forward and both gradients (GEMM and direct
// grouped), pooling, softmax and the softmax cross-entropy, the LSTM, GRU and SimpleRNN
// sequence kernels (their per-step products by the GEMM), on small and odd shapes — edge
// tiles, transposed operands, broadcast batches, strides, padding, groups, extreme logits —
// and split over worker threads against one thread (useThreads).

import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cpuKernel, usePlainKernels, useThreads } from '../../../src/backend/cpu/fast-kernels';
import { CONV2D, CONV2D_INPUT_GRAD, CONV2D_WEIGHT_GRAD } from '../../../src/ops/conv';
import { GRU_BACKWARD, GRU_FORWARD, gruSequence } from '../../../src/nn/recurrent/gru-op';
import { LSTM_BACKWARD, LSTM_FORWARD, lstmSequence } from '../../../src/nn/recurrent/lstm-op';
import { RNN_ACTIVATIONS, RNN_BACKWARD, RNN_FORWARD, simpleRnnSequence } from '../../../src/nn/recurrent/simple-rnn-op';
import { MATMUL } from '../../../src/ops/matmul';
import { AVG_POOL, AVG_POOL_GRAD, MAX_POOL, MAX_POOL_GRAD } from '../../../src/ops/pool';
import { logSoftmax, softmax, softmaxCrossEntropy, SOFTMAX, SOFTMAX_CROSS_ENTROPY, SOFTMAX_CROSS_ENTROPY_GRAD } from '../../../src/ops/softmax';
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

/** Every kernel with a fast version. */
const FAST_DEFS = [
  MATMUL, CONV2D, CONV2D_INPUT_GRAD, CONV2D_WEIGHT_GRAD, MAX_POOL, MAX_POOL_GRAD, AVG_POOL, AVG_POOL_GRAD,
  SOFTMAX, SOFTMAX_CROSS_ENTROPY, SOFTMAX_CROSS_ENTROPY_GRAD, LSTM_FORWARD, LSTM_BACKWARD, GRU_FORWARD, GRU_BACKWARD, RNN_FORWARD, RNN_BACKWARD,
];

describe('feature detection', () => {
  test('Node has WebAssembly SIMD, and worker threads where it has several cores; the fast kernels are looked up', () => {
    expect(features.simd).toBe(true);
    expect(features.threads).toBe(availableParallelism() > 1);
    for (const def of FAST_DEFS) expect(cpuKernel(def)).not.toBe(def.cpu);
  });

  test('usePlainKernels(true) makes every kernel its plain-TypeScript reference, reported as no simd', async () => {
    usePlainKernels(true);
    expect((await wg.init({ backend: 'cpu' })).simd).toBe(false);
    for (const def of FAST_DEFS) expect(cpuKernel(def)).toBe(def.cpu);
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
    ['depthwise 6 → 12 channels, multiplier 2, stride 2 (the direct grouped kernels)', [1, 7, 6, 6], [3, 3, 1, 12], { groups: 6, stride: 2, padding: 'same' }],
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

describe('the direct grouped conv kernels (under 4 channels a group) equal the plain ones, forward and both gradients', () => {
  const cases: [string, number[], number[], Conv2dOptions][] = [
    ['depthwise 8 channels, 3×3 same (x read as it is)', [2, 6, 7, 8], [3, 3, 1, 8], { groups: 8, padding: 'same' }],
    ['depthwise 5 channels (one lane and a scalar tail), valid', [1, 5, 6, 5], [3, 3, 1, 5], { groups: 5 }],
    ['depthwise 6 channels, stride 2, dilation 2, explicit padding [2, 1]', [2, 9, 8, 6], [3, 3, 1, 6], { groups: 6, stride: 2, dilation: 2, padding: [2, 1] }],
    ['12 → 12 channels in 6 groups of 2', [1, 6, 5, 12], [3, 3, 2, 12], { groups: 6, padding: 'same' }],
    ['9 → 6 channels in 3 groups of 3 → 2, kernel 2×3', [2, 5, 6, 9], [2, 3, 3, 6], { groups: 3, stride: [1, 2] }],
    ['3 → 16 channels in one group (an RGB first layer: its input gradient is the grouped kernel)', [1, 6, 6, 3], [3, 3, 3, 16], { padding: 'same' }],
    ['4 → 3 channels in one group (too few lanes: the plain kernels run)', [1, 5, 5, 4], [3, 3, 4, 3], { padding: 'same' }],
    ['a split weight-gradient reduction over 578 pixels, depthwise 4 channels', [2, 17, 17, 4], [3, 3, 1, 4], { groups: 4, padding: 'same' }],
  ];
  cases.forEach(([name, xs, ws, opts], c) =>
    test(name, async () => {
      const next = rng(230 + c);
      await expectFastMatchesPlain((x, w) => wg.conv2d(x, w, opts), [uniform(next, xs), uniform(next, ws)]);
    }),
  );

  test('conv2dTranspose 8 → 3 channels, stride 2 (an image decoder\'s last layer: the grouped input-gradient kernel)', async () => {
    const next = rng(240);
    await expectFastMatchesPlain((x, w) => wg.conv2dTranspose(x, w, { stride: 2, padding: 'same' }), [uniform(next, [2, 4, 5, 8]), uniform(next, [3, 3, 3, 8])]);
  });
});

describe('wasm softmax and the softmax cross-entropy equal the plain kernels, forward and backward', () => {
  const shapes: [string, number[]][] = [
    ['one value', [1, 1]],
    ['odd rows of 5 (a float64 pair tail, an f32x4 max tail)', [3, 5]],
    ['rows of 8', [4, 8]],
    ['rank 3, rows of 7', [2, 3, 7]],
    ['rows of 1000', [2, 1000]],
  ];
  shapes.forEach(([name, shape], c) => {
    test(`softmax: ${name}`, async () => {
      await expectFastMatchesPlain((x) => softmax(x), [uniform(rng(500 + c), shape, { lo: -30, hi: 30 })]);
    });
    test(`logSoftmax: ${name}`, async () => {
      await expectFastMatchesPlain((x) => logSoftmax(x), [uniform(rng(510 + c), shape, { lo: -30, hi: 30 })]);
    });
  });

  test('softmax along a middle axis (a transposed kernel input)', async () => {
    await expectFastMatchesPlain((x) => softmax(x, 1), [uniform(rng(520), [2, 6, 3])]);
  });

  const ceCases: [string, number, number][] = [
    ['one row of 1', 1, 1],
    ['5 rows of 3', 5, 3],
    ['7 rows of 10', 7, 10],
    ['3 rows of 1001', 3, 1001],
  ];
  ceCases.forEach(([name, rows, cols], c) =>
    test(`softmaxCrossEntropy: ${name}`, async () => {
      const next = rng(530 + c);
      const labels = Int32Array.from({ length: rows }, () => Math.floor(next() * cols));
      await expectFastMatchesPlain((x) => softmaxCrossEntropy(x, wg.tensor(labels, { shape: [rows], dtype: 'int32' })), [uniform(next, [rows, cols], { lo: -20, hi: 20 })]);
    }),
  );

  test('labels outside [0, C) give NaN and no one-hot in the gradient, as the plain kernels', async () => {
    const x = uniform(rng(540), [4, 6]);
    const labels = wg.tensor(Int32Array.from([-1, 6, 2, 100]), { shape: [4], dtype: 'int32' });
    const [plain, fast] = await plainAndFast((l) => softmaxCrossEntropy(l, labels), [x]);
    expect(Array.from(fast[0]).map(Number.isNaN)).toEqual([true, true, false, true]);
    fast.forEach((v, i) => expectClose(v, plain[i], { rtol: 1e-4, atol: 1e-5 }));
  });

  test('extreme logits: ±1e30, −Infinity and NaN rows give what the plain kernels give', async () => {
    const values = Float32Array.from([1e30, -1e30, 0, 5, -Infinity, 1, 2, 3, NaN, 0, 1, 2, -Infinity, -Infinity, 0, -Infinity, 88, -88, 87, -87]);
    const run = async (plain: boolean) => {
      usePlainKernels(plain);
      const x = wg.tensor(values, { shape: [5, 4] });
      const labels = wg.tensor(Int32Array.from([1, 0, 3, 2, 2]), { shape: [5], dtype: 'int32' });
      return Promise.all([softmax(x).data(), logSoftmax(x).data(), softmaxCrossEntropy(x, labels).data()]);
    };
    const plain = await run(true);
    const fast = await run(false);
    fast.forEach((v, i) => expectClose(v as Float32Array, plain[i] as Float32Array, { rtol: 1e-4, atol: 1e-5 }));
  });
});

describe('the GRU and SimpleRNN kernels with wasm per-step products equal the plain ones, forward and backward', () => {
  const cases: [string, number, number, number][] = [
    ['one row, one step, one unit', 1, 1, 1],
    ['odd sizes: 3 rows, 4 steps, 5 units', 3, 4, 5],
    ['a wide layer: 16 rows, 2 steps, 192 units (the GRU\'s 1.8M multiply-adds a step past the threads\' threshold)', 16, 2, 192],
  ];
  cases.forEach(([name, b, t, h], c) => {
    // The recurrent kernels at a layer's initial scale (±1/√h), as the LSTM's.
    const scale = { lo: -1 / Math.sqrt(h), hi: 1 / Math.sqrt(h) };
    test(`gru: ${name}`, async () => {
      const next = rng(600 + c);
      const states = (xw: Tensor, u: Tensor, bh: Tensor, h0: Tensor) => gruSequence(xw, u, bh, h0).slice([0, 0, 0, 0], [b, t, 1, h]);
      await expectFastMatchesPlain(states, [uniform(next, [b, t, 3 * h]), uniform(next, [h, 3 * h], scale), uniform(next, [3 * h]), uniform(next, [b, h])]);
    });
    RNN_ACTIVATIONS.forEach((act, a) =>
      test(`simpleRNN (${act}): ${name}`, async () => {
        const next = rng(610 + 10 * c + a);
        await expectFastMatchesPlain((xw, u, h0) => simpleRnnSequence(xw, u, h0, act), [uniform(next, [b, t, h]), uniform(next, [h, h], scale), uniform(next, [b, h])]);
      }),
    );
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

  test('depthwise conv2d 32 channels on 8×24×24 images (1.3M multiply-adds, the direct grouped kernels), both gradients', async () => {
    const next = rng(403);
    await expectThreadsEqualOne((x, w) => wg.conv2d(x, w, { padding: 'same', groups: 32 }), [uniform(next, [8, 24, 24, 32]), uniform(next, [3, 3, 1, 32])]);
  });

  test('grouped conv2d 64 → 64 channels in 32 groups of 2 on 4×16×16 images (1.2M multiply-adds, per-thread dx rows), both gradients', async () => {
    const next = rng(405);
    await expectThreadsEqualOne((x, w) => wg.conv2d(x, w, { padding: 'same', groups: 32 }), [uniform(next, [4, 16, 16, 64]), uniform(next, [3, 3, 2, 64])]);
  });

  test('softmax and the softmax cross-entropy over 700 rows of 100 (past the threads\' threshold), forward and backward', async () => {
    const next = rng(404);
    const labels = wg.tensor(Int32Array.from({ length: 700 }, () => Math.floor(next() * 100)), { shape: [700], dtype: 'int32' });
    await expectThreadsEqualOne((x) => softmax(x).add(logSoftmax(x)).sum(-1).add(softmaxCrossEntropy(x, labels)), [uniform(next, [700, 100])]);
  });

  test('grouped conv2d 32 → 32 channels in 2 groups, stride 2', async () => {
    const next = rng(402);
    await expectThreadsEqualOne((x, w) => wg.conv2d(x, w, { padding: 'same', stride: 2, groups: 2 }), [uniform(next, [3, 24, 22, 32]), uniform(next, [3, 3, 16, 32])]);
  });
});

