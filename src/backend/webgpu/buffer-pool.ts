// A pool of GPU buffers bucketed by usage and power-of-two size class, so realizes reuse
// buffers instead of allocating. Release puts a buffer back; trim destroys idle ones.

import { OutOfMemoryError } from '../../errors';

// The WebGPU spec's flag values, spelled out because in Node the GPUBufferUsage global only
// exists once Dawn is loaded, after this module is evaluated.
const MAP_READ = 0x1;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const STORAGE = 0x80;
export const MAP_MODE_READ = 0x1;

export const STORAGE_USAGE = STORAGE | COPY_SRC | COPY_DST;
export const STAGING_USAGE = MAP_READ | COPY_DST;

/** The size class a request of `bytes` is served from. */
export function sizeClass(bytes: number): number {
  return Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
}

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  liveBytes = 0;
  pooledBytes = 0;

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number, usage: number): GPUBuffer {
    const size = sizeClass(bytes);
    if (size > this.device.limits.maxBufferSize || size > this.device.limits.maxStorageBufferBindingSize) {
      throw new OutOfMemoryError(
        `a buffer of ${bytes} bytes exceeds the device's limit (maxStorageBufferBindingSize ${this.device.limits.maxStorageBufferBindingSize})`,
      );
    }
    const pooled = this.free.get(`${usage}:${size}`)?.pop();
    if (pooled) this.pooledBytes -= size;
    const buffer = pooled ?? this.device.createBuffer({ size, usage });
    this.liveBytes += size;
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    const key = `${buffer.usage}:${buffer.size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buffer);
    this.liveBytes -= buffer.size;
    this.pooledBytes += buffer.size;
  }

  /** Destroys pooled buffers until at most `keepBytes` stay pooled. */
  trim(keepBytes = 0): void {
    for (const list of this.free.values()) {
      while (list.length && this.pooledBytes > keepBytes) {
        const b = list.pop()!;
        this.pooledBytes -= b.size;
        b.destroy();
      }
    }
  }
}
