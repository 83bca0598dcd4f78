// The regression page (demo/regression.html) in headless Chromium: from the same initial weights,
// Adam's training loss ends below SGD's after the same number of steps.

import { expect, it } from 'vitest';
import { artifactPath, runBrowserPage } from './harness';

it("the regression page: Adam's loss curve ends below SGD's at equal steps", async () => {
  const run = await runBrowserPage('demo/regression.html?test=1', { screenshot: artifactPath('regression') });
  expect(run.errors).toEqual([]);
  expect(run.results.map((r) => r.name)).toEqual(["Adam's curve ends below SGD's"]);
  expect(run.results[0]!.pass, run.results[0]!.message).toBe(true);
}, 300_000);
