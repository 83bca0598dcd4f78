// Runs one hand-written kernel launch directly on the test device, outside any plan: float32
// inputs in binding order, then a zero-filled output binding read back: each matmul variant,
// forced, checked against the CPU kernel.

import type { GpuLaunch } from '../../src/graph/ir';
import { autoLayoutGroups } from '../../src/backend/webgpu/time-launch';
import { webgpuBackend } from '../../src/runtime';

/** The `outSize` floats that `launch` writes into its last binding after reading `inputs` from the ones before. */
export async function runLaunchOn(launch: GpuLaunch, inputs: readonly Float32Array[], outSize: number): Promise<Float32Array> {
  const device = webgpuBackend()!.device;
  const buffer = (floats: number) =>
    device.createBuffer({ size: Math.max(16, Math.ceil((floats * 4) / 16) * 16), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  const buffers = inputs.map((data) => {
    const buf = buffer(data.length);
    device.queue.writeBuffer(buf, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    return buf;
  });
  const output = buffer(outSize);
  const pipeline = await device.createComputePipelineAsync({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code: launch.code }), entryPoint: launch.entryPoint, constants: launch.constants },
  });
  const staging = device.createBuffer({ size: outSize * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  const { groups, owned } = autoLayoutGroups(device, pipeline, launch, [...buffers, output]);
  groups.forEach((group, i) => pass.setBindGroup(i, group));
  pass.dispatchWorkgroups(...launch.workgroups);
  pass.end();
  encoder.copyBufferToBuffer(output, 0, staging, 0, outSize * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  for (const b of [...buffers, ...owned, output, staging]) b.destroy();
  return out;
}
