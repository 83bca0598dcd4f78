// Timing one kernel launch on the device (SwiftShader in CI): by its pass's timestamps where the
// device has 'timestamp-query' (init asks for it), else by the clock given.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../../src/node';
import { findGpu, uncapturedErrors } from '../../../src/backend/webgpu/device';
import { gpuTarget } from '../../../src/backend/webgpu/lower';
import { timeLaunches, type TimedLaunch } from '../../../src/backend/webgpu/time-launch';
import { matmulLaunch } from '../../../src/ops/matmul';
import { webgpuBackend } from '../../../src/runtime';

const attrs = { batch: 1, m: 64, k: 64, n: 64, batchA: 1, batchB: 1, transA: false, transB: false };
const candidate: TimedLaunch = { launch: matmulLaunch(attrs, gpuTarget('swiftshader'), 'regtile'), bindingBytes: [64 * 64 * 4, 64 * 64 * 4, 64 * 64 * 4] };

beforeAll(async () => {
  await wg.init({ backend: 'webgpu' });
});

afterEach(() => {
  expect(uncapturedErrors).toEqual([]);
});

describe('timeLaunches', () => {
  it("init asks for 'timestamp-query' where the adapter has it, and a launch is timed by its pass's timestamps", async () => {
    const device = webgpuBackend()!.device;
    const adapter = await (await findGpu())!.requestAdapter();
    expect(device.features.has('timestamp-query')).toBe(adapter!.features.has('timestamp-query'));
    const [ms] = await timeLaunches(device, [candidate], 2);
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThan(0);
  });

  it('with a clock given, a launch is timed by it: the fastest of the runs after a warm-up', async () => {
    const device = webgpuBackend()!.device;
    // Each run reads the clock twice; the warm-up takes 100, the runs 7, 5 and 9 ticks.
    const ticks = [0, 100, 100, 107, 107, 112, 112, 121];
    let i = 0;
    expect(await timeLaunches(device, [candidate, candidate], 3, () => ticks[i++ % ticks.length])).toEqual([5, 5]);
  });
});
