// Pure array arithmetic shared by the Node helpers (tests/helpers.ts) and the browser checks
// (tests/browser/checks/compare.ts): element counts and the one closeness rule. No vitest here.

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** |got − want| ≤ atol + rtol·|want|; NaN matches only NaN and ±Infinity only itself. */
export function isClose(got: number, want: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(want)) return Number.isNaN(got);
  if (!Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= atol + rtol * Math.abs(want);
}
