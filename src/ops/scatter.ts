// scatterAdd: sums slices of a float32 tensor into rows of a zero tensor along one axis, by int32
// indices — the gradient of gather (src/ops/gather.ts), without its former one-hot matrix.
// Two kernels: one sorts index positions into buckets of rows; one zeroes each bucket's rows and
// adds the slices its positions name (no atomics, index order as on the CPU). Its gradient: gather.

import scatterAddWgsl from '../../shaders/scatter_add.wgsl?raw';
import scatterBucketsWgsl from '../../shaders/scatter_buckets.wgsl?raw';
import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { grid } from '../graph/launch';
import type { KernelDef } from '../graph/ir';
import { normAxis, shapeStr, sizeOf } from '../shape';
import { makeTensor, Tensor } from '../tensor';
import { kernelNode } from './node-builders';

interface ScatterAttrs {
  outer: number;
  axis: number;
  inner: number;
  count: number;
}

/**
 * Buckets of the first pass (the workgroup size of shaders/scatter_buckets.wgsl). The second pass
 * runs one workgroup per bucket and outer index: on SwiftShader, for a 10,000 × 64 embedding, that
 * beat blocks of half or a quarter of a bucket, which walk the bucket's positions two or four times.
 */
const BUCKETS = 64;

const bucketRows = (axis: number) => Math.max(1, Math.ceil(axis / BUCKETS));

/** Length of the first pass's output: bucket starts, total, positions, the GPU's scratch. */
const bucketsLength = (count: number) => BUCKETS + 1 + count + BUCKETS * (BUCKETS + 1);

/**
 * Pass 1: the positions j of the indices sorted by bucket (BUCKET_ROWS consecutive rows each),
 * increasing inside a bucket: [start of each bucket, total, positions…, scratch]. Out-of-range
 * indices fall in no bucket.
 */
export const SCATTER_BUCKETS: KernelDef<ScatterAttrs> = {
  name: 'scatterBuckets',
  cpu([indices], node) {
    const { axis, count } = node.op.attrs;
    const rows = bucketRows(axis);
    const out = new Int32Array(bucketsLength(count));
    const bucketOf = (a: number) => (a >= 0 && a < axis ? Math.floor(a / rows) : -1);
    for (let j = 0; j < count; j++) {
      const b = bucketOf(indices[j]);
      if (b >= 0) out[b + 1]++;
    }
    for (let b = 0; b < BUCKETS; b++) out[b + 1] += out[b];
    const next = out.slice(0, BUCKETS);
    for (let j = 0; j < count; j++) {
      const b = bucketOf(indices[j]);
      if (b >= 0) out[BUCKETS + 1 + next[b]++] = j;
    }
    return out;
  },
  gpu(node) {
    const { axis, count } = node.op.attrs;
    return { code: scatterBucketsWgsl, entryPoint: 'main', constants: { COUNT: count, AXIS: axis, BUCKET_ROWS: bucketRows(axis) }, workgroups: [1, 1, 1] };
  },
};

/** Pass 2: each bucket of rows zeroes itself and adds the rows of g its positions name, in order. */
export const SCATTER_ADD: KernelDef<ScatterAttrs> = {
  name: 'scatterAdd',
  cpu([g, indices, buckets], node) {
    const { outer, axis, inner, count } = node.op.attrs;
    const out = new Float32Array(outer * axis * inner);
    const listed = buckets.subarray(BUCKETS + 1, BUCKETS + 1 + buckets[BUCKETS]);
    for (let o = 0; o < outer; o++) {
      for (const j of listed) {
        const src = (o * count + j) * inner;
        const dst = (o * axis + indices[j]) * inner;
        for (let i = 0; i < inner; i++) out[dst + i] += g[src + i];
      }
    }
    return out;
  },
  gpu(node) {
    const { outer, axis, inner, count } = node.op.attrs;
    const rows = bucketRows(axis);
    const workgroups = grid(outer * Math.ceil(axis / rows));
    return {
      code: scatterAddWgsl,
      entryPoint: 'main',
      constants: { OUTER: outer, AXIS: axis, INNER: inner, COUNT: count, BUCKET_ROWS: rows, GRID_X: workgroups[0] },
      workgroups,
    };
  },
};

/**
 * Adds the slices of `g` along `axis` into a zero tensor whose `axis` has `size` entries: slice j
 * goes to entry `indices[j]` (repeats add up; indices outside [0, size) add nothing). `g` has
 * `indices`' shape in place of that axis, as gather's output does; the result is gather's
 * gradient. Internal: the public API reaches it through gather's backward.
 *
 * ```ts
 * scatterAdd(wg.ones([3, 2]), wg.tensor([0, 2, 0], { dtype: 'int32' }), 0, 4); // [[2,2],[0,0],[1,1],[0,0]]
 * ```
 */
export function scatterAdd(g: Tensor, indices: Tensor, axis: number, size: number): Tensor {
  g = Tensor.check(g, 'scatterAdd');
  indices = Tensor.check(indices, 'scatterAdd');
  if (g.dtype !== 'float32') throw new DTypeError(`scatterAdd: values must be float32, got ${g.dtype}`);
  if (indices.dtype !== 'int32') throw new DTypeError(`scatterAdd: indices must be int32, got ${indices.dtype}`);
  if (!Number.isInteger(size) || size < 0) throw new ArgumentError(`scatterAdd: size must be an integer ≥ 0, got ${size}`);
  const lead = g.rank - indices.rank + 1;
  if (lead < 1) throw new ShapeError(`scatterAdd: values ${shapeStr(g.shape)} have fewer axes than indices ${shapeStr(indices.shape)}`);
  const a = normAxis('scatterAdd', axis, lead);
  if (indices.shape.some((d, k) => g.shape[a + k] !== d)) {
    throw new ShapeError(`scatterAdd: values ${shapeStr(g.shape)} need indices' shape ${shapeStr(indices.shape)} at axis ${a}`);
  }
  const before = g.shape.slice(0, a);
  const after = g.shape.slice(a + indices.rank);
  const attrs: ScatterAttrs = { outer: sizeOf(before), axis: size, inner: sizeOf(after), count: indices.size };
  const shape = [...before, size, ...after];
  const buckets = kernelNode(SCATTER_BUCKETS, attrs, [indices.node], [bucketsLength(indices.size)], 'int32');
  const node = kernelNode(SCATTER_ADD, attrs, [g.node, indices.node, buckets], shape, 'float32');
  return makeTensor(node, [g, indices], (gg) => [gg.gather(indices, a), null]);
}
