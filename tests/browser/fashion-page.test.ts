// The Fashion-MNIST page (demo/fashion.html) in headless Chromium: the MLP trained with fit in a
// Web Worker on a 2000-image subset reaches 70% test accuracy, the confusion matrix is drawn, and
// no main-thread task runs over 200 ms while it trains; reloaded from IndexedDB it predicts the same.

import { expect, it } from 'vitest';
import { artifactPath, runBrowserPage } from './harness';

it('the Fashion-MNIST page trains in a worker, reaches its accuracy and keeps the page responsive', async () => {
  const run = await runBrowserPage('demo/fashion.html?test=1', { screenshot: artifactPath('fashion') });
  expect(run.errors).toEqual([]);
  expect(run.results.map((r) => r.name)).toEqual(['the MLP reaches 70% test accuracy on a 2000-image subset', 'the confusion matrix is drawn', 'no main-thread task over 200 ms while training', 'the model reloaded from IndexedDB predicts the same']);
  for (const r of run.results) expect(r.pass, r.message).toBe(true);
}, 300_000);
