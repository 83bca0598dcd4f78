// The playground page (demo/playground.html) in headless Chromium: the lectures' XOR story — a
// linear model fails XOR, one hidden ReLU layer reaches 100% test accuracy within 600 steps — with
// the train and test loss curves on a labelled chart.

import { expect, it } from 'vitest';
import type { ChartFacts } from '../../demo/shared/charts';
import { artifactPath, runBrowserPage } from './harness';

it('the playground: a linear model fails XOR and one hidden ReLU layer solves it', async () => {
  const run = await runBrowserPage('demo/playground.html?test=xor', { screenshot: artifactPath('playground'), inspect: 'window.__charts' });
  expect(run.errors).toEqual([]);
  expect(run.results.map((r) => r.name)).toEqual(['a linear model fails XOR', 'one hidden ReLU layer solves XOR']);
  for (const r of run.results) expect(r.pass, r.message).toBe(true);
  const [loss] = run.inspected as ChartFacts[];
  expect([loss!.xLabel, loss!.yLabel, loss!.series]).toEqual(['training step', 'cross-entropy (nats)', ['train', 'test']]);
  expect(loss!.points.every((p) => p > 1)).toBe(true);
}, 300_000);
