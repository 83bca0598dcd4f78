// The fit benchmark page: model.fit against the same MLP Adam training by hand
// (bench/fit-vs-hand.ts) on the webgpu and cpu backends; rows to `window.__results` for
// bench/run-fit.mjs and to the page's table. Not a test.

import * as wg from '../src/index';
import { fitVsHand, type FitVsHandRow } from './fit-vs-hand';
import { pageReport } from './page-report';

const results = pageReport((r: FitVsHandRow) => [
  r.backend,
  String(r.batches),
  r.handMsPerBatch.toFixed(1),
  r.fitMsPerBatch.toFixed(1),
  r.ratio.toFixed(2),
  r.fitSubmitsPerEpoch.toFixed(1),
  String(r.fitBytesReadPerEpoch),
  r.liveBytesPerEpoch.map((b) => (b / 2 ** 20).toFixed(2)).join(' / '),
]);

async function main(): Promise<void> {
  for (const backend of ['webgpu', 'cpu'] as const) results.add(await fitVsHand(wg, backend));
}

main().finally(() => results.finish());
