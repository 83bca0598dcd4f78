// Calibration landing while plans run, on a WebGPU device (SwiftShader in CI), with a timer the
// test releases: realizes issued before it lands compute what they would have, plans cached with
// the default keep it, plans built after it use the measured variant, and warmup waits for it.

import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as wg from '../../../src/node';
import type { CandidateTimer } from '../../../src/backend/webgpu/calibrate';
import { uncapturedErrors } from '../../../src/backend/webgpu/device';
import { WebGpuBackend } from '../../../src/backend/webgpu/webgpu-backend';
import { matmulCpu } from '../../../src/ops/matmul';
import { webgpuBackend } from '../../../src/runtime';
import { values } from '../../arrays';

// A 'large' matmul: on an adapter with workgroup memory ('' here) its default is the shared-memory tile.
const [M, K, N] = [256, 64, 256];

/** A timer that waits for `release()`, then reports the register tile fastest. */
function gatedTimer(): { timer: CandidateTimer; release: () => void; timed: () => number } {
  let release = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let timed = 0;
  const timer: CandidateTimer = async (_device, c) => {
    await gate;
    timed++;
    return c.launch.entryPoint === 'main_regtile' ? 1 : 2;
  };
  return { timer, release, timed: () => timed };
}

function backendWith(timer: CandidateTimer, adapterKey: string): WebGpuBackend {
  return new WebGpuBackend(webgpuBackend()!.device, '', { adapterKey, store: null, background: true, timer });
}

const a = values(M * K, 61);
const b = values(K * N, 62);
const product = matmulCpu(a, b, { batch: 1, m: M, k: K, n: N, batchA: 1, batchB: 1, transA: false, transB: false });

/** The product's graph, `scale` fused into its epilogue (a different scale: the same plan, a runtime scalar). */
function graph(scale = 1): wg.Tensor {
  return wg.tensor(a, { shape: [M, K] }).matmul(wg.tensor(b, { shape: [K, N] })).mul(scale);
}

/** The entry points of the pipelines `device` creates while `f` runs. */
async function entryPointsCreated(f: () => Promise<unknown>): Promise<string[]> {
  const device = webgpuBackend()!.device;
  const seen: string[] = [];
  const sync = vi.spyOn(device, 'createComputePipeline');
  const async = vi.spyOn(device, 'createComputePipelineAsync');
  sync.mockImplementation(function (this: GPUDevice, d) {
    seen.push(d.compute.entryPoint ?? '');
    return GPUDevice.prototype.createComputePipeline.call(device, d);
  });
  async.mockImplementation(function (this: GPUDevice, d) {
    seen.push(d.compute.entryPoint ?? '');
    return GPUDevice.prototype.createComputePipelineAsync.call(device, d);
  });
  try {
    await f();
  } finally {
    sync.mockRestore();
    async.mockRestore();
  }
  return seen;
}

function expectClose(got: Float32Array, want: Float32Array, scale = 1): void {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - scale * want[i]));
  expect(worst).toBeLessThan(1e-3);
}

beforeAll(async () => {
  await wg.init({ backend: 'webgpu', calibration: 'off' });
});

afterEach(() => {
  expect(uncapturedErrors).toEqual([]);
});

describe('background calibration', () => {
  it("doesn't change a running plan's results; cached plans keep the default, new plans take the measured variant", async () => {
    const { timer, release, timed } = gatedTimer();
    const backend = backendWith(timer, 'running-plan');
    const run = async (t: wg.Tensor) => (await backend.read(backend.execute([t.node])[0])) as Float32Array;

    // The first use plans with the default (the shared-memory tile) and starts the calibration.
    let before: Float32Array = new Float32Array();
    expect(await entryPointsCreated(async () => (before = await run(graph())))).toEqual(['main_tiled']);
    expect(backend.calibration.variant('matmul', 'large')).toBeUndefined();
    expectClose(before, product);

    // Issued, then the calibration lands while it is in flight.
    const [inFlight] = backend.execute([graph().node]);
    release();
    await backend.calibration.settled();
    expect(timed()).toBe(4);
    expect(backend.calibration.variant('matmul', 'large')).toBe('regtile');
    expect(await backend.read(inFlight)).toEqual(before);

    // The cached plan keeps its default: the same values, bit for bit, with no pipeline made.
    let again: Float32Array = new Float32Array();
    expect(await entryPointsCreated(async () => (again = await run(graph(3))))).toEqual([]);
    expectClose(again, product, 3);
    expect(await run(graph())).toEqual(before);

    // A graph planned now takes the measured variant.
    let fresh: Float32Array = new Float32Array();
    expect(await entryPointsCreated(async () => (fresh = await run(graph().relu())))).toEqual(['main_regtile']);
    expectClose(fresh, product.map((v) => Math.max(v, 0)));
  });

  it('warmup waits for the calibration of the classes its kernels use, and compiles with the measured variant', async () => {
    const { timer, release, timed } = gatedTimer();
    const backend = backendWith(timer, 'warmup');
    let done = false;
    const created = entryPointsCreated(async () => {
      await backend.prepare([graph().node]);
      done = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    release();
    expect(await created).toEqual(['main_regtile']);
    expect(timed()).toBe(4);
    expectClose((await backend.read(backend.execute([graph().node])[0])) as Float32Array, product);
  });
});
