// The interface both backends implement, and the counters they keep. A backend executes the
// lazy graph it is given; it knows nothing about tensors, autograd or layers.

import type { TypedArray } from '../dtype';
import type { LazyNode, Storage } from '../graph/ir';

export type BackendName = 'webgpu' | 'cpu';

export interface Backend {
  readonly name: BackendName;
  /**
   * Computes `roots` (enqueueing GPU work, not waiting for it) and returns their storages. A root
   * with a `target` (assign) is written into that storage, which is returned for it.
   */
  execute(roots: readonly LazyNode[]): Storage[];
  /**
   * As `execute`, compiling what is missing without blocking (WebGPU: async pipelines);
   * `beforeRun` is called synchronously right before the work is encoded.
   */
  executeAsync?(roots: readonly LazyNode[], beforeRun?: () => void): Promise<Storage[]>;
  /** Compiles what realizing `roots` needs (plan, pipelines) without running it. */
  prepare?(roots: readonly LazyNode[]): Promise<void>;
  /** The values of a realized storage, as a host array of its dtype. */
  read(storage: Storage): Promise<TypedArray>;
  /** One line per kernel that executing `roots` would run. */
  explain(roots: readonly LazyNode[]): string[];
  /** Bytes the backend holds: live (held by storages or work in flight), pooled for reuse, and the peak of both. */
  memory(): { liveBytes: number; pooledBytes: number; peakBytes: number };
  /** Copies device data to the host so another backend can take the storage over. */
  download(storage: Storage): Promise<void>;
}

/** The counters of `wg.stats()`. */
export interface Stats {
  realizes: number;
  dispatches: number;
  submits: number;
  pipelinesCreated: number;
  planCacheHits: number;
  planCacheMisses: number;
  bytesUploaded: number;
  bytesRead: number;
}

export const stats: Stats = {
  realizes: 0,
  dispatches: 0,
  submits: 0,
  pipelinesCreated: 0,
  planCacheHits: 0,
  planCacheMisses: 0,
  bytesUploaded: 0,
  bytesRead: 0,
};

export function resetStats(): void {
  for (const k of Object.keys(stats) as (keyof Stats)[]) stats[k] = 0;
}
