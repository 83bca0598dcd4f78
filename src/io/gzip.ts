// Gzip decompression through the platform's DecompressionStream (browsers, Node ≥ 18); webgrad
// carries no inflate of its own. The output is sized from the gzip trailer and filled chunk by
// chunk, which is several times faster than collecting the stream through a Response.

import { ArgumentError } from '../errors';

/** True when `bytes` start with the gzip magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The decompressed contents of a gzip file; a corrupt or truncated one is an ArgumentError. */
export async function gunzip(bytes: Uint8Array, what = 'gunzip'): Promise<Uint8Array> {
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  // Failures surface on the reading side; these promises only repeat them.
  writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => undefined);
  writer.close().catch(() => undefined);
  // ISIZE, the last four bytes: the uncompressed size modulo 2^32 (of the last member).
  let out = new Uint8Array(bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true) : 0);
  let at = 0;
  const reader = stream.readable.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (at + value.length > out.length) {
        const grown = new Uint8Array(Math.max(2 * out.length, at + value.length));
        grown.set(out.subarray(0, at));
        out = grown;
      }
      out.set(value, at);
      at += value.length;
    }
  } catch (err) {
    throw new ArgumentError(`${what}: the gzip data (${bytes.length} bytes) is corrupt or truncated: ${err instanceof Error ? err.message : String(err)}`);
  }
  return out.subarray(0, at);
}
