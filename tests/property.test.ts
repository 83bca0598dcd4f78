// Property-based tests (fast-check): random small shapes and random chains of reshape,
// transpose, slice, broadcast, pad, elementwise and reduce ops give the same shapes and values
// on WebGPU as on the CPU backend; broadcasting follows NumPy's rule; views round-trip exactly.

import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { expectClose, expectNoGpuErrors, initBoth, onBoth, seeded, sizeOf, tabulate, at, wg } from './helpers';
import type { Tensor } from '../src/node';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

const RUNS = { numRuns: 40 };
const MAX_SIZE = 256;

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 });
/** One step of a chain; `a`, `b`, `c` in [0, 1) pick its parameters from the current shape. */
interface Step {
  kind: 'reshape' | 'transpose' | 'slice' | 'broadcast' | 'pad' | 'unary' | 'binary' | 'reduce';
  a: number;
  b: number;
  c: number;
}
const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom('reshape', 'transpose', 'slice', 'broadcast', 'pad', 'unary', 'binary', 'reduce'),
  a: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  b: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  c: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
});

const pick = <T>(xs: readonly T[], r: number): T => xs[Math.floor(r * xs.length)];

/** A random permutation of 0..n-1 from r (Lehmer code). */
function permutation(n: number, r: number): number[] {
  const rest = Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  let x = r;
  while (rest.length) {
    x *= rest.length;
    const i = Math.floor(x);
    x -= i;
    out.push(rest.splice(i, 1)[0]);
  }
  return out;
}

/** Shapes with the same size: the factorizations of n into at most three factors. */
function reshapes(n: number): number[][] {
  const out: number[][] = [[n]];
  for (let p = 1; p <= n; p++) {
    if (n % p) continue;
    out.push([p, n / p]);
    for (let q = 1; q <= n / p; q++) if ((n / p) % q === 0) out.push([p, q, n / p / q]);
  }
  return out;
}

const UNARY: ((t: Tensor) => Tensor)[] = [(t) => t.tanh(), (t) => t.neg(), (t) => t.abs(), (t) => t.sigmoid(), (t) => t.mul(0.5).add(0.25), (t) => t.relu(), (t) => t.square().tanh()];
const BINARY: ((x: Tensor, y: Tensor) => Tensor)[] = [(x, y) => x.add(y), (x, y) => x.sub(y), (x, y) => x.mul(y), (x, y) => x.maximum(y)];
const REDUCE: ((t: Tensor, axis: number, keep: boolean) => Tensor)[] = [(t, a, k) => t.sum(a, k), (t, a, k) => t.max(a, k), (t, a, k) => t.mean(a, k), (t, a, k) => t.min(a, k)];

/** Applies one step to `t` (the same way on every backend). */
function apply(t: Tensor, s: Step, seed: number): Tensor {
  const shape = t.shape;
  const rank = shape.length;
  switch (s.kind) {
    case 'reshape':
      return t.reshape(pick(reshapes(t.size), s.a));
    case 'transpose':
      return rank < 2 ? t : t.transpose(permutation(rank, s.a));
    case 'slice': {
      if (rank === 0) return t;
      const begin = shape.map((d, i) => Math.floor((i === 0 ? s.a : s.b) * d));
      const len = shape.map((d, i) => 1 + Math.floor(s.c * (d - begin[i])));
      return t.slice(begin, len);
    }
    case 'broadcast': {
      if (rank >= 4 || t.size * 2 > MAX_SIZE) return t;
      const axis = Math.floor(s.a * (rank + 1));
      const target = [...shape];
      target.splice(axis, 0, 2);
      return t.expandDims(axis).broadcastTo(target);
    }
    case 'pad': {
      if (rank === 0 || t.size * 3 > MAX_SIZE) return t;
      const axis = Math.floor(s.a * rank);
      const pads = shape.map((_, i) => (i === axis ? ([Math.floor(s.b * 2), Math.floor(s.c * 2)] as [number, number]) : ([0, 0] as [number, number])));
      return t.pad(pads, s.c < 0.5 ? 0 : -0.5);
    }
    case 'unary':
      return pick(UNARY, s.a)(t);
    case 'binary': {
      // The other operand has the shape with some axes set to 1 (and maybe fewer axes).
      const drop = Math.floor(s.b * (rank + 1));
      const other = shape.slice(drop).map((d, i) => ((s.c * 7 * (i + 1)) % 1 < 0.4 ? 1 : d));
      const y = wg.tensor(new Float32Array(seeded(sizeOf(other), seed, -1, 1)), { shape: other });
      return pick(BINARY, s.a)(t, y);
    }
    case 'reduce':
      return rank === 0 ? t : pick(REDUCE, s.a)(t, Math.floor(s.b * rank), s.c < 0.5);
  }
}

