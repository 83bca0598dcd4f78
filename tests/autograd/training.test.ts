// Training through autograd on WebGPU: forward + backward of an MLP realize as one fused plan
// (few dispatches, one submit) with gradients equal to the CPU's, and a hand-written SGD loop
// makes the loss fall.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as wg from '../../src/node';
import { uncapturedErrors } from '../../src/backend/webgpu/device';
import { rng, uniform } from './gradcheck';

beforeAll(async () => {
  await wg.init({ backend: 'webgpu' });
});

afterAll(() => {
  expect(uncapturedErrors).toEqual([]);
});

/** Softmax cross-entropy written from the core ops: −mean(Σ oneHot(labels) · logSoftmax). */
function crossEntropy(logits: wg.Tensor, labels: wg.Tensor): wg.Tensor {
  return logits.logSoftmax().mul(wg.oneHot(labels, logits.shape[1])).sum(1).mean().neg();
}

interface Mlp {
  w1: wg.Tensor;
  b1: wg.Tensor;
  w2: wg.Tensor;
  b2: wg.Tensor;
}

const SIZES = { batch: 8, inputs: 6, hidden: 16, classes: 4 };

/** Fresh parameters and data (same values on every call, so each backend builds its own). */
function problem(): { params: Mlp; x: wg.Tensor; labels: wg.Tensor } {
  const next = rng(700);
  const { batch, inputs, hidden, classes } = SIZES;
  const param = (shape: number[], scale: number) => wg.tensor(uniform(next, shape, { lo: -scale, hi: scale }).values, { shape, requiresGrad: true });
  const params = { w1: param([inputs, hidden], 0.6), b1: param([hidden], 0.1), w2: param([hidden, classes], 0.6), b2: param([classes], 0.1) };
  const x = wg.tensor(uniform(next, [batch, inputs]).values, { shape: [batch, inputs] });
  const labels = wg.tensor(Int32Array.from({ length: batch }, (_, i) => (i * 3) % classes), { shape: [batch] });
  return { params, x, labels };
}

function forward(p: Mlp, x: wg.Tensor): wg.Tensor {
  return x.matmul(p.w1).add(p.b1).relu().matmul(p.w2).add(p.b2);
}

/** Upper bound on the dispatches of one forward + backward (see the test for the count). */
const MAX_DISPATCHES = 13;

describe('forward + backward of a two-layer ReLU MLP with softmax cross-entropy', () => {
  it(`realizes as one submit of at most ${MAX_DISPATCHES} dispatches, gradients equal to the CPU's`, async () => {
    const { params, x, labels } = problem();
    const loss = crossEntropy(forward(params, x), labels);
    loss.backward();
    const outputs = [loss, params.w1.grad!, params.b1.grad!, params.w2.grad!, params.b2.grad!];
    const plan = wg.explain(...outputs);
    wg.resetStats();
    wg.realize(...outputs);
    const s = wg.stats();
    console.log(`MLP forward + backward: ${s.dispatches} dispatches, ${s.submits} submit(s)\n${plan}`);
    expect(s.realizes).toBe(1);
    expect(s.submits).toBe(1);
    expect(s.dispatches).toBe(plan.split('\n').length);
    expect(s.dispatches).toBeLessThanOrEqual(MAX_DISPATCHES);
    const lines = plan.split('\n');
    const onMatmul = (l: string) => /^k\d+ matmul/.test(l);
    // ReLU and its gradient (greater + where) ride in matmul epilogues, as do both bias adds;
    // bias gradients are reductions; the one generated elementwise-only kernel is the softmax-CE
    // gradient.
    expect(lines.filter((l) => /\brelu\b/.test(l)).every(onMatmul)).toBe(true);
    expect(lines.filter((l) => /greater where/.test(l)).length).toBe(1);
    expect(lines.filter((l) => /greater where/.test(l)).every(onMatmul)).toBe(true);
    expect(lines.filter((l) => onMatmul(l) && /\badd\b/.test(l)).length).toBe(2);
    expect(lines.filter((l) => /^k\d+ fused\[/.test(l) && !/(sum|max)\(axes/.test(l)).length).toBeLessThanOrEqual(1);
    const gpu = await Promise.all(outputs.map((t) => t.data()));

    await wg.init({ backend: 'cpu' });
    try {
      const cpuProblem = problem();
      const cpuLoss = crossEntropy(forward(cpuProblem.params, cpuProblem.x), cpuProblem.labels);
      cpuLoss.backward();
      const p = cpuProblem.params;
      const cpu = await Promise.all([cpuLoss, p.w1.grad!, p.b1.grad!, p.w2.grad!, p.b2.grad!].map((t) => t.data()));
      cpu.forEach((c, k) => c.forEach((v, j) => expect(gpu[k][j]).toBeCloseTo(v, 4)));
    } finally {
      await wg.init({ backend: 'webgpu' });
    }
  });

  it('a training step after the first creates no new pipelines', () => {
    const step = () => {
      const { params, x, labels } = problem();
      const loss = crossEntropy(forward(params, x), labels);
      loss.backward();
      wg.realize(loss, params.w1.grad!, params.b1.grad!, params.w2.grad!, params.b2.grad!);
    };
    step();
    wg.resetStats();
    step();
    expect(wg.stats().pipelinesCreated).toBe(0);
  });
});

/** Dispatches of one realize of `outputs(params)` after forward + backward of a fresh problem. */
function dispatchesOf(outputs: (p: Mlp, loss: wg.Tensor) => wg.Tensor[]): number {
  const { params, x, labels } = problem();
  const loss = crossEntropy(forward(params, x), labels);
  loss.backward();
  const out = outputs(params, loss);
  wg.resetStats();
  wg.realize(...out);
  return wg.stats().dispatches;
}

describe('a hand-written SGD loop', () => {
  it('fuses the update into the gradient kernels: a step costs no more dispatches than forward + backward', () => {
    const grads = dispatchesOf((p, loss) => [loss, p.w1.grad!, p.b1.grad!, p.w2.grad!, p.b2.grad!]);
    const step = dispatchesOf((p, loss) => [loss, ...wg.noGrad(() => [p.w1, p.b1, p.w2, p.b2].map((q) => q.sub(q.grad!.mul(0.1))))]);
    console.log(`SGD step (forward + backward + update): ${step} dispatches; forward + backward: ${grads}`);
    expect(step).toBe(grads);
  });


  it('makes the loss of a small MLP fall', async () => {
    const { params, x, labels } = problem();
    let p: Mlp = params;
    const lr = 0.5;
    const losses: number[] = [];
    for (let step = 0; step < 25; step++) {
      const loss = crossEntropy(forward(p, x), labels);
      loss.backward();
      const next = wg.noGrad(() => ({
        w1: p.w1.sub(p.w1.grad!.mul(lr)),
        b1: p.b1.sub(p.b1.grad!.mul(lr)),
        w2: p.w2.sub(p.w2.grad!.mul(lr)),
        b2: p.b2.sub(p.b2.grad!.mul(lr)),
      }));
      wg.realize(loss, next.w1, next.b1, next.w2, next.b2);
      losses.push(await loss.item());
      p = { w1: next.w1.requiresGrad_(), b1: next.b1.requiresGrad_(), w2: next.w2.requiresGrad_(), b2: next.b2.requiresGrad_() };
    }
    console.log(`SGD losses: ${losses.map((l) => l.toFixed(3)).join(' ')}`);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(0.5 * losses[0]);
  });
});
