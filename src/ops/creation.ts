// Creating tensors: from values (uploaded once), constants (lazy: a broadcast scalar, no upload)
// and random draws (lazy: a Threefry node that fuses into its consumer, no upload).

import { allocHost, isDType, type DType, type TypedArray } from '../dtype';
import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { bufferNode, constNode, type ElementwiseDef, type LazyNode, Storage } from '../graph/ir';
import { checkShape, checkSize, shapeStr, sizeOf } from '../shape';
import { makeTensor, Tensor } from '../tensor';
import { BINARY, RANDOM } from './elementwise-table';
import { broadcastNode, castNode, elementwiseNode, fullNode } from './node-builders';
import { checkOptions, type OptionSpec } from './options';
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

const CREATE: OptionSpec = { dtype: 'string', requiresGrad: 'boolean' };
const RANDOM_OPTIONS: OptionSpec = { ...CREATE, seed: 'number' };
const TENSOR: OptionSpec = { ...CREATE, shape: 'shape' };

/** The checked options of creation op `op` and the dtype they ask for (`fallback` if none). */
function createOptions<O extends CreateOptions>(op: string, opts: O | undefined, fallback: DType, spec: OptionSpec = CREATE): { opts: Partial<O>; dtype: DType } {
  const o = checkOptions(op, opts, spec);
  const d = o.dtype ?? fallback;
  if (!isDType(d)) throw new DTypeError(`${op}: unknown dtype ${JSON.stringify(d)} (expected 'float32', 'int32' or 'bool')`);
  return { opts: o, dtype: d };
}

/** The checked options of a random op and its dtype: one of `allowed` (the first is the default). */
function randomOptions(op: string, opts: RandomOptions | undefined, allowed: readonly DType[]): { opts: Partial<RandomOptions>; dtype: DType } {
  const o = createOptions(op, opts, allowed[0], RANDOM_OPTIONS);
  if (!allowed.includes(o.dtype)) throw new DTypeError(`${op}: dtype must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got '${o.dtype}' (cast the result instead)`);
  return o;
}

/** Throws unless every value can be stored as `dtype`: int32 holds finite values in its range. */
function checkValues(op: string, values: ArrayLike<number>, dtype: DType): void {
  if (dtype !== 'int32') return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= -2147483648 && v < 2147483648)) {
      throw new ArgumentError(`${op}: value ${v} at flat index ${i} does not fit int32 (expected a finite number in [-2147483648, 2147483647])`);
    }
  }
}

function finish(op: string, t: Tensor, opts: CreateOptions | undefined): Tensor {
  if (opts?.requiresGrad) {
    if (t.dtype !== 'float32') throw new DTypeError(`${op}: only float32 tensors can require gradients (requiresGrad), got ${t.dtype}`);
    t.requiresGrad = true;
  }
  return t;
}

/** A tensor holding `data` (already of `dtype`) with `shape`. */
export function fromHost(data: TypedArray, shape: readonly number[], opts?: CreateOptions, op = 'tensor'): Tensor {
  const dtype: DType = data instanceof Float32Array ? 'float32' : data instanceof Int32Array ? 'int32' : 'bool';
  const storage = new Storage(dtype, data.length);
  storage.host = data;
  return finish(op, makeTensor(bufferNode(storage, shape)), opts);
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
    const view: ArrayBufferView = values;
    if (view instanceof DataView || view instanceof BigInt64Array || view instanceof BigUint64Array) {
      throw new ArgumentError(`tensor: expected a typed array of numbers, got a ${view.constructor.name}`);
    }
    const fallback: DType = values instanceof Int32Array ? 'int32' : values instanceof Uint8Array ? 'bool' : 'float32';
    const { opts: o, dtype } = createOptions('tensor', opts, fallback, TENSOR);
    const shape = o.shape ? checkShape('tensor', o.shape) : [values.length];
    if (sizeOf(shape) !== values.length) throw new ShapeError(`tensor: shape ${shapeStr(shape)} needs ${sizeOf(shape)} values, got ${values.length}`);
    checkValues('tensor', values, dtype);
    const data = allocHost(dtype, values.length);
    data.set(values);
    return fromHost(data, shape, o);
  }
  if (typeof values !== 'number' && typeof values !== 'boolean' && !Array.isArray(values)) {
    throw new ArgumentError(`tensor: values must be a number, a boolean, nested arrays of them or a typed array, got ${values === null ? 'null' : typeof values}`);
  }
  const { opts: o, dtype } = createOptions('tensor', opts, typeof firstLeaf(values) === 'boolean' ? 'bool' : 'float32', TENSOR);
  const shape = checkSize('tensor', inferShape(values));
  const flat: number[] = [];
  flattenInto(values, shape, 0, flat);
  if (o.shape && sizeOf(checkShape('tensor', o.shape)) !== flat.length) {
    throw new ShapeError(`tensor: shape ${shapeStr(o.shape)} needs ${sizeOf(o.shape)} values, got ${flat.length}`);
  }
  checkValues('tensor', flat, dtype);
  const data = allocHost(dtype, flat.length);
  data.set(flat);
  return fromHost(data, o.shape ? [...o.shape] : shape, o);
}

