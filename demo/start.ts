// The start page (`npm start`): which WebGPU adapter webgrad found, and one fused computation on
// a million elements — the kernel plan `wg.explain` prints, the dispatch and submit counts, the
// first values and the time on WebGPU (first run and cached) against the CPU backend.
// It reports its outcome like a test page (`window.__results`, `window.__done`) so the browser
// suite can check that the front door works.

import * as wg from '../src/index';

const size = 1 << 20;
const shown = 8;

const $ = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`start page: no element #${id}`);
  return el;
};

function row(table: HTMLElement, label: string, value: string): void {
  const tr = document.createElement('tr');
  const th = document.createElement('th');
  const td = document.createElement('td');
  th.textContent = label;
  td.textContent = value;
  tr.append(th, td);
  table.append(tr);
}

/** `relu((a + b) · c)` over inputs drawn from fixed seeds, so every backend sees the same values. */
function computation(): wg.Tensor {
  const a = wg.rand([size], { seed: 1 }).sub(0.5);
  const b = wg.rand([size], { seed: 2 }).sub(0.5);
  const c = wg.rand([size], { seed: 3 }).mul(2);
  return a.add(b).mul(c).relu();
}

async function timed(): Promise<{ ms: number; values: Float32Array }> {
  const started = performance.now();
  const values = (await computation().data()) as Float32Array;
  return { ms: performance.now() - started, values };
}

function format(values: Float32Array): string {
  return `[${Array.from(values.subarray(0, shown), (v) => v.toFixed(4)).join(', ')}, …]`;
}

async function main(): Promise<string> {
  const info = await wg.init();
  const adapter = $('adapter');
  row(adapter, 'backend', info.backend);
  row(adapter, 'vendor', info.adapter.vendor || '(not reported)');
  row(adapter, 'architecture', info.adapter.architecture || '(not reported)');
  row(adapter, 'description', info.adapter.description || '(not reported)');
  if (info.limits.maxStorageBufferBindingSize !== undefined) {
    row(adapter, 'max storage buffer', `${(info.limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB`);
  }

  $('plan').textContent = wg.explain(computation());

  wg.resetStats();
  const first = await timed();
  const firstStats = wg.stats();
  wg.resetStats();
  const cached = await timed();
  const cachedStats = wg.stats();

  await wg.setBackend('cpu');
  const cpu = await timed();
  await wg.setBackend(info.backend);

  let maxDiff = 0;
  for (let i = 0; i < size; i++) maxDiff = Math.max(maxDiff, Math.abs(cached.values[i]! - cpu.values[i]!));

  const run = $('run');
  row(run, 'elements', size.toLocaleString('en'));
  row(run, `${info.backend}, first run`, `${first.ms.toFixed(1)} ms (${firstStats.dispatches} dispatch, ${firstStats.submits} submits incl. readback, ${firstStats.pipelinesCreated} pipeline created)`);
  row(run, `${info.backend}, cached plan`, `${cached.ms.toFixed(1)} ms (${cachedStats.dispatches} dispatch, ${cachedStats.submits} submits incl. readback, ${cachedStats.planCacheHits} plan-cache hit)`);
  row(run, 'cpu backend', `${cpu.ms.toFixed(1)} ms`);
  row(run, 'first values', format(cached.values));
  row(run, 'max |webgpu − cpu|', maxDiff.toExponential(2));
  $('status').textContent = 'done';
  return `${info.backend}: ${first.ms.toFixed(0)} ms first, ${cached.ms.toFixed(0)} ms cached, max diff ${maxDiff}`;
}

const report = (pass: boolean, message: string): void => {
  Object.assign(window, { __results: [{ name: 'start page', pass, message }], __done: true });
};

main().then(
  (message) => report(true, message),
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    const status = $('status');
    status.className = 'error';
    status.textContent = `${message} — WebGPU needs a secure context (https or http://localhost) and a browser with WebGPU enabled.`;
    report(false, message);
  },
);
