// The elementwise ops as a table (webgpu-torch's op table is the model): one row per op with its
// CPU function, WGSL expression and dtype rule; rows make the Tensor methods and `wg.` functions.
// Operands arrive cast to the row's dtype (src/ops/elementwise.ts); gradients: elementwise-grad.ts.

import type { DType } from '../dtype';
import type { ElementwiseDef, ElementwiseTypes } from '../graph/ir';
import { wgslLiteral } from '../graph/launch';
import { randomBelow, randomNormal, randomUniform } from './threefry';

export const SELU_ALPHA = 1.6732632423543772;
export const SELU_SCALE = 1.0507009873554805;
export const SQRT_2_OVER_PI = 0.7978845608028654;

/** erf by Abramowitz & Stegun 7.1.26; |error| < 1.5e-7, well inside float32 tolerance. */
export function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

function sigmoid(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** Round half to even, as PyTorch and WGSL's `round`. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const zero = (t: ElementwiseTypes) => wgslLiteral(0, t.out);
const one = (t: ElementwiseTypes) => wgslLiteral(1, t.out);

/** One row: what the backends read (ElementwiseDef), and what the ops layer and methods read. */
export interface RowSpec extends Omit<ElementwiseDef, 'name' | 'arity' | 'usesParam'> {
  /** Computes in float32: int and bool inputs are cast first (a unary op's result is float32). */
  readonly float?: true;
  /** A comparison: operands promote as usual, the result is bool. */
  readonly comparison?: true;
  /** A logical op: operands and result are bool. */
  readonly logical?: true;
  /** The op reads `param` (WGSL gets it as a runtime scalar); its method's and function's default. */
  readonly paramDefault?: number;
  /** No method or `wg.` function of its own: reached through another op (gelu's options, cast, gradients). */
  readonly internal?: true;
}

/** A row as the table exports it: its spec, named, with its arity. */
export type Row<A extends 1 | 2 | 3 = 1 | 2 | 3, Spec extends RowSpec = RowSpec, K extends string = string> = Spec & ElementwiseDef & { readonly name: K; readonly arity: A };

/** A table of rows keyed by name (a named type, so declaration files keep each row's comment). */
export type Rows<A extends 1 | 2 | 3, T> = { readonly [K in keyof T]: Row<A, T[K] & RowSpec, K & string> };

function rows<A extends 1 | 2 | 3, T extends Record<string, RowSpec>>(arity: A, table: T): Rows<A, T> {
  const out: Record<string, Row<A>> = {};
  for (const [name, spec] of Object.entries(table)) out[name] = { name, arity, usesParam: spec.paramDefault !== undefined, ...spec };
  return out as Rows<A, T>;
}

/** Unary ops; the others keep their input's dtype (bool becomes int32). */
export const UNARY = rows(1, {
  /** −x, elementwise (not for bool tensors). */
  neg: { cpu: ([x]) => -x, wgsl: ([x]) => `(-${x})` },
  /** |x|, elementwise. */
  abs: { cpu: ([x]) => Math.abs(x), wgsl: ([x]) => `abs(${x})` },
  /** −1, 0 or 1 by the sign of x; NaN stays NaN. */
  sign: { cpu: ([x]) => Math.sign(x), wgsl: ([x], t) => (t.out === 'float32' ? `select(sign(${x}), ${x}, wg_isnan(${x}))` : `sign(${x})`) },
  /** x², elementwise. */
  square: { cpu: ([x], t) => (t.out === 'int32' ? Math.imul(x, x) : x * x), wgsl: ([x]) => `(${x} * ${x})` },
  /** max(x, 0); NaN stays NaN (as PyTorch): only values below zero become zero. */
  relu: { cpu: ([x]) => (x < 0 ? 0 : x), wgsl: ([x], t) => `select(${x}, ${zero(t)}, ${x} < ${zero(t)})` },
  /** 1 where x ≥ 0, else 0 (the Heaviside step). */
  step: { cpu: ([x]) => (x >= 0 ? 1 : 0), wgsl: ([x], t) => `select(${zero(t)}, ${one(t)}, ${x} >= ${zero(t)})` },
  /** eˣ, elementwise. */
  exp: { float: true, cpu: ([x]) => Math.exp(x), wgsl: ([x]) => `wg_exp(${x})` },
  /** The natural logarithm, elementwise. */
  log: { float: true, cpu: ([x]) => Math.log(x), wgsl: ([x]) => `wg_log(${x})` },
  /** √x, elementwise. */
  sqrt: { float: true, cpu: ([x]) => Math.sqrt(x), wgsl: ([x]) => `sqrt(${x})` },
  /** 1/√x, elementwise. */
  rsqrt: { float: true, cpu: ([x]) => 1 / Math.sqrt(x), wgsl: ([x]) => `inverseSqrt(${x})` },
  /** 1/x, elementwise. */
  reciprocal: { float: true, cpu: ([x]) => 1 / x, wgsl: ([x]) => `(1.0 / ${x})` },
  /** sin x (radians), elementwise. */
  sin: { float: true, cpu: ([x]) => Math.sin(x), wgsl: ([x]) => `sin(${x})` },
  /** cos x (radians), elementwise. */
  cos: { float: true, cpu: ([x]) => Math.cos(x), wgsl: ([x]) => `cos(${x})` },
  /** The largest integer ≤ x, as float32. */
  floor: { float: true, cpu: ([x]) => Math.floor(x), wgsl: ([x]) => `floor(${x})` },
  /** The smallest integer ≥ x, as float32. */
  ceil: { float: true, cpu: ([x]) => Math.ceil(x), wgsl: ([x]) => `ceil(${x})` },
  /** The nearest integer, halves to even (as PyTorch), as float32. */
  round: { float: true, cpu: ([x]) => roundHalfEven(x), wgsl: ([x]) => `round(${x})` },
  /** 1 / (1 + e⁻ˣ), elementwise. */
  sigmoid: { float: true, cpu: ([x]) => sigmoid(x), wgsl: ([x]) => `wg_sigmoid(${x})` },
  /** The hyperbolic tangent, elementwise. */
  tanh: { float: true, cpu: ([x]) => Math.tanh(x), wgsl: ([x]) => `tanh(clamp(${x}, -15.0, 15.0))` },
  /** x where x > 0, else `alpha`·x (default alpha 0.01). */
  leakyRelu: { float: true, paramDefault: 0.01, cpu: ([x], t) => (x > 0 ? x : x * t.param), wgsl: ([x, a]) => `select(${x} * ${a}, ${x}, ${x} > 0.0)` },
  /** x where x > 0, else `alpha`·(eˣ − 1) (default alpha 1). */
  elu: { float: true, paramDefault: 1, cpu: ([x], t) => (x > 0 ? x : t.param * Math.expm1(x)), wgsl: ([x, a]) => `select(${a} * (exp(min(${x}, 0.0)) - 1.0), ${x}, ${x} > 0.0)` },
  /** scale·(x where x > 0, else α·(eˣ − 1)) with SELU's fixed α ≈ 1.6733 and scale ≈ 1.0507. */
  selu: {
    float: true,
    cpu: ([x]) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
    wgsl: ([x]) => `(${wgslLiteral(SELU_SCALE, 'float32')} * select(${wgslLiteral(SELU_ALPHA, 'float32')} * (exp(min(${x}, 0.0)) - 1.0), ${x}, ${x} > 0.0))`,
  },
  gelu: { float: true, internal: true, cpu: ([x]) => 0.5 * x * (1 + erf(x / Math.SQRT2)), wgsl: ([x]) => `wg_gelu(${x})` },
  erf: { float: true, internal: true, cpu: ([x]) => erf(x), wgsl: ([x]) => `wg_erf(${x})` },
  geluTanh: {
    float: true,
    internal: true,
    cpu: ([x]) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
    wgsl: ([x]) => `wg_gelu_tanh(${x})`,
  },
  /** log(1 + eˣ), computed without overflow. */
  softplus: { float: true, cpu: ([x]) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), wgsl: ([x]) => `wg_softplus(${x})` },
  /** x·sigmoid(x) (also called SiLU). */
  swish: { float: true, cpu: ([x]) => x * sigmoid(x), wgsl: ([x]) => `(${x} * wg_sigmoid(${x}))` },
  logicalNot: { logical: true, internal: true, cpu: ([x]) => (x ? 0 : 1), wgsl: ([x]) => `(!${x})` },
  cast: { internal: true, cpu: ([x], t) => castNumber(x, t.out), wgsl: ([x], t) => castWgsl(x, t.in[0], t.out) },
});