/** A constant tensor for creation op `op` (full and the zeros/ones family). */
function constant(op: string, shape: readonly number[], value: number, opts: CreateOptions | undefined, fallback: DType = 'float32'): Tensor {
  const s = checkShape(op, shape);
  if (typeof value !== 'number') throw new ArgumentError(`${op}: value must be a number, got ${typeof value}`);
  const o = createOptions(op, opts, fallback);
  checkValues(op, [value], o.dtype);
  return finish(op, makeTensor(fullNode(s, value, o.dtype)), o.opts);
}

export const full = (shape: readonly number[], value: number, opts?: CreateOptions) => constant('full', shape, value, opts);
export const zeros = (shape: readonly number[], opts?: CreateOptions) => constant('zeros', shape, 0, opts);
export const ones = (shape: readonly number[], opts?: CreateOptions) => constant('ones', shape, 1, opts);
export const zerosLike = (t: Tensor, opts?: CreateOptions) => constant('zerosLike', Tensor.check(t, 'zerosLike').shape, 0, opts, t.dtype);
export const onesLike = (t: Tensor, opts?: CreateOptions) => constant('onesLike', Tensor.check(t, 'onesLike').shape, 1, opts, t.dtype);

/** Values from `start` to `stop` (exclusive) by `step`; `arange(n)` counts from 0. */
export function arange(start: number, stop?: number, step = 1, opts?: CreateOptions): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (![start, stop, step].every(Number.isFinite) || step === 0) throw new ArgumentError(`arange: start, stop and step must be finite and step non-zero, got ${start}, ${stop}, ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  checkSize('arange', [n]);
  const { opts: o, dtype } = createOptions('arange', opts, 'float32');
  checkValues('arange', [start, start + (n - 1) * step], dtype);
  const data = allocHost(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return fromHost(data, [n], o, 'arange');
}

export function linspace(start: number, stop: number, num: number, opts?: CreateOptions): Tensor {
  if (!Number.isFinite(start) || !Number.isFinite(stop) || !Number.isInteger(num) || num < 0) {
    throw new ArgumentError(`linspace: expected finite start and stop and an integer num ≥ 0, got ${start}, ${stop}, ${num}`);
  }
  checkSize('linspace', [num]);
  const { opts: o, dtype } = createOptions('linspace', opts, 'float32');
  checkValues('linspace', [start, stop], dtype);
  const data = allocHost(dtype, num);
  for (let i = 0; i < num; i++) data[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1);
  return fromHost(data, [num], o, 'linspace');
}

export function eye(n: number, opts?: CreateOptions): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`eye: n must be an integer ≥ 0, got ${n}`);
  checkSize('eye', [n, n]);
  const { opts: o, dtype } = createOptions('eye', opts, 'float32');
  const data = allocHost(dtype, n * n);
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return fromHost(data, [n, n], o, 'eye');
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
  const { opts: o, dtype } = randomOptions('rand', opts, ['float32']);
  return finish('rand', makeTensor(randomNode('rand', RANDOM.randomUniform, s, dtype, o)), o);
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
  const { opts: o, dtype } = randomOptions('randn', opts, ['float32']);
  return finish('randn', makeTensor(randomNode('randn', RANDOM.randomNormal, s, dtype, o)), o);
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
  const { opts: o, dtype } = randomOptions('randint', opts, ['int32', 'float32']);
  // The range is read as u32 on both backends: as int32 bits it may be negative.
  const below = randomNode('randint', RANDOM.randomBelow, s, 'int32', o, [(high - low) | 0]);
  const node = elementwiseNode(BINARY.add, [below, broadcastNode(constNode(low, 'int32'), s)], 'int32');
  return finish('randint', makeTensor(castNode(node, dtype)), o);
}
