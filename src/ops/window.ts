// What the sliding-window ops (conv2d, conv2dTranspose, the pools) share: the geometry of a
// window sliding over NHWC pixels, the parsing of their integer-pair and padding options, and
// TensorFlow's 'same' rule. Each op's own output-size rule and kernels stay in its module.

import { ArgumentError } from '../errors';

/**
 * A kh×kw window sliding over x [n,h,w,·] with strides sh, sw to outputs [n,oh,ow,·]. `pt`/`pl`
 * are the top/left padding; bottom/right follow from oh/ow.
 */
export interface WindowGeometry {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly oh: number;
  readonly ow: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly pt: number;
  readonly pl: number;
}

/** One axis's padding: a string rule, or that many pixels on both sides. */
export type AxisPadding = 'valid' | 'same' | number;

/** `v` as [height, width]: a number for both, or a pair; `fallback` when undefined (null: required). */
export function intPair(op: string, name: string, v: unknown, fallback: readonly [number, number] | null, min: number): [number, number] {
  const p = v === undefined && fallback ? [...fallback] : typeof v === 'number' ? [v, v] : Array.isArray(v) ? [...(v as unknown[])] : [];
  if (p.length !== 2 || !p.every((d) => Number.isInteger(d) && (d as number) >= min)) {
    throw new ArgumentError(`${op}: ${name} must be an integer ≥ ${min} or a pair of them, got ${JSON.stringify(v)}`);
  }
  return [p[0] as number, p[1] as number];
}

/** The `padding` option per axis: `'valid'` (the default), `'same'`, a number or `[ph, pw]` ≥ 0. */
export function paddingPair(op: string, padding: unknown): [AxisPadding, AxisPadding] {
  padding ??= 'valid';
  if (typeof padding !== 'string') return intPair(op, 'padding', padding, null, 0);
  if (padding !== 'valid' && padding !== 'same') {
    throw new ArgumentError(`${op}: padding must be 'valid', 'same', a number or [ph, pw], got '${padding}'`);
  }
  return [padding, padding];
}

/** TensorFlow's 'same': ⌈size / stride⌉ outputs, the extra padding split with less on top. */
export function samePadding(size: number, stride: number, span: number): [out: number, leading: number] {
  const out = Math.ceil(size / stride);
  return [out, Math.floor(Math.max((out - 1) * stride + span - size, 0) / 2)];
}
