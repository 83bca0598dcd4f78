// Keras's loss names (wg.losses.get, what compile takes): each maps onto its loss, fromLogits
// picks the logits form, and on probabilities Keras's clipping to [1e-7, 1 − 1e-7] is reproduced.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { checkBoth, expectNoGpuErrors, initBoth, seeded, wg } from '../helpers';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

const EPS = 1e-7;
/** Keras's clip, with its bounds as float32 (Keras computes in float32 too). */
const clip = (p: number) => Math.min(Math.max(p, Math.fround(EPS)), Math.fround(1 - EPS));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const P = seeded(6, 61, -1, 1);
const T = seeded(6, 62, -1, 1);

describe('losses.get', () => {
  test("'mse' and 'meanSquaredError', 'mae' and 'meanAbsoluteError' are the mean errors", async () => {
    for (const name of ['mse', 'meanSquaredError'] as const) await checkBoth(() => wg.losses.get(name)(wg.tensor(P), wg.tensor(T)), [mean(P.map((p, i) => (p - T[i]) ** 2))], { rtol: 1e-5 });
    for (const name of ['mae', 'meanAbsoluteError'] as const) await checkBoth(() => wg.losses.get(name)(wg.tensor(P), wg.tensor(T)), [mean(P.map((p, i) => Math.abs(p - T[i])))], { rtol: 1e-5 });
  });

  test("'categoricalCrossentropy' on probabilities renormalizes rows and clips, so a 0 stays finite", async () => {
    const probs = [[0.5, 0.5, 0], [0.2, 0.3, 0.3]];
    const onehot = [[0, 0, 1], [0, 1, 0]];
    const ref = mean(probs.map((row, r) => {
      const s = row.reduce((a, b) => a + b, 0);
      return -row.reduce((acc, p, c) => acc + onehot[r][c] * Math.log(clip(p / s)), 0);
    }));
    await checkBoth(() => wg.losses.get('categoricalCrossentropy')(wg.tensor(probs), wg.tensor(onehot)), [ref], { rtol: 1e-5 });
  });

  test("'sparseCategoricalCrossentropy' on probabilities takes float [N, 1] labels and clips", async () => {
    const probs = [[0.7, 0.3, 0], [0.1, 0.6, 0.3]];
    const ref = mean(probs.map((row, r) => {
      const c = row.map(clip);
      return -Math.log(c[[2, 1][r]] / c.reduce((a, b) => a + b, 0));
    }));
    await checkBoth(() => wg.losses.get('sparseCategoricalCrossentropy')(wg.tensor(probs), wg.tensor([[2], [1]])), [ref], { rtol: 1e-5 });
  });

  test("'binaryCrossentropy' on probabilities clips 0 and 1 to [1e-7, 1 − 1e-7]", async () => {
    const p = [0, 1, 0.3, 0.9];
    const t = [1, 0, 0, 1];
    const ref = mean(p.map((v, i) => -(t[i] * Math.log(clip(v)) + (1 - t[i]) * Math.log(1 - clip(v)))));
    await checkBoth(() => wg.losses.get('binaryCrossentropy')(wg.tensor(p), wg.tensor(t)), [ref], { rtol: 1e-5 });
  });

  test('fromLogits maps onto crossEntropy and binaryCrossEntropyWithLogits', async () => {
    const logits = () => wg.tensor(P, { shape: [2, 3] });
    const labels = () => wg.tensor([2, 0], { dtype: 'int32' });
    const sparse = await checkBoth(() => wg.losses.get({ name: 'sparseCategoricalCrossentropy', fromLogits: true })(logits(), labels()));
    const direct = await checkBoth(() => wg.losses.crossEntropy(logits(), labels()));
    expect(Array.from(sparse.data)).toEqual(Array.from(direct.data));
    const onehot = () => wg.oneHot(labels(), 3);
    const cat = await checkBoth(() => wg.losses.get({ name: 'categoricalCrossentropy', fromLogits: true })(logits(), onehot()), Array.from(direct.data), { rtol: 1e-6 });
    expect(cat.shape).toEqual([]);
    const t = () => wg.tensor([1, 0, 1, 0, 0, 1], { shape: [2, 3] });
    const bin = await checkBoth(() => wg.losses.get({ name: 'binaryCrossentropy', fromLogits: true })(logits(), t()));
    await checkBoth(() => wg.losses.binaryCrossEntropyWithLogits(logits(), t()), Array.from(bin.data));
  });

  test('returns a function as it is and refuses an unknown name', () => {
    const f = (p: wg.Tensor) => p.sum();
    expect(wg.losses.get(f)).toBe(f);
    expect(() => wg.losses.get('hinge' as 'mse')).toThrow(wg.ArgumentError);
    expect(() => wg.losses.get({ name: 'hinge' as 'mse' })).toThrow(/unknown loss "hinge"/);
  });
});