/**
 * A number converted to `to` as both backends do it: NaN is true as a bool (PyTorch) and 0 as
 * an int32; floats outside the int32 range saturate (WGSL's rule) instead of wrapping.
 */
export function castNumber(x: number, to: DType): number {
  if (to === 'bool') return x !== 0 ? 1 : 0;
  if (to === 'int32') return Number.isNaN(x) ? 0 : Math.min(2147483647, Math.max(-2147483648, Math.trunc(x)));
  return x;
}

function castWgsl(x: string, from: DType, to: DType): string {
  if (from === to) return x;
  // Bit tests, not comparisons: WGSL may assume no NaN, and NaN must convert to true.
  if (to === 'bool') return from === 'float32' ? `((bitcast<u32>(${x}) & 0x7fffffffu) != 0u)` : `(${x} != 0i)`;
  if (from === 'float32' && to === 'int32') return `wg_f32_to_i32(${x})`;
  if (from === 'bool') return to === 'float32' ? `select(0.0, 1.0, ${x})` : `select(0i, 1i, ${x})`;
  return to === 'float32' ? `f32(${x})` : `i32(${x})`;
}

/** Binary ops on two operands promoted to one dtype; they broadcast like NumPy. */
export const BINARY = rows(2, {
  /** a + b, elementwise. */
  add: { cpu: ([a, b]) => a + b, wgsl: ([a, b]) => `(${a} + ${b})` },
  /** a − b, elementwise (not for two bool tensors). */
  sub: { cpu: ([a, b]) => a - b, wgsl: ([a, b]) => `(${a} - ${b})` },
  /** a · b, elementwise. */
  mul: { cpu: ([a, b], t) => (t.out === 'int32' ? Math.imul(a, b) : a * b), wgsl: ([a, b]) => `(${a} * ${b})` },
  /** a / b in float32 (true division, also for integers). */
  div: { float: true, cpu: ([a, b]) => a / b, wgsl: ([a, b]) => `(${a} / ${b})` },
  /** aᵇ, elementwise. */
  pow: { cpu: ([a, b]) => Math.pow(a, b), wgsl: ([a, b], t) => (t.out === 'int32' ? `i32(round(wg_pow(f32(${a}), f32(${b}))))` : `wg_pow(${a}, ${b})`) },
  /** The larger of a and b; NaN where either is NaN. */
  maximum: { cpu: ([a, b]) => (a !== a || b !== b ? NaN : Math.max(a, b)), wgsl: ([a, b], t) => `${t.out === 'float32' ? 'wg_' : ''}max(${a}, ${b})` },
  /** The smaller of a and b; NaN where either is NaN. */
  minimum: { cpu: ([a, b]) => (a !== a || b !== b ? NaN : Math.min(a, b)), wgsl: ([a, b], t) => `${t.out === 'float32' ? 'wg_' : ''}min(${a}, ${b})` },
  /** a == b, as bool. */
  equal: { comparison: true, cpu: ([a, b]) => (a === b ? 1 : 0), wgsl: ([a, b]) => `(${a} == ${b})` },
  /** a ≠ b, as bool (NaN ≠ NaN). */
  notEqual: {
    comparison: true,
    cpu: ([a, b]) => (a !== b ? 1 : 0),
    // NaN ≠ NaN: SwiftShader compiles `!=` as an ordered comparison, so NaN is tested by bits.
    wgsl: ([a, b], t) => (t.in[0] === 'float32' ? `(${a} != ${b} || wg_isnan(${a}) || wg_isnan(${b}))` : `(${a} != ${b})`),
  },
  /** a > b, as bool. */
  greater: { comparison: true, cpu: ([a, b]) => (a > b ? 1 : 0), wgsl: ([a, b]) => `(${a} > ${b})` },
  /** a ≥ b, as bool. */
  greaterEqual: { comparison: true, cpu: ([a, b]) => (a >= b ? 1 : 0), wgsl: ([a, b]) => `(${a} >= ${b})` },
  /** a < b, as bool. */
  less: { comparison: true, cpu: ([a, b]) => (a < b ? 1 : 0), wgsl: ([a, b]) => `(${a} < ${b})` },
  /** a ≤ b, as bool. */
  lessEqual: { comparison: true, cpu: ([a, b]) => (a <= b ? 1 : 0), wgsl: ([a, b]) => `(${a} <= ${b})` },
  logicalAnd: { logical: true, internal: true, cpu: ([a, b]) => (a && b ? 1 : 0), wgsl: ([a, b]) => `(${a} && ${b})` },
  logicalOr: { logical: true, internal: true, cpu: ([a, b]) => (a || b ? 1 : 0), wgsl: ([a, b]) => `(${a} || ${b})` },
});

