// The sequences page (demo/sequences.html) in headless Chromium: SimpleRNN, GRU and LSTM each
// lower their validation loss on the noisy signal, and each layer's training time is measured and
// plotted per epoch, on charts with axis labels and units.

import { expect, it } from 'vitest';
import type { ChartFacts } from '../../demo/shared/charts';
import { artifactPath, runBrowserPage } from './harness';

it('the sequences page trains SimpleRNN, GRU and LSTM and plots their time per epoch', async () => {
  const run = await runBrowserPage('demo/sequences.html?test=1', { screenshot: artifactPath('sequences'), inspect: 'window.__charts' });
  expect(run.errors).toEqual([]);
  expect(run.results.map((r) => r.name)).toEqual(['SimpleRNN learns the signal', 'GRU learns the signal', 'LSTM learns the signal', "each layer's training time is plotted per epoch"]);
  for (const r of run.results) expect(r.pass, r.message).toBe(true);
  const charts = run.inspected as ChartFacts[];
  expect(charts.map((c) => [c.title, c.xLabel, c.yLabel])).toEqual([
    ['one-step predictions on held-out time', 'time step', 'signal value (a.u.)'],
    ['validation MSE per epoch', 'epoch', 'MSE (a.u.²)'],
    ['training time per epoch', 'epoch', 'time (ms)'],
  ]);
  for (const chart of charts.slice(1)) expect(chart.xTicks.every(Number.isInteger)).toBe(true);
}, 300_000);
