// The safetensors format (Hugging Face, PyTorch): an 8-byte little-endian header length, a JSON
// header of { dtype, shape, data_offsets } per tensor (plus optional __metadata__) padded with
// spaces to 8 bytes, then the raw little-endian data. A file is checked whole before any tensor
// is made, so a malformed one is an ArgumentError and never half-loaded.

import type { TypedArray } from '../dtype';
import { ArgumentError, DTypeError } from '../errors';
import { fromHost } from '../ops/creation';
import { shapeStr, sizeOf } from '../shape';
import { Tensor } from '../tensor';

/** Named tensors to save: a Map or a plain object, in the order to write them. */
export type NamedTensors = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

/** The dtypes a file may hold, their byte widths and what webgrad reads them as. */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, I64: 8, F64: 8,
};
const FLOAT_DTYPES = new Set(['F16', 'BF16', 'F32', 'F64']);

interface Entry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/**
 * Serializes tensors (float32 → F32, int32 → I32, bool → BOOL) in the given order, with string
 * metadata under `__metadata__` if given. Async because the values are read from the device.
 *
 * ```ts
 * const bytes = await wg.io.saveSafetensors({ 'fc.weight': w, 'fc.bias': b });
 * ```
 */
export async function saveSafetensors(named: NamedTensors, metadata?: Readonly<Record<string, string>>): Promise<Uint8Array> {
  const entries = [...(named instanceof Map ? named.entries() : Object.entries(named))] as [string, Tensor][];
  const header: Record<string, unknown> = {};
  if (metadata) {
    if (Object.values(metadata).some((v) => typeof v !== 'string')) throw new ArgumentError('saveSafetensors: __metadata__ values must be strings');
    header.__metadata__ = { ...metadata };
  }
  const datas: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    Tensor.check(t, `saveSafetensors (${JSON.stringify(name)})`);
    if (name === '__metadata__' || name === '') throw new ArgumentError(`saveSafetensors: ${JSON.stringify(name)} is not a valid tensor name`);
    const values = await t.data();
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const dtype = t.dtype === 'float32' ? 'F32' : t.dtype === 'int32' ? 'I32' : 'BOOL';
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    datas.push(bytes);
    offset += bytes.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const d of datas) {
    out.set(d, at);
    at += d.byteLength;
  }
  return out;
}

/** The string metadata of a safetensors file (`__metadata__`), without loading its tensors. */
export function readSafetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  return parseHeader(bytes).metadata;
}

/**
 * Reads a safetensors file into tensors: F32, I32 and BOOL as they are; F16, BF16 and F64 into
 * float32; I64, U32, I16, U16, I8, U8 into int32. A value that does not fit (an F64 beyond
 * float32's range, an I64 outside int32) is an ArgumentError naming the tensor.
 *
 * ```ts
 * const weights = wg.io.loadSafetensors(new Uint8Array(await (await fetch('model.safetensors')).arrayBuffer()));
 * weights.get('fc.weight')!.shape;
 * ```
 */
export function loadSafetensors(bytes: Uint8Array): Map<string, Tensor> {
  const { entries, dataStart } = parseHeader(bytes);
  const decoded = entries.map((e) => ({ e, values: decode(e, bytes.subarray(dataStart + e.begin, dataStart + e.end)) }));
  return new Map(decoded.map(({ e, values }) => [e.name, fromHost(values, e.shape)]));
}

function fail(what: string): never {
  throw new ArgumentError(`loadSafetensors: ${what}`);
}

