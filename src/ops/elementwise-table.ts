// The elementwise ops as a table: one row per op with its CPU function and WGSL expression
// (webgpu-torch's op table is the model). Arguments arrive already cast to the dtype the op
// computes in (src/ops/elementwise.ts inserts casts); the backend stores the result as the
// node's dtype. Gradient rules live beside it in src/ops/elementwise-grad.ts, keyed by these names.

import type { DType } from '../dtype';
import type { ElementwiseDef, ElementwiseTypes } from '../graph/ir';
import { randomBelow, randomNormal, randomUniform } from './threefry';

/** A WGSL literal of `dtype`; non-finite floats are spelled as bit patterns. */
export function wgslLiteral(value: number, dtype: DType): string {
  if (dtype === 'bool') return value ? 'true' : 'false';
  if (dtype === 'int32') return `${value | 0}i`;
  // Non-finite constants are read at run time (shaders/prelude.wgsl): WGSL rejects them as literals.
  if (Number.isNaN(value)) return 'wg_nan()';
  if (value === Infinity) return 'wg_inf()';
  if (value === -Infinity) return '(-wg_inf())';
  const f = Math.fround(value);
  if (f !== 0 && Math.abs(f) < 1.1754943508222875e-38) return `bitcast<f32>(${new Uint32Array(new Float32Array([f]).buffer)[0]}u)`;
  const s = f.toPrecision(9);
  return `f32(${s})`;
}

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

type Row = Omit<ElementwiseDef, 'arity'>;
function rows<K extends string>(arity: 1 | 2 | 3, table: Record<K, Omit<Row, 'name'>>): Record<K, ElementwiseDef> {
  const out = {} as Record<K, ElementwiseDef>;
  for (const name of Object.keys(table) as K[]) out[name] = { name, arity, ...table[name] };
  return out;
}

/** Unary ops. `float` ops receive float32; the others keep their input's dtype. */
export const UNARY = rows(1, {
  neg: { cpu: ([x]) => -x, wgsl: ([x]) => `(-${x})` },
  abs: { cpu: ([x]) => Math.abs(x), wgsl: ([x]) => `abs(${x})` },
  sign: { cpu: ([x]) => Math.sign(x), wgsl: ([x], t) => (t.out === 'float32' ? `select(sign(${x}), ${x}, wg_isnan(${x}))` : `sign(${x})`) },
  square: { cpu: ([x], t) => (t.out === 'int32' ? Math.imul(x, x) : x * x), wgsl: ([x]) => `(${x} * ${x})` },
  // NaN stays NaN (as PyTorch): only values below zero become zero.
  relu: { cpu: ([x]) => (x < 0 ? 0 : x), wgsl: ([x], t) => `select(${x}, ${zero(t)}, ${x} < ${zero(t)})` },
  step: { cpu: ([x]) => (x >= 0 ? 1 : 0), wgsl: ([x], t) => `select(${zero(t)}, ${one(t)}, ${x} >= ${zero(t)})` },
  exp: { cpu: ([x]) => Math.exp(x), wgsl: ([x]) => `exp(${x})` },
  log: { cpu: ([x]) => Math.log(x), wgsl: ([x]) => `wg_log(${x})` },
  sqrt: { cpu: ([x]) => Math.sqrt(x), wgsl: ([x]) => `sqrt(${x})` },
  rsqrt: { cpu: ([x]) => 1 / Math.sqrt(x), wgsl: ([x]) => `inverseSqrt(${x})` },
  reciprocal: { cpu: ([x]) => 1 / x, wgsl: ([x]) => `(1.0 / ${x})` },
  sin: { cpu: ([x]) => Math.sin(x), wgsl: ([x]) => `sin(${x})` },
  cos: { cpu: ([x]) => Math.cos(x), wgsl: ([x]) => `cos(${x})` },
  floor: { cpu: ([x]) => Math.floor(x), wgsl: ([x]) => `floor(${x})` },
  ceil: { cpu: ([x]) => Math.ceil(x), wgsl: ([x]) => `ceil(${x})` },
  round: { cpu: ([x]) => roundHalfEven(x), wgsl: ([x]) => `round(${x})` },
  sigmoid: { cpu: ([x]) => sigmoid(x), wgsl: ([x]) => `wg_sigmoid(${x})` },
  tanh: { cpu: ([x]) => Math.tanh(x), wgsl: ([x]) => `tanh(clamp(${x}, -15.0, 15.0))` },
  leakyRelu: { usesParam: true, cpu: ([x], t) => (x > 0 ? x : x * t.param), wgsl: ([x, a]) => `select(${x} * ${a}, ${x}, ${x} > 0.0)` },
  elu: { usesParam: true, cpu: ([x], t) => (x > 0 ? x : t.param * Math.expm1(x)), wgsl: ([x, a]) => `select(${a} * (exp(min(${x}, 0.0)) - 1.0), ${x}, ${x} > 0.0)` },
  selu: {
    cpu: ([x]) => SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)),
    wgsl: ([x]) => `(${wgslLiteral(SELU_SCALE, 'float32')} * select(${wgslLiteral(SELU_ALPHA, 'float32')} * (exp(min(${x}, 0.0)) - 1.0), ${x}, ${x} > 0.0))`,
  },
  gelu: { cpu: ([x]) => 0.5 * x * (1 + erf(x / Math.SQRT2)), wgsl: ([x]) => `wg_gelu(${x})` },
  erf: { cpu: ([x]) => erf(x), wgsl: ([x]) => `wg_erf(${x})` },
  geluTanh: {
    cpu: ([x]) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
    wgsl: ([x]) => `wg_gelu_tanh(${x})`,
  },
  softplus: { cpu: ([x]) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), wgsl: ([x]) => `wg_softplus(${x})` },
  swish: { cpu: ([x]) => x * sigmoid(x), wgsl: ([x]) => `(${x} * wg_sigmoid(${x}))` },
  logicalNot: { cpu: ([x]) => (x ? 0 : 1), wgsl: ([x]) => `(!${x})` },
  cast: { cpu: ([x], t) => castNumber(x, t.out), wgsl: ([x], t) => castWgsl(x, t.in[0], t.out) },
});

