// Tensor lifetimes (API.md: dispose, tidy, keep, FinalizationRegistry): device memory is freed
// when the last holder lets go, lazy graphs keep what they read, and a disposed tensor throws.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GpuBuffer } from '../../src/backend/webgpu/gpu-storage';
import { DisposedError } from '../../src/node';
import { webgpuBackend } from '../../src/runtime';
import { expectClose, expectNoGpuErrors, initBoth, seeded, useBackend, wg } from '../helpers';

const N = 1000; // 4000 bytes: one 4096-byte buffer on the GPU
const BUFFER = 4096;
const values = seeded(N, 3);

/** A realized float32 tensor holding `values` · k, whose creation graph is already let go. */
function realized(k = 1) {
  const t = wg.tidy(() => wg.tensor(new Float32Array(values), { shape: [N] }).mul(k));
  wg.realize(t);
  return t;
}

const live = () => wg.memory().liveBytes;

beforeAll(initBoth);

describe('dispose', () => {
  it('frees a realized tensor’s device buffer at once', async () => {
    await useBackend('webgpu');
    const before = live();
    const t = realized();
    expect(live()).toBe(before + BUFFER);
    const tensorsBefore = wg.memory().liveTensors;
    t.dispose();
    expect(live()).toBe(before);
    expect(wg.memory().liveTensors).toBe(tensorsBefore - 1);
  });

  it('throws DisposedError when a disposed tensor is used', async () => {
    await useBackend('webgpu');
    const t = realized();
    t.dispose();
    expect(() => t.add(1)).toThrow(DisposedError);
    expect(() => wg.realize(t)).toThrow(DisposedError);
    await expect(t.data()).rejects.toThrow(DisposedError);
    expect(() => t.add(1)).toThrow(/add: the tensor of shape \[1000\] was disposed/);
  });

  it('keeps a disposed tensor’s buffer while a lazy graph reads it, and frees it once that graph is realized', async () => {
    await useBackend('webgpu');
    const before = live();
    const h = realized();
    const y = wg.tidy(() => h.sub(0.25).relu()); // the sub's own handle is disposed
    h.dispose();
    expect(live(), 'h is still read by y').toBe(before + BUFFER);
    expectClose(await y.data(), values.map((v) => Math.max(v - 0.25, 0)));
    expect(live(), 'y realized, h freed').toBe(before + BUFFER);
    y.dispose();
    expect(live()).toBe(before);
    expectNoGpuErrors();
  });

  it('frees a lazy graph’s inputs when the graph is dropped unrealized', async () => {
    await useBackend('webgpu');
    const before = live();
    const h = realized();
    const y = h.mul(2);
    h.dispose();
    y.dispose();
    expect(live()).toBe(before);
  });

  it('leaves work already submitted intact when its input is disposed and its buffer reused', async () => {
    await useBackend('webgpu');
    const x = realized();
    const y = x.mul(3);
    wg.realize(y);
    const storage = x.node.op.kind === 'buffer' ? x.node.op.storage : null;
    const xBuffer = (storage!.device as GpuBuffer).buffer;
    x.dispose();
    const pool = webgpuBackend()!.pool;
    const acquired: GPUBuffer[] = [];
    const acquire = pool.acquire.bind(pool);
    pool.acquire = (bytes, usage) => {
      const b = acquire(bytes, usage);
      acquired.push(b);
      return b;
    };
    const z = realized(-5); // takes x's old buffer from the pool and overwrites it
    pool.acquire = acquire;
    expect(acquired, "z's realize reused x's buffer").toContain(xBuffer);
    expectClose(await y.data(), values.map((v) => v * 3));
    expectClose(await z.data(), values.map((v) => v * -5), { rtol: 1e-6 });
    y.dispose();
    z.dispose();
    expectNoGpuErrors();
  });
});

