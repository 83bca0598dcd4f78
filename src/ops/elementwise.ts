// Elementwise ops on tensors: argument checks, NumPy broadcasting, dtype promotion and the
// casts that put operands in the dtype the table row computes in (src/ops/elementwise-table.ts).

import { promote, scalarDType, type DType } from '../dtype';
import { ArgumentError, DTypeError } from '../errors';
import { constNode, type ElementwiseDef } from '../graph/ir';
import { broadcastShapes } from '../shape';
import { makeTensor, noGrad, Tensor, type GradFn, type TensorLike } from '../tensor';
import { BINARY_GRAD, UNARY_GRAD, whereGrad } from './elementwise-grad';
import { BINARY, UNARY, WHERE, type PublicName, type Row } from './elementwise-table';
import { sumTo } from './movement';
import { checkOptions } from './options';
import { broadcastNode, castNode, elementwiseNode } from './node-builders';

export type UnaryName = keyof typeof UNARY;
export type BinaryName = keyof typeof BINARY;

/** The dtype a unary row computes in and returns for an input of `dtype`. */
function unaryDType(row: Row, dtype: DType): DType {
  if (row.logical) return 'bool';
  if (row.float) return 'float32';
  return dtype === 'bool' ? 'int32' : dtype;
}

export function unary(name: UnaryName, x: Tensor, param = 0): Tensor {
  x = Tensor.check(x, name);
  if (!Number.isFinite(param)) throw new ArgumentError(`${name}: parameter must be a finite number, got ${param}`);
  if (name === 'neg' && x.dtype === 'bool') throw new DTypeError('neg: negation of a bool tensor is not supported (as PyTorch); use x.equal(false) for logical not, or cast to int32 first');
  const dtype = unaryDType(UNARY[name], x.dtype);
  // floor/ceil/round of integers are the integers themselves.
  if (x.dtype !== 'float32' && (name === 'floor' || name === 'ceil' || name === 'round')) return x.cast('float32');
  const src = castNode(x.node, dtype);
  const rule = UNARY_GRAD[name];
  return makeTensor(elementwiseNode(UNARY[name], [src], dtype, param), [x], rule ? (g, y) => [rule(g, x, y, param)] : undefined);
}

/** The dtype both operands of a binary row take, and the dtype of the result. */
function binaryDTypes(row: Row, a: DType, b: DType): { compute: DType; out: DType } {
  if (row.logical) return { compute: 'bool', out: 'bool' };
  let compute = row.float ? 'float32' : promote(a, b);
  if (compute === 'bool' && row.name !== 'equal' && row.name !== 'notEqual') compute = 'int32';
  return { compute, out: row.comparison ? 'bool' : compute };
}

/** Turns a number operand into a scalar tensor of the dtype it takes next to `other`. */
export function operand(x: TensorLike, other: TensorLike, op: string): Tensor {
  if (x instanceof Tensor) return Tensor.check(x, op);
  if (typeof x !== 'number') throw new ArgumentError(`${op}: expected a Tensor or a number, got ${typeof x}`);
  const dtype = other instanceof Tensor ? scalarDType(x, other.dtype) : Number.isInteger(x) ? 'int32' : 'float32';
  return makeTensor(constNode(x, dtype));
}

export function binary(name: BinaryName, a: TensorLike, b: TensorLike): Tensor {
  const ta = operand(a, b, name);
  const tb = operand(b, a, name);
  if (name === 'sub' && ta.dtype === 'bool' && tb.dtype === 'bool') {
    throw new DTypeError('sub: subtraction of two bool tensors is not supported (as PyTorch); use a.notEqual(b) for logical xor, or cast to int32 first');
  }
  const rule = BINARY_GRAD[name];
  return applyElementwise(BINARY[name], name, [ta, tb], binaryDTypes(BINARY[name], ta.dtype, tb.dtype), 0, rule ? (g, y) => rule(g, ta, tb, y) : undefined);
}

