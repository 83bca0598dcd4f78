// Sequential beyond fit: building from inputShape or on add, getWeights/setWeights, the
// *OnBatch calls, batched predict, save/loadModel through wg.io, compile's names and errors,
// and the metrics 'accuracy' resolves to (binary, categorical, sparse) with their values.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose, expectNoGpuErrors, initBoth, useBackend, wg } from '../helpers';

beforeAll(initBoth);
afterAll(expectNoGpuErrors);

const mlp = () => wg.sequential([wg.layers.dense({ units: 5, activation: 'tanh', inputShape: [3] }), wg.layers.dense({ units: 2 })]);

describe('building', () => {
  it('a first layer with inputShape builds the model at once; added layers build from it', () => {
    const model = mlp();
    expect(model.parameters().map((p) => p.shape)).toEqual([[3, 5], [5], [5, 2], [2]]);
    model.add(wg.layers.dense({ units: 7 }));
    expect(model.outputShape()).toEqual([null, 7]);
    expect(model.namedParameters().map(([n]) => n).slice(-2)).toEqual(['layers.2.kernel', 'layers.2.bias']);
  });

  it('without inputShape it builds on first use; summary before that says so', () => {
    const model = wg.sequential([wg.layers.dense({ units: 2 })]);
    expect(() => model.summary()).toThrow(/not built yet/);
    model.predict(wg.zeros([1, 4]));
    expect(model.parameters().map((p) => p.shape)).toEqual([[4, 2], [2]]);
  });

  it('summary counts moving statistics as non-trainable', () => {
    const model = wg.sequential([wg.layers.dense({ units: 4, inputShape: [3] }), wg.layers.batchNormalization()]);
    const log = console.log;
    console.log = () => {};
    const table = model.summary();
    console.log = log;
    expect(table).toContain('Total params: 32');
    expect(table).toContain('Trainable params: 24');
    expect(table).toContain('Non-trainable params: 8');
  });

  it('only the first layer takes inputShape, and only layers are added', () => {
    expect(() => mlp().add(wg.layers.dense({ units: 1, inputShape: [2] }))).toThrow(/only the first layer takes inputShape/);
    expect(() => mlp().add({} as never)).toThrow(wg.ArgumentError);
  });
});

describe.each(['cpu', 'webgpu'] as const)('Sequential on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('setWeights(getWeights()) round-trips; getWeights are copies', async () => {
    wg.seed(1);
    const a = mlp();
    const b = mlp();
    const copies = a.getWeights();
    a.setWeights(b.getWeights());
    expect(await a.predict(wg.ones([2, 3])).data()).toEqual(await b.predict(wg.ones([2, 3])).data());
    a.setWeights(copies);
    expect(await copies[0].data()).toEqual(await a.layers[0].parameters()[0].data());
    expect(() => a.setWeights(copies.slice(1))).toThrow(/has 4 weights, got 3/);
  });

  it('predict in batches equals one forward pass', async () => {
    wg.seed(2);
    const model = mlp();
    const x = wg.randn([10, 3]);
    expectClose(await model.predict(x, { batchSize: 3 }).data(), await model.predictOnBatch(x).data(), { atol: 1e-6 });
    expect(model.predict(x, { batchSize: 3 }).shape).toEqual([10, 2]);
  });

  it('trainOnBatch steps once and returns the loss; testOnBatch matches evaluate', async () => {
    wg.seed(3);
    const model = mlp();
    model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
    const x = wg.randn([4, 3]);
    const y = wg.randn([4, 2]);
    const [before] = (await model.testOnBatch(x, y)) as number[];
    const loss = await model.trainOnBatch(x, y);
    expect(loss).toBeCloseTo(before, 5);
    const after = (await model.testOnBatch(x, y)) as number[];
    expect(after[0]).toBeLessThan(before);
    const evaluated = (await model.evaluate(x, y, { batchSize: 3 })) as number[];
    expectClose(evaluated, after, { atol: 1e-5 });
  });

  it('save and loadModel round-trip the architecture and weights through wg.io', async () => {
    wg.seed(4);
    const model = wg.sequential([wg.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }), wg.layers.batchNormalization(), wg.layers.dense({ units: 2, activation: 'softmax' })]);
    const box: Partial<wg.io.ModelArtifacts> = {};
    await model.save(box);
    expect((box.json as { className: string }).className).toBe('Sequential');
    const loaded = await wg.loadModel(box);
    expect(loaded.layers.map((l) => l.className)).toEqual(['Dense', 'BatchNormalization', 'Dense']);
    const x = wg.randn([5, 3]);
    expectClose(await loaded.predict(x).data(), await model.predict(x).data(), { atol: 1e-6 });
  });
});

