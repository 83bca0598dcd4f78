// What an optimizer step costs (the speed contract): dispatches and submits of an Adam
// step of the 784-256-128-10 MLP and of the LeNet-like CNN, bytes uploaded per step (none but
// a new batch), plan-cache hits and no new pipelines
// while a schedule changes the learning rate and Adam's bias corrections change, and memory
// flat over 1000 steps of the PyTorch loop with no tidy and no dispose (once the garbage the
// program dropped is collected), on both backends.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { cnnOptimizerStep, createCnn } from '../../bench/cnn-step';
import { createMlp, logitsOf, mlpOptimizerStep, optimizerStep, type Stepper } from '../../bench/mlp-step';
import type { Tensor } from '../../src/node';
import { countWork, expectNoGpuErrors, initBoth, useBackend, wg } from '../helpers';

beforeAll(initBoth);
afterEach(expectNoGpuErrors);

/**
 * Dispatches of one step: forward and backward, plus the update of every parameter and its state
 * in one multi-output kernel over the packed arenas (src/optim/packing.ts). The update binds the
 * three arenas and each gradient, so one kernel holds up to maxStorageBuffersPerShaderStage − 3
 * gradients (9 on SwiftShader, whose limit is 12): the MLP's 6 and the CNN's 8 fit one.
 * Measured: MLP 15 + 1 = 16, CNN 30 + 1 = 31 (its two conv bias gradients are two-pass sums:
 * 4-5× faster on SwiftShader than one pass, src/ops/reduce.ts).
 */
const MLP_STEP_DISPATCHES = 20;
const CNN_STEP_DISPATCHES = 32;

describe('an Adam step', () => {
  /** Each model: its name, its parameters, one step of the PyTorch loop with an optimizer, the bound. */
  const models: [string, () => { params: Tensor[]; step: (opt: Stepper) => Tensor }, number][] = [
    ['the 784-256-128-10 MLP at batch 128', () => { const m = createMlp(wg, [784, 256, 128, 10], 128); return { params: m.params, step: (opt) => mlpOptimizerStep(wg, m, opt) }; }, MLP_STEP_DISPATCHES],
    ['the conv32-pool-conv64-pool-dense128-dense10 CNN at batch 64', () => { const m = createCnn(wg, 64); return { params: m.params, step: (opt) => cnnOptimizerStep(wg, m, opt) }; }, CNN_STEP_DISPATCHES],
  ];
  for (const [name, build, bound] of models) {
    test(`of ${name} is one submit and at most ${bound} dispatches`, async () => {
      await useBackend('webgpu');
      const model = build();
      const opt = new wg.optim.Adam(model.params, { lr: 1e-3 });
      await model.step(opt).item();
      const work = await countWork(() => model.step(opt));
      console.log(`Adam step of ${name}: ${work.dispatches} dispatches, ${work.submits} submit(s)`);
      expect(work.submits).toBe(1);
      expect(work.dispatches).toBeLessThanOrEqual(bound);
    }, 180_000);

    test(`of ${name} uploads nothing after the first: weights, state and constants stay on the device`, async () => {
      await useBackend('webgpu');
      const model = build();
      const opt = new wg.optim.Adam(model.params, { lr: 1e-3 });
      await model.step(opt).item();
      wg.resetStats();
      for (let i = 0; i < 2; i++) model.step(opt);
      await model.step(opt).item();
      // Three steps, three realizes: the loss read rides along with its step.
      expect(wg.stats()).toMatchObject({ realizes: 3, bytesUploaded: 0 });
    }, 180_000);
  }

  test('with its labels one-hot encoded in the step (oneHot, nll) uploads nothing after the first', async () => {
    await useBackend('webgpu');
    const mlp = createMlp(wg, SMALL, 16);
    const opt = new wg.optim.Adam(mlp.params, { lr: 1e-3 });
    const step = () =>
      optimizerStep(opt, () => {
        const logits = logitsOf(mlp);
        return wg.losses.crossEntropy(logits, wg.oneHot(mlp.labels, 10)).add(wg.losses.nll(logits.logSoftmax(-1), mlp.labels));
      });
    await step().item();
    wg.resetStats();
    await step().item();
    expect(wg.stats().bytesUploaded).toBe(0);
  });

  test('with a new batch each step uploads that batch and nothing else', async () => {
    await useBackend('webgpu');
    const mlp = createMlp(wg, SMALL, 16);
    const opt = new wg.optim.Adam(mlp.params, { lr: 1e-3 });
    const stepOn = (seed: number) => {
      const x = wg.tensor(Float32Array.from({ length: 16 * SMALL[0] }, (_, i) => Math.sin(i + seed)), { shape: [16, SMALL[0]] });
      const labels = wg.tensor(Int32Array.from({ length: 16 }, (_, i) => (i * 7 + seed) % 10), { shape: [16], dtype: 'int32' });
      return mlpOptimizerStep(wg, { ...mlp, x, labels }, opt);
    };
    await stepOn(0).item();
    wg.resetStats();
    await stepOn(1).item();
    expect(wg.stats().bytesUploaded).toBe(16 * SMALL[0] * 4 + 16 * 4);
  });

  test('updates every parameter and its state in one kernel, one submit', async () => {
    await useBackend('webgpu');
    const mlp = createMlp(wg, [16, 8, 4], 8);
    const opt = new wg.optim.Adam(mlp.params);
    const gradients = () => {
      opt.zeroGrad();
      wg.losses.crossEntropy(mlp.x.matmul(mlp.params[0]).add(mlp.params[1]).relu().matmul(mlp.params[2]).add(mlp.params[3]), mlp.labels).backward();
      wg.realize(...mlp.params.map((p) => p.grad!));
    };
    // The first step also packs the optimizer's state into its arenas.
    gradients();
    opt.step();
    gradients();
    const update = await countWork(() => opt.step());
    expect(update.submits).toBe(1);
    expect(update.dispatches).toBe(1);
  });
});

