// Movement ops: reshape, transpose, broadcast, slice, pad, concat, stack and friends, all views
// (index arithmetic in whatever kernel consumes them).

import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { broadcastShapes, checkShape, checkSize, normAxis, sameShape, shapeStr, sizeOf } from '../shape';
import { LazyNode } from '../graph/ir';
import { makeTensor, Tensor } from '../tensor';
import { describeValue } from './options';
import { broadcastNode, fullNode, reshapeNode, viewNode } from './node-builders';

export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  x = Tensor.check(x, 'reshape');
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= -1)) {
    throw new ShapeError(`reshape: shape must be integers ≥ -1, got ${JSON.stringify(shape)}`);
  }
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1) throw new ShapeError(`reshape: only one -1 is allowed, got ${shapeStr(shape)}`);
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  if (unknown && known === 0) {
    throw new ShapeError(`reshape: the -1 in ${shapeStr(shape)} is ambiguous next to a size 0 (any size fits), as PyTorch; give every size for the ${shapeStr(x.shape)} tensor`);
  }
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : x.size / known) : d));
  if (!out.every(Number.isInteger) || sizeOf(out) !== x.size) {
    throw new ShapeError(`reshape: cannot reshape a tensor of shape ${shapeStr(x.shape)} (${x.size} elements) into ${shapeStr(shape)}`);
  }
  if (sameShape(out, x.shape)) return x;
  return makeTensor(reshapeNode(x.node, out), [x], (g) => [g.reshape(x.shape)]);
}

export function flatten(x: Tensor, startAxis = 0): Tensor {
  x = Tensor.check(x, 'flatten');
  if (x.rank === 0) return reshape(x, [1]);
  const s = normAxis('flatten', startAxis, x.rank);
  return reshape(x, [...x.shape.slice(0, s), -1]);
}

export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  x = Tensor.check(x, 'transpose');
  if (perm !== undefined && !Array.isArray(perm)) throw new ArgumentError(`transpose: perm must be an array of axes or undefined (reverse them), got ${describeValue(perm)}`);
  const p = perm ? [...perm] : x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || new Set(p.map((a) => normAxis('transpose', a, x.rank))).size !== x.rank) {
    throw new ArgumentError(`transpose: perm ${JSON.stringify(perm)} is not a permutation of the ${x.rank} axes of ${shapeStr(x.shape)}`);
  }
  const norm = p.map((a) => normAxis('transpose', a, x.rank));
  if (norm.every((a, i) => a === i)) return x;
  const inverse = new Array<number>(norm.length);
  norm.forEach((a, i) => (inverse[a] = i));
  const shape = norm.map((a) => x.shape[a]);
  return makeTensor(viewNode(x.node, { kind: 'permute', perm: norm }, shape), [x], (g) => [g.transpose(inverse)]);
}

