// The Tensor methods: each calls the op function of the same name, and is installed on
// Tensor.prototype here (the elementwise ones made from the table), so src/tensor.ts imports no
// op module and no op module imports this one. src/index.ts loads it before anything runs.

import type { DType } from '../dtype';
import { backward } from '../autograd/backward';
import { Tensor, type TensorLike } from '../tensor';
import * as ew from './elementwise';
import type { BINARY, UNARY } from './elementwise-table';
import { gather, oneHot } from './gather';
import { matmul } from './matmul';
import * as mv from './movement';
import * as rd from './reduce';
import type { Axis } from './reduce';
import { logSoftmax, softmax } from './softmax';

type UnaryRows = typeof UNARY;
type BinaryRows = typeof BINARY;
type UnaryMethod<R> = R extends { paramDefault: number } ? (alpha?: number) => Tensor : () => Tensor;

/** A method per public row of the elementwise table, documented by the row's comment. */
export type ElementwiseMethods = {
  [K in keyof UnaryRows as UnaryRows[K] extends { internal: true } ? never : K]: UnaryMethod<UnaryRows[K]>;
} & {
  [K in keyof BinaryRows as BinaryRows[K] extends { internal: true } ? never : K]: (b: TensorLike) => Tensor;
};

/** The methods written by hand: ops outside the table, or with options of their own. */
export interface OpMethods {
  /** This tensor where `cond` is true, else `other` (PyTorch's `Tensor.where`). */
  where(cond: TensorLike, other: TensorLike): Tensor;
  /** Limits every value to [min, max]; the gradient passes on the whole closed interval. */
  clip(min: number, max: number): Tensor;
  /** The values as `dtype` (float→int truncates toward zero, saturating; nonzero → true). */
  cast(dtype: DType): Tensor;
  /** x·Φ(x), exactly (`approximate: 'none'`, the default) or with the tanh approximation. */
  gelu(opts?: { approximate?: 'none' | 'tanh' }): Tensor;

  /** The sum over `axis` (all axes when omitted). */
  sum(axis?: Axis, keepDims?: boolean): Tensor;
  /** The mean over `axis` (all axes when omitted). */
  mean(axis?: Axis, keepDims?: boolean): Tensor;
  /** The largest value over `axis`; NaN where a NaN is among them. */
  max(axis?: Axis, keepDims?: boolean): Tensor;
  /** The smallest value over `axis`; NaN where a NaN is among them. */
  min(axis?: Axis, keepDims?: boolean): Tensor;
  /** The product over `axis` (all axes when omitted). */
  prod(axis?: Axis, keepDims?: boolean): Tensor;
  /** The population variance over `axis` (divides by n). */
  variance(axis?: Axis, keepDims?: boolean): Tensor;
  /** log Σ eˣ over `axis`, computed without overflow. */
  logSumExp(axis?: Axis, keepDims?: boolean): Tensor;
  /** The int32 index of the first largest value along `axis` (of the flattened tensor when omitted). */
  argmax(axis?: number, keepDims?: boolean): Tensor;
  /** The int32 index of the first smallest value along `axis` (of the flattened tensor when omitted). */
  argmin(axis?: number, keepDims?: boolean): Tensor;

  /** The same values in `shape`; one size may be -1 (inferred). A view: no copy. */
  reshape(shape: readonly number[]): Tensor;
  /** Collapses the axes from `startAxis` on into one. */
  flatten(startAxis?: number): Tensor;
  /** Permutes the axes (reverses them when `perm` is omitted). A view. */
  transpose(perm?: readonly number[]): Tensor;
  /** Inserts an axis of size 1 at `axis`. */
  expandDims(axis: number): Tensor;
  /** Removes the size-1 axes named (every size-1 axis when omitted). */
  squeeze(axis?: number | readonly number[]): Tensor;
  /** Repeats size-1 axes (and adds leading ones) to reach `shape`, NumPy's rule. A view. */
  broadcastTo(shape: readonly number[]): Tensor;
  /** The block starting at `begin` of `size` (-1 in size: to the end). A view. */
  slice(begin: number | readonly number[], size?: number | readonly number[]): Tensor;
  /** Pads with `value`; `paddings[i] = [before, after]` for each axis. */
  pad(paddings: readonly (readonly [number, number])[], value?: number): Tensor;
  /** This tensor joined with `others` along `axis` (`wg.concat([this, ...others], axis)`). */
  concat(others: Tensor | readonly Tensor[], axis?: number): Tensor;
  /** The slices along `axis` at the int32 `indices` (`indices`' shape replaces that axis). */
  gather(indices: Tensor, axis?: number): Tensor;
  /** One-hot float32 rows of length `depth` for these int32 class indices. */
  oneHot(depth: number): Tensor;

