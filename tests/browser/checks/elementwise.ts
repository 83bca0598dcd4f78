// Browser checks of the elementwise ops: binary ops with broadcasting, scalars and each dtype,
// comparisons and where, unary ops, activations (with their parameters and at |x| = 100),
// clip and cast. Expected values are computed here in float64 with Math (erf: tests/reference.ts).

import { erf } from '../../reference';
import { equals, fill, fillInts, matchesCpu, type Check, type Tensor, type Wg } from './compare';

const X = [-3, -1.5, -0.5, 0, 0.25, 1, 2.5, 4];
const POSITIVE = [0.01, 0.3, 1, 2, 9.5, 100];
const FAR = [-100, -20, -1, 0, 1, 20, 100];

/** `equals` for an op applied to the float32 tensor of `xs`, against `ref` applied to each value. */
async function mapsLike(wg: Wg, xs: number[], op: (t: Tensor) => Tensor, ref: (x: number) => number, tol?: { atol?: number; rtol?: number }): Promise<void> {
  await equals(wg, (w) => op(w.tensor(xs)), [xs.length], xs.map((x) => ref(Math.fround(x))), { dtype: 'float32', ...tol });
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

const gelu = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
const geluTanh = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

export const elementwiseChecks: Check[] = [
  {
    name: 'add, sub, mul and div broadcast rows, columns and scalars',
    run: async (wg) => {
      await equals(wg, (w) => w.tensor([[1, 2, 3], [4, 5, 6]]).add(w.tensor([10, 20, 30])), [2, 3], [11, 22, 33, 14, 25, 36]);
      await equals(wg, (w) => w.tensor([[1], [2]]).sub(w.tensor([1, 2, 3])), [2, 3], [0, -1, -2, 1, 0, -1]);
      await equals(wg, (w) => w.sub(10, w.tensor([1, 2])).mul(0.5), [2], [4.5, 4]);
      await equals(wg, (w) => w.div(1, w.tensor([2, 4, -8])), [3], [0.5, 0.25, -0.125]);
      const a = (w: Wg) => fill(w, [3, 1, 5], 1);
      const b = (w: Wg) => fill(w, [4, 1], 2).add(2);
      await matchesCpu(wg, (w) => a(w).add(b(w)).sub(w.mul(a(w), 3)).mul(b(w)).div(b(w).add(a(w)).add(4)));
    },
  },
  {
    name: 'pow with fractional, negative and integer exponents of negative bases',
    run: async (wg) => {
      await equals(wg, (w) => w.tensor([4, 9, 2]).pow(w.tensor([0.5, -1, 10])), [3], [2, 1 / 9, 1024]);
      await equals(wg, (w) => w.tensor([-2, -2, -3, 0]).pow(w.tensor([3, 2, 0, 2])), [4], [-8, 4, 1, 0]);
      await equals(wg, (w) => w.pow(2, w.tensor([0, 1, 3])), [3], [1, 2, 8]);
      await equals(wg, (w) => w.tensor([-2]).pow(0.5), [1], [NaN]);
      await matchesCpu(wg, (w) => fill(w, [6, 7], 3).abs().add(0.1).pow(fill(w, [7], 4).mul(3)));
    },
  },
  {
    name: 'maximum and minimum broadcast and keep dtype',
    run: async (wg) => {
      await equals(wg, (w) => w.tensor([[1, 5], [-3, 2]]).maximum(w.tensor([2, 2])), [2, 2], [2, 5, 2, 2]);
      await equals(wg, (w) => w.minimum(w.tensor([1, -5, 3], { dtype: 'int32' }), 0), [3], [0, -5, 0], { dtype: 'int32' });
      await matchesCpu(wg, (w) => fill(w, [5, 1], 5).maximum(fill(w, [1, 6], 6)).sub(fill(w, [6], 7).minimum(0)));
      await equals(wg, (w) => w.tensor([NaN, 1, -1]).maximum(0).add(w.tensor([NaN, 1, -1]).minimum(0)), [3], [NaN, 1, -1]);
    },
  },
  {
    name: 'comparisons return bool and broadcast, ties included',
    run: async (wg) => {
      const a = (w: Wg) => w.tensor([[1, 2, 3], [3, 2, 1]]);
      const b = (w: Wg) => w.tensor([2, 2, 2]);
      const cases: [string, (w: Wg) => Tensor, number[]][] = [
        ['equal', (w) => a(w).equal(b(w)), [0, 1, 0, 0, 1, 0]],
        ['notEqual', (w) => a(w).notEqual(b(w)), [1, 0, 1, 1, 0, 1]],
        ['greater', (w) => a(w).greater(b(w)), [0, 0, 1, 1, 0, 0]],
        ['greaterEqual', (w) => a(w).greaterEqual(b(w)), [0, 1, 1, 1, 1, 0]],
        ['less', (w) => a(w).less(2), [1, 0, 0, 0, 0, 1]],
        ['lessEqual', (w) => w.lessEqual(a(w), 2), [1, 1, 0, 0, 1, 1]],
      ];
      for (const [, f, expected] of cases) await equals(wg, f, [2, 3], expected, { dtype: 'bool' });
      await matchesCpu(wg, (w) => fill(w, [4, 1, 3], 8).greater(fill(w, [5, 1], 9)), { dtype: 'bool' });
      await equals(wg, (w) => w.tensor([1, 2], { dtype: 'int32' }).equal(w.tensor([1, 2.5])), [2], [1, 0], { dtype: 'bool' });
    },
  },
  {
    name: 'where selects with a broadcast condition, tensors and scalars',
    run: async (wg) => {
      const cond = (w: Wg) => w.tensor([[true], [false]]);
      await equals(wg, (w) => w.where(cond(w), w.tensor([1, 2, 3]), w.tensor([[-1, -2, -3], [-4, -5, -6]])), [2, 3], [1, 2, 3, -4, -5, -6]);
      await equals(wg, (w) => w.where(w.tensor([1, -2, 3]).greater(0), w.tensor([1, -2, 3]), 0), [3], [1, 0, 3]);
      await equals(wg, (w) => w.tensor([5, 6], { dtype: 'int32' }).where(w.tensor([false, true]), -1), [2], [-1, 6], { dtype: 'int32' });
      await matchesCpu(wg, (w) => w.where(fill(w, [3, 4], 10).less(0), fill(w, [4], 11), fill(w, [3, 1], 12).mul(5)));
    },
  },
  {
    name: 'int32 arithmetic stays int32, div and fractional scalars give float32',
    run: async (wg) => {
      const i = (w: Wg) => w.tensor([[7, -7], [3, 0]], { dtype: 'int32' });
      await equals(wg, (w) => i(w).add(2).mul(i(w)).sub(1), [2, 2], [62, 34, 14, -1], { dtype: 'int32' });
      await equals(wg, (w) => i(w).div(2), [2, 2], [3.5, -3.5, 1.5, 0], { dtype: 'float32' });
      await equals(wg, (w) => i(w).add(0.5), [2, 2], [7.5, -6.5, 3.5, 0.5], { dtype: 'float32' });
      await equals(wg, (w) => i(w).pow(2), [2, 2], [49, 49, 9, 0], { dtype: 'int32' });
      await equals(wg, (w) => i(w).add(w.tensor([0.25, 0.5])), [2, 2], [7.25, -6.5, 3.25, 0.5], { dtype: 'float32' });
      await matchesCpu(wg, (w) => fillInts(w, [5, 6], 13, -50000, 50000).mul(fillInts(w, [6], 14, -50000, 50000)), { dtype: 'int32' });
    },
  },
  {
    name: 'bool operands: comparisons of bools and bool arithmetic as int32',
    run: async (wg) => {
      const p = (w: Wg) => w.tensor([true, true, false, false]);
      const q = (w: Wg) => w.tensor([true, false, true, false]);
      await equals(wg, (w) => p(w).equal(q(w)), [4], [1, 0, 0, 1], { dtype: 'bool' });
      await equals(wg, (w) => p(w).notEqual(q(w)), [4], [0, 1, 1, 0], { dtype: 'bool' });
      await equals(wg, (w) => p(w).add(q(w)), [4], [2, 1, 1, 0], { dtype: 'int32' });
      await equals(wg, (w) => p(w).mul(w.tensor([2.5, 2.5, 2.5, 2.5])), [4], [2.5, 2.5, 0, 0], { dtype: 'float32' });
    },
  },
  {
    name: 'neg, abs, sign, square and reciprocal',
    run: async (wg) => {
      await mapsLike(wg, X, (t) => t.neg(), (x) => -x);
      await mapsLike(wg, X, (t) => t.abs(), Math.abs);
      await mapsLike(wg, X, (t) => t.sign(), Math.sign);
      await mapsLike(wg, X, (t) => t.square(), (x) => x * x);
      await mapsLike(wg, [-4, -0.5, 0.25, 3], (t) => t.reciprocal(), (x) => 1 / x);
      await equals(wg, (w) => w.tensor([-3, 0, 5], { dtype: 'int32' }).abs().add(w.tensor([-3, 0, 5], { dtype: 'int32' }).sign()), [3], [2, 0, 6], { dtype: 'int32' });
      await matchesCpu(wg, (w) => w.neg(fill(w, [9, 11], 15)).abs().square().add(1).reciprocal());
    },
  },
  {
    name: 'exp, log, sqrt and rsqrt',
    run: async (wg) => {
      await mapsLike(wg, X, (t) => t.exp(), Math.exp);
      await mapsLike(wg, POSITIVE, (t) => t.log(), Math.log);
      await mapsLike(wg, POSITIVE, (t) => t.sqrt(), Math.sqrt);
      await mapsLike(wg, POSITIVE, (t) => t.rsqrt(), (x) => 1 / Math.sqrt(x));
      await equals(wg, (w) => w.tensor([0, -1]).log(), [2], [-Infinity, NaN]);
      await equals(wg, (w) => w.tensor([4, 9], { dtype: 'int32' }).sqrt(), [2], [2, 3], { dtype: 'float32' });
      await matchesCpu(wg, (w) => w.exp(fill(w, [8, 13], 16).mul(5)).log().add(fill(w, [13], 17).abs().sqrt()));
    },
  },
  {
    name: 'sin and cos',
    run: async (wg) => {
      // WGSL promises sin and cos to an absolute error of 2^-11 on [-π, π] (SwiftShader uses it).
      const tol = { atol: 1e-3 };
      await mapsLike(wg, X, (t) => t.sin(), Math.sin, tol);
      await mapsLike(wg, X, (t) => t.cos(), Math.cos, tol);
      await matchesCpu(wg, (w) => w.sin(fill(w, [7, 9], 18).mul(3)).add(w.cos(fill(w, [7, 9], 19))), tol);
    },
  },
  {
    name: 'floor, ceil and round (half to even)',
    run: async (wg) => {
      const xs = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.2, 0.4, 0.6, 3.7];
      await mapsLike(wg, xs, (t) => t.floor(), Math.floor);
      await mapsLike(wg, xs, (t) => t.ceil(), Math.ceil);
      await equals(wg, (w) => w.tensor(xs).round(), [10], [-2, -2, -0, 0, 2, 2, -1, 0, 1, 4]);
      await equals(wg, (w) => w.tensor([3, -4], { dtype: 'int32' }).floor(), [2], [3, -4], { dtype: 'float32' });
    },
  },
  {
    name: 'relu, sigmoid and tanh',
    run: async (wg) => {
      await mapsLike(wg, X, (t) => t.relu(), (x) => Math.max(x, 0));
      await mapsLike(wg, X, (t) => t.sigmoid(), sigmoid);
      await mapsLike(wg, X, (t) => t.tanh(), Math.tanh);
      await matchesCpu(wg, (w) => w.relu(fill(w, [10, 10], 20)).add(w.sigmoid(fill(w, [10], 21).mul(8))).mul(w.tanh(fill(w, [10, 1], 22).mul(8))));
    },
  },
  {
    name: 'leakyRelu and elu with default and custom alpha',
    run: async (wg) => {
      await mapsLike(wg, X, (t) => t.leakyRelu(), (x) => (x > 0 ? x : 0.01 * x));
      await mapsLike(wg, X, (t) => t.leakyRelu(0.2), (x) => (x > 0 ? x : 0.2 * x));
      await mapsLike(wg, X, (t) => t.elu(), (x) => (x > 0 ? x : Math.expm1(x)));
      await mapsLike(wg, X, (t) => wg.elu(t, 0.5), (x) => (x > 0 ? x : 0.5 * Math.expm1(x)));
      await matchesCpu(wg, (w) => w.leakyRelu(fill(w, [6, 7], 23), 0.3).add(fill(w, [7], 24).mul(4).elu(1.7)));
    },
  },
  {
    name: 'selu, softplus, swish and step',
    run: async (wg) => {
      await mapsLike(wg, X, (t) => t.selu(), (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)));
      await mapsLike(wg, X, (t) => t.softplus(), (x) => Math.log1p(Math.exp(x)));
      await mapsLike(wg, X, (t) => t.swish(), (x) => x * sigmoid(x));
      await mapsLike(wg, X, (t) => t.step(), (x) => (x >= 0 ? 1 : 0));
      await matchesCpu(wg, (w) => w.selu(fill(w, [5, 9], 25).mul(3)).add(w.softplus(fill(w, [9], 26).mul(6))).mul(w.swish(fill(w, [5, 1], 27).mul(6))).add(w.step(fill(w, [5, 9], 28))));
    },
  },
  {
    name: 'gelu exact and with the tanh approximation',
    run: async (wg) => {
      await mapsLike(wg, X, (t) => t.gelu(), gelu);
      await mapsLike(wg, X, (t) => t.gelu({ approximate: 'none' }), gelu);
      await mapsLike(wg, X, (t) => t.gelu({ approximate: 'tanh' }), geluTanh);
      await matchesCpu(wg, (w) => w.gelu(fill(w, [6, 9], 29).mul(4)).add(w.gelu(fill(w, [9], 30).mul(4), { approximate: 'tanh' })));
    },
  },
  {
    name: 'activations stay finite and saturate at |x| = 100',
    run: async (wg) => {
      const tol = { atol: 1e-6, rtol: 1e-5 };
      await mapsLike(wg, FAR, (t) => t.sigmoid(), sigmoid, tol);
      await mapsLike(wg, FAR, (t) => t.tanh(), Math.tanh, tol);
      await mapsLike(wg, FAR, (t) => t.softplus(), (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), tol);
      await mapsLike(wg, FAR, (t) => t.swish(), (x) => x * sigmoid(x), tol);
      await mapsLike(wg, FAR, (t) => t.elu(), (x) => (x > 0 ? x : Math.expm1(x)), tol);
      await mapsLike(wg, FAR, (t) => t.selu(), (x) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)), tol);
      await mapsLike(wg, FAR, (t) => t.gelu(), gelu, tol);
      await mapsLike(wg, FAR, (t) => t.gelu({ approximate: 'tanh' }), geluTanh, tol);
      await mapsLike(wg, FAR, (t) => t.leakyRelu(0.1), (x) => (x > 0 ? x : 0.1 * x), tol);
    },
  },
  {
    name: 'clip to [min, max], boundaries included, for float32 and int32',
    run: async (wg) => {
      await mapsLike(wg, X, (t) => t.clip(-1, 1), (x) => Math.min(Math.max(x, -1), 1));
      await equals(wg, (w) => w.clip(w.tensor([-5, 0, 2, 9], { dtype: 'int32' }), 0, 3), [4], [0, 0, 2, 3], { dtype: 'int32' });
      await matchesCpu(wg, (w) => fill(w, [11, 13], 31).mul(3).clip(-0.5, 2));
    },
  },
  {
    name: 'cast between float32, int32 and bool',
    run: async (wg) => {
      const xs = [-2.7, -1.2, -0.5, 0, 0.5, 1.9, 3];
      await equals(wg, (w) => w.tensor(xs).cast('int32'), [7], [-2, -1, 0, 0, 0, 1, 3], { dtype: 'int32' });
      await equals(wg, (w) => w.tensor(xs).cast('bool'), [7], [1, 1, 1, 0, 1, 1, 1], { dtype: 'bool' });
      await equals(wg, (w) => w.tensor([0, -3, 7], { dtype: 'int32' }).cast('bool'), [3], [0, 1, 1], { dtype: 'bool' });
      await equals(wg, (w) => w.tensor([true, false]).cast('float32').add(0.5), [2], [1.5, 0.5], { dtype: 'float32' });
      await equals(wg, (w) => w.cast(w.tensor([true, false]), 'int32'), [2], [1, 0], { dtype: 'int32' });
      await equals(wg, (w) => w.tensor([-7, 16777217], { dtype: 'int32' }).cast('float32'), [2], [-7, 16777216], { dtype: 'float32' });
      await matchesCpu(wg, (w) => fill(w, [9, 9], 32).mul(10).cast('int32').mul(3).cast('float32').div(7));
    },
  },
];