describe('tidy and keep', () => {
  it('disposes the tensors fn creates but does not return', async () => {
    await useBackend('webgpu');
    const made: wg.Tensor[] = [];
    const out = wg.tidy(() => {
      const a = wg.tensor([1, 2, 3]);
      const b = a.mul(2);
      const c = b.add(1);
      made.push(a, b, c);
      return { result: [c] };
    });
    expect(made.map((t) => t.disposed)).toEqual([true, true, false]);
    expect(out.result[0]).toBe(made[2]);
    expect(await out.result[0].array()).toEqual([3, 5, 7]);
    out.result[0].dispose();
  });

  it('keeps returned lazy tensors computable and frees everything else once they are realized', async () => {
    await useBackend('webgpu');
    const before = live();
    const y = wg.tidy(() => {
      const x = wg.tensor(new Float32Array(values), { shape: [N] });
      const h = x.mul(2);
      wg.realize(h); // an intermediate with its own buffer, disposed when the scope ends
      return h.add(x).neg();
    });
    expectClose(await y.data(), values.map((v) => -3 * v));
    expect(live(), 'only y remains').toBe(before + BUFFER);
    y.dispose();
    expect(live()).toBe(before);
  });

  it('works with an async fn: the scope closes when its promise settles', async () => {
    await useBackend('webgpu');
    let inner: wg.Tensor | null = null;
    const total = await wg.tidy(async () => {
      inner = wg.tensor([1, 2, 3, 4]).square();
      const s = inner.sum();
      const v = await s.item();
      expect(inner.disposed, 'still open across the await').toBe(false);
      return wg.tensor([v]);
    });
    expect(inner!.disposed).toBe(true);
    expect(await total.array()).toEqual([30]);
    total.dispose();
  });

  it('disposes what fn made when fn throws', async () => {
    await useBackend('cpu');
    let a: wg.Tensor | null = null;
    expect(() =>
      wg.tidy(() => {
        a = wg.ones([2]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(a!.disposed).toBe(true);
  });

  it('moves returned tensors to the enclosing scope, which disposes them unless returned again', async () => {
    await useBackend('cpu');
    let inner: wg.Tensor | null = null;
    const outer = wg.tidy(() => {
      inner = wg.tidy(() => wg.ones([2]).mul(3));
      expect(inner.disposed).toBe(false);
      return inner.add(1);
    });
    expect(inner!.disposed).toBe(true);
    expect(await outer.array()).toEqual([4, 4]);
    outer.dispose();
  });

  it('keep lets a tensor outlive every enclosing scope', async () => {
    await useBackend('cpu');
    let kept: wg.Tensor | null = null;
    wg.tidy(() => wg.tidy(() => void (kept = wg.keep(wg.full([2], 7)))));
    expect(kept!.disposed).toBe(false);
    expect(await kept!.array()).toEqual([7, 7]);
    kept!.dispose();
  });
});

describe('finalization', () => {
  it('releases the device memory of tensors the program dropped', async () => {
    await useBackend('webgpu');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const settle = async () => {
      for (let i = 0; i < 5; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await settle();
    const before = live();
    (() => {
      const t = wg.tensor(new Float32Array(values), { shape: [N] }).mul(2); // two buffers once realized
      wg.realize(t);
    })();
    expect(live()).toBe(before + 2 * BUFFER);
    await settle();
    expect(live()).toBe(before);
  });
});

describe('memory() on the cpu backend', () => {
  it('counts the host arrays of live tensors', async () => {
    await useBackend('cpu');
    const before = wg.memory();
    const t = wg.tensor(new Float32Array(N), { shape: [N] });
    const during = wg.memory();
    expect(during.liveBytes - before.liveBytes).toBe(4 * N);
    expect(during.liveTensors - before.liveTensors).toBe(1);
    expect(during.pooledBytes).toBe(0);
    expect(during.peakBytes).toBeGreaterThanOrEqual(during.liveBytes);
    t.dispose();
    expect(wg.memory().liveBytes).toBe(before.liveBytes);
  });
});

describe('gradients belong to their leaf', () => {
  it('a replaced gradient and a gradient set to null are released at once', async () => {
    await useBackend('webgpu');
    const x = wg.tensor([1, 2, 3], { requiresGrad: true });
    x.square().sum().backward();
    const first = x.grad!;
    x.square().sum().backward();
    expect(first.disposed).toBe(true);
    expectClose(await x.grad!.data(), [4, 8, 12]);
    const second = x.grad!;
    x.grad = null;
    expect(second.disposed).toBe(true);
  });

  it('a disposed leaf takes its gradient along, unless a tidy returns the gradient', async () => {
    await useBackend('webgpu');
    const x = wg.tensor([1, 2], { requiresGrad: true });
    x.mul(3).sum().backward();
    const g = x.grad!;
    x.dispose();
    expect(g.disposed).toBe(true);
    const returned = wg.tidy(() => {
      const y = wg.tensor([1, 2], { requiresGrad: true });
      y.square().sum().backward();
      return y.grad!;
    });
    expect(returned.disposed).toBe(false);
    expectClose(await returned.data(), [2, 4]);
  });
});
