// fit's Keras semantics and costs: validationSplit takes the last samples, epoch values are
// sample-weighted means over the batches, the loss includes regularization, datasets and
// tensors train alike, errors a learner understands; one submit per batch, one read per epoch,
// no pipeline created after the first epoch's first two batches, memory flat over epochs.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoGpuErrors, initBoth, useBackend, wg } from '../helpers';

beforeAll(initBoth);
afterAll(expectNoGpuErrors);

const ten = () => ({ x: wg.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), y: wg.tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) });

/** y = 0·x: one Dense unit with a zero kernel and no bias, trained with lr 0 (weights stay). */
function frozenZero(): wg.Sequential {
  const model = wg.sequential([wg.layers.dense({ units: 1, useBias: false, kernelInitializer: 'zeros', inputShape: [1] })]);
  model.compile({ optimizer: new wg.optim.SGD(model, { lr: 0 }), loss: 'mse', metrics: ['mae'] });
  return model;
}

describe.each(['cpu', 'webgpu'] as const)('fit on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('validationSplit holds out the last samples; epoch values are means weighted by batch size', async () => {
    const { x, y } = ten();
    // Training samples 1..8 in batches of 3, 3, 2; validation 9, 10. The prediction is 0, so
    // the loss is the mean of y² and mae the mean of y.
    const h = await frozenZero().fit(x, y, { epochs: 2, batchSize: 3, validationSplit: 0.2, verbose: 0 });
    expect(h.epoch).toEqual([0, 1]);
    expect(h.history.loss[0]).toBeCloseTo(204 / 8, 4);
    expect(h.history.mae[0]).toBeCloseTo(36 / 8, 5);
    expect(h.history.val_loss[1]).toBeCloseTo(181 / 2, 4);
    expect(h.history.val_mae[1]).toBeCloseTo(9.5, 5);
  });

  it('validationData is used as given; evaluate matches it', async () => {
    const { x, y } = ten();
    const model = frozenZero();
    const h = await model.fit(x, y, { epochs: 1, batchSize: 4, validationData: [wg.tensor([2, 4]), wg.tensor([2, 4])], verbose: 0 });
    expect(h.history.val_loss[0]).toBeCloseTo(10, 5);
    expect(await model.evaluate(wg.tensor([2, 4]), wg.tensor([2, 4]))).toEqual([10, 3]);
  });

  it('the training loss includes the regularization penalties', async () => {
    const model = wg.sequential([wg.layers.dense({ units: 1, useBias: false, kernelInitializer: 'ones', kernelRegularizer: wg.regularizers.l2(0.5), inputShape: [1] })]);
    model.compile({ optimizer: new wg.optim.SGD(model, { lr: 0 }), loss: 'mse' });
    const h = await model.fit(wg.tensor([1, 2, 3]), wg.tensor([1, 2, 3]), { epochs: 1, verbose: 0 });
    expect(h.history.loss[0]).toBeCloseTo(0.5, 6);
  });

  it('a wg.data dataset trains like the tensors it holds', async () => {
    const { x, y } = ten();
    const h = await frozenZero().fit(wg.data.dataset(x, y).batch(4), { epochs: 1, verbose: 0 });
    expect(h.history.loss[0]).toBeCloseTo(385 / 10, 4);
  });

  it('the same seed gives the same shuffled training; shuffling reshuffles every epoch', async () => {
    const run = async (s: number) => {
      wg.seed(s);
      const model = wg.sequential([wg.layers.dense({ units: 1, inputShape: [1] })]);
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      const { x, y } = ten();
      return (await model.fit(x, y, { epochs: 3, batchSize: 2, verbose: 0 })).history.loss;
    };
    const a = await run(11);
    expect(await run(11)).toEqual(a);
    expect(await run(12)).not.toEqual(a);
  });

  it('a callback setting model.stopTraining ends training after that epoch', async () => {
    const { x, y } = ten();
    const model = frozenZero();
    const h = await model.fit(x, y, { epochs: 10, verbose: 0, callbacks: [{ onEpochEnd: (e: number) => void (e === 2 && (model.stopTraining = true)) }] });
    expect(h.epoch).toEqual([0, 1, 2]);
  });

  it('initialEpoch resumes the epoch count', async () => {
    const { x, y } = ten();
    expect((await frozenZero().fit(x, y, { epochs: 5, initialEpoch: 3, verbose: 0 })).epoch).toEqual([3, 4]);
  });
});