export function expandDims(x: Tensor, axis: number): Tensor {
  x = Tensor.check(x, 'expandDims');
  const a = normAxis('expandDims', axis, x.rank + 1);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  x = Tensor.check(x, 'squeeze');
  if (axis !== undefined && typeof axis !== 'number' && !Array.isArray(axis)) throw new ArgumentError(`squeeze: axis must be a number, an array of them or undefined (every size-1 axis), got ${describeValue(axis)}`);
  const axes = axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : (typeof axis === 'number' ? [axis] : [...axis]).map((a) => normAxis('squeeze', a, x.rank));
  for (const a of axes) {
    if (x.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${a} of shape ${shapeStr(x.shape)} has size ${x.shape[a]}, expected 1`);
  }
  return reshape(x, x.shape.filter((_, i) => !axes.includes(i)));
}

export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  x = Tensor.check(x, 'broadcastTo');
  const target = checkShape('broadcastTo', shape);
  const b = broadcastShapes('broadcastTo', x.shape, target);
  if (!sameShape(b, target)) throw new ShapeError(`broadcastTo: cannot broadcast ${shapeStr(x.shape)} to ${shapeStr(target)}`);
  if (sameShape(x.shape, target)) return x;
  return makeTensor(broadcastNode(x.node, target), [x], (g) => [sumTo(g, x.shape)]);
}

/** Sums `g` over the axes broadcasting added or expanded, back to `shape`. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes = g.shape.flatMap((d, i) => (i < lead || (shape[i - lead] === 1 && d !== 1) ? [i] : []));
  const summed = axes.length ? g.sum(axes, true) : g;
  return summed.reshape(shape);
}

/** `size[i] = -1` takes everything from `begin[i]` to the end; negative begins count from the end. */
export function slice(x: Tensor, begin: number | readonly number[], size?: number | readonly number[]): Tensor {
  x = Tensor.check(x, 'slice');
  const numbers = (v: unknown) => typeof v === 'number' || (Array.isArray(v) && v.every((d) => typeof d === 'number'));
  if (!numbers(begin) || (size !== undefined && !numbers(size))) {
    throw new ArgumentError(`slice: begin and size must be numbers or arrays of numbers, got begin ${describeValue(begin)} and size ${describeValue(size)}`);
  }
  const b = typeof begin === 'number' ? [begin] : [...begin];
  const s = size === undefined ? b.map(() => -1) : typeof size === 'number' ? [size] : [...size];
  if (b.length > x.rank || s.length !== b.length) {
    throw new ArgumentError(`slice: begin ${JSON.stringify(begin)} and size ${JSON.stringify(size)} must have equal lengths ≤ rank ${x.rank} of ${shapeStr(x.shape)}`);
  }
  const start = x.shape.map((d, i) => (i < b.length ? (b[i] < 0 ? b[i] + d : b[i]) : 0));
  const len = x.shape.map((d, i) => (i < s.length ? (s[i] === -1 ? d - start[i] : s[i]) : d));
  x.shape.forEach((d, i) => {
    if (!Number.isInteger(start[i]) || !Number.isInteger(len[i]) || start[i] < 0 || len[i] < 0 || start[i] + len[i] > d) {
      throw new ShapeError(`slice: begin ${JSON.stringify(begin)}, size ${JSON.stringify(size)} go outside axis ${i} of ${shapeStr(x.shape)}`);
    }
  });
  if (sameShape(len, x.shape)) return x;
  const node = viewNode(x.node, { kind: 'shrink', begin: start }, len);
  return makeTensor(node, [x], (g) => [padZero(g, start.map((st, i) => [st, x.shape[i] - st - len[i]]))]);
}

function padZero(x: Tensor, paddings: readonly (readonly [number, number])[]): Tensor {
  const shape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const node = viewNode(x.node, { kind: 'pad', before: paddings.map((p) => p[0]) }, shape);
  return makeTensor(node, [x], (g) => [slice(g, paddings.map((p) => p[0]), x.shape)]);
}

/** Pads with `value`; `paddings[i] = [before, after]` for each axis. */
export function pad(x: Tensor, paddings: readonly (readonly [number, number])[], value = 0): Tensor {
  x = Tensor.check(x, 'pad');
  if (!Array.isArray(paddings) || paddings.length !== x.rank || !paddings.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0))) {
    throw new ArgumentError(`pad: paddings must be ${x.rank} pairs [before, after] of non-negative integers for shape ${shapeStr(x.shape)}, got ${JSON.stringify(paddings)}`);
  }
  if (!Number.isFinite(value)) throw new ArgumentError(`pad: value must be finite, got ${value}`);
  checkSize('pad', x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]));
  if (paddings.every((p) => p[0] === 0 && p[1] === 0)) return x;
  const padded = padZero(x, paddings);
  if (value === 0) return padded;
  const inside = padZero(makeTensor(fullNode(x.shape, 1, 'bool')), paddings);
  // The fill takes x's dtype (as PyTorch's pad): a bool stays bool, an int32 pad value truncates.
  return padded.where(inside, makeTensor(fullNode([], value, x.dtype)));
}

/**
 * Sources one concat view reads at most: with its output, 8 storage buffers, the number every
 * WebGPU device allows a kernel. Longer concats are trees of these; the scheduler copies whole
 * buffers into the output (src/graph/schedule.ts, CopyKernel) or materializes as few subtrees
 * as the device's own limit needs.
 */
const CONCAT_GROUP = 7;

function concatNode(srcs: readonly LazyNode[], axis: number): LazyNode {
  if (srcs.length === 1) return srcs[0];
  if (srcs.length > CONCAT_GROUP) {
    const groups: LazyNode[] = [];
    for (let i = 0; i < srcs.length; i += CONCAT_GROUP) groups.push(concatNode(srcs.slice(i, i + CONCAT_GROUP), axis));
    return concatNode(groups, axis);
  }
  const shape = [...srcs[0].shape];
  shape[axis] = srcs.reduce((n, s) => n + s.shape[axis], 0);
  return new LazyNode({ kind: 'view', view: { kind: 'concat', axis } }, srcs, shape, srcs[0].dtype);
}

/**
 * Joins tensors along an existing axis: a view (each output element reads one source), so it
 * fuses into its consumer and costs time linear in the output, however many tensors it joins.
 *
 * ```ts
 * wg.concat([wg.ones([2, 1]), wg.zeros([2, 3])], 1); // [2, 4]
 * ```
 */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new ArgumentError('concat: expected a non-empty array of tensors');
  const ts = xs.map((t) => Tensor.check(t, 'concat'));
  const first = ts[0];
  const a = normAxis('concat', axis, first.rank);
  for (const t of ts) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new ShapeError(`concat: shapes ${ts.map((u) => shapeStr(u.shape)).join(', ')} differ outside axis ${a}`);
    }
    if (t.dtype !== first.dtype) throw new DTypeError(`concat: dtypes ${ts.map((u) => u.dtype).join(', ')} differ; cast them to one dtype first`);
  }
  checkSize('concat', first.shape.map((d, i) => (i === a ? ts.reduce((n, t) => n + t.shape[a], 0) : d)));
  const parts = ts.filter((t) => t.shape[a] > 0);
  if (parts.length <= 1) return parts[0] ?? first;
  const begins: number[] = [];
  let offset = 0;
  for (const t of parts) {
    begins.push(offset);
    offset += t.shape[a];
  }
  // Each part's gradient is its slice of the upstream gradient.
  const grads = (g: Tensor) => parts.map((t, k) => slice(g, t.shape.map((_, i) => (i === a ? begins[k] : 0)), t.shape));
  return makeTensor(concatNode(parts.map((t) => t.node), a), parts, grads);
}

/**
 * Joins tensors of one shape along a new axis (a concat of their `expandDims(axis)`).
 *
 * ```ts
 * wg.stack([wg.ones([2]), wg.zeros([2])], 1); // [[1, 0], [1, 0]]
 * ```
 */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new ArgumentError('stack: expected a non-empty array of tensors');
  const ts = xs.map((t) => Tensor.check(t, 'stack'));
  for (const t of ts) {
    if (!sameShape(t.shape, ts[0].shape)) throw new ShapeError(`stack: all tensors need one shape, got ${ts.map((u) => shapeStr(u.shape)).join(', ')}`);
    if (t.dtype !== ts[0].dtype) throw new DTypeError(`stack: dtypes ${ts.map((u) => u.dtype).join(', ')} differ; cast them to one dtype first`);
  }
  const a = normAxis('stack', axis, ts[0].rank + 1);
  checkSize('stack', [ts.length, ...ts[0].shape]);
  return concat(ts.map((t) => expandDims(t, a)), a);
}
