// Range checks of optimizer and schedule options: each throws an ArgumentError naming the
// option and the value, at construction (API.md: options out of range fail early).

import { ArgumentError } from '../errors';

function number(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(`${op}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}

/** `v` if it is a finite number > 0. */
export function positive(op: string, name: string, v: unknown): number {
  if (!(number(op, name, v) > 0)) throw new ArgumentError(`${op}: ${name} must be > 0, got ${String(v)}`);
  return v as number;
}

/** `v` if it is a finite number ≥ 0. */
export function nonNegative(op: string, name: string, v: unknown): number {
  if (!(number(op, name, v) >= 0)) throw new ArgumentError(`${op}: ${name} must be ≥ 0, got ${String(v)}`);
  return v as number;
}

/** `v` if it is a number in [0, 1) (betas, decay rates of running averages). */
export function unitInterval(op: string, name: string, v: unknown): number {
  const x = number(op, name, v);
  if (!(x >= 0 && x < 1)) throw new ArgumentError(`${op}: ${name} must be in [0, 1), got ${x}`);
  return x;
}
