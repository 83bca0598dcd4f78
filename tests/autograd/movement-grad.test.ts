// Gradients of movement views, joining, indexing and matmul against finite differences.

import { beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/node';
import { checkGradients, randomShape, rng, uniform } from './gradcheck';

beforeAll(async () => {
  await wg.init({ backend: 'cpu' });
});

describe('movement views', () => {
  for (let run = 0; run < 3; run++) {
    it(`reshape, flatten, transpose, expandDims, squeeze (run ${run})`, async () => {
      const next = rng(500 + run);
      const shape = randomShape(next, 2 + Math.floor(next() * 2));
      const perm = shape.map((_, i) => i).sort(() => next() - 0.5);
      // Multiplying by an iota makes every position's gradient distinct.
      const tag = (t: wg.Tensor) => t.mul(wg.arange(1, t.size + 1).reshape(t.shape));
      await checkGradients((x) => tag(x.reshape([-1])), [uniform(next, shape)]);
      await checkGradients((x) => tag(x.flatten(1)), [uniform(next, shape)]);
      await checkGradients((x) => tag(x.transpose(perm)), [uniform(next, shape)]);
      await checkGradients((x) => tag(x.expandDims(1).squeeze(1)), [uniform(next, shape)]);
    });

    it(`broadcastTo sums the gradient back (run ${run})`, async () => {
      const next = rng(510 + run);
      const shape = randomShape(next, 2);
      await checkGradients((x) => x.broadcastTo([3, ...shape]).mul(wg.arange(1, 3 * shape[0] * shape[1] + 1).reshape([3, ...shape])), [uniform(next, [1, shape[1]])]);
    });

    it(`slice and pad (run ${run})`, async () => {
      const next = rng(520 + run);
      const shape = randomShape(next, 2, 5).map((d) => d + 1);
      const begin = shape.map((d) => Math.floor(next() * (d - 1)));
      const size = shape.map((d, i) => 1 + Math.floor(next() * (d - begin[i])));
      await checkGradients((x) => x.slice(begin, size), [uniform(next, shape)]);
      await checkGradients((x) => x.pad([[1, 0], [2, 1]]), [uniform(next, shape)]);
      await checkGradients((x) => x.pad([[0, 2], [1, 1]], 3.5).exp(), [uniform(next, shape)]);
    });
  }
});

describe('joining and indexing', () => {
  it('concat and stack route each part of the gradient back', async () => {
    const next = rng(530);
    await checkGradients((a, b, c) => wg.concat([a, b, c], 1).square(), [uniform(next, [2, 1]), uniform(next, [2, 3]), uniform(next, [2, 2])]);
    await checkGradients((a, b) => wg.stack([a, b], 1).square(), [uniform(next, [3, 2]), uniform(next, [3, 2])]);
  });

  it('gather adds the gradient of repeated indices', async () => {
    const next = rng(540);
    const idx = wg.tensor([2, 0, 2, 3], { dtype: 'int32' });
    await checkGradients((x) => x.gather(idx, 0).square(), [uniform(next, [4, 3])]);
    await checkGradients((x) => x.gather(wg.tensor([[1, 1], [0, 2]], { dtype: 'int32' }), 1).square(), [uniform(next, [2, 3, 2])]);
  });

  it('gather: lazily computed out-of-range indices are an ArgumentError once the loss they feed is computed', async () => {
    const x = wg.tensor([1, 2, 3], { requiresGrad: true });
    x.gather(wg.tensor([0, 7, 0], { dtype: 'int32' }).add(0)).sum().backward();
    await expect(x.grad!.array()).rejects.toThrow(/gather: index 7 is out of range for an axis of size 3/);
  });
});

describe('matmul', () => {
  it('2-D', async () => {
    const next = rng(550);
    await checkGradients((a, b) => a.matmul(b), [uniform(next, [3, 4]), uniform(next, [4, 2])]);
  });

  it('batched with broadcasting batch axes (gradients summed over the broadcast)', async () => {
    const next = rng(551);
    await checkGradients((a, b) => a.matmul(b), [uniform(next, [2, 3, 4]), uniform(next, [4, 2])]);
    await checkGradients((a, b) => a.matmul(b), [uniform(next, [2, 1, 2, 3]), uniform(next, [3, 3, 2])]);
  });

  it('with transposed operands', async () => {
    const next = rng(552);
    await checkGradients((a, b) => a.transpose().matmul(b.transpose()), [uniform(next, [4, 3]), uniform(next, [2, 4])]);
  });

  it('a two-layer MLP with bias, ReLU and mean squared error', async () => {
    const next = rng(553);
    const x = wg.tensor(uniform(next, [4, 3]).values, { shape: [4, 3] });
    const mlp = (w1: wg.Tensor, b1: wg.Tensor, w2: wg.Tensor) => x.matmul(w1).add(b1).relu().matmul(w2).square().mean();
    await checkGradients(mlp, [uniform(next, [3, 5]), uniform(next, [5], { lo: 0.5, hi: 1 }), uniform(next, [5, 2])]);
  });
});