function parseHeader(bytes: Uint8Array): { entries: Entry[]; metadata: Record<string, string>; dataStart: number } {
  if (!(bytes instanceof Uint8Array)) fail(`expected a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (bytes.length < 8) fail(`the file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) fail(`the header length ${headerLength} runs past the end of the file (${bytes.length - 8} bytes after the length)`);
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (err) {
    fail(`the header (bytes 8 to ${dataStart}) is not UTF-8 JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || Object.values(info).some((v) => typeof v !== 'string')) fail('__metadata__ must map strings to strings');
      Object.assign(metadata, info);
      continue;
    }
    entries.push(checkEntry(name, info));
  }
  checkLayout(entries, bytes.length - dataStart);
  return { entries, metadata, dataStart };
}

function checkEntry(name: string, info: unknown): Entry {
  const t = `tensor ${JSON.stringify(name)}`;
  if (typeof info !== 'object' || info === null) fail(`${t}: expected an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) fail(`${t}: unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(DTYPE_BYTES).join(', ')})`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`${t}: shape must be a list of integers ≥ 0, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[1] < offsets[0]) {
    fail(`${t}: data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as number[];
  const expected = sizeOf(shape) * DTYPE_BYTES[dtype];
  if (end - begin !== expected) fail(`${t}: shape ${shapeStr(shape)} of ${dtype} needs ${expected} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  return { name, dtype, shape, begin, end };
}

/** The tensors must tile the data exactly: in range, no overlap, no gap, nothing after. */
function checkLayout(entries: readonly Entry[], dataBytes: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.end > dataBytes) fail(`tensor ${JSON.stringify(e.name)}: data_offsets [${e.begin}, ${e.end}] run past the ${dataBytes} data bytes`);
    if (e.begin < at) fail(`tensor ${JSON.stringify(e.name)}: data_offsets [${e.begin}, ${e.end}] overlap the previous tensor's, which ends at ${at}`);
    if (e.begin > at) fail(`tensor ${JSON.stringify(e.name)}: data_offsets start at ${e.begin}, leaving bytes ${at} to ${e.begin} unused`);
    at = e.end;
  }
  if (at !== dataBytes) fail(`the tensors hold ${at} data bytes but the file has ${dataBytes} after the header`);
}

const F32_MAX = 3.4028234663852886e38;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decodes one tensor's little-endian bytes into webgrad's host array for it. */
function decode(e: Entry, raw: Uint8Array): TypedArray {
  // F32 and I32 are webgrad's own layouts: one copy (which also aligns them).
  if (LITTLE_ENDIAN && e.dtype === 'F32') return new Float32Array(raw.slice().buffer);
  if (LITTLE_ENDIAN && e.dtype === 'I32') return new Int32Array(raw.slice().buffer);
  const n = sizeOf(e.shape);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const isFloat = FLOAT_DTYPES.has(e.dtype);
  const out = e.dtype === 'BOOL' ? new Uint8Array(n) : isFloat ? new Float32Array(n) : new Int32Array(n);
  const read = reader(e.dtype, view);
  for (let i = 0; i < n; i++) {
    const v = read(i);
    if (e.dtype === 'F64' && Number.isFinite(v) && Math.abs(v) > F32_MAX) {
      throw new DTypeError(`loadSafetensors: tensor ${JSON.stringify(e.name)} (F64) holds ${v} at element ${i}, beyond float32's range`);
    }
    if (!isFloat && e.dtype !== 'BOOL' && (v < -2147483648 || v > 2147483647)) {
      throw new DTypeError(`loadSafetensors: tensor ${JSON.stringify(e.name)} (${e.dtype}) holds ${v} at element ${i}, outside int32's range`);
    }
    out[i] = e.dtype === 'BOOL' ? (v ? 1 : 0) : v;
  }
  return out;
}

function reader(dtype: string, v: DataView): (i: number) => number {
  switch (dtype) {
    case 'BOOL':
    case 'U8': return (i) => v.getUint8(i);
    case 'I8': return (i) => v.getInt8(i);
    case 'I16': return (i) => v.getInt16(i * 2, true);
    case 'U16': return (i) => v.getUint16(i * 2, true);
    case 'F16': return (i) => halfToFloat(v.getUint16(i * 2, true));
    case 'BF16': return (i) => bfloatToFloat(v.getUint16(i * 2, true));
    case 'I32': return (i) => v.getInt32(i * 4, true);
    case 'U32': return (i) => v.getUint32(i * 4, true);
    case 'F32': return (i) => v.getFloat32(i * 4, true);
    case 'I64': return (i) => Number(v.getBigInt64(i * 8, true));
    default: return (i) => v.getFloat64(i * 8, true);
  }
}

/** IEEE binary16 bits → number (subnormals, infinities and NaN included). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const bfloatScratch = new DataView(new ArrayBuffer(4));

/** bfloat16 bits are the top half of a float32's. */
function bfloatToFloat(b: number): number {
  bfloatScratch.setUint32(0, b << 16);
  return bfloatScratch.getFloat32(0);
}
