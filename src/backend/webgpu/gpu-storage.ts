// Device memory of storages on WebGPU: a storage's GPU buffer (from the pool, back to it on
// release) and the upload of host data the first time a kernel binds it.

import { DeviceLostError, DisposedError } from '../../errors';
import type { DeviceBuffer, Storage } from '../../graph/ir';
import { stats } from '../backend';
import { STORAGE_USAGE, type BufferPool } from './buffer-pool';

/** A storage's pooled GPU buffer. Releasing it twice is harmless. */
export class GpuBuffer implements DeviceBuffer {
  readonly backend = 'webgpu';
  private released = false;
  constructor(
    readonly buffer: GPUBuffer,
    readonly bytes: number,
    /** The pool (so the device) the buffer belongs to. */
    readonly pool: BufferPool,
  ) {}
  release(): void {
    if (this.released) return;
    this.released = true;
    this.pool.release(this.buffer);
  }
}

/** Bytes a storage of `size` elements takes on the GPU (every dtype is 4 bytes; bool is u32). */
export function gpuBytes(size: number): number {
  return Math.max(4, size * 4);
}

/** Gives storages GPU buffers from one pool. */
export class GpuStorages {
  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
  ) {}

  /** A fresh pooled buffer for `storage` (its previous contents are undefined). */
  allocate(storage: Storage): GPUBuffer {
    const bytes = gpuBytes(storage.size);
    const buffer = this.pool.acquire(bytes, STORAGE_USAGE);
    storage.device = new GpuBuffer(buffer, bytes, this.pool);
    return buffer;
  }

  /**
   * Where a kernel binds `storage`: its buffer, and for a range of an arena its offset and size
   * (in bytes; arena ranges start at multiples of minStorageBufferOffsetAlignment).
   */
  binding(storage: Storage): GPUBufferBinding {
    if (!storage.base) return { buffer: this.deviceBuffer(storage) };
    if (storage.released) throw new DisposedError(`realize: the graph reads a ${storage.dtype} buffer of ${storage.size} elements whose tensor was disposed`);
    const buffer = this.deviceBuffer(storage.base);
    const offset = storage.offset * 4;
    // The whole 256-byte-aligned range (arena ranges are padded to it): kernels that load vec4s
    // read up to the next multiple of 4 elements.
    return { buffer, offset, size: Math.min(Math.ceil(gpuBytes(storage.size) / 256) * 256, buffer.size - offset) };
  }

  /** The GPU buffer of a storage (a whole one, not a view), uploading its host copy first if it has none. */
  deviceBuffer(storage: Storage): GPUBuffer {
    if (storage.base) throw new Error('webgpu: deviceBuffer of a view; bind it with binding()');
    if (storage.device instanceof GpuBuffer) {
      if (storage.device.pool === this.pool) return storage.device.buffer;
      // A buffer of a device webgrad no longer uses (lost, or replaced by wg.init({ device })):
      // its values survive only if the storage kept its host copy.
      if (!storage.host) {
        throw new DeviceLostError(`realize: the graph reads a ${storage.dtype} buffer of ${storage.size} elements that lived on a previous WebGPU device, now gone`);
      }
      storage.device = null;
    }
    if (storage.released) throw new DisposedError(`realize: the graph reads a ${storage.dtype} buffer of ${storage.size} elements whose tensor was disposed`);
    if (!storage.host) throw new Error('webgpu: a storage has neither device nor host data');
    const buffer = this.allocate(storage);
    const host = storage.host;
    const data = host instanceof Uint8Array ? Uint32Array.from(host) : host;
    if (data.byteLength > 0) this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    stats.bytesUploaded += data.byteLength;
    return buffer;
  }
}
