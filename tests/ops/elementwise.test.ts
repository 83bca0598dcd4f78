// Elementwise ops (API.md "elementwise unary/binary", activations, comparisons, where, clip,
// cast) on both backends against independent references; dtype promotion; broadcasting and
// scalars; numerical stability at large |x|; NaN and ±Inf produced deliberately.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { checkBoth, expectNoGpuErrors, initBoth, seeded, tabulate, wg } from '../helpers';
import type { Tensor } from '../../src/node';
import { erf } from '../reference';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

const f32 = Math.fround;
// 130 values: more than two workgroups of 64, with halves (rounding) and zero included.
const XS = [...seeded(120, 7, -3, 3), 0, 0.5, -0.5, 1.5, 2.5, -2.5, 1, -1, 3, -3];
const POS = seeded(130, 8, 0.01, 5);

const sig = (x: number) => 1 / (1 + Math.exp(-x));
const SELU_A = 1.6732632423543772;
const SELU_S = 1.0507009873554805;
const halfEven = (x: number) => {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
};

type Unary = (t: Tensor) => Tensor;
// WGSL only promises sin and cos to an absolute 2^-11 on [-π, π]; SwiftShader uses that room.
const TRIG = { atol: 5e-4 };
const UNARY: [string, Unary, (x: number) => number, number[], { rtol?: number; atol?: number }?][] = [
  ['neg', wg.neg, (x) => -x, XS],
  ['abs', wg.abs, Math.abs, XS],
  ['sign', wg.sign, Math.sign, XS],
  ['exp', wg.exp, Math.exp, XS],
  ['log', wg.log, Math.log, POS],
  ['sqrt', wg.sqrt, Math.sqrt, POS],
  ['rsqrt', wg.rsqrt, (x) => 1 / Math.sqrt(x), POS],
  ['square', wg.square, (x) => x * x, XS],
  ['reciprocal', wg.reciprocal, (x) => 1 / x, POS],
  ['sin', wg.sin, Math.sin, XS, TRIG],
  ['cos', wg.cos, Math.cos, XS, TRIG],
  ['floor', wg.floor, Math.floor, XS],
  ['ceil', wg.ceil, Math.ceil, XS],
  ['round (half to even)', wg.round, halfEven, XS],
  ['relu', wg.relu, (x) => Math.max(x, 0), XS],
  ['sigmoid', wg.sigmoid, sig, XS],
  ['tanh', wg.tanh, Math.tanh, XS],
  ['leakyRelu (default alpha 0.01)', (t) => wg.leakyRelu(t), (x) => (x > 0 ? x : 0.01 * x), XS],
  ['leakyRelu(0.2)', (t) => t.leakyRelu(0.2), (x) => (x > 0 ? x : 0.2 * x), XS],
  ['elu (default alpha 1)', (t) => wg.elu(t), (x) => (x > 0 ? x : Math.exp(x) - 1), XS],
  ['elu(0.5)', (t) => t.elu(0.5), (x) => (x > 0 ? x : 0.5 * (Math.exp(x) - 1)), XS],
  ['selu', wg.selu, (x) => SELU_S * (x > 0 ? x : SELU_A * (Math.exp(x) - 1)), XS],
  ['gelu (exact)', (t) => wg.gelu(t), (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), XS],
  [
    'gelu (tanh approximation)',
    (t) => t.gelu({ approximate: 'tanh' }),
    (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
    XS,
  ],
  ['softplus', wg.softplus, (x) => Math.log(1 + Math.exp(x)), XS],
  ['swish', wg.swish, (x) => x * sig(x), XS],
  ['step', wg.step, (x) => (x >= 0 ? 1 : 0), XS],
];

describe('unary ops and activations', () => {
  for (const [name, op, ref, xs, tol] of UNARY) {
    test(`${name} matches its definition on both backends`, async () => {
      await checkBoth(() => op(wg.tensor(xs)), xs.map(ref), tol ?? { rtol: 2e-5, atol: 2e-6 });
    });
  }

  test('methods and functions are the same op', async () => {
    const x = wg.tensor([[-1.5, 0.25], [2, -3]]);
    const pairs: [Tensor, Tensor][] = [
      [x.exp(), wg.exp(x)],
      [x.relu(), wg.relu(x)],
      [x.sigmoid(), wg.sigmoid(x)],
      [x.clip(-1, 1), wg.clip(x, -1, 1)],
      [x.add(2), wg.add(x, 2)],
    ];
    for (const [m, f] of pairs) expect(await m.data()).toEqual(await f.data());
  });

  test('integer inputs keep int32 for neg abs sign square relu and become float32 for exp', async () => {
    const ints = [-3, -1, 0, 2, 7];
    const ops: [Unary, string, (x: number) => number][] = [
      [wg.neg, 'int32', (x) => -x],
      [wg.abs, 'int32', Math.abs],
      [wg.sign, 'int32', Math.sign],
      [wg.square, 'int32', (x) => x * x],
      [wg.relu, 'int32', (x) => Math.max(0, x)],
      [wg.exp, 'float32', Math.exp],
      [wg.floor, 'float32', (x) => x],
    ];
    for (const [op, dtype, ref] of ops) {
      const r = await checkBoth(() => op(wg.tensor(ints, { dtype: 'int32' })), ints.map(ref), { rtol: 1e-6 });
      expect(r.dtype).toBe(dtype);
    }
  });
});

describe('stability at large magnitudes', () => {
  const big = [-1000, -100, -30, 30, 100, 1000];

  test('sigmoid saturates to 0 and 1 without NaN', async () => {
    await checkBoth(() => wg.tensor(big).sigmoid(), [0, 0, f32(sig(-30)), 1, 1, 1], { atol: 1e-12, rtol: 1e-4 });
  });

  test('softplus is 0 far left and x far right', async () => {
    await checkBoth(() => wg.tensor(big).softplus(), [0, 0, Math.exp(-30), 30, 100, 1000], { atol: 1e-12, rtol: 1e-5 });
  });

  test('tanh saturates to ±1', async () => {
    await checkBoth(() => wg.tensor(big).tanh(), [-1, -1, -1, 1, 1, 1]);
  });

  test('swish, gelu, elu and selu stay finite', async () => {
    await checkBoth(() => wg.tensor(big).swish(), [0, 0, -30 * sig(-30), 30, 100, 1000], { atol: 1e-10, rtol: 1e-5 });
    await checkBoth(() => wg.tensor(big).gelu(), [0, 0, 0, 30, 100, 1000], { atol: 1e-10 });
    await checkBoth(() => wg.tensor(big).gelu({ approximate: 'tanh' }), [0, 0, 0, 30, 100, 1000], { atol: 1e-10 });
    await checkBoth(() => wg.tensor(big).elu(), [-1, -1, Math.expm1(-30), 30, 100, 1000]);
    await checkBoth(() => wg.tensor(big).selu(), big.map((x) => SELU_S * (x > 0 ? x : SELU_A * Math.expm1(x))), { rtol: 1e-6 });
  });
});

describe('non-finite values, produced deliberately', () => {
  test('log(0) is -Infinity and log of a negative is NaN', async () => {
    await checkBoth(() => wg.tensor([0, -1, 1]).log(), [-Infinity, NaN, 0]);
  });

  test('division by zero gives ±Infinity and 0/0 gives NaN', async () => {
    await checkBoth(() => wg.tensor([1, -1, 0]).div(wg.tensor([0, 0, 0])), [Infinity, -Infinity, NaN]);
  });

  test('exp overflows to Infinity and underflows to 0', async () => {
    await checkBoth(() => wg.tensor([1000, -1000]).exp(), [Infinity, 0]);
  });

  test('sqrt of a negative is NaN, NaN propagates through arithmetic', async () => {
    await checkBoth(() => wg.tensor([-1, 4]).sqrt().add(1).mul(2), [NaN, 6]);
  });

  test('Infinity minus Infinity is NaN', async () => {
    await checkBoth(() => wg.tensor([Infinity, Infinity, -Infinity]).sub(wg.tensor([Infinity, 1, 1])), [NaN, Infinity, -Infinity]);
  });

  test('non-finite scalars are usable as operands', async () => {
    await checkBoth(() => wg.tensor([1, -2]).add(Infinity), [Infinity, Infinity]);
    await checkBoth(() => wg.tensor([1, -2]).mul(-Infinity), [-Infinity, Infinity]);
    await checkBoth(() => wg.tensor([1, -2]).add(NaN), [NaN, NaN]);
  });

  test('NaN is unequal to everything, itself included', async () => {
    await checkBoth(() => wg.tensor([NaN, NaN, 1]).notEqual(wg.tensor([NaN, 1, 1])), [1, 1, 0]);
    await checkBoth(() => wg.tensor([NaN, NaN, 1]).equal(wg.tensor([NaN, 1, 1])), [0, 0, 1]);
  });

  test('relu keeps NaN (as PyTorch) and zeroes only negatives', async () => {
    await checkBoth(() => wg.tensor([NaN, -2, 0, 3]).relu(), [NaN, 0, 0, 3]);
  });

  test('sign of NaN is NaN', async () => {
    await checkBoth(() => wg.tensor([NaN, -2, 0, 3]).sign(), [NaN, -1, 0, 1]);
  });

  test('casts of NaN and out-of-range floats agree on both backends', async () => {
    await checkBoth(() => wg.tensor([NaN, 0, -0]).cast('bool'), [1, 0, 0]);
    await checkBoth(() => wg.tensor([NaN, 3e9, -3e9, Infinity, -Infinity, 2147483520]).cast('int32'), [0, 2147483647, -2147483648, 2147483647, -2147483648, 2147483520]);
  });

  test('comparisons with Infinity', async () => {
    await checkBoth(() => wg.tensor([Infinity, -Infinity, 3]).less(Infinity), [0, 1, 1]);
  });
});

describe('binary ops', () => {
  const A = seeded(60, 11, -4, 4);
  const B = seeded(60, 12, -4, 4).map((v) => (Math.abs(v) < 0.1 ? 0.5 : v));
  const BIN: [string, (a: Tensor, b: Tensor) => Tensor, (a: number, b: number) => number][] = [
    ['add', wg.add, (a, b) => a + b],
    ['sub', wg.sub, (a, b) => a - b],
    ['mul', wg.mul, (a, b) => a * b],
    ['div', wg.div, (a, b) => a / b],
    ['maximum', wg.maximum, Math.max],
    ['minimum', wg.minimum, Math.min],
  ];
  for (const [name, op, ref] of BIN) {
    test(`${name} of equal shapes`, async () => {
      await checkBoth(() => op(wg.tensor(A, { shape: [6, 10] }), wg.tensor(B, { shape: [6, 10] })), A.map((a, i) => ref(a, B[i])), { rtol: 1e-6 });
    });
  }

  test('pow: positive bases, negative bases with integral exponents, zero', async () => {
    const a = [2, 3, 0.5, -2, -2, -2, 0, 0, 1.5, -3];
    const b = [3, -2, 0.5, 3, 2, 0.5, 0, -1, 2.5, 0];
    await checkBoth(() => wg.pow(wg.tensor(a), wg.tensor(b)), [8, 1 / 9, Math.SQRT1_2, -8, 4, NaN, 1, Infinity, 1.5 ** 2.5, 1], { rtol: 1e-5 });
  });

  test('pow of int32 tensors stays int32', async () => {
    const r = await checkBoth(() => wg.tensor([2, -3, 5], { dtype: 'int32' }).pow(wg.tensor([3, 3, 0], { dtype: 'int32' })), [8, -27, 1]);
    expect(r.dtype).toBe('int32');
  });

  test('broadcasting [3,1,4] with [5,1] gives [3,5,4]', async () => {
    const a = seeded(12, 21);
    const b = seeded(5, 22);
    const r = await checkBoth(
      () => wg.tensor(a, { shape: [3, 1, 4] }).sub(wg.tensor(b, { shape: [5, 1] })),
      tabulate([3, 5, 4], ([i, j, k]) => a[i * 4 + k] - b[j]),
    );
    expect(r.shape).toEqual([3, 5, 4]);
  });

  test('broadcasting a row against a column', async () => {
    const r = await checkBoth(() => wg.tensor([[1], [2], [3]]).mul(wg.tensor([10, 20])), [10, 20, 20, 40, 30, 60]);
    expect(r.shape).toEqual([3, 2]);
  });

  test('a rank-0 tensor broadcasts against anything', async () => {
    await checkBoth(() => wg.tensor(2).mul(wg.tensor([[1, 2], [3, 4]])), [2, 4, 6, 8]);
  });

  test('plain numbers on either side are scalars', async () => {
    const x = [1, 2, 4];
    await checkBoth(() => wg.tensor(x).sub(1), [0, 1, 3]);
    await checkBoth(() => wg.sub(1, wg.tensor(x)), [0, -1, -3]);
    await checkBoth(() => wg.div(1, wg.tensor(x)), [1, 0.5, 0.25]);
    await checkBoth(() => wg.pow(wg.tensor(x), 2), [1, 4, 16]);
    await checkBoth(() => wg.pow(2, wg.tensor(x)), [2, 4, 16]);
  });

  test('more than 65535 × 64 elements (a two-dimensional grid of workgroups)', async () => {
    const n = 4_200_000;
    const r = await checkBoth(() => wg.arange(n).mul(2).add(1));
    expect([r.data[0], r.data[1], r.data[n - 1]]).toEqual([1, 3, 2 * (n - 1) + 1]);
  });

  test('a zero-size tensor gives a zero-size result', async () => {
    const r = await checkBoth(() => wg.zeros([0, 3]).add(wg.ones([1, 3])), []);
    expect(r.shape).toEqual([0, 3]);
  });
});

describe('dtype promotion (as PyTorch)', () => {
  const i32 = (v: number[]) => wg.tensor(v, { dtype: 'int32' });
  const bool = (v: boolean[]) => wg.tensor(v);
  const cases: [string, () => Tensor, string, number[]][] = [
    ['int32 + int32 → int32', () => i32([1, 2]).add(i32([3, 4])), 'int32', [4, 6]],
    ['int32 + float32 → float32', () => i32([1, 2]).add(wg.tensor([0.5, 0.25])), 'float32', [1.5, 2.25]],
    ['int32 + integer number → int32', () => i32([1, 2]).add(3), 'int32', [4, 5]],
    ['int32 + fractional number → float32', () => i32([1, 2]).add(0.5), 'float32', [1.5, 2.5]],
    ['float32 + integer number → float32', () => wg.tensor([1.5]).add(1), 'float32', [2.5]],
    ['int32 / int32 → float32 (true division)', () => i32([7, -7]).div(i32([2, 2])), 'float32', [3.5, -3.5]],
    ['bool + bool → int32', () => bool([true, true, false]).add(bool([true, false, false])), 'int32', [2, 1, 0]],
    ['bool + int32 → int32', () => bool([true, false]).add(i32([5, 5])), 'int32', [6, 5]],
    ['bool × float32 → float32', () => bool([true, false]).mul(wg.tensor([2.5, 2.5])), 'float32', [2.5, 0]],
    ['int32 × int32 wraps like int32', () => i32([65536]).mul(i32([65536])), 'int32', [0]],
    ['int32 - int32 can go negative', () => i32([1]).sub(i32([3])), 'int32', [-2]],
    ['maximum of int32 stays int32', () => i32([1, 9]).maximum(i32([5, 2])), 'int32', [5, 9]],
  ];
  for (const [name, build, dtype, expected] of cases) {
    test(name, async () => {
      const r = await checkBoth(build, expected);
      expect(r.dtype).toBe(dtype);
    });
  }
});

describe('comparisons and where', () => {
  const a = [1, 2, 3, 4, -1];
  const b = [1, 3, 2, 4, 0];
  const CMP: [string, (x: Tensor, y: Tensor) => Tensor, (x: number, y: number) => boolean][] = [
    ['equal', wg.equal, (x, y) => x === y],
    ['notEqual', wg.notEqual, (x, y) => x !== y],
    ['greater', wg.greater, (x, y) => x > y],
    ['greaterEqual', wg.greaterEqual, (x, y) => x >= y],
    ['less', wg.less, (x, y) => x < y],
    ['lessEqual', wg.lessEqual, (x, y) => x <= y],
  ];
  for (const [name, op, ref] of CMP) {
    test(`${name} returns bool`, async () => {
      const expected = a.map((x, i) => (ref(x, b[i]) ? 1 : 0));
      const r = await checkBoth(() => op(wg.tensor(a), wg.tensor(b)), expected);
      expect(r.dtype).toBe('bool');
      const ri = await checkBoth(() => op(wg.tensor(a, { dtype: 'int32' }), wg.tensor(b, { dtype: 'int32' })), expected);
      expect(ri.dtype).toBe('bool');
    });
  }

  test('comparing with a scalar broadcasts', async () => {
    await checkBoth(() => wg.tensor([[1, 5], [3, 2]]).greater(2), [0, 1, 1, 0]);
  });

  test('equal on bool tensors', async () => {
    const r = await checkBoth(() => wg.tensor([true, false, true]).equal(wg.tensor([true, true, false])), [1, 0, 0]);
    expect(r.dtype).toBe('bool');
  });

  test('array() returns booleans for bool tensors', async () => {
    expect(await wg.tensor([1, 2, 3]).greater(1.5).array()).toEqual([false, true, true]);
  });

  test('where picks from a where the condition holds, with broadcasting', async () => {
    const cond = [[true], [false]];
    const r = await checkBoth(() => wg.where(wg.tensor(cond), wg.tensor([1, 2, 3]), wg.tensor([[10], [20]])), [1, 2, 3, 20, 20, 20]);
    expect(r.shape).toEqual([2, 3]);
  });

  test('where with scalar branches and a computed condition', async () => {
    const x = [-2, -1, 0, 1, 2];
    await checkBoth(() => wg.where(wg.tensor(x).greater(0), 1, -1), x.map((v) => (v > 0 ? 1 : -1)));
  });

  test('Tensor.where is PyTorch-style: this where cond, else other', async () => {
    await checkBoth(() => wg.tensor([1, 2, 3]).where(wg.tensor([true, false, true]), 0), [1, 0, 3]);
  });

  test('where promotes int32 and float32 branches', async () => {
    const r = await checkBoth(() => wg.where(wg.tensor([true, false]), wg.tensor([1, 2], { dtype: 'int32' }), wg.tensor([0.5, 0.5])), [1, 0.5]);
    expect(r.dtype).toBe('float32');
  });
});

describe('clip and cast', () => {
  test('clip bounds values to [min, max]', async () => {
    await checkBoth(() => wg.tensor(XS).clip(-0.5, 0.5), XS.map((x) => Math.min(0.5, Math.max(-0.5, x))));
  });

  test('clip of an int32 tensor with integer bounds stays int32', async () => {
    const r = await checkBoth(() => wg.tensor([-5, 0, 5], { dtype: 'int32' }).clip(-2, 2), [-2, 0, 2]);
    expect(r.dtype).toBe('int32');
  });

  test('cast float32 → int32 truncates toward zero', async () => {
    const r = await checkBoth(() => wg.tensor([-1.7, -0.5, 0.5, 1.7, 2]).cast('int32'), [-1, 0, 0, 1, 2]);
    expect(r.dtype).toBe('int32');
  });

  test('cast float32 → bool is x ≠ 0', async () => {
    const r = await checkBoth(() => wg.tensor([0, -0.5, 3]).cast('bool'), [0, 1, 1]);
    expect(r.dtype).toBe('bool');
  });

  test('cast bool → float32 and bool → int32', async () => {
    expect((await checkBoth(() => wg.tensor([true, false]).cast('float32'), [1, 0])).dtype).toBe('float32');
    expect((await checkBoth(() => wg.tensor([true, false]).cast('int32'), [1, 0])).dtype).toBe('int32');
  });

  test('cast int32 → float32 and int32 → bool', async () => {
    expect((await checkBoth(() => wg.tensor([-3, 0, 7], { dtype: 'int32' }).cast('float32'), [-3, 0, 7])).dtype).toBe('float32');
    expect((await checkBoth(() => wg.tensor([-3, 0, 7], { dtype: 'int32' }).cast('bool'), [1, 0, 1])).dtype).toBe('bool');
  });

  test('cast to the same dtype is the same tensor', () => {
    const x = wg.tensor([1, 2]);
    expect(x.cast('float32')).toBe(x);
  });
});

describe('fused chains of many ops', () => {
  test('a long chain mixing unary, binary, comparisons and casts', async () => {
    const x = seeded(100, 31, -2, 2);
    const ref = x.map((v) => {
      const a = Math.tanh(v * 2 + 1);
      const b = (a > 0 ? 1 : 0) + Math.exp(-Math.abs(v));
      return Math.sqrt(b * b + 1) - 1 / (1 + v * v);
    });
    await checkBoth(() => {
      const t = wg.tensor(x);
      const a = t.mul(2).add(1).tanh();
      const b = a.greater(0).cast('float32').add(t.abs().neg().exp());
      return b.square().add(1).sqrt().sub(t.square().add(1).reciprocal());
    }, ref, { rtol: 1e-5, atol: 1e-6 });
  });

  test('the same input used many times in one expression', async () => {
    const x = seeded(10, 32);
    await checkBoth(() => {
      const t = wg.tensor(x);
      return t.mul(t).add(t).mul(t.sub(1));
    }, x.map((v) => (v * v + v) * (v - 1)));
  });
});
