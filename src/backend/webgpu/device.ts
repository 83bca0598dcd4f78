// Finding a WebGPU device: `navigator.gpu` in browsers, or a GPU object registered by the Node
// entry (src/node.ts, through the `webgpu` package). Requests the adapter's own limits for
// what kernels need most (storage buffers per stage, buffer sizes).

import { DeviceLostError } from '../../errors';

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
}

type GpuProvider = () => Promise<GPU | undefined>;

let provider: GpuProvider = async () => (typeof navigator !== 'undefined' ? navigator.gpu : undefined);

/** Used by the Node entry to supply Dawn's GPU object. */
export function setGpuProvider(p: GpuProvider): void {
  provider = p;
}

export async function findGpu(): Promise<GPU | undefined> {
  return provider();
}

export interface AcquiredDevice {
  device: GPUDevice;
  adapter: AdapterSummary;
}

export async function requestDevice(gpu: GPU): Promise<AcquiredDevice | null> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    // Calibration times kernels by their passes' timestamps where the adapter has them.
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
    },
  });
  return { device, adapter: summarize(adapter.info) };
}

export function summarize(info: GPUAdapterInfo | undefined): AdapterSummary {
  return { vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', description: info?.description ?? '' };
}

/** The name calibration keeps an adapter's kernel timings under. */
export function adapterKey(a: AdapterSummary): string {
  return `${a.vendor}|${a.architecture}|${a.description}`;
}

/** Every WebGPU error the device reported: each one is a webgrad bug, and tests assert none. */
export const uncapturedErrors: string[] = [];

/**
 * Turns device loss into DeviceLostError on later use, and WebGPU errors into loud bugs. webgrad
 * never destroys a device it computes on, so a 'destroyed' device (a shared one its owner
 * destroyed) is lost too; the runtime ignores losses of devices it no longer uses.
 */
export function watchDevice(device: GPUDevice, onLost: (e: DeviceLostError) => void): void {
  device.lost.then((info) => {
    onLost(new DeviceLostError(`the WebGPU device was lost (${info.reason}): ${info.message || 'no message'}; tensors on it are gone — call wg.init() again for a new device`));
  });
  device.addEventListener('uncapturederror', (ev) => {
    const err = (ev as GPUUncapturedErrorEvent).error;
    uncapturedErrors.push(err.message);
    console.error(`webgrad bug: a WebGPU ${err.constructor.name}: ${err.message}`);
  });
}
