// Browser checks of matmul (plain, batched, broadcast batch, transposed views, odd sizes) and of
// softmax and logSoftmax, including logits of magnitude 1000.

import { equals, fill, matchesCpu, type Check } from './compare';

/** Softmax of `xs` in float64, shifted by the maximum. */
function softmaxRef(xs: number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

function logSoftmaxRef(xs: number[]): number[] {
  const m = Math.max(...xs);
  const lz = Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0));
  return xs.map((x) => x - m - lz);
}

export const linalgChecks: Check[] = [
  {
    name: 'matmul of known matrices, vectors as [1,k] and [k,1], and odd sizes',
    run: async (wg) => {
      const a = [[1, 2, 3], [4, 5, 6]];
      const b = [[7, 8], [9, 10], [11, 12]];
      await equals(wg, (w) => w.tensor(a).matmul(w.tensor(b)), [2, 2], [58, 64, 139, 154]);
      await equals(wg, (w) => w.matmul(w.tensor([[1, 1, 1]]), w.tensor(b)), [1, 2], [27, 30]);
      await equals(wg, (w) => w.tensor(a).matmul(w.tensor([[1], [0], [-1]])), [2, 1], [-2, -2]);
      await matchesCpu(wg, (w) => fill(w, [65, 47], 70).matmul(fill(w, [47, 33], 71)), { atol: 1e-4 });
      await matchesCpu(wg, (w) => fill(w, [1, 129], 72).matmul(fill(w, [129, 3], 73)), { atol: 1e-4 });
    },
  },
  {
    name: 'batched matmul and matmul that broadcasts batch dimensions',
    run: async (wg) => {
      const a = [[[1, 0], [0, 1]], [[2, 0], [0, 2]]];
      const b = [[[1, 2], [3, 4]], [[5, 6], [7, 8]]];
      await equals(wg, (w) => w.tensor(a).matmul(w.tensor(b)), [2, 2, 2], [1, 2, 3, 4, 10, 12, 14, 16]);
      await equals(wg, (w) => w.tensor(a).matmul(w.tensor([[1, 2], [3, 4]])), [2, 2, 2], [1, 2, 3, 4, 2, 4, 6, 8]);
      await matchesCpu(wg, (w) => fill(w, [3, 5, 7], 74).matmul(fill(w, [3, 7, 4], 75)), { atol: 1e-5 });
      await matchesCpu(wg, (w) => fill(w, [2, 1, 3, 4], 76).matmul(fill(w, [5, 4, 2], 77)), { atol: 1e-5 });
      await matchesCpu(wg, (w) => fill(w, [6, 9], 78).matmul(fill(w, [2, 3, 9, 5], 79)), { atol: 1e-5 });
    },
  },
  {
    name: 'matmul of transposed and sliced views, fed into elementwise ops',
    run: async (wg) => {
      await matchesCpu(wg, (w) => fill(w, [17, 10], 80).transpose().matmul(fill(w, [13, 17], 81).transpose()).relu(), { atol: 1e-5 });
      await matchesCpu(wg, (w) => fill(w, [4, 9, 12], 82).slice([1, 2, 3], [2, 5, -1]).matmul(fill(w, [2, 6, 9], 83).transpose([0, 2, 1]).add(1)), { atol: 1e-5 });
      await matchesCpu(wg, (w) => fill(w, [8, 8], 84).add(1).matmul(fill(w, [8, 8], 85).exp()).mul(fill(w, [8], 86)).sum(0), { atol: 1e-4 });
    },
  },
  {
    name: 'matmul of a matmul product, as either operand',
    run: async (wg) => {
      const a = [[1, 2], [3, 4]];
      await equals(wg, (w) => w.tensor(a).matmul(w.tensor(a)).matmul(w.eye(2)), [2, 2], [7, 10, 15, 22]);
      await equals(wg, (w) => w.eye(2).matmul(w.tensor(a).matmul(w.tensor(a))), [2, 2], [7, 10, 15, 22]);
      await matchesCpu(wg, (w) => fill(w, [2, 3, 4], 90).matmul(fill(w, [4, 5], 91)).matmul(fill(w, [2, 5, 2], 92)), { atol: 1e-5 });
    },
  },
  {
    name: 'softmax and logSoftmax on the last and a middle axis',
    run: async (wg) => {
      const rows = [[1, 2, 3], [-1, 0, 5]];
      await equals(wg, (w) => w.tensor(rows).softmax(), [2, 3], rows.flatMap(softmaxRef));
      await equals(wg, (w) => w.tensor(rows).logSoftmax(-1), [2, 3], rows.flatMap(logSoftmaxRef));
      await equals(wg, (w) => w.tensor(rows).softmax(0), [2, 3], [0.880797, 0.880797, 0.119203, 0.119203, 0.119203, 0.880797], { atol: 1e-6 });
      await matchesCpu(wg, (w) => fill(w, [9, 70], 87).mul(20).softmax());
      await matchesCpu(wg, (w) => fill(w, [4, 37, 3], 88).mul(5).softmax(1));
      await matchesCpu(wg, (w) => w.logSoftmax(fill(w, [5, 131], 89).mul(30), 1), { atol: 1e-4 });
    },
  },
  {
    name: 'softmax and logSoftmax of logits of magnitude 1000 stay finite',
    run: async (wg) => {
      const logits = [[1000, 999, -1000], [-1000, -1001, -998], [1000, 1000, 1000]];
      await equals(wg, (w) => w.tensor(logits).softmax(), [3, 3], logits.flatMap(softmaxRef), { atol: 1e-6 });
      await equals(wg, (w) => w.tensor(logits).logSoftmax(), [3, 3], logits.flatMap(logSoftmaxRef), { atol: 1e-4, rtol: 1e-5 });
      await equals(wg, (w) => w.tensor(logits).logSumExp(1), [3], logits.map((r) => Math.max(...r) - logSoftmaxRef(r)[r.indexOf(Math.max(...r))]!), { atol: 1e-3, rtol: 1e-6 });
    },
  },
];
