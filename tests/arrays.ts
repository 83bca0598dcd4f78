// Pure array helpers shared by Node tests and the browser checks (tests/browser/checks/compare.ts):
// element counts, the one closeness rule, deterministic values. No vitest and no library here.

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** |got − want| ≤ atol + rtol·|want|; NaN matches only NaN and ±Infinity only itself. */
export function isClose(got: number, want: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= atol + rtol * Math.abs(want);
}

/** Deterministic values in [-1, 1), the same on every backend and every run (an LCG). */
export function values(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let state = (seed * 2654435761) >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}
