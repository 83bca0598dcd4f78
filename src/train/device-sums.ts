// Running sums of batch values (loss, metrics) weighted by batch size, kept on the device: each
// batch adds to them inside its own realize, and the host reads them once per epoch, or takes a
// snapshot now and then without waiting (the read is queued behind the batches already sent).

import { realize } from '../engine';
import { keep } from '../lifetime';
import { fromHost } from '../ops/creation';
import { stack } from '../ops/movement';
import { activeBackend } from '../runtime';
import { noGrad, realizeWithNext, type Tensor } from '../tensor';

export class DeviceSums {
  private readonly sums: Tensor;
  /** Samples added so far (known on the host). */
  samples = 0;

  constructor(readonly count: number) {
    this.sums = keep(fromHost(new Float32Array(count), [count]));
  }

  /** Adds `size` × each scalar of `values` in the next realize (the batch's own). */
  add(values: readonly Tensor[], size: number): void {
    noGrad(() => this.sums.assign(this.sums.add(stack(values.map((v) => v.detach()), 0).mul(size))));
    realizeWithNext(this.sums);
    this.samples += size;
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
