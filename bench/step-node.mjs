// Node timing of the training workloads (W2, W3, W6) at the sizes on webgrad-webgpu: first
// and median step (wall and process CPU time, steadier on a shared machine), dispatches, pipelines
// and bytes uploaded per step. `node bench/step-node.mjs [W2,W3,W6] [quick]`. Timings only.

import { loadInNode } from './node-loader.mjs';

const { loader, wg } = await loadInNode();
const { load } = await loader.ssrLoadModule('/bench/engines/webgrad.ts');
const { workloadsOf, workloadData } = await loader.ssrLoadModule('/bench/workloads.ts');

const ids = (process.argv[2] ?? 'W2,W3,W6').split(',');
const mode = process.argv[3] === 'quick' ? 'quick' : 'full';
const engine = await load('webgpu');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const w of workloadsOf(mode).filter((w) => ids.includes(w.id))) {
  const prepared = await engine.prepare(w, workloadData(w));
  wg.resetStats();
  const fc0 = process.cpuUsage();
  let t0 = performance.now();
  const loss = await prepared.step();
  const firstMs = performance.now() - t0;
  const first = { ...wg.stats() };
  const fc = process.cpuUsage(fc0);
  const firstCpu = (fc.user + fc.system) / 1000;
  const times = [];
  const cpu = [];
  let perStep = null;
  for (let i = 0; i < 8; i++) {
    wg.resetStats();
    t0 = performance.now();
    const c0 = process.cpuUsage();
    await prepared.step();
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    times.push(performance.now() - t0);
    perStep = { ...wg.stats() };
  }
  prepared.dispose();
  console.log(
    `${w.name}: first ${firstMs.toFixed(0)} ms (CPU ${firstCpu.toFixed(0)} ms, ${first.pipelinesCreated} pipelines, ${first.bytesUploaded} B up), ` +
      `median ${median(times).toFixed(1)} ms (CPU time ${median(cpu).toFixed(0)} ms), ${perStep.dispatches} dispatches, ${perStep.bytesUploaded} B uploaded/step, ${perStep.pipelinesCreated} pipelines/step, loss ${loss.toFixed(5)}`,
  );
}
await loader.close();
// Dawn's device keeps Node's event loop alive; the timings are printed, so end here.
process.exit(0);
