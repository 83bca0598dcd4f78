// DESIGN.md invariants 1 (lazy), 2 (fused) and 5 (one submit), measured through wg.stats(), and
// wg.explain's one-line-per-kernel output. Logs the dispatch counts of representative
// expressions so regressions in fusion show up as numbers.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { countWork, expectNoGpuErrors, randomTensor, useBackend, wg } from '../helpers';

beforeAll(async () => {
  await wg.init({ backend: 'webgpu' });
});
afterEach(expectNoGpuErrors);

describe('invariant 1: lazy', () => {
  test('creating tensors and applying ops does no GPU work before a readback', async () => {
    await useBackend('webgpu');
    wg.resetStats();
    const a = wg.tensor([[1, 2], [3, 4]]);
    const b = wg.randn([2, 2], { seed: 1 });
    const c = wg.ones([2, 2]);
    const y = a.add(b).mul(c).relu().sum(1).softmax().reshape([1, 2]).transpose().matmul(wg.eye(1).add(c.slice([0, 0], [1, 1])));
    expect(wg.stats()).toMatchObject({ realizes: 0, dispatches: 0, submits: 0, bytesUploaded: 0, bytesRead: 0 });
    await y.data();
    const s = wg.stats();
    expect(s.realizes).toBe(1);
    expect(s.dispatches).toBeGreaterThan(0);
  });

  test('explain computes nothing', async () => {
    const y = randomTensor([4, 4], 1).exp().sum(0);
    wg.resetStats();
    wg.explain(y);
    expect(wg.stats()).toMatchObject({ realizes: 0, dispatches: 0, submits: 0 });
  });
});

describe('invariant 2: fused', () => {
  test('a.add(b).mul(c).relu() is one dispatch and one submit', async () => {
    const [a, b, c] = [1, 2, 3].map((s) => randomTensor([8, 16], s));
    const y = a.add(b).mul(c).relu();
    const work = await countWork(() => wg.realize(y));
    expect(work).toEqual({ dispatches: 1, submits: 1, realizes: 1 });
  });

  test('x.sub(1).exp().sum(1) is one dispatch', async () => {
    const y = randomTensor([8, 16], 4).sub(1).exp().sum(1);
    expect((await countWork(() => wg.realize(y))).dispatches).toBe(1);
  });

  test('an elementwise epilogue after a reduction joins its kernel', async () => {
    const y = randomTensor([8, 16], 5).abs().max(1).sqrt().mul(2);
    expect((await countWork(() => wg.realize(y))).dispatches).toBe(1);
  });

  test('a long elementwise chain with broadcasts and scalars is still one dispatch', async () => {
    const x = randomTensor([4, 1, 6], 6);
    const z = randomTensor([5, 1], 7);
    let y = x.add(z);
    for (let i = 0; i < 20; i++) y = y.mul(0.9).add(i % 3).tanh();
    expect((await countWork(() => wg.realize(y))).dispatches).toBe(1);
  });

  test('realizing a realized tensor does nothing', async () => {
    const y = randomTensor([3], 8).exp();
    wg.realize(y);
    expect(await countWork(() => wg.realize(y))).toEqual({ dispatches: 0, submits: 0, realizes: 0 });
  });

  test('reading back a realized tensor dispatches nothing', async () => {
    const y = randomTensor([3], 9).exp();
    wg.realize(y);
    const work = await countWork(() => y.data());
    expect(work.dispatches).toBe(0);
  });
});

describe('invariant 5: one submit per realize', () => {
  test('several kernels in one realize share one submit', async () => {
    const x = randomTensor([16, 8], 10);
    const w = randomTensor([8, 4], 11);
    const h = x.matmul(w).relu();
    const y = h.sub(h.max(1, true)).exp().sum().add(x.variance());
    const work = await countWork(() => wg.realize(y));
    expect(work.dispatches).toBeGreaterThan(1);
    expect(work.submits).toBe(1);
    expect(work.realizes).toBe(1);
  });

  test('realizing several tensors at once is one submit', async () => {
    const x = randomTensor([4, 4], 12);
    const outs = [x.sum(0), x.max(1), x.exp(), x.matmul(x)];
    const work = await countWork(() => wg.realize(...outs));
    expect(work.submits).toBe(1);
    expect(work.realizes).toBe(1);
  });
});

describe('dispatch counts of representative expressions', () => {
  const counts: Record<string, number> = {};
  const measure = async (name: string, build: () => wg.Tensor): Promise<number> => {
    const t = build();
    const { dispatches, submits } = await countWork(() => wg.realize(t));
    expect(submits).toBe(1);
    counts[name] = dispatches;
    return dispatches;
  };

  test('a representative set, one realize each', async () => {
    const x = randomTensor([32, 64], 13);
    expect(await measure('add-mul-relu', () => x.add(x.exp()).mul(2).relu())).toBe(1);
    expect(await measure('sub-exp-sum', () => x.sub(1).exp().sum(1))).toBe(1);
    expect(await measure('mean', () => x.mean(1))).toBe(1);
    expect(await measure('concat of 3', () => wg.concat([x, x.neg(), x.square()], 0))).toBe(1);
    expect(await measure('softmax', () => x.softmax())).toBe(1);
    expect(await measure('variance', () => x.variance(1))).toBe(2);
    expect(await measure('logSumExp', () => x.logSumExp(1))).toBe(2);
    const w1 = randomTensor([64, 32], 14);
    const b1 = randomTensor([32], 15);
    const w2 = randomTensor([32, 10], 16);
    const b2 = randomTensor([10], 17);
    // Two matmuls, each with its bias and activation as an epilogue.
    expect(await measure('2-layer MLP forward', () => x.matmul(w1).add(b1).relu().matmul(w2).add(b2))).toBe(2);
    console.log('dispatches per realize:', JSON.stringify(counts));
  });
});

describe('wg.explain', () => {
  test('one line per kernel, naming the fused ops, what it reads and writes', () => {
    const a = randomTensor([2, 3], 18);
    const b = randomTensor([2, 3], 19);
    const lines = wg.explain(a.add(b).mul(2).relu()).split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/add/);
    expect(lines[0]).toMatch(/mul/);
    expect(lines[0]).toMatch(/relu/);
    expect(lines[0]).toMatch(/reads/);
    expect(lines[0]).toMatch(/writes/);
    expect(lines[0]).toMatch(/\[2,3\]/);
  });

  test('a reduction with a prologue is one line naming both', () => {
    const lines = wg.explain(randomTensor([4, 5], 20).sub(1).exp().sum(1)).split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/exp/);
    expect(lines[0]).toMatch(/sum/);
  });

  test('as many lines as dispatches', async () => {
    const x = randomTensor([6, 7], 21);
    const y = x.sum(1).max(0).add(x.mean());
    const lines = wg.explain(y).split('\n');
    const { dispatches } = await countWork(() => wg.realize(y));
    expect(lines).toHaveLength(dispatches);
  });

  test('a realized tensor needs nothing', () => {
    const y = randomTensor([2], 22).exp();
    wg.realize(y);
    expect(wg.explain(y)).toMatch(/nothing to compute/);
  });

  test('on the cpu backend: one line per node it computes', async () => {
    await useBackend('cpu');
    try {
      const text = wg.explain(randomTensor([2], 23).exp().add(1));
      expect(text).toMatch(/exp/);
      expect(text).toMatch(/add/);
    } finally {
      await useBackend('webgpu');
    }
  });
});
