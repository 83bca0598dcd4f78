// CPU reductions over any set of axes. Float sums accumulate in float64, so the reference is
// more exact than the float32 GPU kernels it checks.

import { allocHost, type DType, type TypedArray } from '../../dtype';
import type { ReduceName } from '../../graph/ir';
import { sizeOf, stridesOf, type Shape } from '../../shape';

export function reduceCpu(kind: ReduceName, src: TypedArray, inShape: Shape, axes: readonly number[], outDType: DType): TypedArray {
  const outShape = inShape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outSize = sizeOf(outShape);
  const outStrides = stridesOf(outShape);
  const redShape = axes.map((a) => inShape[a]);
  const redStrides = stridesOf(redShape);
  const rank = inShape.length;
  const isArg = kind === 'argmax' || kind === 'argmin';
  const acc = new Float64Array(outSize).fill(kind === 'prod' ? 1 : kind === 'max' ? -Infinity : kind === 'min' ? Infinity : 0);
  const best = new Int32Array(outSize).fill(-1);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < src.length; i++) {
    let o = 0;
    let r = 0;
    for (let a = 0; a < rank; a++) {
      const k = axes.indexOf(a);
      if (k < 0) o += idx[a] * outStrides[a];
      else r += idx[a] * redStrides[k];
    }
    const x = src[i];
    switch (kind) {
      case 'sum':
        acc[o] += x;
        break;
      case 'prod':
        acc[o] *= x;
        break;
      case 'max':
        acc[o] = x > acc[o] || x !== x ? x : acc[o];
        break;
      case 'min':
        acc[o] = x < acc[o] || x !== x ? x : acc[o];
        break;
      default: {
        // Positions of one output are visited in increasing order, so the first extreme wins ties;
        // a NaN is the extreme of both (as PyTorch), and the first NaN wins.
        const a = acc[o];
        if (best[o] < 0 || (a === a && (x !== x || (kind === 'argmax' ? x > a : x < a)))) {
          acc[o] = x;
          best[o] = r;
        }
      }
    }
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a] < inShape[a]) break;
      idx[a] = 0;
    }
  }
  const out = allocHost(outDType, outSize);
  if (isArg) out.set(best);
  else for (let o = 0; o < outSize; o++) out[o] = acc[o];
  return out;
}