describe('random chains agree on both backends', () => {
  test('reshape / transpose / slice / broadcast / pad / elementwise / reduce chains', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb, fc.array(stepArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 1000 }), async (shape, steps, seed) => {
        const data = seeded(sizeOf(shape), seed, -1, 1);
        const build = () => steps.reduce((t, s, i) => apply(t, s, seed + i), wg.tensor(new Float32Array(data), { shape }));
        const { gpu, cpu } = await onBoth(build);
        expect(gpu.shape).toEqual(cpu.shape);
        expect(gpu.dtype).toBe(cpu.dtype);
        expectClose(gpu.data, cpu.data, { rtol: 1e-4, atol: 1e-5 });
      }),
      RUNS,
    );
  });
});

describe('random chains with one long axis (cooperative reductions) agree on both backends', () => {
  const longShapeArb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 120, max: 300 }), fc.boolean()).map(([a, l, swap]) => (swap ? [l, a] : [a, l]));

  test('chains over shapes like [3, 257]', async () => {
    await fc.assert(
      fc.asyncProperty(longShapeArb, fc.array(stepArb, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 1000 }), async (shape, steps, seed) => {
        const data = seeded(sizeOf(shape), seed, -1, 1);
        const build = () => steps.reduce((t, s, i) => apply(t, s, seed + i), wg.tensor(new Float32Array(data), { shape }));
        const { gpu, cpu } = await onBoth(build);
        expect(gpu.shape).toEqual(cpu.shape);
        expectClose(gpu.data, cpu.data, { rtol: 1e-4, atol: 1e-4 });
      }),
      { numRuns: 30 },
    );
  });
});

describe('broadcasting', () => {
  /** Two shapes that broadcast: b is a suffix of a with some axes set to 1, then maybe swapped. */
  const pairArb = fc.tuple(shapeArb, fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), fc.nat({ max: 3 }), fc.boolean()).map(([a, ones, drop, swap]) => {
    const b = a.slice(Math.min(drop, a.length)).map((d, i) => (ones[i] ? 1 : d));
    return swap ? [b, a] : [a, b];
  });

  test('binary ops follow the NumPy rule for shape and values', async () => {
    await fc.assert(
      fc.asyncProperty(pairArb, fc.integer({ min: 1, max: 1000 }), async ([sa, sb], seed) => {
        const da = seeded(sizeOf(sa), seed);
        const db = seeded(sizeOf(sb), seed + 1);
        const rank = Math.max(sa.length, sb.length);
        const pa = [...Array(rank - sa.length).fill(1), ...sa];
        const pb = [...Array(rank - sb.length).fill(1), ...sb];
        const out = pa.map((d, i) => Math.max(d, pb[i]));
        const expected = tabulate(out, (idx) => at(da, pa, idx.map((v, i) => (pa[i] === 1 ? 0 : v))) - 2 * at(db, pb, idx.map((v, i) => (pb[i] === 1 ? 0 : v))));
        const { gpu, cpu } = await onBoth(() => wg.tensor(new Float32Array(da), { shape: sa }).sub(wg.tensor(new Float32Array(db), { shape: sb }).mul(2)));
        expect(gpu.shape).toEqual(out);
        expect(cpu.shape).toEqual(out);
        expectClose(cpu.data, expected);
        expectClose(gpu.data, expected);
      }),
      RUNS,
    );
  });
});

describe('views round-trip', () => {
  test('transpose then the inverse permutation, and reshape then back, give x exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), async (shape, r) => {
        const perm = permutation(shape.length, r);
        const inv = perm.map((_, i) => perm.indexOf(i));
        const data = seeded(sizeOf(shape), shape.length + 10);
        const { gpu, cpu } = await onBoth(() => wg.tensor(new Float32Array(data), { shape }).transpose(perm).reshape([-1]).reshape(perm.map((p) => shape[p])).transpose(inv).add(0));
        expect(Array.from(gpu.data)).toEqual(Array.from(Float32Array.from(data)));
        expect(Array.from(cpu.data)).toEqual(Array.from(Float32Array.from(data)));
      }),
      RUNS,
    );
  });
});
