// The start page (`npm start`, index.html) runs its fused computation on WebGPU in headless
// Chromium, fuses it into one dispatch per run, and agrees with the CPU backend.

import { expect, it } from 'vitest';
import { runBrowserPage } from './harness';

it('the start page runs its fused computation on WebGPU', async () => {
  const run = await runBrowserPage('index.html');
  expect(run.errors).toEqual([]);
  expect(run.results).toHaveLength(1);
  expect(run.results[0]!.pass, run.results[0]!.message).toBe(true);
  expect(run.results[0]!.message).toMatch(/^webgpu:/);
}, 300_000);
