// The home page (`npm start`, index.html) finds the adapter, links every page, runs its fused
// computation on WebGPU in headless Chromium and agrees with the CPU backend.

import { expect, it } from 'vitest';
import { artifactPath, runBrowserPage } from './harness';

it('the home page finds the adapter and runs its fused computation on WebGPU', async () => {
  const run = await runBrowserPage('index.html', { screenshot: artifactPath('home') });
  expect(run.errors).toEqual([]);
  expect(run.results).toHaveLength(1);
  expect(run.results[0]!.pass, run.results[0]!.message).toBe(true);
  expect(run.results[0]!.message).toMatch(/^webgpu:/);
}, 300_000);
