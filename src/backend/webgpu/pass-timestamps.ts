// The GPU time of one compute pass, from timestamp queries (devices with 'timestamp-query'): the
// pass's own duration, not the work queued before it, so calibration can time kernels while plans run.

const RESOLVE_USAGE = 0x200 | 0x4; // QUERY_RESOLVE | COPY_SRC
const READBACK_USAGE = 0x1 | 0x8; // MAP_READ | COPY_DST
const MAP_READ = 0x1;

/** Two timestamps (the pass's start and end) and the buffers that bring them back. */
export class PassTimestamps {
  private readonly querySet: GPUQuerySet;
  private readonly resolved: GPUBuffer;
  private readonly readback: GPUBuffer;

  constructor(device: GPUDevice) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
    this.resolved = device.createBuffer({ size: 16, usage: RESOLVE_USAGE });
    this.readback = device.createBuffer({ size: 16, usage: READBACK_USAGE });
  }

  /** The pass descriptor's `timestampWrites`. */
  get writes(): GPUComputePassTimestampWrites {
    return { querySet: this.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 };
  }

  /** Encodes bringing the timestamps back; after the pass ends. */
  resolve(encoder: GPUCommandEncoder): void {
    encoder.resolveQuerySet(this.querySet, 0, 2, this.resolved, 0);
    encoder.copyBufferToBuffer(this.resolved, 0, this.readback, 0, 16);
  }

  /** The pass's duration in ms, once its submit has run. */
  async ms(): Promise<number> {
    await this.readback.mapAsync(MAP_READ);
    const [begin, end] = new BigInt64Array(this.readback.getMappedRange().slice(0));
    this.readback.unmap();
    return Number(end - begin) / 1e6;
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolved.destroy();
    this.readback.destroy();
  }
}
