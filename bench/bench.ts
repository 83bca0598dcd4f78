// The benchmark page (bench/index.html): picks engines and workloads, runs every engine on one
// workload before the next (each engine imported when first run), fills the table, checks
// first-step values across engines, draws a bar chart per workload and the GPU-vs-CPU speedup, and
// offers the results as JSON. `?run=1` starts at once with the URL's choices (`engines=`, `only=`
// workload ids or groups, `mode=quick|full`), which is how `npm run bench` and the browser test
// drive it; the rows go to `window.__results`.

import { barChart } from '../demo/shared/charts';
import { $, param, startPage } from '../demo/shared/page';
import { crossCheck, measure, type BenchRow } from './measure';
import { workloadsOf, type Engine, type Mode, type Workload } from './workloads';

/** Every engine the page can run, each loaded by a dynamic import. */
const engines: Record<string, () => Promise<Engine>> = {
  'webgrad-webgpu': async () => (await import('./engines/webgrad')).load('webgpu'),
  'webgrad-cpu': async () => (await import('./engines/webgrad')).load('cpu'),
  'tfjs-webgpu': async () => (await import('./engines/tfjs')).load('webgpu'),
  'tfjs-wasm': async () => (await import('./engines/tfjs')).load('wasm'),
  'tfjs-cpu': async () => (await import('./engines/tfjs')).load('cpu'),
  'jax-webgpu': async () => (await import('./engines/jax')).load('webgpu'),
  'jax-wasm': async () => (await import('./engines/jax')).load('wasm'),
};

const page = window as unknown as { __results: BenchRow[]; __done: boolean };
page.__results = [];
page.__done = false;

const f = (v: number | null, digits: number): string => (v === null ? '–' : v.toFixed(digits));

function checkboxes(container: HTMLElement, names: readonly { value: string; label: string }[], chosen: (v: string) => boolean): void {
  for (const { value, label } of names) {
    const l = document.createElement('label');
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', value, checked: chosen(value) });
    l.append(box, ` ${label}`);
    container.append(l);
  }
}

const checked = (container: HTMLElement): string[] => Array.from(container.querySelectorAll<HTMLInputElement>('input:checked'), (b) => b.value);

/** Workload ids from `only=` (ids such as W1-512 or groups such as W1), or every workload. */
function urlWorkloads(): (w: Workload) => boolean {
  const only = param('only')?.split(',').filter(Boolean);
  return (w) => !only || only.some((o) => w.id === o || w.id.startsWith(`${o}-`));
}

function addRow(row: BenchRow): HTMLTableRowElement {
  const tr = document.createElement('tr');
  const cells: [string, boolean][] = [
    [row.name, false], [row.engine, false], [f(row.firstMs, 1), true], [f(row.medianMs, 1), true], [f(row.gflops, 2), true],
    [f(row.dispatches, 0), true], [f(row.uploadedBytes, 0), true], [row.check === null ? '–' : row.check.toPrecision(6), true], [row.note ?? '', false],
  ];
  for (const [text, num] of cells) tr.append(Object.assign(document.createElement('td'), { textContent: text, className: num ? 'num' : '' }));
  $('#results tbody').append(tr);
  return tr;
}

function markAgreement(rows: BenchRow[], trs: HTMLTableRowElement[]): void {
  rows.forEach((r, i) => {
    const cell = trs[i]!.lastElementChild as HTMLElement;
    if (r.note) cell.className = 'bad';
    else if (r.agrees === false) Object.assign(cell, { className: 'bad', textContent: 'MISMATCH' });
    else if (r.agrees === true) Object.assign(cell, { className: 'good', textContent: 'agrees' });
    else cell.textContent = 'reference';
  });
}

function drawCharts(rows: BenchRow[], chosenEngines: string[]): void {
  const charts = $('#charts');
  charts.replaceChildren();
  const chart = (): HTMLElement => {
    const box = Object.assign(document.createElement('div'), { className: 'chart' });
    charts.append(box);
    return box;
  };
  const wl = [...new Map(rows.map((r) => [r.workload, { id: r.workload, name: r.name }])).values()];
  const speedups = wl.map((w) => {
    const ms = (e: string) => rows.find((r) => r.workload === w.id && r.engine === e)?.medianMs ?? null;
    const gpu = ms('webgrad-webgpu');
    const cpu = ms('webgrad-cpu');
    return gpu && cpu ? cpu / gpu : null;
  });
  if (speedups.some((s) => s !== null)) {
    barChart(chart(), { title: 'webgrad: webgpu speedup over cpu', xLabel: 'workload', yLabel: 'speedup (× faster)', categories: wl.map((w) => w.id), values: speedups, colourIndex: 2 });
  }
  // Each engine keeps its colour on every chart.
  const colours = chosenEngines.map((e) => Object.keys(engines).indexOf(e));
  for (const w of wl) {
    const values = chosenEngines.map((e) => rows.find((r) => r.workload === w.id && r.engine === e)?.medianMs ?? null);
    barChart(chart(), { title: `${w.name}: median, lower is better`, xLabel: 'engine', yLabel: 'median step (ms)', categories: chosenEngines.map((e) => e.replace('webgrad-', 'wg-')), values, colours });
  }
}

