// The benchmark page (bench/index.html) in quick mode in headless Chromium: every workload row
// completes on webgrad's two backends and on a peer (TensorFlow.js wasm), the first-step values
// agree across engines, and the page shows what the issue asks: first-step times, dispatches,
// labelled bar charts with legends (the speedup chart names its workloads), the adapter and
// browser, the SwiftShader note, and results downloadable as JSON.

import { beforeAll, expect, it } from 'vitest';
import type { BenchRow } from '../../bench/measure';
import type { ChartFacts } from '../../demo/shared/charts';
import { artifactPath, runBrowserPage, type PageRun } from './harness';

const engines = ['webgrad-webgpu', 'webgrad-cpu', 'tfjs-wasm'];

interface Shown {
  charts: ChartFacts[];
  legends: string[][];
  headers: string[];
  adapter: string;
  browser: string;
  softwareNoteShown: boolean;
  agreeCells: { text: string; className: string }[];
  downloadName: string;
  download: { userAgent: string; adapter: string; rows: BenchRow[] };
}

// Clicks Download with the browser's download intercepted, and reads the JSON it would save.
const inspect = `(async () => {
  let blob = null;
  let name = '';
  const create = URL.createObjectURL;
  URL.createObjectURL = (b) => { blob = b; return create(b); };
  HTMLAnchorElement.prototype.click = function () { name = this.download; };
  document.querySelector('#download').click();
  return {
    charts: window.__charts,
    legends: [...document.querySelectorAll('#charts .u-legend')].map((l) => [...l.querySelectorAll('.u-series .u-label')].map((e) => e.textContent)),
    headers: [...document.querySelectorAll('#results thead th')].map((th) => th.textContent),
    adapter: document.querySelector('#adapter').textContent,
    browser: document.querySelector('#browser').textContent,
    softwareNoteShown: !document.querySelector('#software-note').hidden,
    agreeCells: [...document.querySelectorAll('#results tbody tr')].map((tr) => ({ text: tr.lastElementChild.textContent, className: tr.lastElementChild.className })),
    downloadName: name,
    download: JSON.parse(await blob.text()),
  };
})()`;

let run: PageRun<BenchRow>;
let shown: Shown;

beforeAll(async () => {
  run = await runBrowserPage<BenchRow>(`bench/index.html?run=1&mode=quick&engines=${engines.join(',')}`, { screenshot: artifactPath('bench'), inspect });
  shown = run.inspected as Shown;
}, 300_000);

it('the benchmark page completes every quick row for webgrad and a peer, and its cross-engine check passes', () => {
  expect(run.errors).toEqual([]);
  const rows = run.results;
  expect(new Set(rows.map((r) => r.workload)).size).toBe(8);
  // every engine runs a workload before the next one starts (engines compared close together in time)
  expect(rows.map((r) => r.engine)).toEqual(rows.map((_, i) => engines[i % engines.length]));
  for (const engine of ['webgrad-webgpu', 'webgrad-cpu']) {
    const mine = rows.filter((r) => r.engine === engine);
    expect(mine.map((r) => [r.workload, r.note ?? 'ok'])).toEqual(mine.map((r) => [r.workload, 'ok']));
    expect(mine.every((r) => r.medianMs! > 0 && r.firstMs! > 0 && r.gflops! > 0)).toBe(true);
  }
  expect(rows.filter((r) => r.engine === 'webgrad-webgpu').every((r) => r.dispatches! > 0)).toBe(true);
  // every workload reuses its inputs, so a cached step uploads nothing (no per-step index tensors)
  expect(rows.filter((r) => r.engine.startsWith('webgrad')).map((r) => [r.workload, r.engine, r.uploadedBytes])).toEqual(
    rows.filter((r) => r.engine.startsWith('webgrad')).map((r) => [r.workload, r.engine, 0]),
  );
  const peer = rows.filter((r) => r.engine === 'tfjs-wasm' && r.medianMs !== null);
  expect(peer.length).toBeGreaterThan(0);
  expect(rows.filter((r) => r.agrees === false)).toEqual([]);
  expect(peer.every((r) => r.agrees === true)).toBe(true);
  expect(rows.filter((r) => r.engine === 'webgrad-webgpu').every((r) => r.agrees === true)).toBe(true);
});

it('the results table shows first-step time, median, GFLOP/s, dispatches, uploads and the cross-engine check in colour', () => {
  expect(shown.headers).toEqual(['workload', 'engine', 'first ms', 'median ms', 'GFLOP/s', 'dispatches', 'uploaded B', 'check', 'vs reference']);
  const compared = run.results.map((r, i) => [r.agrees, shown.agreeCells[i]]);
  for (const [agrees, cell] of compared) {
    if (agrees === true) expect(cell).toEqual({ text: 'agrees', className: 'good' });
  }
});

it('the speedup chart names every workload under its bar, and every chart has axis labels and a legend', () => {
  const [speedup, ...perWorkload] = shown.charts;
  expect(speedup!.title).toBe('webgrad: webgpu speedup over cpu');
  const workloads = [...new Set(run.results.map((r) => r.workload))];
  expect(speedup!.xTickLabels).toEqual(workloads);
  expect(perWorkload).toHaveLength(workloads.length);
  for (const chart of perWorkload) expect(chart.xTickLabels).toEqual(['wg-webgpu', 'wg-cpu', 'tfjs-wasm']);
  for (const chart of shown.charts) {
    expect(chart.xLabel).not.toBe('');
    expect(chart.yLabel).toMatch(/\(.+\)/);
  }
  expect(shown.legends).toHaveLength(shown.charts.length);
  expect(shown.legends[0]).toEqual(['speedup (× faster)']);
  for (const legend of shown.legends.slice(1)) expect(legend).toEqual(['wg-webgpu', 'wg-cpu', 'tfjs-wasm']);
});

it('the page shows the adapter, the browser and, on SwiftShader, that the "GPU" is the CPU', () => {
  expect(shown.adapter).toContain(run.adapter.architecture);
  expect(shown.browser).toMatch(/^Browser: .*Chrome\//);
  const software = /swiftshader/i.test(`${run.adapter.vendor} ${run.adapter.architecture} ${run.adapter.description}`);
  expect(shown.softwareNoteShown).toBe(software);
});

it('the results download as JSON with the adapter, the browser and every row', () => {
  expect(shown.downloadName).toMatch(/^webgrad-bench-.*\.json$/);
  expect(shown.download.userAgent).toMatch(/Chrome\//);
  expect(shown.download.adapter).not.toBe('');
  expect(shown.download.rows).toEqual(run.results);
});
