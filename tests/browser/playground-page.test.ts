// The playground page (demo/playground.html) in headless Chromium: the lectures' XOR story — a
// linear model fails XOR, one hidden ReLU layer reaches 100% test accuracy within 600 steps.

import { expect, it } from 'vitest';
import { artifactPath, runBrowserPage } from './harness';

it('the playground: a linear model fails XOR and one hidden ReLU layer solves it', async () => {
  const run = await runBrowserPage('demo/playground.html?test=xor', { screenshot: artifactPath('playground') });
  expect(run.errors).toEqual([]);
  expect(run.results.map((r) => r.name)).toEqual(['a linear model fails XOR', 'one hidden ReLU layer solves XOR']);
  for (const r of run.results) expect(r.pass, r.message).toBe(true);
}, 300_000);
