// schedule() as a pure function of the graph (no GPU): which nodes become kernels, what each
// kernel reads, when reductions fuse, epilogues on hand-written kernels, and splitting under a
// storage-buffer limit. The last test runs a split graph on the GPU to check the values.

import { describe, expect, test } from 'vitest';
import { isCooperative } from '../../src/graph/codegen';
import { schedule, type FusedKernel, type Kernel } from '../../src/graph/schedule';
import type { LazyNode } from '../../src/graph/ir';
import { checkBoth, expectNoGpuErrors, initBoth, seeded, wg } from '../helpers';
import type { Tensor } from '../../src/node';

const MAX = { maxBuffers: 8 };
const buf = (shape: number[], seed = 1): Tensor => wg.tensor(new Float32Array(seeded(shape.reduce((a, b) => a * b, 1), seed)), { shape });
const plan = (...ts: Tensor[]): Kernel[] => schedule(ts.map((t) => t.node), MAX);
const fused = (k: Kernel): FusedKernel => {
  expect(k.kind).toBe('fused');
  return k as FusedKernel;
};
const opNames = (k: FusedKernel) => k.ops.map((n) => (n.op.kind === 'elementwise' ? n.op.def.name : n.op.kind === 'reduce' ? n.op.reduce : n.op.kind));

describe('elementwise fusion', () => {
  test('a chain over three inputs is one kernel reading the three buffers', () => {
    const [a, b, c] = [buf([4, 4], 1), buf([4, 4], 2), buf([4, 4], 3)];
    const ks = plan(a.add(b).mul(c).relu());
    expect(ks).toHaveLength(1);
    const k = fused(ks[0]);
    expect(new Set(k.inputs)).toEqual(new Set([a.node, b.node, c.node]));
    expect(k.reduce).toBeNull();
    expect(opNames(k)).toEqual(expect.arrayContaining(['add', 'mul', 'relu']));
  });

  test('views are inlined: no kernel of their own', () => {
    const a = buf([2, 3, 4]);
    const ks = plan(a.transpose([2, 0, 1]).reshape([4, 6]).slice([1, 0], [2, 6]).pad([[1, 1], [0, 0]]).exp());
    expect(ks).toHaveLength(1);
    expect(fused(ks[0]).inputs).toEqual([a.node]);
  });

  test('a buffer root needs no kernel', () => {
    expect(plan(buf([3]))).toEqual([]);
  });

  test('two roots of one size are one kernel with two outputs, the shared value inlined', () => {
    const x = buf([5]);
    const e = x.exp();
    const y = e.add(1);
    const ks = plan(e, y);
    expect(ks).toHaveLength(1);
    expect(fused(ks[0]).outputs).toEqual([e.node, y.node]);
    expect(fused(ks[0]).inputs).toEqual([x.node]);
  });

  test('a value needed by a root of another size is computed once and read by the other kernel', () => {
    const e = buf([5]).exp();
    const ks = plan(e, e.sum());
    expect(ks).toHaveLength(2);
    expect(ks[0].root).toBe(e.node);
    expect(ks[1].inputs).toContain(e.node);
  });

  test('a shared elementwise subexpression with one root is recomputed inline, not materialized', () => {
    const x = buf([5]);
    const e = x.exp();
    const ks = plan(e.mul(e.add(1)));
    expect(ks).toHaveLength(1);
    expect(fused(ks[0]).inputs).toEqual([x.node]);
  });
});

describe('reductions', () => {
  test('an elementwise prologue fuses into the reduction', () => {
    const x = buf([4, 6]);
    const ks = plan(x.sub(1).exp().sum(1));
    expect(ks).toHaveLength(1);
    const k = fused(ks[0]);
    expect(k.reduce?.op).toMatchObject({ kind: 'reduce', reduce: 'sum', axes: [1] });
    expect(k.inputs).toEqual([x.node]);
  });

  test('a reduction with a single consumer fuses into that consumer', () => {
    const ks = plan(buf([4, 6]).sum(1).mul(2).sqrt());
    expect(ks).toHaveLength(1);
    expect(fused(ks[0]).reduce).not.toBeNull();
  });

  test('a reduction with two consumers is materialized once', () => {
    const s = buf([4, 6]).sum(1);
    const ks = plan(s.mul(2).add(s.exp()));
    expect(ks).toHaveLength(2);
    const [first, second] = ks.map(fused);
    expect(first.root.op.kind).toBe('reduce');
    expect(second.reduce).toBeNull();
    expect(second.inputs).toContain(first.root);
  });

  test('two reductions never share a kernel', () => {
    const ks = plan(buf([4, 6]).sum(1).max(0));
    expect(ks).toHaveLength(2);
    for (const k of ks) expect(fused(k).reduce).not.toBeNull();
  });

  test('a reduction read through a broadcast is its own kernel (it would run once per output)', () => {
    const x = buf([4, 6]);
    const ks = plan(x.sub(x.max(1, true)));
    expect(ks).toHaveLength(2);
    expect(fused(ks[0]).reduce?.op).toMatchObject({ reduce: 'max' });
    expect(fused(ks[1]).reduce).toBeNull();
  });

  test('composed softmax: max, sum and the division are three kernels', () => {
    const x = buf([4, 6]);
    const e = x.sub(x.max(1, true)).exp();
    expect(plan(e.div(e.sum(1, true)))).toHaveLength(3);
  });

  test('few outputs over long rows reduce cooperatively, many short rows do not', () => {
    const long = fused(plan(buf([2, 300]).sum(1))[0]);
    expect(isCooperative(long)).toBe(true);
    const short = fused(plan(buf([300, 2]).sum(1))[0]);
    expect(isCooperative(short)).toBe(false);
  });

  test('where barriers are dear (no shared-memory tiles), only outputs too few to fill a workgroup reduce cooperatively', () => {
    const columns = fused(plan(buf([1024, 512]).sum(0))[0]);
    expect(isCooperative(columns)).toBe(true);
    expect(isCooperative(columns, { sharedMemoryTiles: false })).toBe(false);
    const few = fused(plan(buf([1024, 4]).sum(0))[0]);
    expect(isCooperative(few, { sharedMemoryTiles: false })).toBe(true);
  });
});

