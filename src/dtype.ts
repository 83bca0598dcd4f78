// Data types, their host arrays and the promotion rules binary ops follow (as PyTorch).

export type DType = 'float32' | 'int32' | 'bool';
export type TypedArray = Float32Array | Int32Array | Uint8Array;

export function isDType(x: unknown): x is DType {
  return x === 'float32' || x === 'int32' || x === 'bool';
}

/** A host array of `size` elements for `dtype` (bool is one byte per element on the host). */
export function allocHost(dtype: DType, size: number): TypedArray {
  if (dtype === 'float32') return new Float32Array(size);
  if (dtype === 'int32') return new Int32Array(size);
  return new Uint8Array(size);
}

/** The dtype both operands are converted to: bool < int32 < float32. */
export function promote(a: DType, b: DType): DType {
  if (a === 'float32' || b === 'float32') return 'float32';
  if (a === 'int32' || b === 'int32') return 'int32';
  return 'bool';
}

/** The dtype a plain JS number takes next to a tensor of `dtype`. */
export function scalarDType(value: number, dtype: DType): DType {
  if (dtype === 'float32' || !Number.isInteger(value)) return 'float32';
  return 'int32';
}

/** Converts a JS number to what storing it as `dtype` keeps. */
export function coerce(value: number, dtype: DType): number {
  if (dtype === 'float32') return Math.fround(value);
  if (dtype === 'int32') return value | 0;
  return value ? 1 : 0;
}
