// Per-kernel GPU time of one training step of W2/W3/W6 (webgrad-webgpu in Node through Dawn): every
// dispatch runs in its own compute pass with timestamp writes, and the median over a few steps of
// each kernel's time is printed, heaviest first. `node bench/profile-node.mjs [W6] [quick]`. Timings only.

import { loadInNode } from './node-loader.mjs';

const dawn = await import('webgpu');
const { GPUAdapter, GPUDevice, GPUCommandEncoder } = dawn.globals;
const QUERIES = 4096;
let device = null;
let querySet = null;
const names = new WeakMap();
let records = [];

const requestDevice = GPUAdapter.prototype.requestDevice;
GPUAdapter.prototype.requestDevice = async function (desc = {}) {
  device = await requestDevice.call(this, { ...desc, requiredFeatures: [...(desc.requiredFeatures ?? []), 'timestamp-query'] });
  querySet = device.createQuerySet({ type: 'timestamp', count: QUERIES });
  return device;
};
const nameOf = (d) => {
  const head = d.compute.module.__code?.split('\n')[0]?.replace(/^\/\/\s*/, '').slice(0, 60) ?? '';
  return `${d.compute.entryPoint ?? ''} ${head}`;
};
const createShaderModule = GPUDevice.prototype.createShaderModule;
GPUDevice.prototype.createShaderModule = function (d) {
  const m = createShaderModule.call(this, d);
  m.__code = d.code;
  return m;
};
const createSync = GPUDevice.prototype.createComputePipeline;
GPUDevice.prototype.createComputePipeline = function (d) {
  const p = createSync.call(this, d);
  names.set(p, nameOf(d));
  return p;
};
const createAsync = GPUDevice.prototype.createComputePipelineAsync;
GPUDevice.prototype.createComputePipelineAsync = async function (d) {
  const p = await createAsync.call(this, d);
  names.set(p, nameOf(d));
  return p;
};
const beginComputePass = GPUCommandEncoder.prototype.beginComputePass;
GPUCommandEncoder.prototype.beginComputePass = function () {
  const encoder = this;
  let pipeline = null;
  const groups = [];
  return {
    setPipeline: (p) => (pipeline = p),
    setBindGroup: (i, g) => (groups[i] = g),
    dispatchWorkgroups(x, y = 1, z = 1) {
      const q = records.length * 2;
      const pass = beginComputePass.call(encoder, { timestampWrites: { querySet, beginningOfPassWriteIndex: q, endOfPassWriteIndex: q + 1 } });
      pass.setPipeline(pipeline);
      groups.forEach((g, i) => g && pass.setBindGroup(i, g));
      pass.dispatchWorkgroups(x, y, z);
      pass.end();
      records.push({ name: names.get(pipeline) ?? '?', grid: [x, y, z].join('×') });
    },
    end() {},
  };
};

/** The ms of each dispatch recorded since the last call. */
async function readTimes() {
  const n = records.length * 2;
  const resolve = device.createBuffer({ size: n * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: n * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.resolveQuerySet(querySet, 0, n, resolve, 0);
  enc.copyBufferToBuffer(resolve, 0, read, 0, n * 8);
  device.queue.submit([enc.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const ts = new BigInt64Array(read.getMappedRange().slice(0));
  read.unmap();
  const out = records.map((r, i) => ({ ...r, ms: Number(ts[2 * i + 1] - ts[2 * i]) / 1e6 }));
  records = [];
  return out;
}

const { loader, wg } = await loadInNode();
const { load } = await loader.ssrLoadModule('/bench/engines/webgrad.ts');
const { workloadsOf, workloadData } = await loader.ssrLoadModule('/bench/workloads.ts');
const ids = (process.argv[2] ?? 'W6').split(',');
const mode = process.argv[3] === 'quick' ? 'quick' : 'full';
const engine = await load('webgpu');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const w of workloadsOf(mode).filter((w) => ids.includes(w.id))) {
  const prepared = await engine.prepare(w, workloadData(w));
  await prepared.step();
  await readTimes();
  const steps = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await prepared.step();
    const wall = performance.now() - t0;
    steps.push({ wall, kernels: await readTimes() });
  }
  prepared.dispose();
  const kernels = steps[0].kernels.map((k, i) => ({ ...k, ms: median(steps.map((s) => s.kernels[i]?.ms ?? 0)) }));
  const total = kernels.reduce((a, k) => a + k.ms, 0);
  console.log(`${w.name}: median wall ${median(steps.map((s) => s.wall)).toFixed(1)} ms, kernels ${total.toFixed(1)} ms in ${kernels.length} dispatches`);
  for (const [i, k] of kernels.map((k, i) => [i, k]).sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`  #${String(i).padStart(2)} ${k.ms.toFixed(2).padStart(8)} ms  ${k.grid.padEnd(10)} ${k.name}`);
  }
}
await loader.close();
// Dawn's device keeps Node's event loop alive; the timings are printed, so end here.
process.exit(0);
