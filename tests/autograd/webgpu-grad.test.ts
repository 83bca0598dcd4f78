// Gradients computed on WebGPU equal those of the CPU backend, for every kind of VJP rule:
// elementwise with broadcasting, kinks, reductions, softmax, views, joins, gather, matmul.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/node';
import { uncapturedErrors } from '../../src/backend/webgpu/device';
import { checkGpuMatchesCpu, distinct, input, rng, uniform } from './gradcheck';

beforeAll(async () => {
  await wg.init({ backend: 'webgpu' });
});

afterAll(() => {
  expect(uncapturedErrors).toEqual([]);
});

type Fn = (...xs: wg.Tensor[]) => wg.Tensor;

const CASES: [string, Fn, (next: () => number) => ReturnType<typeof uniform>[]][] = [
  [
    'unary activations',
    (x) => x.relu().add(x.sigmoid()).add(x.tanh()).add(x.gelu()).add(x.gelu({ approximate: 'tanh' })).add(x.elu()).add(x.selu()).add(x.softplus()).add(x.swish()).add(x.leakyRelu()),
    (next) => [uniform(next, [3, 5], { avoid: [0] })],
  ],
  ['unary math', (x) => x.abs().add(1).log().add(x.exp()).add(x.sin().mul(x.cos())).add(x.square().add(1).rsqrt()).add(x.clip(-1, 1)), (next) => [uniform(next, [4, 4])]],
  ['kinks at exactly 0, -1 and 1', (x) => x.relu().add(x.abs()).add(x.clip(-1, 1)), () => [input([5], [-1, 0, 1, 2, -2])]],
  ['binary ops with broadcasting', (a, b) => a.mul(b).sub(a.div(b)).add(a.pow(2)).maximum(b.neg()), (next) => [uniform(next, [2, 3, 4]), uniform(next, [3, 1], { lo: 0.5, hi: 2 })]],
  ['where', (a, b) => wg.where(a.greater(0), a, b.mul(2)), (next) => [uniform(next, [3, 4]), uniform(next, [4])]],
  ['sum, mean, max, min, prod', (x) => x.sum(1).add(x.mean(1)).add(x.max(1)).add(x.min(1)).add(x.prod(1)), (next) => [distinct(next, [3, 5], 0.05)]],
  ['variance and logSumExp', (x) => x.variance(0).add(x.logSumExp(0)), (next) => [uniform(next, [6, 3])]],
  ['softmax and logSoftmax', (x) => x.softmax().add(x.logSoftmax(0)), (next) => [uniform(next, [4, 6])]],
  ['views, pad, slice, concat', (a, b) => wg.concat([a.transpose().pad([[1, 0], [0, 2]]), b.slice([0, 1], [3, 4])], 1).square(), (next) => [uniform(next, [3, 2]), uniform(next, [3, 6])]],
  ['gather', (x) => x.gather(wg.tensor([3, 0, 3, 1], { dtype: 'int32' }), 1).exp(), (next) => [uniform(next, [2, 4, 3])]],
  ['batched matmul', (a, b) => a.matmul(b).tanh(), (next) => [uniform(next, [2, 5, 7]), uniform(next, [7, 3])]],
];

describe('WebGPU gradients equal CPU gradients', () => {
  CASES.forEach(([name, f, make], k) => {
    it(name, async () => {
      const inputs = make(rng(600 + k));
      const cpu = await checkGpuMatchesCpu(f, inputs);
      expect(cpu.some((g) => g.some((v) => v !== 0))).toBe(true);
    });
  });
});