/** The node of `def` over broadcast operands; `grad`'s results are summed back to each operand's shape. */
function applyElementwise(def: ElementwiseDef, name: string, xs: Tensor[], dt: { compute: DType; out: DType }, castFrom = 0, grad?: GradFn['vjp']): Tensor {
  const shape = broadcastShapes(name, ...xs.map((t) => t.shape));
  const srcs = xs.map((t, i) => broadcastNode(i >= castFrom ? castNode(t.node, dt.compute) : t.node, shape));
  const vjp: GradFn['vjp'] | undefined = grad && ((g, y) => grad(g, y).map((gx, i) => gx && sumTo(gx, xs[i].shape)));
  return makeTensor(elementwiseNode(def, srcs, dt.out), xs, vjp);
}

/** `a` where `cond` is true, else `b`; all three broadcast. */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c = operand(cond, a, 'where');
  if (c.dtype !== 'bool') throw new DTypeError(`where: condition must be bool, got ${c.dtype}`);
  const ta = operand(a, b, 'where');
  const tb = operand(b, a, 'where');
  const dtype = promote(ta.dtype, tb.dtype);
  return applyElementwise(WHERE, 'where', [c, ta, tb], { compute: dtype, out: dtype }, 1, (g) => whereGrad(g, c));
}

export function clip(x: Tensor, min: number, max: number): Tensor {
  x = Tensor.check(x, 'clip');
  if (typeof min !== 'number' || typeof max !== 'number' || Number.isNaN(min) || Number.isNaN(max) || min > max) {
    throw new ArgumentError(`clip: expected numbers min ≤ max, got min=${min}, max=${max}`);
  }
  // Its own rule rather than maximum's and minimum's: PyTorch passes the gradient on all of
  // [min, max], boundaries included, where those would split it at ties.
  const y = noGrad(() => binary('minimum', binary('maximum', x, min), max));
  return makeTensor(y.node, [x], (g) => [g.where(x.greaterEqual(min), 0).where(x.lessEqual(max), 0)]);
}

/** Casts to `dtype`. Float→float is the input itself; int and bool results carry no gradient. */
export function cast(x: Tensor, dtype: DType): Tensor {
  x = Tensor.check(x, 'cast');
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') throw new DTypeError(`cast: unknown dtype ${JSON.stringify(dtype)} (expected 'float32', 'int32' or 'bool')`);
  if (x.dtype === dtype) return x;
  return makeTensor(castNode(x.node, dtype));
}

export function gelu(x: Tensor, opts?: { approximate?: 'none' | 'tanh' }): Tensor {
  x = Tensor.check(x, 'gelu');
  const approximate = checkOptions('gelu', opts, { approximate: ['none', 'tanh'] }).approximate ?? 'none';
  return unary(approximate === 'tanh' ? 'geluTanh' : 'gelu', x);
}

/** An elementwise op of the table as a function of its operands: `(x, param?)` or `(a, b)`. */
export type RowFunction = (x: TensorLike, arg?: TensorLike) => Tensor;

/**
 * The function form of every public table row, by name: unary rows take a tensor or number and
 * their parameter (default from the row), binary rows two operands. Methods and `wg.` functions
 * are made from these (src/ops/methods.ts, src/ops/functions.ts).
 */
export function rowFunctions(): Map<PublicName<typeof UNARY> | PublicName<typeof BINARY>, RowFunction> {
  const out = new Map<PublicName<typeof UNARY> | PublicName<typeof BINARY>, RowFunction>();
  for (const row of Object.values<Row>(UNARY)) {
    if (row.internal) continue;
    const name = row.name as PublicName<typeof UNARY>;
    out.set(name, (x, param) => unary(name, operand(x, x, name), param === undefined ? (row.paramDefault ?? 0) : (param as number)));
  }
  for (const row of Object.values<Row>(BINARY)) {
    if (row.internal) continue;
    const name = row.name as PublicName<typeof BINARY>;
    out.set(name, (a, b) => binary(name, a, b as TensorLike));
  }
  return out;
}
