// Runs the kernel benchmark page (bench/kernels.html) in one headless Chromium session (WebGPU on
// SwiftShader where there is no GPU) through the browser-test harness, prints the table and
// writes bench/results/kernels.json. `npm run bench:kernels`. Timings, not assertions.

import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadHarness } from './load-harness.mjs';

const resultsFile = new URL('./results/kernels.json', import.meta.url);

function table(rows) {
  const header = ['workload', 'engine', 'median ms', 'GFLOP/s', 'runs'];
  const body = rows.map((r) => [r.workload, r.engine, r.medianMs?.toFixed(1) ?? '–', r.gflops?.toFixed(2) ?? '–', r.note ?? String(r.runs)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** webgrad-webgpu's GFLOP/s over TF.js-webgpu's for one workload, or null. */
function ratio(rows, workload) {
  const get = (engine) => rows.find((r) => r.workload === workload && r.engine === engine)?.gflops ?? null;
  const ours = get('webgrad-webgpu');
  const theirs = get('tfjs-webgpu');
  return ours && theirs ? ours / theirs : null;
}

const { harness, loader } = await loadHarness();
const session = await harness.startBrowserSession();
let run;
try {
  run = await session.run('bench/kernels.html', { timeoutMs: 1_800_000 });
} finally {
  await session.close();
  await loader.close();
}

const rows = run.results;
console.log(`adapter: ${run.adapter.vendor} ${run.adapter.architecture} ${run.adapter.description}`.trim());
console.log(table(rows));
const goals = {};
for (const w of [...new Set(rows.map((r) => r.workload))]) {
  const r = ratio(rows, w);
  if (r !== null) {
    goals[w] = r;
    console.log(`${w}: webgrad-webgpu / tfjs-webgpu = ${r.toFixed(2)}×`);
  }
}
if (run.errors.length) console.log(`page errors:\n  ${run.errors.join('\n  ')}`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  resultsFile,
  `${JSON.stringify({ date: new Date().toISOString(), adapter: run.adapter, elapsedMs: run.elapsedMs, rows, webgpuSpeedupOverTfjsWebgpu: goals, errors: run.errors }, null, 2)}\n`,
);
console.log(`wrote ${fileURLToPath(resultsFile)}`);
