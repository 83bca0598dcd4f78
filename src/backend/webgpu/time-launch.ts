// Timing of hand-written kernel launches on a device, outside any plan: each candidate runs on
// zero-filled scratch buffers of the sizes its bindings need (and its dims, when it reads its sizes
// at run time), and the fastest of a few runs (the pass's timestamps where the device has them,
// else wall clock to `onSubmittedWorkDone`) is its time.

import type { GpuLaunch } from '../../graph/ir';
import { dimsBuffer } from './bindings';
import { STORAGE_USAGE } from './buffer-pool';
import { PassTimestamps } from './pass-timestamps';

/** A launch with the byte sizes of its group-0 bindings, in binding order. */
export interface TimedLaunch {
  readonly launch: GpuLaunch;
  readonly bindingBytes: readonly number[];
}

/** Builds the pipeline of a launch with an automatic layout. */
async function pipelineOf(device: GPUDevice, l: GpuLaunch): Promise<GPUComputePipeline> {
  const module = device.createShaderModule({ code: l.code });
  return device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: l.entryPoint, constants: l.constants } });
}

/**
 * The bind groups, in group order, of a launch's pipeline built with an automatic layout: its
 * storage `buffers` (group 0), and its dims (group 3, above empty groups 1 and 2) in a new
 * uniform buffer, returned in `owned` for the caller to destroy.
 */
export function autoLayoutGroups(device: GPUDevice, pipeline: GPUComputePipeline, launch: GpuLaunch, buffers: readonly GPUBuffer[]): { groups: GPUBindGroup[]; owned: GPUBuffer[] } {
  const groups = [device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) })];
  if (!launch.dims) return { groups, owned: [] };
  const dims = dimsBuffer(device, launch.dims);
  for (const g of [1, 2]) groups.push(device.createBindGroup({ layout: pipeline.getBindGroupLayout(g), entries: [] }));
  groups.push(device.createBindGroup({ layout: pipeline.getBindGroupLayout(3), entries: [{ binding: 0, resource: { buffer: dims } }] }));
  return { groups, owned: [dims] };
}

/**
 * The fastest time in milliseconds of `runs` dispatches of each candidate (after one warm-up
 * dispatch that also waits for compilation), in candidate order; by `clock` when given.
 */
export async function timeLaunches(device: GPUDevice, candidates: readonly TimedLaunch[], runs = 3, clock?: () => number): Promise<number[]> {
  const stamps = !clock && device.features.has('timestamp-query') ? new PassTimestamps(device) : null;
  const now = clock ?? (() => performance.now());
  const times: number[] = [];
  for (const c of candidates) {
    const pipeline = await pipelineOf(device, c.launch);
    const buffers = c.bindingBytes.map((bytes) => device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage: STORAGE_USAGE }));
    const { groups, owned } = autoLayoutGroups(device, pipeline, c.launch, buffers);
    const dispatch = async (): Promise<number> => {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass(stamps ? { timestampWrites: stamps.writes } : {});
      pass.setPipeline(pipeline);
      groups.forEach((group, i) => pass.setBindGroup(i, group));
      pass.dispatchWorkgroups(...c.launch.workgroups);
      pass.end();
      if (stamps) {
        stamps.resolve(encoder);
        device.queue.submit([encoder.finish()]);
        return stamps.ms();
      }
      // Work queued by others (a plan running meanwhile) finishes before the clock starts.
      await device.queue.onSubmittedWorkDone();
      const t0 = now();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      return now() - t0;
    };
    await dispatch();
    let best = Infinity;
    for (let i = 0; i < runs; i++) best = Math.min(best, await dispatch());
    for (const b of [...buffers, ...owned]) b.destroy();
    times.push(best);
  }
  stamps?.destroy();
  return times;
}
