// Augmentation: flips undo themselves, shifts and crops are windows of the zero-padded image,
// brightness adds one clamped amount per image, the same seed gives the same batch on both
// backends, and a chain of geometric steps is one index kernel plus one gather.

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBoth, countWork, initBoth, randomTensor, useBackend, wg } from '../helpers';

const aug = wg.data.augment;
const [N, H, W] = [6, 5, 7];
const images = () => randomTensor([N, H, W, 1], 3, 0, 1);

/** Image n of a [N, H, W] array as rows. */
const imageOf = (data: ArrayLike<number>, n: number, h = H, w = W) => Array.from({ length: h }, (_, i) => Array.from({ length: w }, (_, j) => data[(n * h + i) * w + j]));

/** `img` moved down by dy and right by dx into an h×w window (zeros outside). */
function moved(img: number[][], dy: number, dx: number, h = img.length, w = img[0].length): number[][] {
  return Array.from({ length: h }, (_, i) => Array.from({ length: w }, (_, j) => img[i - dy]?.[j - dx] ?? 0));
}

const same = (a: number[][], b: number[][]) => a.every((r, i) => r.every((v, j) => v === b[i][j]));

describe('augment', () => {
  beforeAll(async () => {
    await initBoth();
  });

  it('randomFlip twice with the same seed is the identity, in every mode', async () => {
    for (const mode of ['horizontal', 'vertical', 'horizontal_and_vertical'] as const) {
      await checkBoth(() => {
        const x = images();
        return aug.randomFlip(aug.randomFlip(x, { mode, seed: 5 }), { mode, seed: 5 }).sub(x);
      }, new Array(N * H * W).fill(0), { atol: 0, rtol: 0 });
    }
  });

  it('over random shapes and channels: flip twice is the identity, shift and rotate keep the size, crop gives its size', async () => {
    await useBackend('cpu');
    const shape = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 3 }));
    await fc.assert(
      fc.asyncProperty(shape, fc.integer({ min: 0, max: 1000 }), async ([n, h, w, c], seed) => {
        const x = randomTensor([n, h, w, c], seed + 1, 0, 1);
        const twice = aug.randomFlip(aug.randomFlip(x, { mode: 'horizontal_and_vertical', seed }), { mode: 'horizontal_and_vertical', seed });
        expect(Array.from(await twice.data())).toEqual(Array.from(await x.data()));
        expect(aug.randomShift(x, { seed }).shape).toEqual([n, h, w, c]);
        expect(aug.randomRotate(x, { seed }).shape).toEqual([n, h, w, c]);
        const crop = aug.randomCrop(x, { size: [Math.max(1, h - 1), w + 1], padding: 1, seed });
        expect(crop.shape).toEqual([n, Math.max(1, h - 1), w + 1, c]);
        const moved = await aug.randomShift(x, { maxShift: 0, seed }).data();
        expect(Array.from(moved)).toEqual(Array.from(await x.data()));
      }),
      { numRuns: 30 },
    );
  });

  it('randomFlip flips each image left-right or leaves it', async () => {
    await useBackend('webgpu');
    const x = await images().data();
    const y = await aug.randomFlip(images(), { seed: 2 }).data();
    const kinds = Array.from({ length: N }, (_, n) => {
      const [a, b] = [imageOf(x, n), imageOf(y, n)];
      if (same(a, b)) return 'kept';
      return same(a.map((r) => [...r].reverse()), b) ? 'flipped' : 'other';
    });
    expect(kinds).not.toContain('other');
    expect(new Set(kinds).size).toBe(2);
  });

  it('randomShift keeps the size and moves each image by at most maxShift, filling with 0', async () => {
    const x = await images().data();
    const out = aug.randomShift(images(), { maxShift: [1, 2], seed: 8 });
    expect(out.shape).toEqual([N, H, W, 1]);
    const y = await out.data();
    for (let n = 0; n < N; n++) {
      const matches = [-1, 0, 1].flatMap((dy) => [-2, -1, 0, 1, 2].filter((dx) => same(moved(imageOf(x, n), dy, dx), imageOf(y, n))));
      expect(matches, `image ${n}`).toHaveLength(1);
    }
  });

  it('randomCrop takes a window of the zero-padded image', async () => {
    const x = await images().data();
    const out = aug.randomCrop(images(), { size: [4, 4], padding: 2, seed: 1 });
    expect(out.shape).toEqual([N, 4, 4, 1]);
    const y = await out.data();
    for (let n = 0; n < N; n++) {
      const windows = [];
      for (let oy = 0; oy <= H + 4 - 4; oy++) for (let ox = 0; ox <= W + 4 - 4; ox++) windows.push(moved(imageOf(x, n), 2 - oy, 2 - ox, 4, 4));
      expect(windows.some((win) => same(win, imageOf(y, n, 4, 4))), `image ${n}`).toBe(true);
    }
  });

  it('randomRotate by at most 0 degrees is the identity, and any rotation keeps the centre pixel', async () => {
    await checkBoth(() => aug.randomRotate(images(), { maxDegrees: 0, seed: 1 }).sub(images()), new Array(N * H * W).fill(0), { atol: 0, rtol: 0 });
    const x = await images().data();
    const y = await aug.randomRotate(images(), { maxDegrees: 90, seed: 4 }).data();
    for (let n = 0; n < N; n++) expect(imageOf(y, n)[2][3]).toBe(imageOf(x, n)[2][3]);
  });

  it('randomBrightness adds one amount per image, at most maxDelta, and clamps to the value range', async () => {
    const x = await images().data();
    const y = await aug.randomBrightness(images(), { maxDelta: 0.5, seed: 6 }).data();
    expect(Math.min(...y)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...y)).toBeLessThanOrEqual(1);
    for (let n = 0; n < N; n++) {
      const deltas = Array.from({ length: H * W }, (_, k) => n * H * W + k).filter((k) => y[k] > 0 && y[k] < 1).map((k) => y[k] - x[k]);
      expect(deltas.length).toBeGreaterThan(0);
      for (const d of deltas) expect(d).toBeCloseTo(deltas[0], 5);
      expect(Math.abs(deltas[0])).toBeLessThanOrEqual(0.5 + 1e-6);
    }
    const clamped = await aug.randomBrightness(images().mul(255), { maxDelta: 1, valueRange: [0, 255], seed: 1 }).data();
    expect(Math.max(...clamped)).toBeLessThanOrEqual(255);
  });

  it.each(['randomFlip', 'randomShift', 'randomRotate', 'randomBrightness', 'randomCrop'] as const)('%s: the same seed gives the same batch on both backends', async (name) => {
    const first = await checkBoth(() => aug[name](images(), { seed: 21 }), undefined, { atol: 0, rtol: 0 });
    const again = await checkBoth(() => aug[name](images(), { seed: 21 }), undefined, { atol: 0, rtol: 0 });
    expect(Array.from(again.data)).toEqual(Array.from(first.data));
  });

  it('a chain of geometric steps on 128 Fashion-MNIST-sized images, brightness too, is 2 dispatches and equals the steps one by one', async () => {
    await useBackend('webgpu');
    const x = randomTensor([128, 28, 28, 1], 9, 0, 1);
    wg.realize(x.add(0));
    const chain = (t: wg.Tensor) => aug.randomRotate(aug.randomShift(aug.randomFlip(t, { seed: 1 }), { seed: 2 }), { seed: 3 });
    const y = chain(x);
    wg.resetStats();
    const work = await countWork(() => wg.realize(y));
    const uploaded = wg.stats().bytesUploaded;
    console.log(`augment: flip → shift → rotate of [128,28,28,1]: ${work.dispatches} dispatches, ${uploaded} bytes uploaded (the per-image draws)`);
    expect(work.dispatches).toBe(2);
    expect(uploaded).toBeLessThanOrEqual(128 * 5 * 4);
    // Step by step: each intermediate copied (add 0), so nothing composes.
    const stepwise = aug.randomRotate(aug.randomShift(aug.randomFlip(x, { seed: 1 }).add(0), { seed: 2 }).add(0), { seed: 3 });
    expect(Array.from(await y.data())).toEqual(Array.from(await stepwise.data()));
    const bright = aug.randomBrightness(x, { seed: 4 });
    expect((await countWork(() => wg.realize(bright))).dispatches).toBe(1);
    // Brightness after the geometric steps rides in the gather's epilogue.
    const full = aug.randomBrightness(aug.randomShift(aug.randomFlip(x, { seed: 1 }), { seed: 2 }), { seed: 4 });
    const fullWork = await countWork(() => wg.realize(full));
    console.log(`augment: flip → shift → brightness of [128,28,28,1]: ${fullWork.dispatches} dispatches`);
    expect(fullWork.dispatches).toBe(2);
  });

  it('a warp of a warp whose source was disposed gathers from the intermediate instead', async () => {
    await useBackend('cpu');
    const x = images();
    const flipped = aug.randomFlip(x, { seed: 1 });
    const copy = flipped.add(0);
    wg.realize(flipped, copy);
    x.dispose();
    const expected = await aug.randomShift(copy, { seed: 2 }).data();
    expect(Array.from(await aug.randomShift(flipped, { seed: 2 }).data())).toEqual(Array.from(expected));
  });

  it('works as a dataset map', async () => {
    const x = images();
    const ds = wg.data.dataset(x, wg.zeros([N])).batch(4).map(({ x: bx, y }) => ({ x: aug.randomShift(aug.randomFlip(bx)), y }));
    const shapes = [];
    for await (const b of ds) shapes.push(b.x.shape);
    expect(shapes).toEqual([[4, H, W, 1], [2, H, W, 1]]);
  });

  it('rejects what is not an NHWC float32 batch and bad options', () => {
    expect(() => aug.randomFlip(wg.zeros([2, 3]))).toThrow(wg.ShapeError);
    expect(() => aug.randomFlip(wg.zeros([1, 2, 2, 1], { dtype: 'int32' }))).toThrow(wg.DTypeError);
    expect(() => aug.randomFlip(images(), { mode: 'diagonal' as 'horizontal' })).toThrow(wg.ArgumentError);
    expect(() => aug.randomShift(images(), { maxShift: -1 })).toThrow(wg.ArgumentError);
    expect(() => aug.randomCrop(images(), { size: [H + 1, W] })).toThrow(/randomCrop: size/);
    expect(() => aug.randomBrightness(images(), { maxDelta: 2 })).toThrow(wg.ArgumentError);
    expect(() => aug.randomRotate(images(), { maxDegrees: NaN })).toThrow(wg.ArgumentError);
  });
});
