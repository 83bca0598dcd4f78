// The public engine calls of API.md "Engine": backend choice, realize, stats, memory, explain.

import { resetStats as reset, stats as counters, type BackendName, type Stats } from './backend/backend';
import { ArgumentError } from './errors';
import type { LazyNode } from './graph/ir';
import { liveTensorCount, tensorsIn, tidy } from './lifetime';
import { activeBackend, ensureInit, isInitialized, switchBackend } from './runtime';
import { realizeRoots } from './graph/realize';
import { liveTensors, realizeNodes, storagesOf, Tensor } from './tensor';

export { init, type InitOptions, type InitResult } from './runtime';

export function getBackend(): BackendName {
  return activeBackend().name;
}

/** Switches backend; existing tensors stay usable (their data moves on first use). */
export async function setBackend(name: BackendName): Promise<void> {
  await switchBackend(name, async (from) => {
    const storages = new Set(liveTensors().flatMap(storagesOf));
    for (const s of storages) await from.download(s);
  });
}

/** Computes the tensors and keeps them on the device, without reading them back. */
export function realize(...tensors: Tensor[]): void {
  realizeNodes(tensors.map((t) => Tensor.check(t, 'realize').node));
}

export function stats(): Stats {
  return { ...counters };
}

export function resetStats(): void {
  reset();
}

export interface MemoryInfo {
  liveTensors: number;
  liveBytes: number;
  pooledBytes: number;
  peakBytes: number;
}

/**
 * Memory in use. On WebGPU: `liveBytes` are device buffers held (by tensors, or by work in
 * flight), `pooledBytes` idle buffers kept for reuse, `peakBytes` the high-water mark of both
 * together. On the CPU backend: the bytes of the host arrays storages hold. `liveTensors` counts
 * every tensor handle not yet disposed or collected, lazy ones that hold no buffer included.
 *
 * A realized tensor's buffer lives as long as its handle, and a handle dropped without
 * `dispose()` lives until the garbage collector has run the FinalizationRegistry's callback,
 * which happens only between jobs: a loop that never awaits keeps every realized value it
 * dropped, and the library cannot tell those handles from live ones (a WeakRef made or read
 * during a job keeps its target for that job). So a loop with no `tidy`, `dispose` or `await`
 * stays flat except for the values it realizes and drops each step, such as the loss
 * `backward()` computes with the update: one smallest pool buffer (256 B, the device's
 * `minStorageBufferOffsetAlignment`, below which no storage binding can be placed) per value
 * on WebGPU, its bytes on the CPU. Dispose the loss, read it, or await once in a while.
 *
 * ```ts
 * const { liveBytes, pooledBytes } = wg.memory();
 * ```
 */
export function memory(): MemoryInfo {
  const bytes = isInitialized() ? activeBackend().memory() : { liveBytes: 0, pooledBytes: 0, peakBytes: 0 };
  return { liveTensors: liveTensorCount(), ...bytes };
}

/**
 * Compiles ahead of time what realizing the tensors `fn` returns would need (the plan, its
 * pipelines, compiled asynchronously), without running anything. A later realize of a graph of
 * the same structure, with the same roots in the same order, then hits the plan cache. The
 * tensors `fn` creates are disposed. On WebGPU it first waits for the calibration of the kernel
 * shape classes the graph uses (see `init`'s `calibration`), so the plan runs the measured variants.
 *
 * ```ts
 * await wg.warmup(() => trainStepGraph(x, y)); // [...newParams, loss]
 * ```
 */
export async function warmup(fn: () => unknown): Promise<void> {
  if (typeof fn !== 'function') throw new ArgumentError(`warmup: expected a function, got ${fn === null ? 'null' : typeof fn}`);
  const backend = await ensureInit();
  let nodes: LazyNode[] = [];
  tidy(() => {
    nodes = realizeRoots(tensorsIn(fn()).map((t) => t.node));
    for (const n of nodes) n.retain();
  });
  try {
    await backend.prepare?.(nodes);
  } finally {
    for (const n of nodes) n.release();
  }
}

/** The kernels realizing `tensors` would run, one line each: fused ops, buffers read and written. */
export function explain(...tensors: Tensor[]): string {
  const roots = tensors.map((t) => Tensor.check(t, 'explain').node).filter((n) => n.op.kind !== 'buffer');
  if (roots.length === 0) return '(nothing to compute: all realized)';
  return activeBackend().explain(roots).join('\n');
}
