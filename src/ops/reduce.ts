// Reductions: sum, prod, max, min, argmax/argmin as reduce nodes; mean, variance and
// logSumExp composed from them. Reduce nodes keep reduced axes as size 1; keepDims=false
// reshapes them away (a view, so it fuses).

import type { DType } from '../dtype';
import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { LazyNode, type ReduceName } from '../graph/ir';
import { normAxes, shapeStr } from '../shape';
import { makeTensor, Tensor } from '../tensor';
import { where } from './elementwise';
import { castNode, fullNode } from './node-builders';

export type Axis = number | readonly number[] | undefined;

function reduceDType(kind: ReduceName, dtype: DType): DType {
  if (kind === 'argmax' || kind === 'argmin') return 'int32';
  return dtype === 'bool' ? 'int32' : dtype;
}

/** The shape of a reduction of `x` over `axes`: reduced axes kept as size 1, or dropped. */
function reduceShape(x: Tensor, axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
}

/** The reduce node over `axes` (kept as size 1), then the reshape keepDims asks for. */
export function reduceOp(kind: ReduceName, x: Tensor, axes: readonly number[], keepDims: boolean): Tensor {
  const kept = reduceShape(x, axes, true);
  const outShape = reduceShape(x, axes, keepDims);
  const dtype = reduceDType(kind, x.dtype);
  // Nothing to reduce (only sum and prod get here): their identity, with no kernel, whose
  // index arithmetic would divide by the zero-size axis.
  if (count(x, axes) === 0) return makeTensor(fullNode(outShape, kind === 'prod' ? 1 : 0, dtype), [x], () => [x.mul(0)]);
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

/** The checked tensor and sorted axes of reduction `op`; `nonEmpty`: refuse to reduce nothing. */
function reduceArgs(op: string, x: Tensor, axis: Axis, keepDims: unknown, nonEmpty = false): { x: Tensor; axes: number[] } {
  x = Tensor.check(x, op);
  if (typeof keepDims !== 'boolean') throw new ArgumentError(`${op}: keepDims must be a boolean, got ${JSON.stringify(keepDims)}`);
  const axes = normAxes(op, axis, x.rank);
  if (nonEmpty && count(x, axes) === 0) {
    throw new ShapeError(`${op}: cannot reduce over no elements (axes ${JSON.stringify(axes)} of shape ${shapeStr(x.shape)} hold none), as PyTorch; sum, mean and prod of nothing are defined`);
  }
  return { x, axes };
}

export function sum(input: Tensor, axis?: Axis, keepDims = false): Tensor {
  const { x, axes } = reduceArgs('sum', input, axis, keepDims);
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  if (count >= SPLIT_MIN_COUNT && x.size / count <= SPLIT_MAX_OUTPUTS) return twoPassSum(x, axes, count, keepDims);
  return reduceOp('sum', x, axes, keepDims);
}

/**
 * Sums over at least this many values, into at most this many outputs, run in two passes (on
 * SwiftShader, column sums of conv bias gradients, 50176 values into 32 outputs: 4-5× faster).
 */
const SPLIT_MIN_COUNT = 4096;
const SPLIT_MAX_OUTPUTS = 256;
/** Values each first-pass partial sum covers: below the cooperative threshold, so one thread loops over them. */
const SPLIT_PER_PARTIAL = 64;

/**
 * A huge sum with few outputs as two reductions: P partial sums of SPLIT_PER_PARTIAL values
 * each (the tail zero-padded), then the sum of the partials. Partial p sums values p, p + P,
 * p + 2P … of its output, so neighbouring threads read neighbouring values, and the first pass
 * needs no workgroup barrier (dear on SwiftShader, where it slows the whole loop): one thread
 * per partial, spread over many workgroups. Sums over the leading axes (column sums: bias
 * gradients) are read in place, other axes are moved last. Rounding error grows with the
 * partials' length, not the element count (pairwise in two levels).
 */
function twoPassSum(x: Tensor, axes: readonly number[], count: number, keepDims: boolean): Tensor {
  const outs = x.size / count;
  const partials = Math.ceil(count / SPLIT_PER_PARTIAL);
  const pad = partials * SPLIT_PER_PARTIAL - count;
  const values = x.cast(reduceDType('sum', x.dtype));
  let total: Tensor;
  if (axes.every((a, i) => a === i)) {
    const cols = values.reshape([count, outs]).pad([[0, pad], [0, 0]]);
    total = cols.reshape([SPLIT_PER_PARTIAL, partials, outs]).sum(0).sum(0);
  } else {
    const keptAxes = x.shape.flatMap((_, i) => (axes.includes(i) ? [] : [i]));
    const rows = values.transpose([...keptAxes, ...axes]).reshape([outs, count]).pad([[0, 0], [0, pad]]);
    total = rows.reshape([outs, SPLIT_PER_PARTIAL, partials]).sum(1).sum(1);
  }
  return total.reshape(reduceShape(x, axes, keepDims));
}

export function prod(input: Tensor, axis?: Axis, keepDims = false): Tensor {
  const { x, axes } = reduceArgs('prod', input, axis, keepDims);
  return reduceOp('prod', x, axes, keepDims);
}

/** The largest value over `axis`; NaN where a NaN is among them; an error over no elements. */
export function max(input: Tensor, axis?: Axis, keepDims = false): Tensor {
  const { x, axes } = reduceArgs('max', input, axis, keepDims, true);
  return reduceOp('max', x, axes, keepDims);
}

/** The smallest value over `axis`; NaN where a NaN is among them; an error over no elements. */
export function min(input: Tensor, axis?: Axis, keepDims = false): Tensor {
  const { x, axes } = reduceArgs('min', input, axis, keepDims, true);
  return reduceOp('min', x, axes, keepDims);
}

function count(x: Tensor, axes: readonly number[]): number {
  return axes.reduce((n, a) => n * x.shape[a], 1);
}

/** The mean over `axis` (NaN over no elements, as PyTorch). */
export function mean(input: Tensor, axis?: Axis, keepDims = false): Tensor {
  const { x, axes } = reduceArgs('mean', input, axis, keepDims);
  if (count(x, axes) === 0) return makeTensor(fullNode(reduceShape(x, axes, keepDims), NaN, 'float32'), [x], () => [x.mul(0)]);
  return sum(x.cast('float32'), axes, keepDims).div(count(x, axes));
}

/** Population variance (divides by N), as API.md asks. */
export function variance(input: Tensor, axis?: Axis, keepDims = false): Tensor {
  const { x, axes } = reduceArgs('variance', input, axis, keepDims);
  const xf = x.cast('float32');
  const centered = xf.sub(mean(xf, axes, true));
  return mean(centered.square(), axes, keepDims);
}

/**
 * log(Σ exp(x)), computed as max + log(Σ exp(x − max)) so large inputs do not overflow. As
 * PyTorch: NaN where a NaN is summed, +Inf with an +Inf, −Inf over no elements or all −Inf.
 */
export function logSumExp(input: Tensor, axis?: Axis, keepDims = false): Tensor {
  const { x, axes } = reduceArgs('logSumExp', input, axis, keepDims);
  const xf = x.cast('float32');
  if (count(x, axes) === 0) return xf.exp().sum(axes, keepDims).log();
  const m = max(xf, axes, true).detach();
  // An infinite max would give ∞ − ∞ = NaN; shift by 0 there instead (a NaN max stays NaN).
  const shift = m.where(m.abs().notEqual(Infinity), 0);
  const out = xf.sub(shift).exp().sum(axes, true).log().add(shift);
  return keepDims ? out : out.reshape(reduceShape(x, axes, false));
}

/** The index of the first extreme along `axis` (of the flattened tensor without one); NaN counts as the extreme, as PyTorch. */
function argReduce(kind: 'argmax' | 'argmin', input: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  if (axis !== undefined && typeof axis !== 'number') throw new ArgumentError(`${kind}: axis must be a number or undefined (the flattened tensor), got ${axis === null ? 'null' : typeof axis}`);
  const { x, axes } = reduceArgs(kind, input, axis, keepDims, true);
  if (x.dtype === 'bool') throw new DTypeError(`${kind}: bool tensors have no order; cast to int32 first`);
  if (axis === undefined) return reduceOp(kind, x.reshape([-1]), [0], false);
  return reduceOp(kind, x, axes, keepDims);
}

export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argReduce('argmax', x, axis, keepDims);
}

export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argReduce('argmin', x, axis, keepDims);
}
