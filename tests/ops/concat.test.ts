// concat and stack as one multi-source view: along every axis on both backends against index
// arithmetic, work linear in the output (each element reads one source), fusion into consumers,
// and joins of more whole buffers than one kernel may bind: encoder copies into one output (no
// dispatch) when rows are long enough, else kernels split within the storage-buffer limit.

import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { schedule } from '../../src/graph/schedule';
import { at, checkBoth, countWork, expectNoGpuErrors, initBoth, randomTensor, seeded, tabulate, wg } from '../helpers';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

/** The concat of `parts` (data, shape) along `axis`, by index arithmetic. */
function refConcat(parts: { data: number[]; shape: number[] }[], axis: number): number[] {
  const shape = [...parts[0].shape];
  shape[axis] = parts.reduce((n, p) => n + p.shape[axis], 0);
  return tabulate(shape, (idx) => {
    let i = idx[axis];
    for (const p of parts) {
      if (i < p.shape[axis]) return at(p.data, p.shape, idx.map((v, a) => (a === axis ? i : v)));
      i -= p.shape[axis];
    }
    throw new Error('refConcat: index past the end');
  });
}

const sizes = [3, 1, 4, 2, 5, 1, 2, 3, 2];

describe('concat', () => {
  for (const axis of [0, 1, 2]) {
    test(`of nine tensors along axis ${axis} (a tree of concat views) equals the CPU`, async () => {
      const parts = sizes.map((d, k) => {
        const shape = [2, 3, 4];
        shape[axis] = d;
        return { shape, data: seeded(shape.reduce((p, v) => p * v, 1), 200 + k) };
      });
      const r = await checkBoth(() => wg.concat(parts.map((p) => wg.tensor(p.data, { shape: p.shape })), axis), refConcat(parts, axis));
      expect(r.shape[axis]).toBe(sizes.reduce((n, d) => n + d, 0));
    });
  }

  test('of int32 and bool tensors along the last axis keeps their dtype', async () => {
    const i = await checkBoth(() => wg.concat([wg.tensor([[1], [2]], { dtype: 'int32' }), wg.tensor([[3, 4], [5, 6]], { dtype: 'int32' })], 1), [1, 3, 4, 2, 5, 6]);
    expect(i.dtype).toBe('int32');
    const b = await checkBoth(() => wg.concat([wg.tensor([[true], [false]]), wg.tensor([[false], [true]])], -1), [1, 0, 0, 1]);
    expect(b.dtype).toBe('bool');
  });

  test('skips parts that are empty along the axis', async () => {
    const r = await checkBoth(() => wg.concat([wg.zeros([2, 0]), wg.tensor([[1], [2]]), wg.zeros([2, 0]), wg.tensor([[3], [4]])], 1), [1, 3, 2, 4]);
    expect(r.shape).toEqual([2, 2]);
  });

  test('of views and computed values fuses with its consumer into one dispatch', async () => {
    const a = seeded(12, 210);
    const b = seeded(8, 211);
    const expected = tabulate([3, 4], ([i, j]) => 1 + (i < 2 ? 2 * at(b, [4, 2], [j, i]) : at(a, [3, 4], [2, j])));
    const build = () => wg.concat([wg.tensor(b, { shape: [4, 2] }).transpose().mul(2), wg.tensor(a, { shape: [3, 4] }).slice([2, 0], [1, 4])], 0).add(1);
    await checkBoth(build, expected);
    const x = build();
    expect((await countWork(() => x.data())).dispatches).toBe(1);
  });
});

describe('concat read inside other kernels', () => {
  test('inside a reduction and inside a matmul epilogue', async () => {
    const a = seeded(6, 230);
    const b = seeded(9, 231);
    const rows = [...a, ...b];
    const sums = [0, 1, 2].map((j) => rows.filter((_, i) => i % 3 === j).reduce((s, v) => s + v, 0));
    await checkBoth(() => wg.concat([wg.tensor(a, { shape: [2, 3] }), wg.tensor(b, { shape: [3, 3] })], 0).sum(0), sums, { atol: 1e-5 });
    const m = seeded(4 * 5, 232);
    const w = seeded(5 * 3, 233);
    const product = tabulate([4, 3], ([i, j]) => [0, 1, 2, 3, 4].reduce((s, k) => s + m[i * 5 + k] * w[k * 3 + j], 0));
    const bias = [...a.slice(0, 1), ...b.slice(0, 2)];
    const expected = product.map((v, i) => Math.max(v + bias[i % 3], 0));
    await checkBoth(() => wg.tensor(m, { shape: [4, 5] }).matmul(wg.tensor(w, { shape: [5, 3] })).add(wg.concat([wg.tensor(a.slice(0, 1)), wg.tensor(b.slice(0, 2))])).relu(), expected, { atol: 1e-5 });
  });
});

