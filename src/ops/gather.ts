// gather (take along one axis by int32 indices) as a hand-written kernel, and oneHot (against a
// class range made once per depth). gather's gradient is scatterAdd (src/ops/scatter.ts).

import gatherWgsl from '../../shaders/gather.wgsl?raw';
import { allocHost, type TypedArray } from '../dtype';
import { ArgumentError, DTypeError } from '../errors';
import { gridFor } from '../graph/launch';
import type { KernelDef } from '../graph/ir';
import { checkSize, normAxis, shapeStr, sizeOf } from '../shape';
import { keep } from '../lifetime';
import { makeTensor, Tensor } from '../tensor';
import { arange } from './creation';
import { scatterAdd } from './scatter';
import { kernelNode } from './node-builders';

interface GatherAttrs {
  outer: number;
  axis: number;
  inner: number;
  count: number;
}

export const GATHER: KernelDef<GatherAttrs> = {
  name: 'gather',
  epilogue: true,
  cpu([x, indices], node) {
    const { outer, axis, inner, count } = node.op.attrs;
    const out: TypedArray = allocHost(node.dtype, outer * count * inner);
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < count; j++) {
        const a = indices[j];
        if (a < 0 || a >= axis) throw new ArgumentError(`gather: index ${a} is out of range for an axis of size ${axis} (expected 0 ≤ index < ${axis}); the indices were computed lazily, so this is found at realize`);
        const src = (o * axis + a) * inner;
        const dst = (o * count + j) * inner;
        for (let i = 0; i < inner; i++) out[dst + i] = x[src + i];
      }
    }
    return out;
  },
  gpu(node) {
    const { outer, axis, inner, count } = node.op.attrs;
    const workgroups = gridFor(outer * count * inner);
    return {
      code: gatherWgsl,
      entryPoint: 'main',
      constants: { OUTER: outer, AXIS: axis, INNER: inner, COUNT: count, GRID_X: workgroups[0] },
      workgroups,
    };
  },
};

/**
 * The values of `t` when they are already on the host (made from values, read back, or realized
 * on the CPU backend), looking through views that keep every value; null while they are lazy.
 */
function hostValues(t: Tensor): ArrayLike<number> | null {
  let node = t.node;
  while (node.op.kind === 'view' && (node.op.view.kind === 'reshape' || node.op.view.kind === 'permute' || node.op.view.kind === 'expand')) node = node.srcs[0];
  return node.op.kind === 'buffer' ? node.op.storage.host : null;
}

/** Throws an ArgumentError naming `op` and the first index of `indices` outside [0, size), where their values are known. */
function checkIndices(op: string, indices: Tensor, size: number, what: string): void {
  const values = hostValues(indices);
  if (!values) return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < 0 || v >= size) throw new ArgumentError(`${op}: index ${v} (at flat position ${i} of the indices ${shapeStr(indices.shape)}) is out of range for ${what} of size ${size} (expected 0 ≤ index < ${size})`);
  }
}

/**
 * Takes slices of `x` along `axis` at `indices` (int32, any shape). Indices outside the axis are
 * an ArgumentError (as PyTorch raises): at the call when their values are on the host; when they
 * are computed lazily, at realize on the CPU backend, and on WebGPU at the next readback (the
 * kernel reports the first bad index through the device's error flags, with no extra stall).
 *
 * ```ts
 * wg.tensor([[1, 2], [3, 4]]).gather(wg.tensor([1], { dtype: 'int32' }), 1); // [[2], [4]]
 * ```
 */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  x = Tensor.check(x, 'gather');
  indices = Tensor.check(indices, 'gather');
  if (indices.dtype !== 'int32') throw new DTypeError(`gather: indices must be int32, got ${indices.dtype}`);
  const a = normAxis('gather', axis, x.rank);
  checkIndices('gather', indices, x.shape[a], `axis ${a} of ${shapeStr(x.shape)}`);
  checkSize('gather', [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)]);
  const attrs: GatherAttrs = {
    outer: sizeOf(x.shape.slice(0, a)),
    axis: x.shape[a],
    inner: sizeOf(x.shape.slice(a + 1)),
    count: indices.size,
  };
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  const node = kernelNode(GATHER, attrs, [x.node, indices.node], shape, x.dtype);
  // The gradient adds each slice of g back into the row it was read from.
  return makeTensor(node, [x, indices], (g) => [scatterAdd(g, indices, a, x.shape[a]), null]);
}

const classRanges = new Map<number, Tensor>();

/**
 * The int32 range 0…n − 1 a one-hot comparison reads, made once per n and kept, so a training
 * step that one-hot encodes its labels uploads nothing for it (only the first use does).
 */
export function classRange(n: number): Tensor {
  let r = classRanges.get(n);
  if (!r || r.disposed) classRanges.set(n, (r = keep(arange(0, n, 1, { dtype: 'int32' }))));
  return r;
}

/**
 * One-hot float32 rows of length `depth` for int32 `indices` (any shape). Indices outside
 * [0, depth) are an ArgumentError at the call when their values are on the host (as PyTorch);
 * lazily computed ones give an all-zero row.
 */
export function oneHot(indices: Tensor, depth: number): Tensor {
  indices = Tensor.check(indices, 'oneHot');
  if (indices.dtype !== 'int32') throw new DTypeError(`oneHot: indices must be int32, got ${indices.dtype}`);
  if (!Number.isInteger(depth) || depth < 1) throw new ArgumentError(`oneHot: depth must be an integer ≥ 1, got ${depth}`);
  checkIndices('oneHot', indices, depth, 'depth');
  checkSize('oneHot', [...indices.shape, depth]);
  return indices.expandDims(-1).equal(classRange(depth)).cast('float32');
}
