// Runs the kernel benchmark page (bench/kernels.html) in one headless Chromium session (WebGPU on
// SwiftShader where there is no GPU) through the browser-test harness, prints the table and
// writes bench/results/kernels.json. `npm run bench:kernels`. Timings, not assertions.

import { runPage, table, writeResults } from './run-page.mjs';

/** webgrad-webgpu's GFLOP/s over TF.js-webgpu's for one workload, or null. */
function ratio(rows, workload) {
  const get = (engine) => rows.find((r) => r.workload === workload && r.engine === engine)?.gflops ?? null;
  const ours = get('webgrad-webgpu');
  const theirs = get('tfjs-webgpu');
  return ours && theirs ? ours / theirs : null;
}

const run = await runPage('bench/kernels.html', 1_800_000);
const rows = run.results;
const header = ['workload', 'engine', 'median ms', 'GFLOP/s', 'runs'];
console.log(table(header, rows.map((r) => [r.workload, r.engine, r.medianMs?.toFixed(1) ?? '–', r.gflops?.toFixed(2) ?? '–', r.note ?? String(r.runs)]), 2));
const goals = {};
for (const w of [...new Set(rows.map((r) => r.workload))]) {
  const r = ratio(rows, w);
  if (r !== null) {
    goals[w] = r;
    console.log(`${w}: webgrad-webgpu / tfjs-webgpu = ${r.toFixed(2)}×`);
  }
}
writeResults('kernels', run, { webgpuSpeedupOverTfjsWebgpu: goals });
