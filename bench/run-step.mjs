// Runs the training-step benchmark page (bench/step.html) in headless Chromium (WebGPU on
// SwiftShader where there is no GPU) through the browser-test harness, prints the table and
// writes bench/results/step.json. `npm run bench:step`. Timings, not assertions.

import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadHarness } from './load-harness.mjs';

const resultsFile = new URL('./results/step.json', import.meta.url);

function table(rows) {
  const header = ['engine', 'ms/step (loss read)', 'ms/step (back to back)', 'dispatches/step', 'submits/step', 'build ms', 'key ms', 'realize ms', 'steps'];
  const f = (v, d) => (v === null || v === undefined ? '–' : v.toFixed(d));
  const body = rows.map((r) => [r.engine, f(r.msPerStep, 1), f(r.pipelinedMsPerStep, 1), f(r.dispatchesPerStep, 0), f(r.submitsPerStep, 0), f(r.buildMs, 2), f(r.keyMs, 3), f(r.realizeMs, 2), r.note ?? String(r.steps)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const { harness, loader } = await loadHarness();
const session = await harness.startBrowserSession();
let run;
try {
  run = await session.run('bench/step.html', { timeoutMs: 600_000 });
} finally {
  await session.close();
  await loader.close();
}

const rows = run.results;
console.log(`adapter: ${run.adapter.vendor} ${run.adapter.architecture} ${run.adapter.description}`.trim());
console.log('MLP 784-256-128-10, batch 128, SGD; build/key/realize: CPU-side cost of a cached step');
console.log(table(rows));
const gpu = rows.find((r) => r.engine === 'webgrad-webgpu');
const cpu = rows.find((r) => r.engine === 'webgrad-cpu');
if (gpu?.msPerStep && cpu?.msPerStep) console.log(`webgpu / cpu step time: ${(gpu.msPerStep / cpu.msPerStep).toFixed(2)}`);
if (run.errors.length) console.log(`page errors:\n  ${run.errors.join('\n  ')}`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(resultsFile, `${JSON.stringify({ date: new Date().toISOString(), adapter: run.adapter, elapsedMs: run.elapsedMs, rows, errors: run.errors }, null, 2)}\n`);
console.log(`wrote ${fileURLToPath(resultsFile)}`);
