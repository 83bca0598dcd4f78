// Reductions: sum, prod, max, min, argmax/argmin as reduce nodes; mean, variance and
// logSumExp composed from them. Reduce nodes keep reduced axes as size 1; keepDims=false
// reshapes them away (a view, so it fuses).

import type { DType } from '../dtype';
import { ArgumentError, DTypeError } from '../errors';
import { LazyNode, type ReduceName } from '../graph/ir';
import { normAxes, normAxis } from '../shape';
import { makeTensor, Tensor } from '../tensor';
import { where } from './elementwise';
import { castNode } from './node-builders';

export type Axis = number | readonly number[] | undefined;

function reduceDType(kind: ReduceName, dtype: DType): DType {
  if (kind === 'argmax' || kind === 'argmin') return 'int32';
  return dtype === 'bool' ? 'int32' : dtype;
}

/** The reduce node over `axes` (kept as size 1), then the reshape keepDims asks for. */
export function reduceOp(kind: ReduceName, x: Tensor, axes: readonly number[], keepDims: boolean): Tensor {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outShape = keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i));
  const dtype = reduceDType(kind, x.dtype);
  const src = castNode(x.node, kind === 'argmax' || kind === 'argmin' ? x.dtype : dtype);
  const node = new LazyNode({ kind: 'reduce', reduce: kind, axes }, [src], kept, dtype);
  const out = makeTensor(node, [x], (g, y) => reduceGrad(kind, x, axes, g, y));
  return keepDims || axes.length === 0 ? out : out.reshape(outShape);
}

function reduceGrad(kind: ReduceName, x: Tensor, axes: readonly number[], g: Tensor, y: Tensor): (Tensor | null)[] {
  switch (kind) {
    case 'sum':
      return [g.broadcastTo(x.shape)];
    case 'prod':
      return [g.mul(prodGrad(x, axes))];
    case 'max':
    case 'min': {
      // Tied extremes share the gradient evenly, as PyTorch's amax/amin and max()/min() without
      // a dim (its max(dim), which also returns indices, routes it to one index instead).
      const hit = x.equal(y).cast('float32');
      return [hit.div(hit.sum(axes, true)).mul(g)];
    }
    default:
      return [null];
  }
}

/**
 * ∂prod/∂x: the product of the other elements. y / x where no element is 0; with one 0, the
 * product of the rest at the 0 and 0 elsewhere; with more, 0 (as PyTorch, never 0 / 0).
 */
function prodGrad(x: Tensor, axes: readonly number[]): Tensor {
  const isZero = x.equal(0);
  const zeros = isZero.cast('float32').sum(axes, true);
  const nonzero = where(isZero, 1, x);
  const rest = nonzero.prod(axes, true);
  const oneZero = where(isZero, rest, 0);
  return where(zeros.equal(0), rest.div(nonzero), where(zeros.equal(1), oneZero, 0));
}

export function sum(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  x = Tensor.check(x, 'sum');
  const axes = normAxes('sum', axis, x.rank);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  if (count >= SPLIT_MIN_COUNT && x.size / count <= SPLIT_MAX_OUTPUTS) return twoPassSum(x, axes, count, keepDims);
  return reduceOp('sum', x, axes, keepDims);
}

/** Sums over at least this many values, into at most this many outputs, run in two passes. */
const SPLIT_MIN_COUNT = 65536;
const SPLIT_MAX_OUTPUTS = 64;
/** Values each first-pass partial sum covers. */
const SPLIT_CHUNK = 4096;

/**
 * A huge sum with few outputs as two reductions: partial sums over chunks of SPLIT_CHUNK (the
 * tail zero-padded), then the sum of the partials. Each pass spreads over many workgroups on the
 * GPU instead of one workgroup looping over millions of values, and rounding error grows with
 * the chunk count, not the element count (pairwise in two levels).
 */
function twoPassSum(x: Tensor, axes: readonly number[], count: number, keepDims: boolean): Tensor {
  const keptAxes = x.shape.flatMap((_, i) => (axes.includes(i) ? [] : [i]));
  const outs = x.size / count;
  const chunks = Math.ceil(count / SPLIT_CHUNK);
  const rows = x
    .cast(reduceDType('sum', x.dtype))
    .transpose([...keptAxes, ...axes])
    .reshape([outs, count])
    .pad([[0, 0], [0, chunks * SPLIT_CHUNK - count]])
    .reshape([outs, chunks, SPLIT_CHUNK]);
  const total = rows.sum(2).sum(1);
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return total.reshape(keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i)));
}

export function prod(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  x = Tensor.check(x, 'prod');
  return reduceOp('prod', x, normAxes('prod', axis, x.rank), keepDims);
}

export function max(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  x = Tensor.check(x, 'max');
  return reduceOp('max', x, normAxes('max', axis, x.rank), keepDims);
}

export function min(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  x = Tensor.check(x, 'min');
  return reduceOp('min', x, normAxes('min', axis, x.rank), keepDims);
}

function count(x: Tensor, axes: readonly number[]): number {
  return axes.reduce((n, a) => n * x.shape[a], 1);
}

export function mean(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  x = Tensor.check(x, 'mean');
  const axes = normAxes('mean', axis, x.rank);
  return sum(x.cast('float32'), axes, keepDims).div(count(x, axes));
}

/** Population variance (divides by N), as API.md asks. */
export function variance(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  x = Tensor.check(x, 'variance');
  const axes = normAxes('variance', axis, x.rank);
  const xf = x.cast('float32');
  const centered = xf.sub(mean(xf, axes, true));
  return mean(centered.square(), axes, keepDims);
}

/** log(Σ exp(x)), computed as max + log(Σ exp(x − max)) so large inputs do not overflow. */
export function logSumExp(x: Tensor, axis?: Axis, keepDims = false): Tensor {
  x = Tensor.check(x, 'logSumExp');
  const axes = normAxes('logSumExp', axis, x.rank);
  const xf = x.cast('float32');
  const m = max(xf, axes, true).detach();
  // An all -inf slice would give -inf - -inf = NaN; shift by 0 there instead.
  const shift = m.where(m.abs().less(Infinity), 0);
  const out = xf.sub(shift).exp().sum(axes, true).log().add(shift);
  return keepDims ? out : out.reshape(x.shape.filter((_, i) => !axes.includes(i)));
}

function argReduce(kind: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  x = Tensor.check(x, kind);
  if (x.dtype === 'bool') throw new DTypeError(`${kind}: bool tensors have no order; cast to int32 first`);
  if (x.size === 0) throw new ArgumentError(`${kind}: cannot take the ${kind} of an empty tensor`);
  if (axis === undefined) return reduceOp(kind, x.reshape([-1]), [0], false);
  return reduceOp(kind, x, [normAxis(kind, axis, x.rank)], keepDims);
}

export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argReduce('argmax', x, axis, keepDims);
}

export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argReduce('argmin', x, axis, keepDims);
}
