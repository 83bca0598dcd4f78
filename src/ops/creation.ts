// Creating tensors: from values (uploaded once), constants (lazy: a broadcast scalar, no upload)
// and random draws (lazy: a Threefry node that fuses into its consumer, no upload).

import { allocHost, isDType, type DType, type TypedArray } from '../dtype';
import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { bufferNode, constNode, type ElementwiseDef, type LazyNode, Storage } from '../graph/ir';
import { checkShape, shapeStr, sizeOf } from '../shape';
import { makeTensor, Tensor } from '../tensor';
import { BINARY, RANDOM } from './elementwise-table';
import { broadcastNode, castNode, elementwiseNode, fullNode } from './node-builders';
import { nextDraw } from './random';

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}
export interface RandomOptions extends CreateOptions {
  seed?: number;
}
export interface TensorOptions extends CreateOptions {
  /** Required for typed arrays; checked against nested arrays. */
  shape?: readonly number[];
}

export type NestedArray = number | boolean | readonly NestedArray[];

function dtypeOption(op: string, opts: CreateOptions | undefined, fallback: DType): DType {
  const d = opts?.dtype ?? fallback;
  if (!isDType(d)) throw new DTypeError(`${op}: unknown dtype ${JSON.stringify(d)} (expected 'float32', 'int32' or 'bool')`);
  return d;
}

function finish(t: Tensor, opts: CreateOptions | undefined): Tensor {
  if (opts?.requiresGrad) {
    if (t.dtype !== 'float32') throw new DTypeError(`requiresGrad: only float32 tensors can require gradients, got ${t.dtype}`);
    t.requiresGrad = true;
  }
  return t;
}

/** A tensor holding `data` (already of `dtype`) with `shape`. */
export function fromHost(data: TypedArray, shape: readonly number[], opts?: CreateOptions): Tensor {
  const dtype: DType = data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : 'bool';
  const storage = new Storage(dtype, data.length);
  storage.host = data;
  return finish(makeTensor(bufferNode(storage, shape)), opts);
}

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0] as NestedArray;
  }
  return shape;
}

function flattenInto(values: NestedArray, shape: readonly number[], depth: number, out: number[]): void {
  if (depth === shape.length) {
    if (typeof values !== 'number' && typeof values !== 'boolean') throw new ShapeError(`tensor: expected a number at depth ${depth}, got ${JSON.stringify(values)}`);
    out.push(Number(values));
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[depth]) {
    throw new ShapeError(`tensor: ragged nested array: expected ${shape[depth]} elements at depth ${depth} (shape ${shapeStr(shape)})`);
  }
  for (const v of values) flattenInto(v, shape, depth + 1, out);
}

function firstLeaf(values: NestedArray): unknown {
  let v: unknown = values;
  while (Array.isArray(v)) v = v[0];
  return v;
}

/** `wg.tensor([[1, 2], [3, 4]])`, or a typed array with `opts.shape`. */
export function tensor(values: NestedArray | TypedArray, opts?: TensorOptions): Tensor {
  if (ArrayBuffer.isView(values)) {
    const fallback: DType = values instanceof Int32Array ? 'int32' : values instanceof Uint8Array ? 'bool' : 'float32';
    const dtype = dtypeOption('tensor', opts, fallback);
    const shape = opts?.shape ? checkShape('tensor', opts.shape) : [values.length];
    if (sizeOf(shape) !== values.length) throw new ShapeError(`tensor: shape ${shapeStr(shape)} needs ${sizeOf(shape)} values, got ${values.length}`);
    const data = allocHost(dtype, values.length);
    data.set(values);
    return fromHost(data, shape, opts);
  }
  const shape = inferShape(values);
  const flat: number[] = [];
  flattenInto(values, shape, 0, flat);
  if (opts?.shape && sizeOf(checkShape('tensor', opts.shape)) !== flat.length) {
    throw new ShapeError(`tensor: shape ${shapeStr(opts.shape)} needs ${sizeOf(opts.shape)} values, got ${flat.length}`);
  }
  const dtype = dtypeOption('tensor', opts, typeof firstLeaf(values) === 'boolean' ? 'bool' : 'float32');
  if (flat.some((v) => Number.isNaN(v) && typeof v !== 'number')) throw new ArgumentError('tensor: values must be numbers or booleans');
  const data = allocHost(dtype, flat.length);
  data.set(flat);
  return fromHost(data, opts?.shape ? [...opts.shape] : shape, opts);
}

export function full(shape: readonly number[], value: number, opts?: CreateOptions): Tensor {
  const s = checkShape('full', shape);
  if (typeof value !== 'number') throw new ArgumentError(`full: value must be a number, got ${typeof value}`);
  const dtype = dtypeOption('full', opts, 'float32');
  return finish(makeTensor(fullNode(s, value, dtype)), opts);
}