describe('hand-written kernels', () => {
  test('matmul reads its operands as buffers: a reshape of a buffer is no copy', () => {
    const a = buf([2, 3, 4]);
    const w = buf([4, 5]);
    const ks = plan(a.matmul(w));
    expect(ks).toHaveLength(1);
    expect(ks[0].kind).toBe('custom');
    expect(ks[0].inputs).toEqual([a.node, w.node]);
  });

  test('a computed operand is materialized by its own kernel first', () => {
    const a = buf([3, 4]);
    const ks = plan(a.exp().matmul(buf([4, 2])));
    expect(ks).toHaveLength(2);
    expect(ks[0].kind).toBe('fused');
    expect(ks[1].kind).toBe('custom');
    expect(ks[1].inputs).toContain(ks[0].root);
  });

  test('bias and activation after a matmul run as its epilogue', () => {
    const x = buf([3, 4]);
    const w = buf([4, 5]);
    const b = buf([5]);
    const y = x.matmul(w).add(b).relu();
    const ks = plan(y);
    expect(ks).toHaveLength(1);
    const k = ks[0];
    expect(k.kind).toBe('custom');
    if (k.kind !== 'custom') return;
    expect(k.root).toBe(y.node);
    expect(k.epilogue).not.toBeNull();
    expect(k.inputs).toContain(b.node);
  });

  test('a matmul whose output is also used elsewhere keeps its own buffer', () => {
    const h = buf([3, 4]).matmul(buf([4, 5]));
    const ks = plan(h.relu().add(h.sum()));
    expect(ks.filter((k) => k.kind === 'custom')).toHaveLength(1);
    expect(ks.length).toBeGreaterThan(1);
  });
});

describe('the storage-buffer limit', () => {
  const sumOf = (ts: Tensor[]) => ts.reduce((acc, t) => acc.add(t));

  test('a kernel reading more buffers than allowed is split; no kernel binds more than the limit', () => {
    const ts = Array.from({ length: 12 }, (_, i) => buf([3], i + 1));
    for (const maxBuffers of [3, 4, 8]) {
      const root = sumOf(ts).node;
      const ks = schedule([root], { maxBuffers });
      expect(ks.length).toBeGreaterThan(1);
      for (const k of ks) expect(k.inputs.length + 1).toBeLessThanOrEqual(maxBuffers);
      // Every input buffer is read by some kernel, and the last kernel writes the root.
      const read = new Set<LazyNode>(ks.flatMap((k) => k.inputs));
      for (const t of ts) expect(read.has(t.node)).toBe(true);
      expect(ks[ks.length - 1].root).toBe(root);
    }
  });

  test('within the limit nothing is split', () => {
    const ts = Array.from({ length: 7 }, (_, i) => buf([3], i + 1));
    expect(schedule([sumOf(ts).node], { maxBuffers: 8 })).toHaveLength(1);
  });

  test('a split graph computes the right values on the GPU', async () => {
    await initBoth();
    const n = 40;
    const values = Array.from({ length: n }, (_, i) => seeded(5, 200 + i));
    const expected = [0, 1, 2, 3, 4].map((j) => values.reduce((a, v, i) => a + v[j] * (i % 2 ? -1 : 1), 0));
    await checkBoth(() => values.map((v) => wg.tensor(v)).reduce((acc, t, i) => (i === 0 ? t : i % 2 ? acc.sub(t) : acc.add(t))), expected, { atol: 1e-5 });
    expectNoGpuErrors();
  });
});
