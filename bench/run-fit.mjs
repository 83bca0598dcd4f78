// Runs the fit benchmark page (bench/fit.html: model.fit against the hand-written training of
// the MLP with Adam) in headless Chromium through the browser-test harness, prints the table and
// writes bench/results/fit.json. `npm run bench:fit`. Timings, not assertions.

import { runPage, table, writeResults } from './run-page.mjs';

const run = await runPage('bench/fit.html', 600_000);
const header = ['backend', 'batches/epoch', 'hand ms/batch', 'fit ms/batch', 'ratio', 'fit submits/epoch', 'fit bytes read/epoch', 'live MiB per epoch'];
const body = run.results.map((r) => [r.backend, String(r.batches), r.handMsPerBatch.toFixed(1), r.fitMsPerBatch.toFixed(1), r.ratio.toFixed(2), r.fitSubmitsPerEpoch.toFixed(1), String(r.fitBytesReadPerEpoch), r.liveBytesPerEpoch.map((b) => (b / 2 ** 20).toFixed(2)).join(' / ')]);
console.log('MLP 784-256-128-10, Adam, batch 128: model.fit vs the same steps by hand');
console.log(table(header, body, 1));
writeResults('fit', run);
