// Runs the compile probe page (bench/compile-probe.html) headless and prints what it measured:
// `node bench/run-compile-probe.mjs [W2,W3] [quick|full] [defer=0|1] [recompile=0]`. Timings only; nothing is written.

import { runPage } from './run-page.mjs';

const only = process.argv[2] ?? 'W2,W3';
const mode = process.argv[3] ?? 'full';
const extra = Object.fromEntries(process.argv.slice(4).map((a) => a.split('=')));
const run = await runPage(`bench/compile-probe.html?${new URLSearchParams({ only, mode, ...extra })}`, 1_800_000);
console.log(JSON.stringify(run.results, null, 2));
if (run.errors.length) {
  console.log(`page errors:\n  ${run.errors.join('\n  ')}`);
  process.exitCode = 1;
}