/** The rows of `table` that are a method and a `wg.` function of their own name. */
export type PublicName<T> = { [K in keyof T]: T[K] extends { internal: true } ? never : K }[keyof T];

/** where(cond, a, b): a where cond is true. */
export const WHERE: Row<3> = {
  name: 'where',
  arity: 3,
  cpu: ([c, a, b]) => (c ? a : b),
  wgsl: ([c, a, b]) => `select(${b}, ${a}, ${c})`,
};

/**
 * Random draws (Threefry 2x32-20): the sources are the int32 seed and stream (runtime scalars,
 * so a new draw reuses the pipeline), then `randomBelow`'s range; the last argument is the
 * element's flat index, its counter. Float results for uniform and normal, int32 for below.
 */
export const RANDOM = {
  ...rows(2, {
    randomUniform: { random: true, cpu: ([s, st, i]) => randomUniform(s, st, i), wgsl: ([s, st, i]) => `wg_random_uniform(${s}, ${st}, ${i})` },
    randomNormal: { random: true, cpu: ([s, st, i]) => randomNormal(s, st, i), wgsl: ([s, st, i]) => `wg_random_normal(${s}, ${st}, ${i})` },
  }),
  ...rows(3, {
    randomBelow: { random: true, cpu: ([s, st, r, i]) => randomBelow(s, st, r, i), wgsl: ([s, st, r, i]) => `wg_random_below(${s}, ${st}, ${r}, ${i})` },
  }),
};
