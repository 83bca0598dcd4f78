// What a browser check page runs: loads webgrad from source, runs every row of a check table
// and reports each outcome in `window.__results` (then `window.__done`) for the harness, and as
// a table for a person who opens the page from `npm start`. index.html runs checks.ts with it.

import type { Check, Wg } from './checks';
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

async function runChecks(checks: readonly Check[]): Promise<void> {
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

/** Runs `checks` in this page and reports them; `title` names the page in the tab. */
export function runCheckPage(checks: readonly Check[], title: string): void {
  runChecks(checks).finally(() => {
    window.__done = true;
    const failed = window.__results.filter((r) => !r.pass).length;
    document.title = `${failed === 0 ? 'passed' : `${failed} failed`} — ${title}`;
  });
}
