// The sequences page (demo/sequences.html) in headless Chromium: SimpleRNN, GRU and LSTM each
// lower their validation loss on the noisy signal, and each layer's time per epoch is measured.

import { expect, it } from 'vitest';
import { artifactPath, runBrowserPage } from './harness';

it('the sequences page trains SimpleRNN, GRU and LSTM and times their epochs', async () => {
  const run = await runBrowserPage('demo/sequences.html?test=1', { screenshot: artifactPath('sequences') });
  expect(run.errors).toEqual([]);
  expect(run.results.map((r) => r.name)).toEqual(['SimpleRNN learns the signal', 'GRU learns the signal', 'LSTM learns the signal']);
  for (const r of run.results) expect(r.pass, r.message).toBe(true);
}, 300_000);