  /** The matrix product; batch dimensions broadcast (as `torch.matmul`). */
  matmul(b: Tensor): Tensor;
  /** Softmax along `axis` (the last by default). */
  softmax(axis?: number): Tensor;
  /** log(softmax(x)) along `axis`, computed without overflow. */
  logSoftmax(axis?: number): Tensor;

  /**
   * Adds the gradient of this tensor with respect to every leaf that requires gradients into
   * their `.grad` (lazily: nothing runs until a value is needed). `grad` defaults to 1 for a
   * one-element tensor; other shapes must pass it.
   *
   * A second `backward()` through the same graph adds the gradients again (PyTorch's
   * `retain_graph=True`): the graph is lazy nodes that live as long as the tensors holding them,
   * so nothing was freed that PyTorch's "backward through the graph a second time" error guards.
   * A graph whose inputs were disposed is a DisposedError.
   *
   * ```ts
   * const x = wg.tensor([1, 2, 3], { requiresGrad: true });
   * x.square().sum().backward();
   * await x.grad!.array(); // [2, 4, 6]
   * ```
   */
  backward(grad?: Tensor): void;
}

/** Every op method of Tensor (src/tensor.ts merges this into the class's type). */
export interface TensorMethods extends ElementwiseMethods, OpMethods {}

type Implementations<M> = { [K in keyof M]: M[K] extends (...args: infer P) => infer R ? (this: Tensor, ...args: P) => R : never };

const opMethods: Implementations<OpMethods> = {
  where(cond, other) { return ew.where(cond, this, other); },
  clip(min, max) { return ew.clip(this, min, max); },
  cast(dtype) { return ew.cast(this, dtype); },
  gelu(opts) { return ew.gelu(this, opts); },

  sum(axis, keepDims = false) { return rd.sum(this, axis, keepDims); },
  mean(axis, keepDims = false) { return rd.mean(this, axis, keepDims); },
  max(axis, keepDims = false) { return rd.max(this, axis, keepDims); },
  min(axis, keepDims = false) { return rd.min(this, axis, keepDims); },
  prod(axis, keepDims = false) { return rd.prod(this, axis, keepDims); },
  variance(axis, keepDims = false) { return rd.variance(this, axis, keepDims); },
  logSumExp(axis, keepDims = false) { return rd.logSumExp(this, axis, keepDims); },
  argmax(axis, keepDims = false) { return rd.argmax(this, axis, keepDims); },
  argmin(axis, keepDims = false) { return rd.argmin(this, axis, keepDims); },

  reshape(shape) { return mv.reshape(this, shape); },
  flatten(startAxis = 0) { return mv.flatten(this, startAxis); },
  transpose(perm) { return mv.transpose(this, perm); },
  expandDims(axis) { return mv.expandDims(this, axis); },
  squeeze(axis) { return mv.squeeze(this, axis); },
  broadcastTo(shape) { return mv.broadcastTo(this, shape); },
  slice(begin, size) { return mv.slice(this, begin, size); },
  pad(paddings, value = 0) { return mv.pad(this, paddings, value); },
  concat(others, axis = 0) { return mv.concat([this, ...(Array.isArray(others) ? others : [others])], axis); },
  gather(indices, axis = 0) { return gather(this, indices, axis); },
  oneHot(depth) { return oneHot(this, depth); },

  matmul(b) { return matmul(this, b); },
  softmax(axis = -1) { return softmax(this, axis); },
  logSoftmax(axis = -1) { return logSoftmax(this, axis); },

  backward(grad) { backward(this, grad); },
};

/** Defines `fn` as a method of Tensor: non-enumerable, as a class body's methods are. */
function install(name: string, fn: (this: Tensor, ...args: never[]) => unknown): void {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}

for (const [name, fn] of ew.rowFunctions()) install(name, function (this: Tensor, arg?: TensorLike) { return fn(this, arg); });
for (const [name, fn] of Object.entries(opMethods)) install(name, fn);