describe('compile', () => {
  beforeAll(() => useBackend('cpu'));

  it("takes optimizer names with Keras's default learning rates", () => {
    for (const [name, lr] of [['sgd', 0.01], ['adam', 1e-3], ['adamw', 1e-3], ['rmsprop', 1e-3], ['adagrad', 1e-3]] as const) {
      const model = mlp();
      model.compile({ optimizer: name, loss: 'mse' });
      expect(model.optimizer!.paramGroups[0].lr).toBe(lr);
    }
  });

  it('unknown names are ArgumentErrors that list the known ones', () => {
    expect(() => mlp().compile({ optimizer: 'adamax' as never, loss: 'mse' })).toThrow(/unknown optimizer "adamax" \(expected 'sgd'/);
    expect(() => mlp().compile({ optimizer: 'sgd', loss: 'mse', metrics: ['f1' as never] })).toThrow(/unknown metric "f1"/);
  });

  it('a loss function and a metric function train and log under their names', async () => {
    const model = mlp();
    const meanDiff = (p: wg.Tensor, t: wg.Tensor) => p.sub(t).mean();
    model.compile({ optimizer: 'sgd', loss: (p, t) => wg.losses.mse(p, t), metrics: [meanDiff, { name: 'half', fn: (p) => p.mul(0).add(0.5).mean() }] });
    const h = await model.fit(wg.zeros([4, 3]), wg.ones([4, 2]), { epochs: 1, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['half', 'loss', 'meanDiff']);
    expect(h.history.half[0]).toBeCloseTo(0.5, 6);
  });
});

describe("metrics: 'accuracy' chooses as Keras does", () => {
  beforeAll(() => useBackend('cpu'));

  const acc = async (lossName: string | null, outputShape: (number | null)[], p: wg.Tensor, t: wg.Tensor) =>
    wg.metrics.get('accuracy', { lossName, outputShape }).fn(p, t).item();

  it('binary for one output unit or binaryCrossentropy (threshold 0.5)', async () => {
    expect(await acc(null, [null, 1], wg.tensor([[0.2], [0.7], [0.6]]), wg.tensor([[0], [1], [0]]))).toBeCloseTo(2 / 3, 6);
    expect(await acc('binaryCrossentropy', [null, 2], wg.tensor([[0.2, 0.9]]), wg.tensor([[0, 0]]))).toBeCloseTo(0.5, 6);
  });

  it('sparse for sparseCategoricalCrossentropy ([N] or [N, 1] labels)', async () => {
    const p = wg.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]);
    expect(await acc('sparseCategoricalCrossentropy', [null, 2], p, wg.tensor([1, 1, 1], { dtype: 'int32' }))).toBeCloseTo(2 / 3, 6);
    expect(await acc('sparseCategoricalCrossentropy', [null, 2], p, wg.tensor([[1], [0], [1]]))).toBe(1);
  });

  it('categorical for one-hot targets, sparse for integer ones under other losses', async () => {
    const p = wg.tensor([[0.1, 0.9], [0.8, 0.2]]);
    expect(await acc('categoricalCrossentropy', [null, 2], p, wg.tensor([[0, 1], [0, 1]]))).toBe(0.5);
    expect(await acc(null, [null, 2], p, wg.tensor([[0, 1], [1, 0]]))).toBe(1);
    expect(await acc(null, [null, 2], p, wg.tensor([1, 1], { dtype: 'int32' }))).toBe(0.5);
  });

  it('mse and mae are the mean squared and absolute differences', async () => {
    const p = wg.tensor([1, 2, 4]);
    const t = wg.tensor([1, 0, 1]);
    expect(await wg.metrics.mse(p, t).item()).toBeCloseTo(13 / 3, 6);
    expect(await wg.metrics.mae(p, t).item()).toBeCloseTo(5 / 3, 6);
  });
});
