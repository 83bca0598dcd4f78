// The home page (`npm start`, index.html): the adapter webgrad found, links to every page, and one
// fused computation on a million elements — the kernel plan `wg.explain` prints, the dispatch
// counts and the time on the active backend against the CPU backend. Reports like a test page.

import * as wg from 'webgrad';
import { $, pages, runPage, startPage } from './shared/page';

const size = 1 << 20;
const shown = 8;

function row(table: HTMLElement, label: string, value: string): void {
  const tr = document.createElement('tr');
  tr.append(Object.assign(document.createElement('th'), { textContent: label }), Object.assign(document.createElement('td'), { textContent: value }));
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

const format = (values: Float32Array): string => `[${Array.from(values.subarray(0, shown), (v) => v.toFixed(4)).join(', ')}, …]`;

function listPages(): void {
  const list = $('#pages');
  for (const p of pages.slice(1)) {
    const li = document.createElement('li');
    li.append(Object.assign(document.createElement('a'), { href: p.path, textContent: p.title }), ` — ${p.blurb}`);
    list.append(li);
  }
}

runPage(async () => {
  listPages();
  const info = await startPage();
  $('#plan').textContent = wg.explain(computation());

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

  const run = $('#run');
  row(run, 'elements', size.toLocaleString('en'));
  row(run, `${info.backend}, first run`, `${first.ms.toFixed(1)} ms (${firstStats.dispatches} dispatch, ${firstStats.pipelinesCreated} pipeline created)`);
  row(run, `${info.backend}, cached plan`, `${cached.ms.toFixed(1)} ms (${cachedStats.dispatches} dispatch, ${cachedStats.planCacheHits} plan-cache hit)`);
  row(run, 'cpu backend', `${cpu.ms.toFixed(1)} ms`);
  row(run, 'first values', format(cached.values));
  row(run, `max |${info.backend} − cpu|`, maxDiff.toExponential(2));
  $('#status').textContent = 'done';
  const message = `${info.backend}: ${first.ms.toFixed(0)} ms first, ${cached.ms.toFixed(0)} ms cached, max diff ${maxDiff}`;
  return [{ name: 'home page', pass: maxDiff < 1e-5, message }];
});
