// The lectures' Keras examples as a student writes them, on both backends: the hello world
// (y = 2x − 1), XOR with tanh/sigmoid and Adam, a Dense(64, relu) → Dense(10, softmax)
// classifier whose History has 5 epochs of falling loss, and the CNN's summary (11,290 params).

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectNoGpuErrors, initBoth, useBackend, wg } from '../helpers';

beforeAll(initBoth);
afterAll(expectNoGpuErrors);

/** Ten clusters in 20 dimensions, one per class, with int32 labels (small, learnable data). */
function clusters(n: number, seedValue: number): { x: wg.Tensor; y: wg.Tensor } {
  let s = seedValue;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const x = new Float32Array(n * 20);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 10;
    for (let j = 0; j < 20; j++) x[i * 20 + j] = (j % 10 === y[i] ? 3 : 0) + (rnd() - 0.5);
  }
  return { x: wg.tensor(x, { shape: [n, 20] }), y: wg.tensor(y, { shape: [n] }) };
}

describe.each(['cpu', 'webgpu'] as const)('the lectures\' Keras examples on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('hello world: one Dense unit, SGD and MSE for 500 epochs predicts 19 at x = 10', async () => {
    wg.seed(1);
    const model = wg.sequential([wg.layers.dense({ units: 1, inputShape: [1] })]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const xs = wg.tensor([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0]);
    const ys = wg.tensor([-3.0, -1.0, 1.0, 3.0, 5.0, 7.0]);
    const history = await model.fit(xs, ys, { epochs: 500, verbose: 0 });
    expect(history.epoch).toHaveLength(500);
    expect(history.history.loss[499]).toBeLessThan(1e-3);
    const [p] = await model.predict(wg.tensor([10.0])).data();
    expect(p).toBeGreaterThan(18.9);
    expect(p).toBeLessThan(19.1);
  }, 60_000);

  it('XOR with tanh and sigmoid and Adam reaches 100% accuracy', async () => {
    wg.seed(3);
    const model = wg.sequential([wg.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }), wg.layers.dense({ units: 1, activation: 'sigmoid' })]);
    model.compile({ optimizer: new wg.optim.Adam(model, { lr: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const x = wg.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = wg.tensor([[0], [1], [1], [0]]);
    const history = await model.fit(x, y, { epochs: 300, batchSize: 4, verbose: 0 });
    expect(history.history.accuracy[299]).toBe(1);
    const p = await model.predict(x).data();
    expect(Array.from(p, (v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  }, 60_000);

  it("Dense(64, relu) → Dense(10, softmax) with 'adam' and sparse cross-entropy: 5 epochs of falling loss", async () => {
    wg.seed(4);
    const { x, y } = clusters(200, 7);
    const model = wg.sequential([wg.layers.dense({ units: 64, activation: 'relu', inputShape: [20] }), wg.layers.dense({ units: 10, activation: 'softmax' })]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const history = await model.fit(x, y, { epochs: 5, validationSplit: 0.1, verbose: 0 });
    expect(history.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(Object.keys(history.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    const loss = history.history.loss;
    for (let e = 1; e < 5; e++) expect(loss[e]).toBeLessThan(loss[e - 1]);
    expect(history.history.accuracy[4]).toBeGreaterThan(history.history.accuracy[0]);
    expect(history.history.val_accuracy[4]).toBeGreaterThan(0.5);
  }, 60_000);

  it("summary() of the lectures' CNN shows each layer and 11,290 parameters", () => {
    const model = wg.sequential([
      wg.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [32, 32, 3] }),
      wg.layers.maxPooling2d({ poolSize: 2 }),
      wg.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
      wg.layers.maxPooling2d({ poolSize: 2 }),
      wg.layers.flatten(),
      wg.layers.dense({ units: 10, activation: 'softmax' }),
    ]);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const table = model.summary();
    expect(log).toHaveBeenCalledWith(table);
    log.mockRestore();
    const lines = table.split('\n');
    const rows = lines.filter((l) => /\((Conv2D|MaxPooling2D|Flatten|Dense)\)/.test(l));
    expect(rows.map((r) => r.trim().split(/\s{2,}/))).toEqual([
      [expect.stringMatching(/^conv2d(_\d+)? \(Conv2D\)$/), '(None, 30, 30, 32)', '896'],
      [expect.stringMatching(/\(MaxPooling2D\)$/), '(None, 15, 15, 32)', '0'],
      [expect.stringMatching(/\(Conv2D\)$/), '(None, 13, 13, 16)', '4,624'],
      [expect.stringMatching(/\(MaxPooling2D\)$/), '(None, 6, 6, 16)', '0'],
      [expect.stringMatching(/\(Flatten\)$/), '(None, 576)', '0'],
      [expect.stringMatching(/\(Dense\)$/), '(None, 10)', '5,770'],
    ]);
    expect(lines).toContain('Total params: 11,290');
    expect(lines).toContain('Trainable params: 11,290');
    expect(lines).toContain('Non-trainable params: 0');
    expect(model.countParams()).toBe(11290);
  });
});
