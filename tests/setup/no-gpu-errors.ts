// Run before every test file (vite.config.ts `setupFiles`): a WebGPU validation or other device
// error is a webgrad bug, so any test that caused one fails, and so does its file if one
// arrives late (device errors are reported asynchronously).

import { afterAll, afterEach, expect } from 'vitest';
import { uncapturedErrors } from '../../src/backend/webgpu/device';

let seen = 0;

function expectNoNewGpuErrors(): void {
  const fresh = uncapturedErrors.slice(seen);
  seen = uncapturedErrors.length;
  expect(fresh, 'WebGPU reported errors (each one is a webgrad bug)').toEqual([]);
}

afterEach(async () => {
  await new Promise((r) => setTimeout(r, 0));
  expectNoNewGpuErrors();
});

afterAll(async () => {
  await new Promise((r) => setTimeout(r, 20));
  expectNoNewGpuErrors();
});