/** A small MLP for the many-step tests (two hidden layers, as the benchmark's). */
const SMALL = [32, 64, 32, 10];

describe('the plan cache', () => {
  const optimizers: [string, (ps: Tensor[]) => Stepper][] = [
    ['Adam with a warm-up cosine schedule', (ps) => new wg.optim.Adam(ps, { lr: wg.optim.schedules.cosineDecay({ initialLr: 1e-2, decaySteps: 10, warmupSteps: 2 }) })],
    ['AdamW with amsgrad and an exponential schedule', (ps) => new wg.optim.AdamW(ps, { amsgrad: true, lr: wg.optim.schedules.exponentialDecay({ initialLr: 1e-2, decaySteps: 1, decayRate: 0.9 }) })],
    ['SGD with Nesterov momentum and a step schedule', (ps) => new wg.optim.SGD(ps, { momentum: 0.9, nesterov: true, lr: wg.optim.schedules.stepDecay({ initialLr: 0.1, stepSize: 2 }) })],
    ['SGD with dampening (the first step differs)', (ps) => new wg.optim.SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.5 })],
    ['centered RMSprop with momentum', (ps) => new wg.optim.RMSprop(ps, { centered: true, momentum: 0.5, lr: (s) => 0.01 / (1 + s) })],
    ['Adagrad with learning-rate decay', (ps) => new wg.optim.Adagrad(ps, { lrDecay: 0.1 })],
  ];
  for (const [name, make] of optimizers) {
    test(`hits on every step after the first and creates no pipeline: ${name}`, async () => {
      await useBackend('webgpu');
      const mlp = createMlp(wg, SMALL, 16);
      const opt = make(mlp.params);
      await mlpOptimizerStep(wg, mlp, opt).item();
      wg.resetStats();
      for (let i = 0; i < 6; i++) mlpOptimizerStep(wg, mlp, opt);
      expect(wg.stats()).toMatchObject({ realizes: 6, submits: 6, planCacheHits: 6, planCacheMisses: 0, pipelinesCreated: 0 });
    });
  }
});

/**
 * Collects garbage and lets the FinalizationRegistry release what the program dropped: rounds of
 * collection until the memory report stops changing (finalizers run in later jobs, later still on a
 * loaded machine), at least 5 and at most 50.
 */
async function collectGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const report = () => JSON.stringify(wg.memory());
  let last = '';
  for (let round = 0, still = 0; round < 50 && still < 3; round++) {
    gc();
    await new Promise((r) => setTimeout(r, 5));
    const now = report();
    still = round >= 4 && now === last ? still + 1 : 0;
    last = now;
  }
}

describe('1000 Adam steps of the PyTorch loop, no tidy, no dispose', () => {
  for (const backend of ['webgpu', 'cpu'] as const) {
    test(`keep memory flat on ${backend}: what the program dropped is all that is freed`, async () => {
      await useBackend(backend);
      const mlp = createMlp(wg, SMALL, 32);
      const opt = new wg.optim.Adam(mlp.params, { lr: 1e-3 });
      const bytes: number[] = [];
      const tensors: number[] = [];
      const losses: number[] = [];
      for (let step = 1; step <= 1000; step++) {
        const loss = mlpOptimizerStep(wg, mlp, opt);
        if (step % 100 === 0 || step === 1) {
          losses.push(await loss.item());
          await collectGarbage();
          const m = wg.memory();
          bytes.push(m.liveBytes + m.pooledBytes);
          tensors.push(m.liveTensors);
        }
      }
      console.log(`${backend}: bytes every 100 steps ${bytes.join(' ')}; live tensors ${tensors.join(' ')}; loss ${losses[0].toFixed(4)} → ${losses[losses.length - 1].toFixed(4)}`);
      // The WebGPU pool settles within the first 200 steps (one more small buffer, for readbacks).
      expect(new Set(bytes.slice(2)), 'device or host bytes from step 200 to 1000').toEqual(new Set([bytes[2]]));
      expect(new Set(tensors.slice(1)), 'live tensors from step 100 to 1000').toEqual(new Set([tensors[1]]));
      expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    }, 600_000);
  }
});
