// The CPU backend (the fused schedule, one generated loop per kernel) against the node-by-node
// reference backend on small shapes: the same values bit for bit (close, through the WebAssembly
// matmul), in fewer passes.

import { describe, expect, test } from 'vitest';
import { CpuPlanner } from '../../src/backend/cpu/cpu-plan';
import { useReferenceBackend } from '../../src/runtime';
import { checkReference, countWork, randomTensor, seeded, wg } from '../helpers';

/** Results through a matmul: the CPU's WebAssembly kernel and the reference's round differently. */
const MATMUL_TOLERANCE = { rtol: 1e-5, atol: 1e-6 };

/** The passes (kernels) the CPU backend runs to realize what `build` returns. */
async function passesOf(build: () => wg.Tensor | wg.Tensor[]): Promise<number> {
  await wg.init({ backend: 'cpu' });
  const made = build();
  const ts = Array.isArray(made) ? made : [made];
  return (await countWork(() => wg.realize(...ts))).dispatches;
}

describe('fused elementwise chains with views', () => {
  test('transpose, reshape, slice and a broadcast add run as one pass with the reference values', async () => {
    const build = () => randomTensor([2, 3, 4], 1).transpose([2, 0, 1]).reshape([4, 6]).slice([1, 0], [2, -1]).add(wg.tensor(seeded(6, 2))).exp();
    await checkReference(build);
    expect(await passesOf(build)).toBe(1);
  });

  test('pad, concat and stack read zeros outside and each source inside', async () => {
    await checkReference(() => randomTensor([2, 3], 3).pad([[1, 0], [0, 2]], 0).log());
    await checkReference(() => wg.concat([randomTensor([2, 3], 4), randomTensor([2, 1], 5).neg(), randomTensor([2, 2], 6).sigmoid()], 1));
    await checkReference(() => wg.stack([randomTensor([3], 7).relu(), randomTensor([3], 8).square()], 0).mul(2));
  });

  test('broadcasts of scalars, rows and columns in float32, int32 and bool', async () => {
    await checkReference(() => randomTensor([3, 1], 9).mul(randomTensor([1, 4], 10)).add(0.1).div(3).tanh());
    await checkReference(() => wg.tensor([1, -2, 3, 2147483647], { dtype: 'int32' }).mul(wg.tensor([[3], [-7]], { dtype: 'int32' })).add(5));
    await checkReference(() => randomTensor([2, 3], 11).greater(0).notEqual(randomTensor([3], 12).less(0.5)));
    await checkReference(() => wg.where(randomTensor([4], 13).greater(0), randomTensor([4], 14), 2.5).cast('int32'));
  });

  test('rows with a runtime param (leakyRelu, elu) read this realize’s number through one cached plan', async () => {
    await checkReference(() => [randomTensor([5], 15).leakyRelu(0.2), randomTensor([5], 15).elu(0.7)]);
    const { reference } = await checkReference(() => randomTensor([5], 16).leakyRelu(0.3));
    await randomTensor([5], 16).leakyRelu(0.1).data();
    wg.resetStats();
    const y = await randomTensor([5], 16).leakyRelu(0.3).data();
    expect(wg.stats()).toMatchObject({ planCacheHits: 1, planCacheMisses: 0 });
    expect(Array.from(y)).toEqual(Array.from(reference[0].data));
  });
});

describe('reductions', () => {
  test('sum, prod, max, min, argmax and argmin over one axis, several axes and all', async () => {
    const x = () => randomTensor([3, 4, 5], 20);
    await checkReference(() => [x().sum(1), x().prod(-1), x().max([0, 2]), x().min(), x().argmax(2), x().argmin(0)]);
  });

  test('a reduce over a permuted view and its elementwise consumer share one pass', async () => {
    const build = () => randomTensor([4, 3], 21).transpose([1, 0]).exp().sum(-1).log();
    await checkReference(build);
    expect(await passesOf(build)).toBe(1);
  });

  test('softmax and logSumExp match the reference', async () => {
    await checkReference(() => [randomTensor([3, 7], 22, -5, 5).softmax(-1), randomTensor([3, 7], 23).logSumExp(0)]);
  });

  test('NaN wins max and argmax as in the reference; an int32 sum wraps', async () => {
    await checkReference(() => {
      const x = wg.tensor([[1, NaN, 3], [NaN, 2, NaN]]);
      return [x.max(1), x.argmax(1), x.min(0), x.argmin(0)];
    });
    await checkReference(() => wg.tensor([2147483647, 1, 5], { dtype: 'int32' }).sum());
  });
});