function download(rows: BenchRow[], adapter: string): void {
  const record = { date: new Date().toISOString(), userAgent: navigator.userAgent, adapter, rows };
  const a = Object.assign(document.createElement('a'), {
    href: URL.createObjectURL(new Blob([JSON.stringify(record, null, 2)], { type: 'application/json' })),
    download: `webgrad-bench-${record.date.slice(0, 19).replace(/:/g, '-')}.json`,
  });
  a.click();
  URL.revokeObjectURL(a.href);
}

async function run(chosenEngines: string[], chosenWorkloads: Workload[], mode: Mode): Promise<BenchRow[]> {
  const status = $('#status');
  $('#results tbody').replaceChildren();
  const rows: BenchRow[] = [];
  const trs: HTMLTableRowElement[] = [];
  // One workload at a time, every engine on it, so the engines compared on a workload run minutes
  // apart, not a whole run apart, on a machine whose speed drifts. Each library is loaded once, on
  // first use; one that fails to load gets a failed row on every workload.
  const loaded = new Map<string, Promise<Engine>>();
  for (const w of chosenWorkloads) {
    for (const name of chosenEngines) {
      let engine: Engine;
      try {
        status.textContent = `loading ${name}…`;
        if (!loaded.has(name)) loaded.set(name, engines[name]!());
        engine = await loaded.get(name)!;
      } catch (err) {
        const row: BenchRow = { workload: w.id, name: w.name, engine: name, firstMs: null, medianMs: null, gflops: null, dispatches: null, uploadedBytes: null, check: null, runs: 0, agrees: null, note: `failed to load: ${err instanceof Error ? err.message : String(err)}` };
        rows.push(row);
        trs.push(addRow(row));
        continue;
      }
      status.textContent = `running ${w.name} on ${name}…`;
      const row = await measure(engine, w, mode);
      rows.push(row);
      trs.push(addRow(row));
      page.__results = rows;
    }
  }
  crossCheck(rows);
  markAgreement(rows, trs);
  drawCharts(rows, chosenEngines);
  const mismatches = rows.filter((r) => r.agrees === false).length;
  status.textContent = `done: ${rows.length} cells, ${mismatches ? `${mismatches} mismatched` : 'every check agrees'}.`;
  status.className = mismatches ? 'bad' : '';
  return rows;
}

async function main(): Promise<void> {
  const info = await startPage();
  const adapter = [info.adapter.vendor, info.adapter.architecture, info.adapter.description].filter(Boolean).join(' ');
  if (/swiftshader/i.test(adapter)) $('#software-note').hidden = false;
  $('#browser').textContent = `Browser: ${navigator.userAgent}`;
  const urlEngines = param('engines')?.split(',');
  const pick = urlWorkloads();
  checkboxes($('#engines'), Object.keys(engines).map((e) => ({ value: e, label: e })), (e) => (urlEngines ? urlEngines.includes(e) : e.startsWith('webgrad') || e === 'tfjs-wasm'));
  const full = workloadsOf('full');
  checkboxes($('#workloads'), full.map((w) => ({ value: w.id, label: w.name })), (id) => pick(full.find((w) => w.id === id)!));
  const modeSelect = $<HTMLSelectElement>('#mode');
  if (param('mode') === 'quick') modeSelect.value = 'quick';
  let last: BenchRow[] = [];
  const go = async () => {
    $<HTMLButtonElement>('#run').disabled = true;
    const chosen = checked($('#workloads'));
    const mode = modeSelect.value as Mode;
    last = await run(checked($('#engines')), workloadsOf(mode).filter((w) => chosen.includes(w.id)), mode);
    page.__results = last;
    $<HTMLButtonElement>('#run').disabled = false;
    $<HTMLButtonElement>('#download').disabled = false;
  };
  $('#form').addEventListener('submit', (e) => {
    e.preventDefault();
    void go();
  });
  $('#download').addEventListener('click', () => download(last, adapter));
  if (param('run') === '1') await go();
  page.__done = true;
}

main().catch((err: unknown) => {
  const status = document.querySelector('#status');
  if (status) Object.assign(status, { className: 'bad', textContent: err instanceof Error ? err.message : String(err) });
  page.__done = true;
});

