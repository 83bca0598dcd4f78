// The browser test page: loads webgrad from source, runs every row of checks.ts on WebGPU and
// reports each outcome in `window.__results` (then `window.__done`) for the harness, and as a
// table for a person who opens the page from `npm start`.

import { checks, type Wg } from './checks';
import type { PageResult } from './harness';

declare global {
  interface Window {
    __results: PageResult[];
    __done: boolean;
  }
}

window.__results = [];
window.__done = false;

const libraryUrl = '/src/index.ts';
const table = document.querySelector('#results tbody');

function report(result: PageResult): void {
  window.__results.push(result);
  const row = document.createElement('tr');
  row.className = result.pass ? 'pass' : 'fail';
  for (const text of [result.pass ? 'pass' : 'FAIL', result.name, result.message]) {
    const cell = document.createElement('td');
    cell.textContent = text;
    row.append(cell);
  }
  table?.append(row);
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

async function runChecks(): Promise<void> {
  let wg: Wg;
  try {
    // Imported by URL so that a library that does not load fails one check, not the page.
    wg = (await import(/* @vite-ignore */ libraryUrl)) as Wg;
  } catch (err) {
    report({ name: 'library loads', pass: false, message: errorText(err) });
    return;
  }
  for (const check of checks) {
    const started = performance.now();
    try {
      await check.run(wg);
      report({ name: check.name, pass: true, message: `${(performance.now() - started).toFixed(0)} ms` });
    } catch (err) {
      report({ name: check.name, pass: false, message: errorText(err) });
    }
  }
}

runChecks().finally(() => {
  window.__done = true;
  const failed = window.__results.filter((r) => !r.pass).length;
  document.title = `${failed === 0 ? 'passed' : `${failed} failed`} — webgrad browser checks`;
});
