// softmax and logSoftmax (API.md): rows sum to 1, any axis, stable for logits of magnitude 1000
// (the max is subtracted first), on both backends against a float64 reference.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { checkBoth, expectNoGpuErrors, initBoth, seeded, wg } from '../helpers';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

function refSoftmaxRows(data: number[], cols: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < data.length / cols; r++) {
    const row = data.slice(r * cols, r * cols + cols);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((v) => v / s));
  }
  return out;
}
const refLogSoftmaxRows = (data: number[], cols: number) => refSoftmaxRows(data, cols).map(Math.log);

describe('softmax', () => {
  test('of a small row', async () => {
    const e = [1, 2, 3].map(Math.exp);
    const s = e[0] + e[1] + e[2];
    await checkBoth(() => wg.tensor([1, 2, 3]).softmax(), e.map((v) => v / s));
  });

  test('over the last axis of random rows of several lengths', async () => {
    for (const cols of [1, 7, 64, 100, 300]) {
      const data = seeded(3 * cols, cols, -4, 4);
      await checkBoth(() => wg.tensor(data, { shape: [3, cols] }).softmax(), refSoftmaxRows(data, cols), { rtol: 1e-5, atol: 1e-7 });
    }
  });

  test('over axis 0 equals the transposed softmax of rows', async () => {
    const data = seeded(12, 111, -3, 3);
    const t = Array.from({ length: 12 }, (_, i) => data[(i % 3) * 4 + Math.floor(i / 3)]); // [4,3]
    const rows = refSoftmaxRows(t, 3);
    const expected = Array.from({ length: 12 }, (_, i) => rows[(i % 4) * 3 + Math.floor(i / 4)]);
    await checkBoth(() => wg.tensor(data, { shape: [3, 4] }).softmax(0), expected, { rtol: 1e-5, atol: 1e-7 });
  });

  test('over a middle axis of a rank-3 tensor sums to 1 along it', async () => {
    const r = await checkBoth(() => wg.randn([2, 5, 3], { seed: 112 }).softmax(1).sum(1), [1, 1, 1, 1, 1, 1], { rtol: 1e-5 });
    expect(r.shape).toEqual([2, 3]);
  });

  test('logits of magnitude 1000 stay finite', async () => {
    const data = [1000, 999, 998, -1000, -1000, -999];
    await checkBoth(() => wg.tensor(data, { shape: [2, 3] }).softmax(), refSoftmaxRows(data, 3), { rtol: 1e-5, atol: 1e-7 });
  });

  test('a row containing -Infinity gives that entry 0', async () => {
    await checkBoth(() => wg.tensor([0, -Infinity, 0]).softmax(), [0.5, 0, 0.5]);
  });

  test('of an int32 tensor is float32', async () => {
    const r = await checkBoth(() => wg.tensor([0, 0], { dtype: 'int32' }).softmax(), [0.5, 0.5]);
    expect(r.dtype).toBe('float32');
  });

  test('of a computed input (a fused prologue)', async () => {
    const data = seeded(20, 113);
    await checkBoth(() => wg.tensor(data, { shape: [4, 5] }).mul(3).add(1).softmax(), refSoftmaxRows(data.map((v) => v * 3 + 1), 5), { rtol: 1e-5, atol: 1e-7 });
  });
});

describe('logSoftmax', () => {
  test('equals log of softmax on random rows', async () => {
    const data = seeded(40, 114, -5, 5);
    await checkBoth(() => wg.tensor(data, { shape: [4, 10] }).logSoftmax(), refLogSoftmaxRows(data, 10), { rtol: 1e-5, atol: 1e-5 });
  });

  test('logits of magnitude 1000: exact differences, no -Infinity', async () => {
    const data = [1000, 0, -1000];
    const lse = 1000 + Math.log1p(Math.exp(-1000) + Math.exp(-2000));
    await checkBoth(() => wg.tensor(data).logSoftmax(), data.map((v) => v - lse), { rtol: 1e-6 });
  });

  test('over axis 0', async () => {
    const data = seeded(6, 115);
    const t = [data[0], data[2], data[4], data[1], data[3], data[5]]; // columns as rows
    const rows = refLogSoftmaxRows(t, 3);
    await checkBoth(() => wg.tensor(data, { shape: [3, 2] }).logSoftmax(0), [rows[0], rows[3], rows[1], rows[4], rows[2], rows[5]], { rtol: 1e-5, atol: 1e-6 });
  });
});
