// Gradient rules of the elementwise table (src/ops/elementwise-table.ts), one per row name, as
// plain tensor expressions: the backward pass is more lazy nodes that fuse like the forward.
// Kinks and ties follow PyTorch; the `satisfies` clauses make a new table row need a rule here.
// Rules use Tensor methods only, so this module does not import src/ops/elementwise.ts.

import { makeTensor, type Tensor } from '../tensor';
import { zerosLike } from './creation';
import { SELU_ALPHA, SELU_SCALE, SQRT_2_OVER_PI, UNARY, type BINARY } from './elementwise-table';
import { elementwiseNode } from './node-builders';

/** The input gradient of a unary op from the output gradient `g`, input `x` and output `y`. */
export type UnaryGrad = (g: Tensor, x: Tensor, y: Tensor, param: number) => Tensor;
/** The gradients of both operands, before they are summed back over broadcast axes. */
export type BinaryGrad = (g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null];

/** Piecewise-constant ops (floor, sign, step…): zero gradient, as PyTorch. */
const zero: UnaryGrad = (_g, x) => zerosLike(x);

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INV_SQRT_2PI = 0.3989422804014327;
const GELU_KAPPA = 0.044715;

/** 0 where `cond` is true, else `b` (the mirror of `b.where(cond, 0)`). */
const zeroWhere = (cond: Tensor, b: Tensor) => zerosLike(b).where(cond, b);

/** erf as a differentiable op: gelu's gradient reads it, and it has no method of its own. */
function erf(x: Tensor): Tensor {
  return makeTensor(elementwiseNode(UNARY.erf, [x.node], 'float32'), [x], (g) => [UNARY_GRAD.erf(g, x)]);
}

/** Unary rules; null for rows with bool results (no gradient flows). */
export const UNARY_GRAD = {
  neg: (g) => g.neg(),
  abs: (g, x) => g.mul(x.sign()), // sign(0) = 0: no gradient at the kink
  sign: zero,
  square: (g, x) => g.mul(x).mul(2),
  // relu'(0) = 0. Reads the output, as PyTorch does, so the pre-activation has one consumer
  // and bias + relu can ride in a matmul epilogue.
  relu: (g, _x, y) => g.where(y.greater(0), 0),
  step: zero,
  exp: (g, _x, y) => g.mul(y),
  log: (g, x) => g.div(x),
  sqrt: (g, _x, y) => g.div(y.mul(2)),
  rsqrt: (g, _x, y) => g.mul(y.mul(y).mul(y)).mul(-0.5),
  reciprocal: (g, _x, y) => g.mul(y.mul(y)).neg(),
  sin: (g, x) => g.mul(x.cos()),
  cos: (g, x) => g.mul(x.sin()).neg(),
  floor: zero,
  ceil: zero,
  round: zero,
  sigmoid: (g, _x, y) => g.mul(y.mul(y.neg().add(1))),
  tanh: (g, _x, y) => g.mul(y.mul(y).neg().add(1)),
  leakyRelu: (g, x, _y, alpha) => g.where(x.greater(0), g.mul(alpha)),
  // x ≤ 0 takes the exponential branch (PyTorch's elu_backward); min(x, 0) keeps it finite.
  elu: (g, x, _y, alpha) => g.where(x.greater(0), g.mul(x.minimum(0).exp().mul(alpha))),
  selu: (g, x) => g.where(x.greater(0), g.mul(x.minimum(0).exp().mul(SELU_ALPHA))).mul(SELU_SCALE),
  // d/dx x·Φ(x) = Φ(x) + x·φ(x)
  gelu: (g, x) => {
    const cdf = erf(x.mul(Math.SQRT1_2)).add(1).mul(0.5);
    const pdf = x.mul(x).mul(-0.5).exp().mul(INV_SQRT_2PI);
    return g.mul(cdf.add(x.mul(pdf)));
  },
  // PyTorch's gelu_backward with approximate='tanh'.
  geluTanh: (g, x) => {
    const t = x.add(x.mul(x).mul(x).mul(GELU_KAPPA)).mul(SQRT_2_OVER_PI).tanh();
    const left = t.add(1).mul(0.5);
    const right = x.mul(0.5).mul(t.mul(t).neg().add(1)).mul(x.mul(x).mul(3 * GELU_KAPPA).add(1).mul(SQRT_2_OVER_PI));
    return g.mul(left.add(right));
  },
  erf: (g, x) => g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI)),
  softplus: (g, x) => g.mul(x.sigmoid()),
  swish: (g, x) => {
    const s = x.sigmoid();
    return g.mul(s.mul(x.mul(s.neg().add(1)).add(1)));
  },
  logicalNot: null,
  // Only float→float casts can carry a gradient, and those return their input unchanged.
  cast: (g) => g,
} satisfies Record<keyof typeof UNARY, UnaryGrad | null>;

/** Binary rules; null for comparisons and logical ops (bool results). */
export const BINARY_GRAD = {
  add: (g) => [g, g],
  sub: (g) => [g, g.neg()],
  mul: (g, a, b) => [g.mul(b), g.mul(a)],
  div: (g, a, b) => [g.div(b), g.mul(a).div(b.mul(b)).neg()],
  // PyTorch: no base gradient where the exponent is 0; no exponent gradient where the base is
  // 0 and the exponent ≥ 0 (log(0) would make it NaN or -inf there).
  pow: (g, a, b, y) => {
    const byExponent = g.mul(y).mul(a.log());
    return [g.mul(b).mul(a.pow(b.sub(1))).where(b.notEqual(0), 0), byExponent.where(a.notEqual(0), zeroWhere(b.greaterEqual(0), byExponent))];
  },
  // Ties split the gradient equally between the operands, as PyTorch.
  maximum: (g, a, b) => {
    const share = g.where(a.notEqual(b), g.mul(0.5));
    return [share.where(a.greaterEqual(b), 0), share.where(b.greaterEqual(a), 0)];
  },
  minimum: (g, a, b) => {
    const share = g.where(a.notEqual(b), g.mul(0.5));
    return [share.where(a.lessEqual(b), 0), share.where(b.lessEqual(a), 0)];
  },
  equal: null,
  notEqual: null,
  greater: null,
  greaterEqual: null,
  less: null,
  lessEqual: null,
  logicalAnd: null,
  logicalOr: null,
} satisfies Record<keyof typeof BINARY, BinaryGrad | null>;

/** where(cond, a, b): the gradient goes to `a` where cond holds, to `b` elsewhere. */
export function whereGrad(g: Tensor, cond: Tensor): [null, Tensor, Tensor] {
  return [null, g.where(cond, 0), zeroWhere(cond, g)];
}
