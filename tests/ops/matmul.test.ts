// matmul behaviour (API.md "linear algebra"): rank ≥ 2, batch dimensions broadcast like
// torch.matmul; on both backends against a float64 reference. Kernel-agnostic on purpose:
// these hold whichever matmul kernel the backend picks.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { checkBoth, expectNoGpuErrors, initBoth, refMatmul, seeded, wg } from '../helpers';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

const TOL = { rtol: 1e-4, atol: 1e-4 };

describe('matmul', () => {
  test('a 2×3 by 3×2 product', async () => {
    const r = await checkBoth(() => wg.tensor([[1, 2, 3], [4, 5, 6]]).matmul(wg.tensor([[7, 8], [9, 10], [11, 12]])), [58, 64, 139, 154]);
    expect(r.shape).toEqual([2, 2]);
  });

  test('times the identity is the same matrix', async () => {
    const a = seeded(20, 91);
    await checkBoth(() => wg.tensor(a, { shape: [4, 5] }).matmul(wg.eye(5)), a);
  });

  for (const [m, k, n] of [[1, 1, 1], [1, 7, 1], [5, 1, 3], [17, 33, 9], [64, 64, 64], [70, 3, 130]]) {
    test(`random ${m}×${k} by ${k}×${n}`, async () => {
      const a = seeded(m * k, m + 100 * k);
      const b = seeded(k * n, n + 7 * k);
      const r = await checkBoth(() => wg.matmul(wg.tensor(a, { shape: [m, k] }), wg.tensor(b, { shape: [k, n] })), refMatmul(a, b, m, k, n), TOL);
      expect(r.shape).toEqual([m, n]);
    });
  }

  test('batched: [2,3,4] · [2,4,5]', async () => {
    const a = seeded(24, 92);
    const b = seeded(40, 93);
    const expected = [0, 1].flatMap((p) => refMatmul(a.slice(p * 12, p * 12 + 12), b.slice(p * 20, p * 20 + 20), 3, 4, 5));
    const r = await checkBoth(() => wg.tensor(a, { shape: [2, 3, 4] }).matmul(wg.tensor(b, { shape: [2, 4, 5] })), expected, TOL);
    expect(r.shape).toEqual([2, 3, 5]);
  });

  test('batch broadcast: [2,3,4] · [4,5] uses the one matrix for every batch', async () => {
    const a = seeded(24, 94);
    const b = seeded(20, 95);
    const r = await checkBoth(() => wg.tensor(a, { shape: [2, 3, 4] }).matmul(wg.tensor(b, { shape: [4, 5] })), refMatmul(a, b, 6, 4, 5), TOL);
    expect(r.shape).toEqual([2, 3, 5]);
  });

  test('batch broadcast: [3,4] · [2,4,5]', async () => {
    const a = seeded(12, 96);
    const b = seeded(40, 97);
    const expected = [0, 1].flatMap((p) => refMatmul(a, b.slice(p * 20, p * 20 + 20), 3, 4, 5));
    const r = await checkBoth(() => wg.tensor(a, { shape: [3, 4] }).matmul(wg.tensor(b, { shape: [2, 4, 5] })), expected, TOL);
    expect(r.shape).toEqual([2, 3, 5]);
  });

  test('batch broadcast of size-1 axes: [2,1,2,3] · [1,3,3,2] → [2,3,2,2]', async () => {
    const a = seeded(12, 98);
    const b = seeded(18, 99);
    const expected: number[] = [];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expected.push(...refMatmul(a.slice(i * 6, i * 6 + 6), b.slice(j * 6, j * 6 + 6), 2, 3, 2));
    const r = await checkBoth(() => wg.tensor(a, { shape: [2, 1, 2, 3] }).matmul(wg.tensor(b, { shape: [1, 3, 3, 2] })), expected, TOL);
    expect(r.shape).toEqual([2, 3, 2, 2]);
  });

  test('operands that are views and computed values', async () => {
    const a = seeded(12, 100);
    const b = seeded(12, 101);
    // aᵀ [4,3] from a [3,4]; b·2 + 1 as [3,4].
    const at = Array.from({ length: 12 }, (_, i) => a[(i % 3) * 4 + Math.floor(i / 3)]);
    const b2 = b.map((v) => v * 2 + 1);
    await checkBoth(() => wg.tensor(a, { shape: [3, 4] }).transpose().matmul(wg.tensor(b, { shape: [3, 4] }).mul(2).add(1)), refMatmul(at, b2, 4, 3, 4), TOL);
  });

  test('a matmul feeding another matmul and an activation (a 2-layer MLP)', async () => {
    const x = seeded(8 * 6, 102);
    const w1 = seeded(6 * 5, 103);
    const b1 = seeded(5, 104);
    const w2 = seeded(5 * 3, 105);
    const h = refMatmul(x, w1, 8, 6, 5).map((v, i) => Math.max(0, v + b1[i % 5]));
    await checkBoth(
      () => wg.tensor(x, { shape: [8, 6] }).matmul(wg.tensor(w1, { shape: [6, 5] })).add(wg.tensor(b1)).relu().matmul(wg.tensor(w2, { shape: [5, 3] })),
      refMatmul(h, w2, 8, 5, 3),
      TOL,
    );
  });

  test('an empty inner dimension gives zeros', async () => {
    await checkBoth(() => wg.zeros([2, 0]).matmul(wg.zeros([0, 3])), [0, 0, 0, 0, 0, 0]);
  });
});
