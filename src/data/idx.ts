// The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type code, the rank, one
// big-endian u32 per dimension, then the big-endian values. Gzip or raw. Anything that does not
// add up is an ArgumentError saying what and at which byte, never a wrong-shaped tensor.

import { ArgumentError } from '../errors';
import { gunzip, isGzip } from '../io/gzip';
import { fromHost } from '../ops/creation';
import type { Tensor } from '../tensor';

/** The element types IDX knows, by type code. */
const TYPES = {
  0x08: { name: 'ubyte', bytes: 1 },
  0x09: { name: 'sbyte', bytes: 1 },
  0x0b: { name: 'short', bytes: 2 },
  0x0c: { name: 'int', bytes: 4 },
  0x0d: { name: 'float', bytes: 4 },
  0x0e: { name: 'double', bytes: 8 },
} as const;

export type IdxType = (typeof TYPES)[keyof typeof TYPES]['name'];

/** A decoded IDX file: its type, shape and values (a view of the input for ubyte). */
export interface IdxArray {
  readonly type: IdxType;
  readonly shape: number[];
  readonly values: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

function fail(what: string): never {
  throw new ArgumentError(`parseIdx: ${what}`);
}

/** Decodes raw (not gzipped) IDX bytes; checks the header against the length of the body. */
export function decodeIdx(bytes: Uint8Array): IdxArray {
  if (bytes.length < 4) fail(`${bytes.length} bytes is too short for the 4-byte magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail(`wrong magic number: bytes 0-1 are ${bytes[0]}, ${bytes[1]} (IDX files start with 0, 0)`);
  const code = bytes[2];
  if (!(code in TYPES)) fail(`unknown type code 0x${code.toString(16).padStart(2, '0')} at byte 2 (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)`);
  const type = TYPES[code as keyof typeof TYPES];
  const rank = bytes[3];
  const bodyStart = 4 + 4 * rank;
  if (bytes.length < bodyStart) fail(`the header declares ${rank} dimensions (${bodyStart} header bytes) but the file has ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const count = shape.reduce((p, d) => p * d, 1);
  const bodyBytes = count * type.bytes;
  const actual = bytes.length - bodyStart;
  if (actual < bodyBytes) fail(`truncated body: shape [${shape.join(',')}] of ${type.name} needs ${bodyBytes} bytes from byte ${bodyStart}, the file has ${actual}`);
  if (actual > bodyBytes) fail(`the header's sizes disagree with the file: shape [${shape.join(',')}] of ${type.name} needs ${bodyBytes} bytes from byte ${bodyStart}, the file has ${actual} (${actual - bodyBytes} extra)`);
  return { type: type.name, shape, values: readValues(type.name, view, bodyStart, count) };
}

function readValues(type: IdxType, view: DataView, start: number, n: number): IdxArray['values'] {
  switch (type) {
    case 'ubyte':
      return new Uint8Array(view.buffer, view.byteOffset + start, n);
    case 'sbyte':
      return new Int8Array(view.buffer, view.byteOffset + start, n);
    case 'short':
      return Int16Array.from({ length: n }, (_, i) => view.getInt16(start + 2 * i));
    case 'int':
      return Int32Array.from({ length: n }, (_, i) => view.getInt32(start + 4 * i));
    case 'float':
      return Float32Array.from({ length: n }, (_, i) => view.getFloat32(start + 4 * i));
    case 'double':
      return Float64Array.from({ length: n }, (_, i) => view.getFloat64(start + 8 * i));
  }
}

/** Gunzips `bytes` if they are gzip (by magic number), then decodes them. */
export async function readIdx(bytes: Uint8Array | ArrayBuffer): Promise<IdxArray> {
  const raw = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(raw instanceof Uint8Array)) fail(`expected a Uint8Array or ArrayBuffer, got ${raw === null ? 'null' : typeof raw}`);
  return decodeIdx(isGzip(raw) ? await gunzip(raw, 'parseIdx') : raw);
}

/**
 * Reads an IDX file (gzip or raw) into a tensor of its shape: integer types become int32,
 * float and double become float32.
 *
 * ```ts
 * const labels = await wg.data.parseIdx(bytes); // int32 [10000] for t10k-labels-idx1-ubyte.gz
 * ```
 */
export async function parseIdx(bytes: Uint8Array | ArrayBuffer): Promise<Tensor> {
  const { type, shape, values } = await readIdx(bytes);
  const isFloat = type === 'float' || type === 'double';
  return fromHost(isFloat ? Float32Array.from(values) : Int32Array.from(values), shape);
}
