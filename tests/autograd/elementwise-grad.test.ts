// Gradients of the elementwise ops against central finite differences on random shapes, and
// their values at kinks and ties as PyTorch defines them.

import { beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/node';
import { broadcastPartner, checkGradients, input, randomShape, rng, uniform } from './gradcheck';

beforeAll(async () => {
  await wg.init({ backend: 'cpu' });
});

type Unary = (x: wg.Tensor) => wg.Tensor;

/** Each unary op with the input range where it is smooth and the kinks to keep away from. */
const UNARY_CASES: [string, Unary, { lo?: number; hi?: number; avoid?: number[] }][] = [
  ['neg', (x) => x.neg(), {}],
  ['abs', (x) => x.abs(), { avoid: [0] }],
  ['square', (x) => x.square(), {}],
  ['relu', (x) => x.relu(), { avoid: [0] }],
  ['exp', (x) => x.exp(), {}],
  ['log', (x) => x.log(), { lo: 0.3, hi: 3 }],
  ['sqrt', (x) => x.sqrt(), { lo: 0.3, hi: 3 }],
  ['rsqrt', (x) => x.rsqrt(), { lo: 0.5, hi: 3 }],
  ['reciprocal', (x) => x.reciprocal(), { lo: 0.5, hi: 3 }],
  ['sin', (x) => x.sin(), {}],
  ['cos', (x) => x.cos(), {}],
  ['sigmoid', (x) => x.sigmoid(), { lo: -4, hi: 4 }],
  ['tanh', (x) => x.tanh(), {}],
  ['leakyRelu', (x) => x.leakyRelu(0.2), { avoid: [0] }],
  ['elu', (x) => x.elu(0.7), { avoid: [0] }],
  ['selu', (x) => x.selu(), { avoid: [0] }],
  ['gelu', (x) => x.gelu(), { lo: -3, hi: 3 }],
  ['gelu tanh', (x) => x.gelu({ approximate: 'tanh' }), { lo: -3, hi: 3 }],
  ['softplus', (x) => x.softplus(), { lo: -4, hi: 4 }],
  ['swish', (x) => x.swish(), { lo: -4, hi: 4 }],
  ['clip', (x) => x.clip(-0.5, 1), { avoid: [-0.5, 1] }],
  ['cast to float32', (x) => x.cast('float32').mul(x), {}],
];

describe('unary gradients match finite differences', () => {
  UNARY_CASES.forEach(([name, f, range], k) => {
    it(name, async () => {
      const next = rng(100 + k);
      const shape = randomShape(next, 1 + Math.floor(next() * 3));
      await checkGradients(f, [uniform(next, shape, range)]);
    });
  });

  it('piecewise-constant ops (floor, ceil, round, sign, step) have zero gradient', async () => {
    const x = wg.tensor([-1.7, -0.2, 0.4, 2.5], { requiresGrad: true });
    x.floor().add(x.ceil()).add(x.round()).add(x.sign()).add(x.step()).sum().backward();
    expect(await x.grad!.array()).toEqual([0, 0, 0, 0]);
  });
});

type Binary = (a: wg.Tensor, b: wg.Tensor) => wg.Tensor;

const BINARY_CASES: [string, Binary, { lo?: number; hi?: number }, { lo?: number; hi?: number }][] = [
  ['add', (a, b) => a.add(b), {}, {}],
  ['sub', (a, b) => a.sub(b), {}, {}],
  ['mul', (a, b) => a.mul(b), {}, {}],
  ['div', (a, b) => a.div(b), {}, { lo: 0.5, hi: 2 }],
  ['pow', (a, b) => a.pow(b), { lo: 0.5, hi: 2 }, { lo: -1.5, hi: 1.5 }],
  ['where', (a, b) => wg.where(a.greater(0.3), a, b), {}, {}],
];

describe('binary gradients match finite differences, broadcasting included', () => {
  BINARY_CASES.forEach(([name, f, ra, rb], k) => {
    for (let run = 0; run < 3; run++) {
      it(`${name} (random shapes, run ${run})`, async () => {
        const next = rng(200 + 10 * k + run);
        const shape = randomShape(next, 1 + Math.floor(next() * 3));
        const other = broadcastPartner(next, shape);
        const [sa, sb] = run === 1 ? [other, shape] : [shape, other];
        await checkGradients(f, [uniform(next, sa, { ...ra, avoid: [0.3] }), uniform(next, sb, rb)]);
      });
    }
  });

  it('maximum and minimum away from ties', async () => {
    const next = rng(300);
    const a = uniform(next, [3, 4]);
    const b = { shape: [4], values: Float32Array.from([-1.5, 0.1, 0.9, 1.7]) };
    const apart = { shape: a.shape, values: a.values.map((v, i) => (Math.abs(v - b.values[i % 4]) < 0.05 ? v + 0.1 : v)) };
    await checkGradients((x, y) => x.maximum(y), [apart, b]);
    await checkGradients((x, y) => x.minimum(y), [apart, b]);
  });

  it('a plain number operand takes no gradient and the tensor gets its share', async () => {
    await checkGradients((x) => x.mul(3).sub(1).div(2).pow(2), [input([3], [0.5, -1, 2])]);
  });
});

describe('kinks and ties as PyTorch', () => {
  const gradAt = async (f: Unary, values: number[]) => {
    const x = wg.tensor(values, { requiresGrad: true });
    f(x).sum().backward();
    return x.grad!.array();
  };

  it('relu and abs have gradient 0 at 0', async () => {
    expect(await gradAt((x) => x.relu(), [-1, 0, 2])).toEqual([0, 0, 1]);
    expect(await gradAt((x) => x.abs(), [-1, 0, 2])).toEqual([-1, 0, 1]);
  });

  it('leakyRelu and elu take the negative branch at 0', async () => {
    expect(await gradAt((x) => x.leakyRelu(0.1), [-1, 0, 2])).toEqual([0.1, 0.1, 1].map(Math.fround));
    const elu = (await gradAt((x) => x.elu(0.5), [0])) as number[];
    expect(elu[0]).toBeCloseTo(0.5, 6);
  });

  it('clip passes the gradient on [min, max], boundaries included', async () => {
    expect(await gradAt((x) => x.clip(-1, 1), [-2, -1, 0, 1, 2])).toEqual([0, 1, 1, 1, 0]);
  });

  it('maximum and minimum split ties equally', async () => {
    const a = wg.tensor([1, 2, 3], { requiresGrad: true });
    const b = wg.tensor([1, 5, 0], { requiresGrad: true });
    a.maximum(b).add(a.minimum(b).mul(10)).sum().backward();
    expect(await a.grad!.array()).toEqual([5.5, 10, 1]);
    expect(await b.grad!.array()).toEqual([5.5, 1, 10]);
  });

  it('pow at base 0: d/da is finite for exponents ≥ 1 and d/db is 0 (no log(0))', async () => {
    const a = wg.tensor([0, 0, 2], { requiresGrad: true });
    const b = wg.tensor([2, 0, 3], { requiresGrad: true });
    a.pow(b).sum().backward();
    expect(await a.grad!.array()).toEqual([0, 0, 12]);
    const db = (await b.grad!.data()) as Float32Array;
    expect([db[0], db[1]]).toEqual([0, 0]);
    expect(db[2]).toBeCloseTo(8 * Math.log(2), 5);
  });

  it('sigmoid, softplus and tanh gradients stay finite for |x| ≥ 100', async () => {
    const g = (await gradAt((x) => x.sigmoid().add(x.softplus()).add(x.tanh()), [-120, 120])) as number[];
    expect(g[0]).toBeCloseTo(0, 6);
    expect(g[1]).toBeCloseTo(1, 6);
  });
});
