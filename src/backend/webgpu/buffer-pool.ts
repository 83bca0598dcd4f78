// A pool of GPU buffers bucketed by usage and power-of-two size class, so realizes reuse
// buffers instead of allocating. Release puts a buffer back; pooled bytes above a high-water
// limit are destroyed. Buffers of any usage (storage, staging, uniform) share the same rules.

import { OutOfMemoryError } from '../../errors';
import { QueueGate } from './queue-gate';

// The WebGPU spec's flag values, spelled out because in Node the GPUBufferUsage global only
// exists once Dawn is loaded, after this module is evaluated.
const MAP_READ = 0x1;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const UNIFORM = 0x40;
const STORAGE = 0x80;
export const MAP_MODE_READ = 0x1;

export const STORAGE_USAGE = STORAGE | COPY_SRC | COPY_DST;
export const STAGING_USAGE = MAP_READ | COPY_DST;
export const UNIFORM_USAGE = UNIFORM | COPY_DST;

/** The size class a request of `bytes` is served from. */
export function sizeClass(bytes: number): number {
  return Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
}

/** Pooled bytes kept by default before releases start destroying buffers. */
export const DEFAULT_MAX_POOLED_BYTES = 256 * 1024 * 1024;

export class BufferPool {
  private readonly free = new Map<string, GPUBuffer[]>();
  /** The order of the device's work: a release waits behind work that may still use the buffer. */
  readonly gate = new QueueGate();
  /** Bytes of buffers handed out and not yet released. */
  liveBytes = 0;
  /** Bytes of idle buffers waiting for reuse. */
  pooledBytes = 0;
  /** The most bytes this pool ever had allocated on the device (live + pooled). */
  peakBytes = 0;

  constructor(
    private readonly device: GPUDevice,
    /** The high-water limit of pooled bytes: releases above it destroy buffers. */
    public maxPooledBytes = DEFAULT_MAX_POOLED_BYTES,
  ) {}

  /** A buffer of at least `bytes` with `usage`: a pooled one of its size class, else a new one. */
  acquire(bytes: number, usage: number): GPUBuffer {
    const size = sizeClass(bytes);
    const limits = this.device.limits;
    if (size > limits.maxBufferSize || ((usage & STORAGE) !== 0 && size > limits.maxStorageBufferBindingSize)) {
      throw new OutOfMemoryError(
        `a buffer of ${bytes} bytes exceeds the device's limit (maxBufferSize ${limits.maxBufferSize}, maxStorageBufferBindingSize ${limits.maxStorageBufferBindingSize})`,
      );
    }
    const pooled = this.free.get(`${usage}:${size}`)?.pop();
    let buffer: GPUBuffer;
    if (pooled) {
      this.pooledBytes -= size;
      buffer = pooled;
    } else {
      buffer = this.device.createBuffer({ size, usage });
    }
    this.liveBytes += size;
    this.peakBytes = Math.max(this.peakBytes, this.liveBytes + this.pooledBytes);
    return buffer;
  }

  /** Puts a buffer back. Work already submitted that uses it is unaffected (queue order); work still waiting in the gate runs first. */
  release(buffer: GPUBuffer): void {
    this.gate.run(() => this.put(buffer));
  }

  private put(buffer: GPUBuffer): void {
    const key = `${buffer.usage}:${buffer.size}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(buffer);
    this.liveBytes -= buffer.size;
    this.pooledBytes += buffer.size;
    if (this.pooledBytes > this.maxPooledBytes) this.trim(this.maxPooledBytes);
  }

  /** Destroys pooled buffers, largest size classes first, until at most `keepBytes` stay pooled. */
  trim(keepBytes = 0): void {
    const lists = [...this.free.values()].sort((a, b) => (b[0]?.size ?? 0) - (a[0]?.size ?? 0));
    for (const list of lists) {
      while (list.length && this.pooledBytes > keepBytes) {
        const b = list.pop()!;
        this.pooledBytes -= b.size;
        b.destroy();
      }
    }
  }
}
