// OutOfMemoryError and DeviceLostError, triggered for real on a device of this file's own
// (vitest runs each file in its own worker): a tensor larger than the device's buffer limits,
// and a shared device (wg.init({ device })) that its owner destroys. Afterwards the engine
// recovers: the cpu backend, and a fresh WebGPU device from wg.init().

import { describe, expect, test } from 'vitest';
import { findGpu, uncapturedErrors } from '../src/backend/webgpu/device';
import { wg } from './helpers';
import type { Tensor } from '../src/node';

async function ownDevice(): Promise<GPUDevice> {
  const gpu = await findGpu();
  const adapter = await gpu?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  return adapter.requestDevice({ requiredLimits: { maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize } });
}

describe('device errors', () => {
  let device: GPUDevice;
  let realized: Tensor;
  let input: Tensor;

  test('wg.init({ device }) computes on the device it is given', async () => {
    device = await ownDevice();
    const info = await wg.init({ backend: 'webgpu', device });
    expect(info.backend).toBe('webgpu');
    expect(info.limits.maxStorageBufferBindingSize).toBe(device.limits.maxStorageBufferBindingSize);
    input = wg.tensor([1, 2, 3]);
    realized = input.mul(2);
    wg.realize(realized);
    expect(Array.from(await realized.data())).toEqual([2, 4, 6]);
  });

  test('a tensor larger than the device allows throws OutOfMemoryError at realize, naming the size', async () => {
    const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
    const n = Math.floor(limit / 4) + 1024;
    const big = wg.zeros([n]).add(1); // lazy: nothing allocated yet
    let caught: unknown = null;
    try {
      wg.realize(big);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(wg.OutOfMemoryError);
    expect(caught).toBeInstanceOf(wg.WebgradError);
    expect((caught as Error).message).toMatch(new RegExp(String(n * 4)));
    await expect(wg.full([n], 2).exp().data()).rejects.toBeInstanceOf(wg.OutOfMemoryError);
    // A reduction of the same size never materializes it: no error, and the right value.
    expect(await wg.ones([n]).sum().item()).toBe(n);
  });

  test('after OutOfMemoryError the engine keeps working, with no WebGPU error', async () => {
    expect(Array.from(await wg.tensor([1, 2]).add(1).data())).toEqual([2, 3]);
    await new Promise((r) => setTimeout(r, 20));
    expect(uncapturedErrors).toEqual([]);
  });

  test('destroying the shared device makes reads and realizes throw DeviceLostError', async () => {
    device.destroy();
    await expect(realized.data()).rejects.toBeInstanceOf(wg.DeviceLostError);
    await new Promise((r) => setTimeout(r, 20));
    await expect(input.add(1).data()).rejects.toBeInstanceOf(wg.DeviceLostError);
    expect(() => wg.realize(input.neg())).toThrow(wg.DeviceLostError);
  });

  test('the cpu backend still works after the device is lost', async () => {
    await wg.init({ backend: 'cpu' });
    expect(wg.getBackend()).toBe('cpu');
    expect(Array.from(await wg.tensor([1, 2]).mul(3).data())).toEqual([3, 6]);
  });

  test('wg.init({ gpu }) then takes a fresh device; host-backed inputs survive, device-only values are gone', async () => {
    const gpu = await findGpu();
    await wg.init({ backend: 'webgpu', gpu });
    expect(wg.getBackend()).toBe('webgpu');
    expect(Array.from(await wg.tensor([4, 5]).sub(1).data())).toEqual([3, 4]);
    expect(Array.from(await input.add(1).data())).toEqual([2, 3, 4]);
    expect(() => wg.realize(realized.add(1))).toThrow(wg.DeviceLostError);
    await new Promise((r) => setTimeout(r, 20));
    expect(uncapturedErrors).toEqual([]);
  });
});
