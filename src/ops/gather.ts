// gather (take along one axis by int32 indices) as a hand-written kernel, and oneHot. gather's
// gradient is scatterAdd (src/ops/scatter.ts).

import gatherWgsl from '../../shaders/gather.wgsl?raw';
import { allocHost, type TypedArray } from '../dtype';
import { ArgumentError, DTypeError } from '../errors';
import { grid, WORKGROUP_SIZE } from '../graph/codegen';
import { LazyNode, type KernelDef } from '../graph/ir';
import { normAxis, sizeOf } from '../shape';
import { makeTensor, Tensor } from '../tensor';
import { arange } from './creation';
import { scatterAdd } from './scatter';

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
        if (a < 0 || a >= axis) continue;
        const src = (o * axis + a) * inner;
        const dst = (o * count + j) * inner;
        for (let i = 0; i < inner; i++) out[dst + i] = x[src + i];
      }
    }
    return out;
  },
  gpu(node) {
    const { outer, axis, inner, count } = node.op.attrs;
    const workgroups = grid(Math.ceil((outer * count * inner) / WORKGROUP_SIZE));
    return {
      code: gatherWgsl,
      entryPoint: 'main',
      constants: { OUTER: outer, AXIS: axis, INNER: inner, COUNT: count, GRID_X: workgroups[0] },
      workgroups,
    };
  },
};

/** Takes slices of `x` along `axis` at `indices` (int32, any shape); out-of-range indices give 0. */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  x = Tensor.check(x, 'gather');
  indices = Tensor.check(indices, 'gather');
  if (indices.dtype !== 'int32') throw new DTypeError(`gather: indices must be int32, got ${indices.dtype}`);
  const a = normAxis('gather', axis, x.rank);
  const attrs: GatherAttrs = {
    outer: sizeOf(x.shape.slice(0, a)),
    axis: x.shape[a],
    inner: sizeOf(x.shape.slice(a + 1)),
    count: indices.size,
  };
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  const node = new LazyNode({ kind: 'kernel', def: GATHER as KernelDef, attrs }, [x.node, indices.node], shape, x.dtype);
  // The gradient adds each slice of g back into the row it was read from.
  return makeTensor(node, [x, indices], (g) => [scatterAdd(g, indices, a, x.shape[a]), null]);
}

/** One-hot float32 rows of length `depth` for int32 `indices` (any shape). */
export function oneHot(indices: Tensor, depth: number): Tensor {
  indices = Tensor.check(indices, 'oneHot');
  if (indices.dtype !== 'int32') throw new DTypeError(`oneHot: indices must be int32, got ${indices.dtype}`);
  if (!Number.isInteger(depth) || depth < 1) throw new ArgumentError(`oneHot: depth must be an integer ≥ 1, got ${depth}`);
  return indices.expandDims(-1).equal(arange(0, depth, 1, { dtype: 'int32' })).cast('float32');
}
