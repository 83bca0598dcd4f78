// Float64 reference functions that Math lacks, shared by the Node suites and the browser checks
// (tests/browser/checks/): plain TypeScript with no imports, so both can load it.

/** erf by its Taylor series (exact to ~1e-9 for |x| ≤ 4) and ±1 beyond. */
export function erf(x: number): number {
  if (Math.abs(x) > 4) return Math.sign(x);
  let term = x;
  let sum = x;
  for (let n = 1; n < 80; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
