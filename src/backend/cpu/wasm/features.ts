// What this JavaScript engine offers the CPU backend's WebAssembly kernels: 128-bit SIMD
// (validated on a tiny module) and shared memory for worker threads. Detection only.

/** A module whose one function uses i8x16.splat and i8x16.popcnt: valid only with SIMD. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** Whether WebAssembly with 128-bit SIMD is available. */
export function simdSupported(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(SIMD_PROBE);
}

/**
 * Whether memory could be shared with workers: SharedArrayBuffer exists and, in a browser, the
 * page is cross-origin isolated (served with COOP/COEP).
 */
export function sharedMemorySupported(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';
  return isNode || isolated === true;
}
