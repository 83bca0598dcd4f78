// Dataset: examples `x` and labels `y` kept on the device, iterated as batches that are slices
// or on-device gathers of them (nothing is copied through the host per batch). Each method
// returns a new Dataset; a shuffled one draws a new order every iteration, as tf.data does.

import { ArgumentError, ShapeError } from '../errors';
import { fromHost } from '../ops/creation';
import { shapeStr } from '../shape';
import { Tensor } from '../tensor';
import { shuffleInPlace, uniformStream } from './shuffle';

/** Examples `x` and their labels `y`, the same count along axis 0. */
export interface Examples {
  x: Tensor;
  y: Tensor;
}

/** One element of a dataset: a batch (or a single example before `batch`). */
export type Batch = Examples;

/** The two parts of a data set. */
export interface TrainTest {
  train: Examples;
  test: Examples;
}

/** Which rows of x and y a dataset holds: a contiguous range or a list. */
type Rows = { readonly start: number; readonly count: number } | Int32Array;

interface Plan {
  readonly rows: Rows;
  /** Draws the next iteration's order (null: in row order). */
  readonly shuffle: (() => number) | null;
  /** Examples used per iteration (`take` before `batch`). */
  readonly exampleLimit: number | null;
  readonly batchSize: number | null;
  readonly dropRemainder: boolean;
  /** Batches per iteration (`take` after `batch`). */
  readonly batchLimit: number | null;
  readonly maps: readonly ((b: Batch) => Batch)[];
}

const rowCount = (rows: Rows) => (rows instanceof Int32Array ? rows.length : rows.count);
const rowAt = (rows: Rows, i: number) => (rows instanceof Int32Array ? rows[i] : rows.start + i);

function positiveInt(op: string, name: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`${op}: ${name} must be an integer ≥ 1, got ${n}`);
  return n;
}

/**
 * Examples and labels on the device, batched and shuffled for training.
 *
 * ```ts
 * const ds = wg.data.dataset(train.x, train.y).shuffle(0).batch(128);
 * for await (const { x, y } of ds) { ... }
 * ```
 */
export class Dataset implements AsyncIterable<Batch>, Iterable<Batch> {
  /** @internal Use `wg.data.dataset(x, y)`. */
  constructor(
    readonly x: Tensor,
    readonly y: Tensor,
    private readonly plan: Plan,
  ) {}

  /** The number of examples one iteration uses. */
  get size(): number {
    const n = rowCount(this.plan.rows);
    return this.plan.exampleLimit === null ? n : Math.min(n, this.plan.exampleLimit);
  }

  /** The number of elements (batches once batched) one iteration yields. */
  get length(): number {
    const { batchSize, dropRemainder, batchLimit } = this.plan;
    if (batchSize === null) return this.size;
    const batches = dropRemainder ? Math.floor(this.size / batchSize) : Math.ceil(this.size / batchSize);
    return batchLimit === null ? batches : Math.min(batches, batchLimit);
  }

  /** The batch size, or null before `batch`. */
  get batchSize(): number | null {
    return this.plan.batchSize;
  }

  private with(changes: Partial<Plan>): Dataset {
    return new Dataset(this.x, this.y, { ...this.plan, ...changes });
  }

  /**
   * A new random order every iteration; the same `seed` gives the same sequence of orders
   * (without one, a different sequence each run).
   */
  shuffle(seed?: number): Dataset {
    if (seed !== undefined && !Number.isInteger(seed)) throw new ArgumentError(`shuffle: seed must be an integer, got ${seed}`);
    return this.with({ shuffle: uniformStream(seed) });
  }

  /** Groups examples into batches of `n`; the last one is smaller unless `dropRemainder`. */
  batch(n: number, opts: { dropRemainder?: boolean } = {}): Dataset {
    if (this.plan.batchSize !== null) throw new ArgumentError(`batch: the dataset is already batched (batch size ${this.plan.batchSize})`);
    return this.with({ batchSize: positiveInt('batch', 'n', n), dropRemainder: opts.dropRemainder ?? false });
  }

