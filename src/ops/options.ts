// The one check every op that takes an options object runs first: the options are a plain
// object (a string or array where options belong is an error, never a default), every key is
// one the op accepts, and each value has the kind the key asks for. Ops parse ranges after it.

import { ArgumentError } from '../errors';
import { Tensor } from '../tensor';

/** What one option key accepts; `undefined` is always accepted (the op's default). */
export type OptionKind = 'boolean' | 'number' | 'integer' | 'string' | 'tensor' | 'shape' | 'number-or-pair' | 'padding' | 'axis-padding' | readonly string[];

export type OptionSpec = Readonly<Record<string, OptionKind>>;

/** A value as a message shows it: JSON-like for numbers, strings and arrays, else its kind. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(describeValue).join(', ')}]`;
  if (v instanceof Tensor) return `a Tensor of shape [${v.shape.join(',')}]`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}

const isNumberPair = (v: unknown) => Array.isArray(v) && v.length === 2 && v.every((d) => typeof d === 'number');

function fits(kind: OptionKind, v: unknown): boolean {
  if (Array.isArray(kind)) return kind.includes(v as string);
  switch (kind) {
    case 'boolean':
      return typeof v === 'boolean';
    case 'number':
      return typeof v === 'number';
    case 'integer':
      return Number.isInteger(v);
    case 'string':
      return typeof v === 'string';
    case 'tensor':
      return v instanceof Tensor;
    case 'shape':
      return Array.isArray(v);
    case 'number-or-pair':
      return typeof v === 'number' || isNumberPair(v);
    case 'padding':
      return v === 'valid' || v === 'same' || typeof v === 'number' || isNumberPair(v);
    case 'axis-padding':
      return v === 'valid' || v === 'same' || typeof v === 'number';
  }
  return false;
}

function expected(kind: OptionKind): string {
  if (Array.isArray(kind)) return `one of ${kind.map((k) => `'${k}'`).join(', ')}`;
  switch (kind) {
    case 'number-or-pair':
      return 'a number or a pair of numbers';
    case 'padding':
      return "'valid', 'same', a number or a pair of numbers";
    case 'axis-padding':
      return "'valid', 'same' or a number";
    case 'shape':
      return 'an array of sizes';
    case 'integer':
      return 'an integer';
    default:
      return `a ${kind}`;
  }
}

/**
 * Checks `opts` against `spec` for `op` and returns it (an empty object when undefined, unless
 * the op `required` options).
 *
 * ```ts
 * const o = checkOptions('gelu', opts, { approximate: ['none', 'tanh'] });
 * ```
 */
export function checkOptions<T extends object>(op: string, opts: T | undefined, spec: OptionSpec, required = false): Partial<T> {
  if (opts === undefined && !required) return {};
  const accepted = Object.keys(spec);
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts) || opts instanceof Tensor) {
    throw new ArgumentError(`${op}: expected options { ${accepted.join(', ')} } as an object, got ${describeValue(opts)}`);
  }
  for (const [key, value] of Object.entries(opts)) {
    if (!Object.hasOwn(spec, key)) throw new ArgumentError(`${op}: unknown option '${key}' (accepted: ${accepted.join(', ')})`);
    const kind = spec[key];
    if (value !== undefined && !fits(kind, value)) throw new ArgumentError(`${op}: ${key} must be ${expected(kind)}, got ${describeValue(value)}`);
  }
  return opts;
}
