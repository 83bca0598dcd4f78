// CPU kernels of the movement ops: each copies its source (a concat, its sources) into a new
// contiguous array, as the reference for the GPU, which folds the same views into index arithmetic.

import { allocHost, type DType, type TypedArray } from '../../dtype';
import type { ViewOp } from '../../graph/ir';
import { sizeOf, stridesOf, type Shape } from '../../shape';

/** A single-source view of `src`; concat, the view with several sources, is `concatCpu`. */
export function applyView(view: Exclude<ViewOp, { kind: 'concat' }>, src: TypedArray, inShape: Shape, outShape: Shape): TypedArray {
  if (view.kind === 'reshape') return src;
  const out = allocHost(dtypeOfArray(src), sizeOf(outShape));
  const inStrides = stridesOf(inShape);
  const rank = outShape.length;
  // For each output axis: the stride to step in the source, and the source offset.
  const step = new Array<number>(rank).fill(0);
  let offset = 0;
  const lo = new Array<number>(rank).fill(0);
  const hi = outShape.slice();
  if (view.kind === 'permute') view.perm.forEach((p, i) => (step[i] = inStrides[p]));
  if (view.kind === 'expand') inShape.forEach((d, i) => (step[i] = d === 1 ? 0 : inStrides[i]));
  if (view.kind === 'shrink') {
    inShape.forEach((_, i) => (step[i] = inStrides[i]));
    offset = view.begin.reduce((s, b, i) => s + b * inStrides[i], 0);
  }
  if (view.kind === 'pad') {
    inShape.forEach((d, i) => {
      step[i] = inStrides[i];
      lo[i] = view.before[i];
      hi[i] = view.before[i] + d;
    });
    offset = -view.before.reduce((s, b, i) => s + b * inStrides[i], 0);
  }
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let s = offset;
    let inside = true;
    for (let a = 0; a < rank; a++) {
      s += idx[a] * step[a];
      if (idx[a] < lo[a] || idx[a] >= hi[a]) inside = false;
    }
    if (inside) out[o] = src[s];
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a] < outShape[a]) break;
      idx[a] = 0;
    }
  }
  return out;
}

/** Copies each source's block along `axis` into place, source after source, for each outer index. */
export function concatCpu(srcs: readonly TypedArray[], shapes: readonly Shape[], axis: number, dtype: DType, outShape: Shape): TypedArray {
  const out = allocHost(dtype, sizeOf(outShape));
  const outer = sizeOf(outShape.slice(0, axis));
  const row = sizeOf(outShape.slice(axis));
  let offset = 0;
  srcs.forEach((src, k) => {
    const block = sizeOf(shapes[k].slice(axis));
    for (let o = 0; o < outer; o++) out.set(src.subarray(o * block, (o + 1) * block), o * row + offset);
    offset += block;
  });
  return out;
}

function dtypeOfArray(a: TypedArray) {
  return a instanceof Float32Array ? 'float32' : a instanceof Int32Array ? 'int32' : 'bool';
}