describe('the schedule on the CPU', () => {
  test('roots of one size are written by one multi-output pass', async () => {
    const build = () => {
      const a = randomTensor([4, 5], 30);
      return [a.add(1), a.mul(2).exp(), a.neg().relu()];
    };
    await checkReference(build);
    expect(await passesOf(build)).toBe(1);
  });

  test('a matmul runs with its bias and activation fused as an epilogue', async () => {
    const build = () => randomTensor([3, 4], 31).matmul(randomTensor([4, 5], 32)).add(randomTensor([5], 33)).relu();
    // The CPU's WebAssembly matmul sums in float32, the reference's in float64: close, not bit-equal.
    await checkReference(build, MATMUL_TOLERANCE);
    expect(await passesOf(build)).toBe(1);
    expect(wg.explain(build())).toMatch(/^cpu k0 matmul\+epilogue\[.*add relu\]/);
  });

  test('a cached plan runs a graph of the same structure with its own values and numbers', async () => {
    await wg.init({ backend: 'cpu' });
    const run = (seed: number, k: number) => randomTensor([6], seed).mul(k).sub(1).data();
    await run(40, 2);
    wg.resetStats();
    const got = await run(41, 5);
    expect(wg.stats()).toMatchObject({ planCacheMisses: 0 });
    const x = seeded(6, 41);
    expect(Array.from(got)).toEqual(x.map((v) => Math.fround(Math.fround(v * 5) - 1)));
  });

  test('a chain of five ops is one pass on the CPU and at least five on the reference, which writes an array per node', async () => {
    const build = () => randomTensor([8], 43).add(1).mul(3).exp().neg().relu();
    const { cpu } = await checkReference(build);
    expect(cpu[0].data).toHaveLength(8);
    expect(await passesOf(build)).toBe(1);
    useReferenceBackend();
    const t = build();
    expect((await countWork(() => wg.realize(t))).dispatches).toBeGreaterThanOrEqual(5);
    await wg.init({ backend: 'cpu' });
  });

  test('empty tensors compute empty results and reductions over nothing give their identities', async () => {
    await checkReference(() => [wg.zeros([0, 3]).add(1), wg.zeros([0, 3]).sum(0), wg.zeros([2, 0]).prod(1), wg.zeros([2, 0], { dtype: 'int32' }).sum(1)]);
  });

  test('warmup compiles the plan, so the first realize of that graph hits the cache', async () => {
    await wg.init({ backend: 'cpu' });
    const x = randomTensor([3, 3], 42);
    wg.realize(x);
    await wg.warmup(() => x.matmul(x).relu().sum(1));
    wg.resetStats();
    wg.realize(x.matmul(x).relu().sum(1));
    expect(wg.stats()).toMatchObject({ planCacheHits: 1, planCacheMisses: 0 });
  });
});

describe('assign', () => {
  test('an in-place update reading its own old value at each index writes the target directly', async () => {
    const build = () => {
      const p = randomTensor([2, 3], 50);
      wg.realize(p);
      p.assign(p.mul(0.5).add(randomTensor([3], 51)));
      wg.realize(p);
      return p;
    };
    await checkReference(build);
  });

  test('an update reading its old value at other positions (a flip) goes through a copy', async () => {
    await checkReference(() => {
      const p = wg.tensor([1, 2, 3, 4]);
      wg.realize(p);
      p.assign(p.reshape([2, 2]).transpose([1, 0]).reshape([4]).add(p));
      wg.realize(p);
      return p;
    });
  });

  test('a graph built from overwritten contents still throws StaleTensorError', async () => {
    await wg.init({ backend: 'cpu' });
    const p = wg.tensor([1, 2, 3]);
    wg.realize(p);
    const old = p.mul(2);
    p.assign(p.add(1));
    wg.realize(p);
    await expect(old.data()).rejects.toBeInstanceOf(wg.StaleTensorError);
  });

  test('a failing gather after an update leaves the assigned storage as it was and holds no new bytes', async () => {
    await wg.init({ backend: 'cpu' });
    const p = wg.tensor([1, 2, 3]);
    wg.realize(p);
    p.assign(p.mul(10));
    const bad = p.gather(wg.tensor([0, 5], { dtype: 'int32' }).add(wg.tensor([0, 0], { dtype: 'int32' })), 0);
    const before = wg.memory().liveBytes;
    expect(() => wg.realize(p, bad, p.add(1), bad.mul(2))).toThrow(wg.ArgumentError);
    expect(wg.memory().liveBytes).toBe(before);
    expect(Array.from(await p.data())).toEqual([10, 20, 30]);
  });
});

describe('random rows', () => {
  test('uniform, normal and integer draws fused with arithmetic are bit-identical', async () => {
    await checkReference(() => [wg.rand([3, 4], { seed: 7 }).mul(2).sub(1), wg.randn([3, 4], { seed: 8 }).exp(), wg.randint(0, 10, [3, 4], { seed: 9 })]);
  });

  test('dropout keeps the same positions', async () => {
    await checkReference(() => wg.dropout(randomTensor([4, 6], 60), 0.5, { seed: 3 }));
  });
});

describe('training', () => {
  test('two Adam steps of a small MLP give the reference losses and parameters', async () => {
    await checkReference(() => {
      const w1 = randomTensor([6, 5], 70).requiresGrad_();
      const b1 = wg.zeros([5]).requiresGrad_();
      const w2 = randomTensor([5, 3], 71).requiresGrad_();
      const x = randomTensor([4, 6], 72);
      const labels = wg.tensor([0, 2, 1, 2], { dtype: 'int32' });
      const opt = new wg.optim.Adam([w1, b1, w2], { lr: 0.01 });
      const losses: wg.Tensor[] = [];
      for (let i = 0; i < 2; i++) {
        opt.zeroGrad();
        const loss = wg.losses.crossEntropy(x.matmul(w1).add(b1).relu().matmul(w2), labels);
        loss.backward();
        opt.step();
        wg.realize(loss);
        losses.push(loss);
      }
      return [...losses, w1, b1, w2];
    }, MATMUL_TOLERANCE);
  });
});

describe('a binding limit on the CPU', () => {
  test('under a device’s limit, a stack of many whole buffers runs as range copies and splits big kernels, with the same values', async () => {
    const parts = () => Array.from({ length: 6 }, (_, i) => randomTensor([64], 80 + i));
    const { reference } = await checkReference(() => [wg.stack(parts(), 0), wg.concat(parts(), 0).exp()]);
    const planner = new CpuPlanner(() => {
      throw new Error('this graph has no hand-written kernel');
    }, 4);
    const xs = parts();
    wg.realize(...xs);
    const roots = [wg.stack(xs, 0).node, wg.concat(xs, 0).exp().node];
    expect(planner.schedule(roots).map((k) => k.kind)).toContain('copy');
    const storages = planner.execute(roots);
    expect(storages.map((s) => Array.from(s.host!))).toEqual(reference.map((r) => Array.from(r.data)));
  });
});
