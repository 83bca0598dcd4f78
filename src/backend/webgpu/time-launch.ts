// Timing of hand-written kernel launches on a device, outside any plan: each candidate runs on
// zero-filled scratch buffers of the sizes its bindings need, and the fastest of a few runs (the
// pass's timestamps where the device has them, else wall clock to `onSubmittedWorkDone`) is its time.

import type { GpuLaunch } from '../../graph/ir';
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
 * The fastest time in milliseconds of `runs` dispatches of each candidate (after one warm-up
 * dispatch that also waits for compilation), in candidate order; by `clock` when given.
 */
export async function timeLaunches(device: GPUDevice, candidates: readonly TimedLaunch[], runs = 3, clock?: () => number): Promise<number[]> {
  const stamps = !clock && device.features.has('timestamp-query') ? new PassTimestamps(device) : null;
  const now = clock ?? (() => performance.now());
  const times: number[] = [];
  for (const c of candidates) {
    const pipeline = await pipelineOf(device, c.launch);
    const buffers = c.bindingBytes.map((bytes) =>
      device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage: GPUBufferUsage.STORAGE }),
    );
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const dispatch = async (): Promise<number> => {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass(stamps ? { timestampWrites: stamps.writes } : {});
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
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
    for (const b of buffers) b.destroy();
    times.push(best);
  }
  stamps?.destroy();
  return times;
}
