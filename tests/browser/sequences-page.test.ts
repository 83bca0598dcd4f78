// The sequences page (demo/sequences.html) in headless Chromium: on recalling a value marked up
// to 29 steps back, GRU and LSTM beat SimpleRNN by a clear margin (fixed seeds); the recalls are
// plotted against the truth and each layer's training time per epoch, on charts with axis labels.

import { expect, it } from 'vitest';
import type { ChartFacts } from '../../demo/shared/charts';
import { artifactPath, runBrowserPage } from './harness';

it("on the marked-recall task the gated layers beat SimpleRNN, and each layer's time per epoch is plotted", async () => {
  const run = await runBrowserPage('demo/sequences.html?test=1', { screenshot: artifactPath('sequences'), inspect: 'window.__charts' });
  expect(run.errors).toEqual([]);
  expect(run.results.map((r) => r.name)).toEqual([
    'GRU recalls the marked value far better than SimpleRNN',
    'LSTM recalls the marked value far better than SimpleRNN',
    'the recalls are plotted against the truth',
    "each layer's training time is plotted per epoch",
  ]);
  for (const r of run.results) expect(r.pass, r.message).toBe(true);
  const charts = run.inspected as ChartFacts[];
  expect(charts.map((c) => [c.title, c.xLabel, c.yLabel])).toEqual([
    ['recalled values on held-out sequences', 'held-out sequence (by marked value)', 'marked value (a.u.)'],
    ['validation MSE per epoch', 'epoch', 'MSE (a.u.²)'],
    ['training time per epoch', 'epoch', 'time (ms)'],
  ]);
  for (const chart of charts) expect(chart.xTicks.every(Number.isInteger)).toBe(true);
}, 300_000);
