// What the benchmark runner (run.mjs) uses: running the bench page in a
// headless Chromium session through the browser-test harness (tests/browser/harness.ts, loaded
// with Vite's module loader, since Node runs no TypeScript itself), a text table, a results file.

import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The run of `page` (a path from the repo root), after printing its adapter. */
export async function runPage(page, timeoutMs) {
  const loader = await createServer({
    root,
    configFile: false,
    logLevel: 'error',
    server: { middlewareMode: true, hmr: false, watch: null },
    appType: 'custom',
    optimizeDeps: { noDiscovery: true, entries: [] },
  });
  let run;
  try {
    const harness = await loader.ssrLoadModule('/tests/browser/harness.ts');
    const session = await harness.startBrowserSession();
    try {
      run = await session.run(page, { timeoutMs });
    } finally {
      await session.close();
    }
  } finally {
    await loader.close();
  }
  console.log(`adapter: ${run.adapter.vendor} ${run.adapter.architecture} ${run.adapter.description}`.trim());
  return run;
}

/** `body` rows of cells under `header`, the first `leftColumns` columns left-aligned. */
export function table(header, body, leftColumns) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** Prints the page's errors, then writes bench/results/NAME.json: the run and `extra`. */
export function writeResults(name, run, extra = {}) {
  if (run.errors.length) console.log(`page errors:\n  ${run.errors.join('\n  ')}`);
  const file = new URL(`./results/${name}.json`, import.meta.url);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  const record = { date: new Date().toISOString(), adapter: run.adapter, elapsedMs: run.elapsedMs, rows: run.results, ...extra, errors: run.errors };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`wrote ${fileURLToPath(file)}`);
}
