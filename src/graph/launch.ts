// What the code generator and the hand-written kernels' lowerings share: the workgroup size of
// generated kernels, the launch grid (split over x and y under the device's 65535 limit) and
// WGSL spellings of dtypes and constants. No graph logic here.

import type { DType } from '../dtype';

export const WORKGROUP_SIZE = 64;

const MAX_GRID = 65535;

/** Splits a workgroup count over x and y so neither exceeds the device limit. */
export function grid(count: number): [number, number, number] {
  const x = Math.min(Math.max(count, 1), MAX_GRID);
  return [x, Math.ceil(Math.max(count, 1) / x), 1];
}

/** The grid of a kernel where each workgroup handles `perWorkgroup` of `threads` items. */
export function gridFor(threads: number, perWorkgroup = WORKGROUP_SIZE): [number, number, number] {
  return grid(Math.ceil(threads / perWorkgroup));
}

export function wgslType(dtype: DType): string {
  return dtype === 'float32' ? 'f32' : dtype === 'int32' ? 'i32' : 'bool';
}

/** Element type of a storage buffer holding `dtype` (bool is stored as u32). */
export function storageType(dtype: DType): string {
  return dtype === 'float32' ? 'f32' : dtype === 'int32' ? 'i32' : 'u32';
}

/**
 * A WGSL constant of `dtype`. Numbers pass through the prelude's `wg_f`/`wg_i`, so arithmetic
 * on constants alone is evaluated at run time: WGSL rejects a constant expression whose value
 * is not finite or overflows (`0.0 / 0.0`, `sqrt(-1.0)`) as an invalid shader.
 */
export function wgslLiteral(value: number, dtype: DType): string {
  if (dtype === 'bool') return value ? 'true' : 'false';
  if (dtype === 'int32') return `wg_i(${value | 0}i)`;
  // Non-finite constants are read at run time (shaders/prelude.wgsl): WGSL rejects them as literals.
  if (Number.isNaN(value)) return 'wg_nan()';
  if (value === Infinity) return 'wg_inf()';
  if (value === -Infinity) return '(-wg_inf())';
  const f = Math.fround(value);
  if (f !== 0 && Math.abs(f) < 1.1754943508222875e-38) return `bitcast<f32>(${new Uint32Array(new Float32Array([f]).buffer)[0]}u)`;
  return `wg_f(${f.toPrecision(9)})`;
}
