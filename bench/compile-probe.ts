// Where the first training step's time goes in the browser (bench/run-compile-probe.mjs runs it):
// the first step of W2/W3 with every shader module and pipeline creation timed, then the same
// pipelines compiled again (fresh WGSL text) one by one, synchronously and all at once asynchronously.

import * as wg from 'webgrad';
import { reflectKernel } from '../src/backend/webgpu/bindings';
import { webgpuBackend } from '../src/runtime';
import { load } from './engines/webgrad';
import { workloadData, workloadsOf, type Mode } from './workloads';

interface Made {
  code: string;
  entryPoint: string;
  constants?: Record<string, number>;
  layout: GPUPipelineLayout | 'auto';
  ms: number;
  async: boolean;
}

const params = new URLSearchParams(location.search);
const page = window as unknown as { __results: unknown[]; __done: boolean };
page.__results = [];
page.__done = false;

const made: Made[] = [];
const timers = { shaderMs: 0, pipelineSyncMs: 0 };
const proto = GPUDevice.prototype;
const { createShaderModule, createComputePipeline, createComputePipelineAsync } = proto;
const codes = new WeakMap<GPUShaderModule, string>();
let webgradDevice: GPUDevice | null = null;
proto.createShaderModule = function (d: GPUShaderModuleDescriptor) {
  const t = performance.now();
  webgradDevice = this;
  const m = createShaderModule.call(this, d);
  timers.shaderMs += performance.now() - t;
  codes.set(m, d.code);
  return m;
};
const record = (d: GPUComputePipelineDescriptor, ms: number, async: boolean) =>
  made.push({ code: codes.get(d.compute.module) ?? '', entryPoint: d.compute.entryPoint ?? '', constants: d.compute.constants as Record<string, number> | undefined, layout: d.layout, ms, async });
proto.createComputePipeline = function (d: GPUComputePipelineDescriptor) {
  const t = performance.now();
  const p = createComputePipeline.call(this, d);
  const ms = performance.now() - t;
  timers.pipelineSyncMs += ms;
  record(d, ms, false);
  return p;
};
proto.createComputePipelineAsync = async function (d: GPUComputePipelineDescriptor) {
  const t = performance.now();
  const p = await createComputePipelineAsync.call(this, d);
  record(d, performance.now() - t, true);
  return p;
};

let tag = 0;
/** The pipeline of `m` again, from WGSL no cache has seen. */
const fresh = (device: GPUDevice, m: Made): GPUComputePipelineDescriptor => ({
  layout: m.layout,
  compute: { module: createShaderModule.call(device, { code: `// probe ${tag++}\n${m.code}` }), entryPoint: m.entryPoint, constants: m.constants },
});

async function probe(id: string, mode: Mode): Promise<void> {
  const w = workloadsOf(mode).find((x) => x.id === id)!;
  const engine = await load('webgpu');
  const prepared = await engine.prepare(w, workloadData(w));
  const defer = params.get('defer');
  if (defer !== null) webgpuBackend()!.plans.deferCompile = defer === '1';
  made.length = 0;
  timers.shaderMs = 0;
  timers.pipelineSyncMs = 0;
  wg.resetStats();
  let t = performance.now();
  await prepared.step();
  const firstMs = performance.now() - t;
  const firstStats = wg.stats();
  t = performance.now();
  await prepared.step();
  const secondMs = performance.now() - t;
  prepared.dispose();
  if (params.get('recompile') === '0') {
    page.__results.push({ id, mode, defer: webgpuBackend()!.plans.deferCompile, firstMs, secondMs, pipelines: made.length, asyncPipelines: made.filter((m) => m.async).length, firstStats });
    return;
  }
  const device = webgradDevice;
  const list = [...made];
  const row: Record<string, unknown> = {
    id,
    mode,
    firstMs,
    secondMs,
    pipelines: list.length,
    asyncPipelines: list.filter((m) => m.async).length,
    pipelineSyncMs: timers.pipelineSyncMs,
    shaderMs: timers.shaderMs,
    firstStats,
  };
  t = performance.now();
  for (const m of list) reflectKernel(m.code, m.entryPoint);
  row.reflectMs = performance.now() - t;
  row.wgslBytes = list.reduce((s, m) => s + m.code.length, 0);
  const dev = device ?? (await (await navigator.gpu.requestAdapter())!.requestDevice());
  // Pipeline layouts belong to webgrad's device; on another device use 'auto'.
  const layoutOk = device !== null;
  const again = list.map((m) => ({ ...m, layout: layoutOk ? m.layout : ('auto' as const) }));
  // Chromium's createComputePipeline returns at once (the GPU process compiles it later), so
  // compile times are what createComputePipelineAsync takes: all at once, then one by one.
  t = performance.now();
  await Promise.all(again.map((m) => createComputePipelineAsync.call(dev, fresh(dev, m))));
  row.asyncAllWallMs = performance.now() - t;
  const each: { entry: string; ms: number; bytes: number; constants?: Record<string, number> }[] = [];
  for (const m of again) {
    const s = performance.now();
    await createComputePipelineAsync.call(dev, fresh(dev, m));
    each.push({ entry: m.entryPoint, ms: performance.now() - s, bytes: m.code.length, constants: m.constants });
  }
  row.asyncSerialMs = each.reduce((s, e) => s + e.ms, 0);
  const byEntry: Record<string, { count: number; ms: number }> = {};
  for (const e of each) {
    const b = (byEntry[e.entry] ??= { count: 0, ms: 0 });
    b.count++;
    b.ms += e.ms;
  }
  row.byEntry = byEntry;
  row.slowest = [...each].sort((x, y) => y.ms - x.ms).slice(0, 8).map((e) => `${e.entry} ${e.ms.toFixed(0)} ms ${e.bytes} B ${JSON.stringify(e.constants ?? {})}`);
  // Each matmul entry point compiled from the first matmul's text and constants, twice, one at a time.
  const mm = again.find((m) => ['main_regtile', 'main_tiled', 'main_dot'].includes(m.entryPoint));
  if (mm) {
    const matmulMs: Record<string, number[]> = {};
    for (const entryPoint of ['main_regtile', 'main_tiled', 'main_dot']) {
      for (let i = 0; i < 2; i++) {
        const s = performance.now();
        await createComputePipelineAsync.call(dev, fresh(dev, { ...mm, entryPoint }));
        (matmulMs[entryPoint] ??= []).push(Math.round(performance.now() - s));
      }
    }
    row.matmulEntryMs = { constants: mm.constants, ...matmulMs };
  }
  page.__results.push(row);
}

const mode = (params.get('mode') ?? 'full') as Mode;
try {
  for (const id of (params.get('only') ?? 'W2,W3').split(',')) await probe(id, mode);
} catch (e) {
  page.__results.push({ error: String((e as Error).stack ?? e) });
}
document.getElementById('out')!.textContent = JSON.stringify(page.__results, null, 2);
page.__done = true;
