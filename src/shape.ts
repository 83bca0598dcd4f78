// Pure shape arithmetic: sizes, strides, NumPy broadcasting and axis normalization.
// Every function here throws a ShapeError naming the op when the shapes do not fit.

import { ArgumentError, ShapeError } from './errors';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous array of `shape`. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The most elements one tensor may have: kernels index elements with i32, and the CPU backend
 * holds them in one typed array. Bytes beyond the device's buffer limits are an
 * OutOfMemoryError where a tensor is materialized; counts beyond this are refused at the call.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** Throws unless a tensor of `shape` has at most MAX_ELEMENTS elements; returns `shape`. */
export function checkSize<S extends Shape>(op: string, shape: S): S {
  const n = sizeOf(shape);
  if (n > MAX_ELEMENTS) {
    throw new ArgumentError(`${op}: a tensor of shape ${shapeStr(shape)} would have ${n} elements, more than the ${MAX_ELEMENTS} (2^31 − 1) a tensor can hold`);
  }
  return shape;
}

/** The NumPy broadcast of several shapes. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) {
        throw new ShapeError(
          `${op}: shapes ${shapes.map(shapeStr).join(' and ')} cannot be broadcast together ` +
            `(axis ${o - rank} has sizes ${out[o]} and ${d}; expected equal sizes or 1)`,
        );
      }
    }
  }
  return checkSize(op, out);
}

/** Checks `shape` is a list of non-negative integers, of at most MAX_ELEMENTS elements. */
export function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(`${op}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return checkSize(op, shape.slice());
}

/** One axis in [-rank, rank) → [0, rank). */
export function normAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ArgumentError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank} (expected an integer in [${-rank}, ${rank - 1}])`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** `undefined` → every axis; a number or list → sorted unique normalized axes. */
export function normAxes(op: string, axis: number | readonly number[] | undefined, rank: number): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axis !== 'number' && !Array.isArray(axis)) {
    throw new ArgumentError(`${op}: axis must be a number, an array of numbers or undefined (every axis), got ${axis === null ? 'null' : typeof axis}`);
  }
  const list: number[] = typeof axis === 'number' ? [axis] : [...axis];
  const out = list.map((a) => normAxis(op, a, rank));
  if (new Set(out).size !== out.length) throw new ArgumentError(`${op}: repeated axis in ${JSON.stringify(axis)}`);
  return out.sort((a, b) => a - b);
}
