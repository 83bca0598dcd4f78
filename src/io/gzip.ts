// Gzip decompression through the platform's DecompressionStream (browsers, Node ≥ 18); webgrad
// carries no inflate of its own.

import { ArgumentError } from '../errors';

/** True when `bytes` start with the gzip magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The decompressed contents of a gzip file; a corrupt or truncated one is an ArgumentError. */
export async function gunzip(bytes: Uint8Array, what = 'gunzip'): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new ArgumentError(`${what}: the gzip data (${bytes.length} bytes) is corrupt or truncated: ${err instanceof Error ? err.message : String(err)}`);
  }
}
