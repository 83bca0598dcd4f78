// Batches of device-resident tensors for fit, evaluate and predict: each epoch uploads only its
// row order, and every full batch gathers its rows through one graph (a batch number picks its
// row of the order), so full batches share one plan and a smaller last batch adds one.

import { fromHost } from '../ops/creation';
import { Tensor } from '../tensor';
import type { Batch, Dataset } from '../data/dataset';
import { shuffleInPlace } from '../data/shuffle';

/** One batch: the tensors' rows and how many there are. */
export interface TensorBatch {
  readonly tensors: Tensor[];
  readonly size: number;
}

/** Yields `batch`, then disposes its tensors and `also`. */
function* once(batch: TensorBatch, also: readonly Tensor[]): Generator<TensorBatch> {
  yield batch;
  for (const t of [...batch.tensors, ...also]) t.dispose();
}

/** Batches over the same rows of several tensors (x and y, or x alone). */
export class BatchSource implements Batches {
  readonly steps: number;
  private readonly full: number;
  private readonly batchIds: Tensor[];
  private current: { full: Tensor | null; rest: Tensor | null } | null = null;

  /** `shuffle`: a uniform generator for a new order each epoch, or null for row order. */
  constructor(
    private readonly data: readonly Tensor[],
    private readonly batchSize: number,
    private readonly shuffle: (() => number) | null,
  ) {
    const n = data[0].shape[0];
    this.full = Math.floor(n / batchSize);
    this.steps = Math.ceil(n / batchSize);
    this.batchIds = Array.from({ length: this.full }, (_, b) => fromHost(Int32Array.of(b), [1]));
  }

  get samples(): number {
    return this.data[0].shape[0];
  }

  private order(): { full: Tensor | null; rest: Tensor | null } {
    if (!this.shuffle && this.current) return this.current;
    this.disposeOrder();
    const n = this.samples;
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    if (this.shuffle) shuffleInPlace(rows, this.shuffle);
    const cut = this.full * this.batchSize;
    const order = {
      full: this.full > 0 ? fromHost(rows.subarray(0, cut), [this.full, this.batchSize]) : null,
      rest: cut < n ? fromHost(rows.slice(cut), [n - cut]) : null,
    };
    return (this.current = order);
  }

  private disposeOrder(): void {
    this.current?.full?.dispose();
    this.current?.rest?.dispose();
    this.current = null;
  }

  /** Frees the row orders and batch numbers (the data stays). */
  dispose(): void {
    this.disposeOrder();
    for (const t of this.batchIds) t.dispose();
  }

  /**
   * The batches of one epoch (a new order each call when shuffling): lazy tensors, disposed
   * when the next batch is asked for (so no graph keeps an old order alive).
   */
  *epoch(): Generator<TensorBatch> {
    const { full, rest } = this.order();
    for (let b = 0; b < this.full; b++) {
      const picked = full!.gather(this.batchIds[b], 0);
      const rows = picked.reshape([this.batchSize]);
      yield* once({ tensors: this.data.map((t) => t.gather(rows, 0)), size: this.batchSize }, [rows, picked]);
    }
    if (rest) yield* once({ tensors: this.data.map((t) => t.gather(rest, 0)), size: rest.shape[0] }, []);
  }
}

/** What an epoch iterates: batches of [x, y] (or [x]) and how many there are. */
export interface Batches {
  readonly steps: number;
  epoch(): Iterable<TensorBatch>;
  dispose(): void;
}

/** A `wg.data` dataset's batches as fit takes them (batched at `batchSize` if it is not yet). */
export function datasetBatches(ds: Dataset, batchSize: number, adapt: (b: Batch) => Tensor[]): Batches {
  const batched = ds.batchSize === null ? ds.batch(batchSize) : ds;
  return {
    steps: batched.length,
    *epoch() {
      for (const b of batched) yield* once({ tensors: adapt(b), size: b.x.shape[0] }, [b.x, b.y]);
    },
    dispose() {},
  };
}
