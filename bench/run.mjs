// `npm run bench`: runs the benchmark page (bench/index.html) headless in Chromium (WebGPU on
// SwiftShader where there is no GPU), prints a table, writes bench/results/bench-MODE.json and
// bench/results/bench-MODE.md. Options: --quick (two timed steps a cell), --only W2[,W5]
// (workloads or groups), --engines webgrad-webgpu,tfjs-wasm (default: all seven).

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runPage, table, writeResults } from './run-page.mjs';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, engines: { type: 'string' } } });
const mode = values.quick ? 'quick' : 'full';
const engines = values.engines ?? 'webgrad-webgpu,webgrad-cpu,tfjs-webgpu,tfjs-wasm,tfjs-cpu,jax-webgpu,jax-wasm';
const query = new URLSearchParams({ run: '1', mode, engines, ...(values.only ? { only: values.only } : {}) });

const run = await runPage(`bench/index.html?${query}`, 3_600_000);
const f = (v, d) => (v === null || v === undefined ? '–' : v.toFixed(d));
const verdict = (r) => r.note ?? (r.agrees === false ? 'MISMATCH' : r.agrees ? 'agrees' : 'reference');
const header = ['workload', 'engine', 'first ms', 'median ms', 'GFLOP/s', 'dispatches', 'uploaded B', 'check', 'vs reference'];
const body = run.results.map((r) => [r.name, r.engine, f(r.firstMs, 1), f(r.medianMs, 1), f(r.gflops, 2), f(r.dispatches, 0), f(r.uploadedBytes, 0), r.check === null ? '–' : r.check.toPrecision(6), verdict(r)]);
console.log(table(header, body, 2));

const name = values.only ? `bench-${mode}-${values.only.replace(/,/g, '+')}` : `bench-${mode}`;
writeResults(name, run, { mode, engines: engines.split(',') });
const md = [
  `Adapter: ${[run.adapter.vendor, run.adapter.architecture, run.adapter.description].filter(Boolean).join(' ')}; mode ${mode}; ${new Date().toISOString()}`,
  '',
  `| ${header.join(' | ')} |`,
  `| ${header.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`,
  ...body.map((cells) => `| ${cells.join(' | ')} |`),
  '',
].join('\n');
writeFileSync(new URL(`./results/${name}.md`, import.meta.url), md);
if (run.results.some((r) => r.agrees === false)) process.exitCode = 1;
