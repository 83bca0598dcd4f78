// Runs the training-step benchmark page (bench/step.html: the MLP with SGD and Adam, the CNN with
// Adam) in headless Chromium (WebGPU on SwiftShader where there is no GPU) through the
// browser-test harness, prints the table and writes bench/results/step.json. `npm run bench:step`.
// Timings, not assertions.

import { runPage, table, writeResults } from './run-page.mjs';

const run = await runPage('bench/step.html', 600_000);
const rows = run.results;
const header = ['workload', 'engine', 'ms/step (loss read)', 'ms/step (back to back)', 'dispatches/step', 'submits/step', 'build ms', 'key ms', 'realize ms', 'steps'];
const f = (v, d) => (v === null || v === undefined ? '–' : v.toFixed(d));
const body = rows.map((r) => [r.workload, r.engine, f(r.msPerStep, 1), f(r.pipelinedMsPerStep, 1), f(r.dispatchesPerStep, 0), f(r.submitsPerStep, 0), f(r.buildMs, 2), f(r.keyMs, 3), f(r.realizeMs, 2), r.note ?? String(r.steps)]);
console.log('MLP 784-256-128-10 at batch 128 (SGD by hand, Adam); CNN conv32-pool-conv64-pool-dense128-dense10 at batch 64 (Adam)');
console.log('build/key/realize: CPU-side cost of a cached step (Adam: build = forward and backward, realize = step())');
console.log(table(header, body, 2));
for (const workload of new Set(rows.map((r) => r.workload))) {
  const gpu = rows.find((r) => r.workload === workload && r.engine === 'webgrad-webgpu');
  const cpu = rows.find((r) => r.workload === workload && r.engine === 'webgrad-cpu');
  if (gpu?.msPerStep && cpu?.msPerStep) console.log(`${workload}: webgpu / cpu step time ${(gpu.msPerStep / cpu.msPerStep).toFixed(2)}`);
}
writeResults('step', run);
