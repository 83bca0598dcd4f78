// Gradients of conv2d, conv1d and conv2dTranspose (input, weight and bias) against finite
// differences on the CPU backend, over strides, padding, dilation and groups; and on WebGPU
// against the CPU.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/node';
import { uncapturedErrors } from '../../src/backend/webgpu/device';
import { checkGpuMatchesCpu, checkGradients, rng, uniform } from './gradcheck';

beforeAll(async () => {
  await wg.init({ backend: 'cpu' });
});

afterAll(() => {
  expect(uncapturedErrors).toEqual([]);
});

describe('conv2d gradients match finite differences', () => {
  const cases: [string, wg.Conv2dOptions, number[], number[]][] = [
    ['valid, stride 1', {}, [2, 4, 5, 2], [3, 2, 2, 3]],
    ['same padding, stride 2', { padding: 'same', stride: 2 }, [1, 5, 6, 2], [3, 3, 2, 2]],
    ['explicit padding, dilation 2', { padding: [1, 2], dilation: 2 }, [1, 5, 5, 1], [2, 2, 1, 2]],
    ['groups 2', { groups: 2, padding: 1 }, [1, 4, 4, 4], [3, 3, 2, 2]],
  ];
  cases.forEach(([name, opts, xs, ws], k) => {
    it(name, async () => {
      const next = rng(800 + k);
      await checkGradients((x, w) => wg.conv2d(x, w, opts), [uniform(next, xs), uniform(next, ws)]);
    });
  });

  it('with bias', async () => {
    const next = rng(810);
    await checkGradients((x, w, b) => wg.conv2d(x, w, { padding: 'same', bias: b }), [uniform(next, [1, 3, 4, 2]), uniform(next, [3, 3, 2, 3]), uniform(next, [3])]);
  });
});

describe('conv1d and conv2dTranspose gradients match finite differences', () => {
  it('conv1d, stride 2, same padding, with bias', async () => {
    const next = rng(820);
    await checkGradients((x, w, b) => wg.conv1d(x, w, { stride: 2, padding: 'same', bias: b }), [uniform(next, [2, 7, 2]), uniform(next, [3, 2, 3]), uniform(next, [3])]);
  });

  it('conv2dTranspose, stride 2', async () => {
    const next = rng(821);
    await checkGradients((x, w) => wg.conv2dTranspose(x, w, { stride: 2 }), [uniform(next, [1, 3, 3, 2]), uniform(next, [3, 3, 2, 2])]);
  });

  it('conv2dTranspose, same padding, output padding, with bias', async () => {
    const next = rng(822);
    await checkGradients((x, w, b) => wg.conv2dTranspose(x, w, { stride: 2, padding: 'same', outputPadding: 1, bias: b }), [uniform(next, [1, 2, 3, 3]), uniform(next, [3, 3, 2, 3]), uniform(next, [2])]);
  });
});

describe('conv gradients on WebGPU equal the CPU', () => {
  it('conv2d then conv2dTranspose, with relu between', async () => {
    const next = rng(830);
    const f = (x: wg.Tensor, w: wg.Tensor, v: wg.Tensor) => wg.conv2dTranspose(wg.conv2d(x, w, { stride: 2, padding: 'same' }).relu(), v, { stride: 2, padding: 'same' });
    await checkGpuMatchesCpu(f, [uniform(next, [2, 6, 6, 3]), uniform(next, [3, 3, 3, 4]), uniform(next, [3, 3, 2, 4])]);
  });
});
