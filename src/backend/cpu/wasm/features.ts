// Whether this JavaScript engine runs the CPU backend's WebAssembly kernels: they need 128-bit
// SIMD, checked by validating a tiny module that uses it. Detection only.

/** A module whose one function uses i8x16.splat and i8x16.popcnt: valid only with SIMD. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** Whether WebAssembly with 128-bit SIMD is available. */
export function simdSupported(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(SIMD_PROBE);
}
