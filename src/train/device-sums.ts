// Batch values (loss, metrics) summed on the device, weighted by batch size, inside each batch's
// own realize; read once per epoch, or snapshotted without waiting (the copy queues behind the
// batches sent). One buffer serves a whole fit: `reset` makes the next batch write, not add.

import { realize } from '../engine';
import { keep } from '../lifetime';
import { fromHost } from '../ops/creation';
import { stack } from '../ops/movement';
import { activeBackend } from '../runtime';
import { noGrad, realizeWithNext, type Tensor } from '../tensor';

export class DeviceSums {
  private readonly sums: Tensor;
  /** Samples added since the last reset (known on the host). */
  samples = 0;
  private fresh = true;

  constructor(readonly count: number) {
    this.sums = keep(fromHost(new Float32Array(count), [count]));
  }

  /** Adds `size` × each scalar of `values` in the next realize (the batch's own). */
  add(values: readonly Tensor[], size: number): void {
    noGrad(() => {
      const batch = stack(values.map((v) => v.detach()), 0).mul(size);
      this.sums.assign(this.fresh ? batch : this.sums.add(batch));
    });
    realizeWithNext(this.sums);
    this.samples += size;
    this.fresh = false;
  }

  /** Starts new sums: the next batch's values replace what is there. */
  reset(): void {
    this.samples = 0;
    this.fresh = true;
  }

  /** Computes pending additions now (one submit). */
  flush(): void {
    realize(this.sums);
  }

  /**
   * The means so far, read from the device. The copy is queued at the call, so later batches do
   * not change what comes back; call it only between realizes (never with additions pending).
   */
  snapshot(): Promise<{ means: number[]; samples: number }> {
    const node = this.sums.node;
    if (node.op.kind !== 'buffer') throw new Error('DeviceSums.snapshot: additions are pending (realize first)');
    const samples = this.samples;
    return activeBackend()
      .read(node.op.storage)
      .then((sums) => ({ means: Array.from(sums, (s) => s / Math.max(samples, 1)), samples }));
  }

  dispose(): void {
    this.sums.dispose();
  }
}
