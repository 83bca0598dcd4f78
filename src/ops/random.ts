// Seeded random numbers for rand, randn, randint and initializers. Values are drawn on the
// host (so every backend sees the same numbers for the same seed) and uploaded once.

import { ArgumentError } from '../errors';

let globalSeed = Date.now() >>> 0;
let calls = 0;

/** Sets the global seed every random op without its own `seed` draws from. */
export function seed(n: number): void {
  if (!Number.isInteger(n)) throw new ArgumentError(`seed: expected an integer, got ${typeof n === 'number' ? n : typeof n}`);
  globalSeed = n >>> 0;
  calls = 0;
}

/** A mulberry32 generator: fast, 32-bit state, good enough for ML initialization. */
export function generator(seedValue?: number): () => number {
  let s = (seedValue === undefined ? globalSeed + 0x9e3779b9 * ++calls : seedValue) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples by Box–Muller. */
export function normals(n: number, next: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}
