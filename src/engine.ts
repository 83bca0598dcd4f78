// The public engine calls of API.md "Engine": backend choice, realize, stats, memory, explain.

import { resetStats as reset, stats as counters, type BackendName, type Stats } from './backend/backend';
import { activeBackend, isInitialized, switchBackend, webgpuBackend } from './runtime';
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

let peakBytes = 0;

export function memory(): MemoryInfo {
  const tensors = liveTensors();
  const gpu = webgpuBackend();
  let liveBytes = gpu?.pool.liveBytes ?? 0;
  if (!isInitialized() || activeBackend().name === 'cpu') {
    const hosts = new Set(tensors.flatMap(storagesOf).flatMap((s) => (s.host ? [s.host] : [])));
    for (const h of hosts) liveBytes += h.byteLength;
  }
  peakBytes = Math.max(peakBytes, liveBytes);
  return { liveTensors: tensors.length, liveBytes, pooledBytes: gpu?.pool.pooledBytes ?? 0, peakBytes };
}

/** The kernels realizing `tensors` would run, one line each: fused ops, buffers read and written. */
export function explain(...tensors: Tensor[]): string {
  const roots = tensors.map((t) => Tensor.check(t, 'explain').node).filter((n) => n.op.kind !== 'buffer');
  if (roots.length === 0) return '(nothing to compute: all realized)';
  return activeBackend().explain(roots).join('\n');
}
