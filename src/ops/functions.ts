// The function forms of the tensor methods (`wg.add(a, b)` ≡ `a.add(b)`), for `import * as wg`.

import type { DType } from '../dtype';
import { Tensor, type TensorLike } from '../tensor';
import { binary, cast as castOp, clip as clipOp, gelu as geluOp, operand, unary, where as whereOp, type BinaryName, type UnaryName } from './elementwise';
import * as mv from './movement';
import * as rd from './reduce';
import type { Axis } from './reduce';

const bin = (name: BinaryName) => (a: TensorLike, b: TensorLike) => binary(name, a, b);
const un = (name: UnaryName) => (x: TensorLike) => unary(name, operand(x, x, name));

export const add = bin('add');
export const sub = bin('sub');
export const mul = bin('mul');
export const div = bin('div');
export const pow = bin('pow');
export const maximum = bin('maximum');
export const minimum = bin('minimum');
export const equal = bin('equal');
export const notEqual = bin('notEqual');
export const greater = bin('greater');
export const greaterEqual = bin('greaterEqual');
export const less = bin('less');
export const lessEqual = bin('lessEqual');
export const where = (cond: TensorLike, a: TensorLike, b: TensorLike) => whereOp(cond, a, b);

export const neg = un('neg');
export const abs = un('abs');
export const sign = un('sign');
export const exp = un('exp');
export const log = un('log');
export const sqrt = un('sqrt');
export const rsqrt = un('rsqrt');
export const square = un('square');
export const reciprocal = un('reciprocal');
export const sin = un('sin');
export const cos = un('cos');
export const floor = un('floor');
export const ceil = un('ceil');
export const round = un('round');
export const relu = un('relu');
export const sigmoid = un('sigmoid');
export const tanh = un('tanh');
export const selu = un('selu');
export const softplus = un('softplus');
export const swish = un('swish');
export const step = un('step');
export const leakyRelu = (x: Tensor, alpha = 0.01) => unary('leakyRelu', x, alpha);
export const elu = (x: Tensor, alpha = 1) => unary('elu', x, alpha);
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
