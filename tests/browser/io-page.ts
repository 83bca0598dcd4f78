// The browser I/O page: loads webgrad from source, runs every row of io-checks.ts and reports
// each outcome in `window.__results` (then `window.__done`) for the harness, and as a table.

import type { Wg } from './checks';
import type { PageResult } from './harness';
import { ioChecks } from './io-checks';

declare global {
  interface Window {
    __results: PageResult[];
    __done: boolean;
  }
}

window.__results = [];
window.__done = false;

function report(result: PageResult): void {
  window.__results.push(result);
  const row = document.createElement('tr');
  for (const text of [result.pass ? 'pass' : 'FAIL', result.name, result.message]) row.append(Object.assign(document.createElement('td'), { textContent: text }));
  document.querySelector('#results tbody')?.append(row);
}

const libraryUrl = '/src/index.ts';

async function run(): Promise<void> {
  const wg = (await import(/* @vite-ignore */ libraryUrl)) as Wg;
  await wg.init({ backend: 'webgpu' });
  for (const check of ioChecks) {
    const started = performance.now();
    try {
      await check.run(wg);
      report({ name: check.name, pass: true, message: `${(performance.now() - started).toFixed(0)} ms` });
    } catch (err) {
      report({ name: check.name, pass: false, message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
  }
}

run()
  .catch((err: unknown) => report({ name: 'the page loads webgrad', pass: false, message: String(err) }))
  .finally(() => (window.__done = true));