/** The unary ops that compute in float32 (int and bool inputs are cast first). */
export const FLOAT_UNARY = new Set([
  'exp', 'log', 'sqrt', 'rsqrt', 'reciprocal', 'sin', 'cos', 'sigmoid', 'tanh', 'leakyRelu', 'elu', 'selu', 'gelu', 'geluTanh', 'erf', 'softplus', 'swish', 'floor', 'ceil', 'round',
]);

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

/** Binary ops on two operands of one dtype. Comparisons return bool. */
export const BINARY = rows(2, {
  add: { cpu: ([a, b]) => a + b, wgsl: ([a, b]) => `(${a} + ${b})` },
  sub: { cpu: ([a, b]) => a - b, wgsl: ([a, b]) => `(${a} - ${b})` },
  mul: { cpu: ([a, b], t) => (t.out === 'int32' ? Math.imul(a, b) : a * b), wgsl: ([a, b]) => `(${a} * ${b})` },
  div: { cpu: ([a, b]) => a / b, wgsl: ([a, b]) => `(${a} / ${b})` },
  pow: { cpu: ([a, b]) => Math.pow(a, b), wgsl: ([a, b], t) => (t.out === 'int32' ? `i32(round(wg_pow(f32(${a}), f32(${b}))))` : `wg_pow(${a}, ${b})`) },
  maximum: { cpu: ([a, b]) => (a !== a || b !== b ? NaN : Math.max(a, b)), wgsl: ([a, b], t) => `${t.out === 'float32' ? 'wg_' : ''}max(${a}, ${b})` },
  minimum: { cpu: ([a, b]) => (a !== a || b !== b ? NaN : Math.min(a, b)), wgsl: ([a, b], t) => `${t.out === 'float32' ? 'wg_' : ''}min(${a}, ${b})` },
  equal: { cpu: ([a, b]) => (a === b ? 1 : 0), wgsl: ([a, b]) => `(${a} == ${b})` },
  notEqual: {
    cpu: ([a, b]) => (a !== b ? 1 : 0),
    // NaN ≠ NaN: SwiftShader compiles `!=` as an ordered comparison, so NaN is tested by bits.
    wgsl: ([a, b], t) => (t.in[0] === 'float32' ? `(${a} != ${b} || wg_isnan(${a}) || wg_isnan(${b}))` : `(${a} != ${b})`),
  },
  greater: { cpu: ([a, b]) => (a > b ? 1 : 0), wgsl: ([a, b]) => `(${a} > ${b})` },
  greaterEqual: { cpu: ([a, b]) => (a >= b ? 1 : 0), wgsl: ([a, b]) => `(${a} >= ${b})` },
  less: { cpu: ([a, b]) => (a < b ? 1 : 0), wgsl: ([a, b]) => `(${a} < ${b})` },
  lessEqual: { cpu: ([a, b]) => (a <= b ? 1 : 0), wgsl: ([a, b]) => `(${a} <= ${b})` },
  logicalAnd: { cpu: ([a, b]) => (a && b ? 1 : 0), wgsl: ([a, b]) => `(${a} && ${b})` },
  logicalOr: { cpu: ([a, b]) => (a || b ? 1 : 0), wgsl: ([a, b]) => `(${a} || ${b})` },
});

export const COMPARISONS = new Set(['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual']);
export const LOGICAL = new Set(['logicalAnd', 'logicalOr', 'logicalNot']);

/** where(cond, a, b): a where cond is true. */
export const WHERE: ElementwiseDef = {
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
