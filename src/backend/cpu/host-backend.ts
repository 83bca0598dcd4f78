// What the two host backends (the CPU backend and the reference) share: a storage's values are
// its host array, so memory is the bytes of those arrays, reading copies one, and there is
// nothing to download. Executing graphs is each backend's own.

import type { TypedArray } from '../../dtype';
import { Storage, type LazyNode } from '../../graph/ir';
import type { Backend } from '../backend';
import { stats } from '../backend';

export abstract class HostBackend implements Backend {
  readonly name = 'cpu' as const;
  private peakBytes = 0;

  abstract execute(roots: readonly LazyNode[]): Storage[];
  abstract explain(roots: readonly LazyNode[]): string[];

  /** Host arrays of storages not yet released (host backends have no pool). */
  memory(): { liveBytes: number; pooledBytes: number; peakBytes: number } {
    const liveBytes = Storage.liveHostBytes;
    this.peakBytes = Math.max(this.peakBytes, liveBytes);
    return { liveBytes, pooledBytes: 0, peakBytes: this.peakBytes };
  }

  async read(storage: Storage): Promise<TypedArray> {
    if (!storage.host) throw new Error('cpu: storage has no host data');
    stats.bytesRead += storage.host.byteLength;
    return storage.host.slice();
  }

  async download(): Promise<void> {}
}
