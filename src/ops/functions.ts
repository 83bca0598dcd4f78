// The function forms of the tensor methods (`wg.add(a, b)` ≡ `a.add(b)`), for `import * as wg`;
// the elementwise ones are made from the table's rows.

import type { DType } from '../dtype';
import type { Tensor, TensorLike } from '../tensor';
import { cast as castOp, clip as clipOp, gelu as geluOp, rowFunctions, where as whereOp } from './elementwise';
import type { BINARY, UNARY } from './elementwise-table';
import * as mv from './movement';
import * as rd from './reduce';
import type { Axis } from './reduce';

type UnaryRows = typeof UNARY;
type BinaryRows = typeof BINARY;
type UnaryFunction<R> = R extends { paramDefault: number } ? (x: TensorLike, alpha?: number) => Tensor : (x: TensorLike) => Tensor;

/** A function per public row of the elementwise table (`wg.exp(x)`, `wg.add(a, b)`). */
type ElementwiseFunctions = {
  [K in keyof UnaryRows as UnaryRows[K] extends { internal: true } ? never : K]: UnaryFunction<UnaryRows[K]>;
} & {
  [K in keyof BinaryRows as BinaryRows[K] extends { internal: true } ? never : K]: (a: TensorLike, b: TensorLike) => Tensor;
};

const table = Object.fromEntries(rowFunctions()) as ElementwiseFunctions;

// ES modules name their exports statically: the names are listed, and the compiler checks
// each against the table (tests/ops/elementwise-table.test.ts checks none is missing).
export const {
  add, sub, mul, div, pow, maximum, minimum, equal, notEqual, greater, greaterEqual, less, lessEqual,
  neg, abs, sign, exp, log, sqrt, rsqrt, square, reciprocal, sin, cos, floor, ceil, round,
  relu, sigmoid, tanh, leakyRelu, elu, selu, softplus, swish, step,
} = table;
export const where = (cond: TensorLike, a: TensorLike, b: TensorLike) => whereOp(cond, a, b);
export const gelu = (x: Tensor, opts?: { approximate?: 'none' | 'tanh' }) => geluOp(x, opts);
export const clip = (x: Tensor, min: number, max: number) => clipOp(x, min, max);
export const cast = (x: Tensor, dtype: DType) => castOp(x, dtype);

export const sum = (x: Tensor, axis?: Axis, keepDims = false) => rd.sum(x, axis, keepDims);
export const mean = (x: Tensor, axis?: Axis, keepDims = false) => rd.mean(x, axis, keepDims);
export const max = (x: Tensor, axis?: Axis, keepDims = false) => rd.max(x, axis, keepDims);
export const min = (x: Tensor, axis?: Axis, keepDims = false) => rd.min(x, axis, keepDims);
export const prod = (x: Tensor, axis?: Axis, keepDims = false) => rd.prod(x, axis, keepDims);
export const variance = (x: Tensor, axis?: Axis, keepDims = false) => rd.variance(x, axis, keepDims);
export const logSumExp = (x: Tensor, axis?: Axis, keepDims = false) => rd.logSumExp(x, axis, keepDims);
export const argmax = (x: Tensor, axis?: number, keepDims = false) => rd.argmax(x, axis, keepDims);
export const argmin = (x: Tensor, axis?: number, keepDims = false) => rd.argmin(x, axis, keepDims);

export const reshape = (x: Tensor, shape: readonly number[]) => mv.reshape(x, shape);
export const flatten = (x: Tensor, startAxis = 0) => mv.flatten(x, startAxis);
export const transpose = (x: Tensor, perm?: readonly number[]) => mv.transpose(x, perm);
export const expandDims = (x: Tensor, axis: number) => mv.expandDims(x, axis);
export const squeeze = (x: Tensor, axis?: number | readonly number[]) => mv.squeeze(x, axis);
export const broadcastTo = (x: Tensor, shape: readonly number[]) => mv.broadcastTo(x, shape);
export const slice = (x: Tensor, begin: number | readonly number[], size?: number | readonly number[]) => mv.slice(x, begin, size);
export const pad = (x: Tensor, paddings: readonly (readonly [number, number])[], value = 0) => mv.pad(x, paddings, value);
export const concat = (xs: readonly Tensor[], axis = 0) => mv.concat(xs, axis);
export const stack = (xs: readonly Tensor[], axis = 0) => mv.stack(xs, axis);

export { gather, oneHot } from './gather';
export { matmul } from './matmul';
export { softmax, logSoftmax } from './softmax';
export { conv2d, conv1d, conv2dTranspose } from './conv';
export type { Conv2dOptions, Conv1dOptions, Conv2dTransposeOptions, ConvPadding } from './conv';
export { maxPool2d, avgPool2d, globalAvgPool2d } from './pool';
export type { PoolOptions, AvgPoolOptions } from './pool';
