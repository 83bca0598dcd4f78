// Runs the compile probe page (bench/compile-probe.html) headless and prints what it measured:
// `node bench/run-compile-probe.mjs [W2,W3] [quick|full]`. Timings only; nothing is written.

import { runPage } from './run-page.mjs';

const only = process.argv[2] ?? 'W2,W3';
const mode = process.argv[3] ?? 'full';
const run = await runPage(`bench/compile-probe.html?${new URLSearchParams({ only, mode })}`, 1_800_000);
console.log(JSON.stringify(run.results, null, 2));
if (run.errors.length) console.log(`page errors:\n  ${run.errors.join('\n  ')}`);
process.exit(0);