describe('stack of 64 tensors of [32, 128]', () => {
  const T = 64;

  test('computed from one buffer: one dispatch, equal to the CPU', async () => {
    const data = seeded(32 * 128, 220);
    const build = () => {
      const x = wg.tensor(data, { shape: [32, 128] });
      return wg.stack(Array.from({ length: T }, (_, t) => x.mul(t + 1)), 0);
    };
    const r = await checkBoth(build, Array.from({ length: T }, (_, t) => data.map((v) => Math.fround(v * (t + 1)))).flat());
    expect(r.shape).toEqual([T, 32, 128]);
    const s = build();
    expect((await countWork(() => s.data())).dispatches).toBe(1);
  });

  test('of 64 separate buffers along a middle axis: 0 dispatches (encoder copies into one output) in one submit, equal to the CPU', async () => {
    const { limits } = await wg.init({ backend: 'webgpu' });
    // SwiftShader binds 12 storage buffers per kernel: a kernel reading the 64 buffers would take
    // 6 or more dispatches; each buffer's 32 rows are copied into the output instead.
    console.log(`maxStorageBuffersPerShaderStage: ${limits.maxStorageBuffersPerShaderStage}`);
    const datas = Array.from({ length: T }, (_, t) => seeded(32 * 128, 300 + t));
    const build = () => wg.stack(datas.map((d) => wg.tensor(d, { shape: [32, 128] })), 1);
    await checkBoth(build, tabulate([32, T, 128], ([i, t, j]) => datas[t][i * 128 + j]));
    const s = build();
    const work = await countWork(() => wg.realize(s));
    console.log(`stack of ${T} buffers: ${work.dispatches} dispatches, ${work.submits} submit`);
    expect(work.dispatches).toBeLessThanOrEqual(2);
    expect(work.dispatches).toBe(0);
    expect(work.submits).toBe(1);
  });

  test('of 64 separate buffers along the first axis: one copy per buffer, 0 dispatches', async () => {
    const datas = Array.from({ length: T }, (_, t) => seeded(32 * 128, 500 + t));
    const build = () => wg.stack(datas.map((d) => wg.tensor(d, { shape: [32, 128] })));
    await checkBoth(build, datas.flat());
    const s = build();
    const [kernel] = schedule([s.node], { maxBuffers: 12 });
    expect(kernel.kind).toBe('copy');
    expect(kernel.kind === 'copy' && kernel.copies.length).toBe(T);
    expect((await countWork(() => s.data())).dispatches).toBe(0);
  });

  test('of 64 separate buffers read by an elementwise op: the copies, then 1 dispatch', async () => {
    const datas = Array.from({ length: T }, (_, t) => seeded(32 * 128, 600 + t));
    const build = () => wg.stack(datas.map((d) => wg.tensor(d, { shape: [32, 128] })), 1).mul(2).add(1);
    await checkBoth(build, tabulate([32, T, 128], ([i, t, j]) => Math.fround(datas[t][i * 128 + j] * 2 + 1)));
    const s = build();
    expect((await countWork(() => s.data())).dispatches).toBe(1);
  });

  test('of 64 buffers with rows too short to copy: kernels within the storage-buffer limit, equal to the CPU', async () => {
    const datas = Array.from({ length: T }, (_, t) => seeded(32 * 4, 700 + t));
    const build = () => wg.stack(datas.map((d) => wg.tensor(d, { shape: [32, 4] })), 1);
    await checkBoth(build, tabulate([32, T, 4], ([i, t, j]) => datas[t][i * 4 + j]));
    const kernels = schedule([build().node], { maxBuffers: 12 });
    expect(kernels.every((k) => k.kind === 'fused' && k.inputs.length + 1 <= 12)).toBe(true);
  });

  test('of 64 buffers schedules within WebGPU’s guaranteed minimum of 8 storage buffers', () => {
    const s = wg.stack(Array.from({ length: T }, (_, t) => randomTensor([32, 128], 400 + t)));
    const kernels = schedule([s.node], { maxBuffers: 8 });
    expect(kernels.map((k) => k.kind)).toEqual(['copy']);
    const tiny = wg.stack(Array.from({ length: T }, (_, t) => randomTensor([32, 4], 400 + t)), 1);
    const split = schedule([tiny.node], { maxBuffers: 8 });
    expect(Math.max(...split.map((k) => k.inputs.length + 1))).toBeLessThanOrEqual(8);
    const written = split.reduce((n, k) => n + k.root.shape.reduce((p, d) => p * d, 1), 0);
    expect(written).toBeLessThanOrEqual(3 * tiny.size);
  });
});