  /**
   * The first `n` elements: examples before `batch`, batches after. Before `shuffle` it keeps
   * the first `n` rows (then shuffled); after, the first `n` of each iteration's order.
   */
  take(n: number): Dataset {
    if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`take: n must be an integer ≥ 0, got ${n}`);
    const { rows, shuffle, batchSize, exampleLimit, batchLimit } = this.plan;
    if (batchSize !== null) return this.with({ batchLimit: Math.min(n, batchLimit ?? n) });
    if (shuffle) return this.with({ exampleLimit: Math.min(n, exampleLimit ?? n) });
    const k = Math.min(n, this.size);
    return this.with({ rows: rows instanceof Int32Array ? rows.slice(0, k) : { start: rows.start, count: k } });
  }

  /**
   * Applies `fn` to every element as it is yielded (after batching, whenever `map` is called:
   * per-example functions such as the augmentations work on whole batches at once).
   */
  map(fn: (b: Batch) => Batch): Dataset {
    if (typeof fn !== 'function') throw new ArgumentError(`map: expected a function, got ${typeof fn}`);
    return this.with({ maps: [...this.plan.maps, fn] });
  }

  /** Two datasets: the first `fraction` of the examples (in stored order) and the rest. */
  split(fraction: number): [Dataset, Dataset] {
    if (!(fraction > 0 && fraction < 1)) throw new ArgumentError(`split: fraction must be in (0, 1), got ${fraction}`);
    const { rows } = this.plan;
    const n = rowCount(rows);
    const k = Math.round(n * fraction);
    const part = (from: number, count: number): Rows => (rows instanceof Int32Array ? rows.slice(from, from + count) : { start: rows.start + from, count });
    return [this.with({ rows: part(0, k), exampleLimit: null }), this.with({ rows: part(k, n - k), exampleLimit: null })];
  }

  /** The rows of one iteration in order: a list, or where a contiguous range starts. */
  private order(): Int32Array | { start: number } {
    const { rows, shuffle } = this.plan;
    const n = this.size;
    if (!shuffle) return rows instanceof Int32Array ? rows.subarray(0, n) : { start: rows.start };
    return shuffleInPlace(Int32Array.from({ length: rowCount(rows) }, (_, i) => rowAt(rows, i)), shuffle).subarray(0, n);
  }

  /** The elements of one iteration (synchronous: batches are lazy tensors). */
  *[Symbol.iterator](): Iterator<Batch> {
    const order = this.order();
    const indices = order instanceof Int32Array ? fromHost(order, [order.length]) : null;
    const start = order instanceof Int32Array ? 0 : order.start;
    const per = this.plan.batchSize ?? 1;
    for (let b = 0; b < this.length; b++) {
      const count = Math.min(per, this.size - b * per);
      const take = (t: Tensor): Tensor => {
        const picked = indices ? t.gather(indices.slice([b * per], [count]), 0) : t.slice([start + b * per, ...t.shape.slice(1).map(() => 0)], [count, ...t.shape.slice(1).map(() => -1)]);
        return this.plan.batchSize === null ? picked.reshape(t.shape.slice(1)) : picked;
      };
      yield this.plan.maps.reduce((batch, fn) => fn(batch), { x: take(this.x), y: take(this.y) });
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    for (const batch of this) yield batch;
  }
}

/**
 * A dataset of examples `x` [N, ...] and labels `y` [N, ...] (the same N), kept where they are
 * (on the device once realized).
 *
 * ```ts
 * const ds = wg.data.dataset(x, y).shuffle().batch(32);
 * ```
 */
export function dataset(x: Tensor, y: Tensor): Dataset {
  x = Tensor.check(x, 'dataset');
  y = Tensor.check(y, 'dataset');
  if (x.rank === 0 || y.rank === 0 || x.shape[0] !== y.shape[0]) {
    throw new ShapeError(`dataset: x and y need the same first dimension (the examples), got ${shapeStr(x.shape)} and ${shapeStr(y.shape)}`);
  }
  return new Dataset(x, y, { rows: { start: 0, count: x.shape[0] }, shuffle: null, exampleLimit: null, batchSize: null, dropRemainder: false, batchLimit: null, maps: [] });
}
