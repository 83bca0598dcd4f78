// The Fashion-MNIST page (demo/fashion.html) in headless Chromium: the MLP trained with fit in a
// Web Worker on a 2000-image subset reaches 70% test accuracy, the confusion matrix is drawn, the
// batch loss is plotted live (one point per batch) and the accuracies per epoch on whole-epoch ticks, no main-thread task
// runs over 200 ms while it trains; reloaded from IndexedDB it predicts the same.

import { expect, it } from 'vitest';
import type { ChartFacts } from '../../demo/shared/charts';
import { artifactPath, runBrowserPage } from './harness';

it('the Fashion-MNIST page trains in a worker, plots its curves, reaches its accuracy and keeps the page responsive', async () => {
  const run = await runBrowserPage('demo/fashion.html?test=1', { screenshot: artifactPath('fashion'), inspect: 'window.__charts' });
  expect(run.errors).toEqual([]);
  expect(run.results.map((r) => r.name)).toEqual([
    'the MLP reaches 70% test accuracy on a 2000-image subset',
    'the confusion matrix is drawn',
    'the batch loss is plotted live, one point per batch',
    'train and validation accuracy are plotted per epoch',
    'the epoch axes tick whole epochs',
    'no main-thread task over 200 ms while training',
    'the model reloaded from IndexedDB predicts the same',
    'the progress bar ends full',
  ]);
  for (const r of run.results) expect(r.pass, r.message).toBe(true);
  const charts = run.inspected as ChartFacts[];
  expect(charts.map((c) => [c.title, c.xLabel, c.yLabel, c.series])).toEqual([
    ['batch loss (live)', 'training step (batches)', 'cross-entropy (nats)', ["train: the epoch's running mean"]],
    ['loss per epoch', 'epoch', 'cross-entropy (nats)', ['train', 'validation']],
    ['accuracy per epoch', 'epoch', 'accuracy (%)', ['train', 'validation']],
  ]);
}, 300_000);
