// mse, mae and huber (API.md "Losses"): values against float64 formulas for each reduction on
// both backends, gradients against finite differences and WebGPU against CPU, and bad arguments.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { checkBoth, expectNoGpuErrors, initBoth, seeded, useBackend, wg } from '../helpers';
import { checkGpuMatchesCpu, checkGradients, rng, uniform } from '../autograd/gradcheck';
import type { Tensor } from '../../src/node';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

const P = seeded(12, 21, -2, 2);
const T = seeded(12, 22, -2, 2);
const pt = () => [wg.tensor(P, { shape: [3, 4] }), wg.tensor(T, { shape: [3, 4] })] as const;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function huberRef(d: number, delta: number): number {
  return Math.abs(d) < delta ? 0.5 * d * d : delta * (Math.abs(d) - 0.5 * delta);
}

const cases: [string, (p: Tensor, t: Tensor, o?: { reduction?: 'mean' | 'sum' | 'none' }) => Tensor, (d: number) => number][] = [
  ['mse', (p, t, o) => wg.losses.mse(p, t, o), (d) => d * d],
  ['mae', (p, t, o) => wg.losses.mae(p, t, o), (d) => Math.abs(d)],
  ['huber (delta 1)', (p, t, o) => wg.losses.huber(p, t, o), (d) => huberRef(d, 1)],
  ['huber (delta 0.5)', (p, t, o) => wg.losses.huber(p, t, { ...o, delta: 0.5 }), (d) => huberRef(d, 0.5)],
];

for (const [name, loss, perElement] of cases) {
  describe(name, () => {
    const ref = P.map((p, i) => perElement(p - T[i]));
    test('reduces by the mean by default', async () => {
      const r = await checkBoth(() => loss(...pt()), [mean(ref)], { rtol: 1e-5 });
      expect(r.shape).toEqual([]);
    });
    test('reduces by the sum', async () => {
      await checkBoth(() => loss(...pt(), { reduction: 'sum' }), [sum(ref)], { rtol: 1e-5 });
    });
    test("keeps every element with reduction 'none'", async () => {
      const r = await checkBoth(() => loss(...pt(), { reduction: 'none' }), ref, { rtol: 1e-5, atol: 1e-6 });
      expect(r.shape).toEqual([3, 4]);
    });
    test('has gradients that match finite differences, and WebGPU matches CPU', async () => {
      await useBackend('cpu');
      const next = rng(31);
      // Away from the kinks: d = 0 (mae) and |d| = delta (huber).
      const p = uniform(next, [2, 3], { lo: -2, hi: 2 });
      const t = { shape: [2, 3], values: Float32Array.from(p.values, (v, i) => v + [0.3, -0.8, 1.7, -0.2, 2.5, -1.4][i]) };
      await checkGradients((a, b) => loss(a, b), [p, t]);
      await checkGpuMatchesCpu((a, b) => loss(a, b), [p, t]);
    });
  });
}

describe('regression losses refuse', () => {
  test('predictions and targets of different shapes (no silent broadcast of [N] against [N, 1])', () => {
    expect(() => wg.losses.mse(wg.zeros([4]), wg.zeros([4, 1]))).toThrow(wg.ShapeError);
    expect(() => wg.losses.mae(wg.zeros([4]), wg.zeros([4, 1]))).toThrow(/predictions \[4\] and targets \[4, ?1\]/);
  });
  test('an unknown reduction', () => {
    expect(() => wg.losses.mse(wg.zeros([2]), wg.zeros([2]), { reduction: 'avg' as 'mean' })).toThrow(wg.ArgumentError);
  });
  test('a delta that is not positive', () => {
    expect(() => wg.losses.huber(wg.zeros([2]), wg.zeros([2]), { delta: 0 })).toThrow(wg.ArgumentError);
  });
});
