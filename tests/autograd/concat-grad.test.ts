// Gradients of concat and stack (each part gets its slice of the upstream gradient) against
// finite differences, along every axis and with more parts than one concat view holds (a tree of
// views), and on WebGPU against the CPU for a stack of 64 tensors.

import { beforeAll, describe, it } from 'vitest';
import * as wg from '../../src/node';
import { checkGpuMatchesCpu, checkGradients, rng, uniform } from './gradcheck';

beforeAll(async () => {
  await wg.init({ backend: 'cpu' });
});

describe('concat and stack gradients', () => {
  for (const axis of [0, 1, 2]) {
    it(`concat of nine parts along axis ${axis} routes each part its slice`, async () => {
      const next = rng(800 + axis);
      const parts = [2, 1, 3, 1, 2, 1, 1, 2, 1].map((d) => uniform(next, [2, 3, 2].map((v, a) => (a === axis ? d : v))));
      await checkGradients((...xs) => wg.concat(xs, axis).square(), parts);
    });
  }

  it('stack of ten along the middle axis, with a part used twice', async () => {
    const next = rng(810);
    const parts = Array.from({ length: 9 }, () => uniform(next, [2, 3]));
    await checkGradients((...xs) => wg.stack([...xs, xs[0]], 1).tanh(), parts);
  });

  it('stack of 64 on WebGPU equals the CPU', async () => {
    const next = rng(820);
    const parts = Array.from({ length: 64 }, () => uniform(next, [4, 8]));
    await checkGpuMatchesCpu((...xs) => wg.stack(xs, 0).square(), parts);
  }, 120_000);
});
