// The regression page (demo/regression.html) in headless Chromium: from the same initial weights,
// Adam's training loss ends below SGD's after the same number of steps; early stopping stops an
// optimizer and is ringed on the loss chart; the charts carry axis labels with units.

import { expect, it } from 'vitest';
import type { ChartFacts } from '../../demo/shared/charts';
import { artifactPath, runBrowserPage } from './harness';

it("the regression page: Adam's loss curve ends below SGD's at equal steps, and early stopping shows", async () => {
  const run = await runBrowserPage('demo/regression.html?test=1', { screenshot: artifactPath('regression'), inspect: 'window.__charts' });
  expect(run.errors).toEqual([]);
  expect(run.results.map((r) => r.name)).toEqual(["Adam's curve ends below SGD's", 'early stopping stops an optimizer, ringed on the loss chart and noted in the table']);
  for (const r of run.results) expect(r.pass, r.message).toBe(true);
  const charts = run.inspected as ChartFacts[];
  expect(charts.map((c) => [c.xLabel, c.yLabel])).toEqual([['x (input)', 'y (output)'], ['training step', 'MSE (y units²)']]);
  expect(charts[1]!.series).toEqual(['SGD', 'momentum', 'Nesterov', 'RMSprop', 'Adam', 'stopped early']);
  expect(charts[1]!.xTicks.every(Number.isInteger)).toBe(true);
}, 300_000);
