// The global random stream: which Threefry key (a seed) and stream (a counter) each random op
// draws with. The numbers themselves are computed on the device (or by the CPU backend) from
// them, by the random rows of src/ops/elementwise-table.ts; nothing is drawn on the host.

import { ArgumentError } from '../errors';

let globalSeed = Date.now() >>> 0;
let calls = 0;

/**
 * Sets the global seed. Every random op without its own `seed` (`rand`, `randn`, `randint`, and
 * the initializers built on them) then draws from the stream of this seed: the k-th such call
 * after `wg.seed(n)` gets key n and stream k, so the same seed gives the same sequence of random
 * tensors, in the same order of calls, on either backend (bit for bit for `rand` and `randint`,
 * within float rounding for `randn`). An op's own `seed` is a fixed key (stream 0) that neither
 * uses nor advances the global stream.
 *
 * ```ts
 * wg.seed(42);
 * const a = wg.randn([2, 3]);
 * wg.seed(42);
 * const b = wg.randn([2, 3]); // the same values as a
 * ```
 */
export function seed(n: number): void {
  globalSeed = seedKey('seed', n);
  calls = 0;
}

/** The key (as int32 bits) and stream of a random op's draw: its own seed, or the next of the global stream. */
export function nextDraw(op: string, ownSeed?: number): { key: number; stream: number } {
  if (ownSeed !== undefined) return { key: seedKey(op, ownSeed) | 0, stream: 0 };
  return { key: globalSeed | 0, stream: ++calls | 0 };
}

function seedKey(op: string, n: number): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new ArgumentError(`${op}: a seed must be a finite number, got ${String(n)}`);
  return n >>> 0;
}