export const zeros = (shape: readonly number[], opts?: CreateOptions) => full(shape, 0, opts);
export const ones = (shape: readonly number[], opts?: CreateOptions) => full(shape, 1, opts);
export const zerosLike = (t: Tensor, opts?: CreateOptions) => full(Tensor.check(t, 'zerosLike').shape, 0, { dtype: t.dtype, ...opts });
export const onesLike = (t: Tensor, opts?: CreateOptions) => full(Tensor.check(t, 'onesLike').shape, 1, { dtype: t.dtype, ...opts });

/** Values from `start` to `stop` (exclusive) by `step`; `arange(n)` counts from 0. */
export function arange(start: number, stop?: number, step = 1, opts?: CreateOptions): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (![start, stop, step].every(Number.isFinite) || step === 0) throw new ArgumentError(`arange: start, stop and step must be finite and step non-zero, got ${start}, ${stop}, ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const dtype = dtypeOption('arange', opts, 'float32');
  const data = allocHost(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return fromHost(data, [n], opts);
}

export function linspace(start: number, stop: number, num: number, opts?: CreateOptions): Tensor {
  if (!Number.isFinite(start) || !Number.isFinite(stop) || !Number.isInteger(num) || num < 0) {
    throw new ArgumentError(`linspace: expected finite start and stop and an integer num ≥ 0, got ${start}, ${stop}, ${num}`);
  }
  const data = new Float32Array(num);
  for (let i = 0; i < num; i++) data[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1);
  return fromHost(data, [num], opts);
}

export function eye(n: number, opts?: CreateOptions): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`eye: n must be an integer ≥ 0, got ${n}`);
  const data = allocHost(dtypeOption('eye', opts, 'float32'), n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return fromHost(data, [n, n], opts);
}

/** The dtype option of a random op: one of `allowed` (the first is the default). */
function randomDType(op: string, opts: RandomOptions | undefined, allowed: readonly DType[]): DType {
  const d = dtypeOption(op, opts, allowed[0]);
  if (!allowed.includes(d)) throw new DTypeError(`${op}: dtype must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got '${d}'`);
  return d;
}

/** The random node of `def` over `shape`: key and stream (and `extra`) are int32 runtime scalars. */
function randomNode(op: string, def: ElementwiseDef, shape: readonly number[], dtype: DType, opts: RandomOptions | undefined, extra: number[] = []): LazyNode {
  const { key, stream } = nextDraw(op, opts?.seed);
  const srcs = [key, stream, ...extra].map((v) => broadcastNode(constNode(v, 'int32'), shape));
  return elementwiseNode(def, srcs, dtype);
}

/**
 * Uniform samples in [0, 1), drawn on the device (Threefry 2x32-20) from the global stream
 * (`wg.seed`) or `opts.seed`. Lazy: it fuses into its consumer and uploads nothing.
 *
 * ```ts
 * const mask = wg.rand(x.shape).greaterEqual(0.5); // x.mul(mask): one kernel
 * ```
 */
export function rand(shape: readonly number[], opts?: RandomOptions): Tensor {
  const s = checkShape('rand', shape);
  const dtype = randomDType('rand', opts, ['float32']);
  return finish(makeTensor(randomNode('rand', RANDOM.randomUniform, s, dtype, opts)), opts);
}

/**
 * Standard normal samples (Box–Muller from two uniforms), drawn on the device like `rand`.
 *
 * ```ts
 * const w = wg.randn([784, 128], { seed: 0 }).mul(0.05);
 * ```
 */
export function randn(shape: readonly number[], opts?: RandomOptions): Tensor {
  const s = checkShape('randn', shape);
  const dtype = randomDType('randn', opts, ['float32']);
  return finish(makeTensor(randomNode('randn', RANDOM.randomNormal, s, dtype, opts)), opts);
}

const INT32_MIN = -2147483648;
const INT32_LIMIT = 2147483648;

/**
 * Integers uniform in [low, high) (int32 by default; `dtype: 'float32'` casts them), drawn on
 * the device like `rand`: exact, with a bias below (high − low) / 2³² per value.
 *
 * ```ts
 * const labels = wg.randint(0, 10, [64]);
 * ```
 */
export function randint(low: number, high: number, shape: readonly number[], opts?: RandomOptions): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low || low < INT32_MIN || high > INT32_LIMIT) {
    throw new ArgumentError(`randint: expected int32 integers low < high, got ${low}, ${high}`);
  }
  const s = checkShape('randint', shape);
  const dtype = randomDType('randint', opts, ['int32', 'float32']);
  // The range is read as u32 on both backends: as int32 bits it may be negative.
  const below = randomNode('randint', RANDOM.randomBelow, s, 'int32', opts, [(high - low) | 0]);
  const node = elementwiseNode(BINARY.add, [below, broadcastNode(constNode(low, 'int32'), s)], 'int32');
  return finish(makeTensor(castNode(node, dtype)), opts);
}