describe('fit errors a learner understands', () => {
  beforeAll(() => useBackend('cpu'));

  it('fit before compile says to compile first', async () => {
    const model = wg.sequential([wg.layers.dense({ units: 1, inputShape: [1] })]);
    await expect(model.fit(wg.tensor([1]), wg.tensor([1]))).rejects.toThrow(/compiled first: call model.compile/);
  });

  it('x and y with different sample counts name both shapes', async () => {
    await expect(frozenZero().fit(wg.tensor([1, 2, 3]), wg.tensor([1, 2]), { verbose: 0 })).rejects.toThrow(/same number of samples, got x \[3,1\] \(3 samples\) and y \[2,1\] \(2 samples\)/);
  });

  it('sparse labels out of range are reported with the first bad sample', async () => {
    const model = wg.sequential([wg.layers.dense({ units: 3, activation: 'softmax', inputShape: [2] })]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const x = wg.zeros([5, 2]);
    const y = wg.tensor([0, 2, 1, 3, 7], { dtype: 'int32' });
    await expect(model.fit(x, y, { verbose: 0 })).rejects.toThrow(/label 3 of sample 3 is outside the valid range \[0, 3\).*Dense/);
    await expect(model.fit(x, wg.tensor([0, -1, 0, 0, 0], { dtype: 'int32' }), { verbose: 0 })).rejects.toThrow(/label -1 of sample 1/);
  });

  it('targets that do not fit the output name the last layer', async () => {
    const model = wg.sequential([wg.layers.dense({ units: 8, inputShape: [4] }), wg.layers.dense({ units: 10, activation: 'softmax', name: 'probs' })]);
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await expect(model.fit(wg.zeros([6, 4]), wg.zeros([6, 3]), { verbose: 0 })).rejects.toThrow(/the last layer, Dense 'probs' \(layer 2\), outputs \[null,10\] but y has shape \[6,3\]; loss 'categoricalCrossentropy' needs targets of shape \[N,10\]/);
  });

  it('option values out of range are ArgumentErrors', async () => {
    const { x, y } = ten();
    await expect(frozenZero().fit(x, y, { epochs: 0 })).rejects.toThrow(wg.ArgumentError);
    await expect(frozenZero().fit(x, y, { validationSplit: 1 })).rejects.toThrow(/validationSplit must be in \[0, 1\)/);
  });
});

describe('fit costs what the hand-written step costs (webgpu)', () => {
  beforeAll(() => useBackend('webgpu'));

  it('one submit per batch, one read per epoch, no pipeline after the first two batches, memory flat over 20 epochs', async () => {
    wg.seed(2);
    const n = 64;
    const x = wg.randn([n, 8]);
    const y = wg.randint(0, 4, [n]);
    wg.realize(x, y);
    const model = wg.sequential([wg.layers.dense({ units: 16, activation: 'relu', inputShape: [8] }), wg.layers.dense({ units: 4 })]);
    model.compile({ optimizer: 'adam', loss: { name: 'sparseCategoricalCrossentropy', fromLogits: true }, metrics: ['accuracy'] });
    const perEpoch: { submits: number; reads: number; pipelines: number; live: number }[] = [];
    let last = wg.stats();
    const probe = {
      onEpochEnd() {
        const s = wg.stats();
        perEpoch.push({ submits: s.submits - last.submits, reads: s.bytesRead - last.bytesRead, pipelines: s.pipelinesCreated - last.pipelinesCreated, live: wg.memory().liveBytes });
        last = s;
      },
    };
    // In a first fit, no pipeline is created after the first epoch's first two batches.
    let epoch = 0;
    let afterTwo = -1;
    const firstBatches = {
      onEpochBegin: (e: number) => void (epoch = e),
      onBatchEnd: (b: number) => void (epoch === 0 && b === 1 && (afterTwo = wg.stats().pipelinesCreated)),
    };
    await model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, callbacks: [firstBatches] });
    expect(afterTwo).toBeGreaterThan(0);
    expect(wg.stats().pipelinesCreated).toBe(afterTwo);
    last = wg.stats();
    await model.fit(x, y, { epochs: 20, batchSize: 16, verbose: 0, callbacks: [probe] });
    for (const e of perEpoch.slice(1)) {
      expect(e.submits).toBe(4 + 1); // 4 batches and the one read of the epoch's sums
      expect(e.reads).toBe(2 * 4); // loss and accuracy sums, float32
      expect(e.pipelines).toBe(0);
      expect(e.live).toBeLessThanOrEqual(perEpoch[1].live); // flat: garbage from before may still be collected
    }
  }, 60_000);
});
