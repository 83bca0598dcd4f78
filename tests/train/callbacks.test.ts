// Callbacks in fit: earlyStopping's exact Keras rule (patience, minDelta, baseline, mode) and
// restoreBestWeights, lrScheduler, terminateOnNaN, modelCheckpoint (function and model.save
// targets), progress() in an element and on a non-terminal stdout, and custom hook order.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectNoGpuErrors, initBoth, useBackend, wg } from '../helpers';
import type { Logs, TrainingModel } from '../../src/train/callbacks/callback';

beforeAll(initBoth);
afterAll(expectNoGpuErrors);

const data = () => ({ x: wg.tensor([1, 2, 3, 4]), y: wg.tensor([3, 5, 7, 9]) });

function line(lr = 0.01): wg.Sequential {
  const model = wg.sequential([wg.layers.dense({ units: 1, inputShape: [1] })]);
  model.compile({ optimizer: new wg.optim.SGD(model, { lr }), loss: 'mse' });
  return model;
}

/** Writes scripted values into the logs before the callbacks after it read them. */
const script = (name: string, values: number[]) => ({ onEpochEnd: (e: number, logs: Logs) => void (logs[name] = values[e]) });

/** Runs the rule alone on scripted values; returns the epoch it stopped at (or -1). */
function stopsAt(opts: wg.callbacks.EarlyStoppingOptions, values: number[], monitor = 'val_loss'): number {
  const model = { stopTraining: false } as TrainingModel;
  const es = wg.callbacks.earlyStopping({ monitor, ...opts });
  es.setModel(model);
  es.onTrainBegin();
  for (let e = 0; e < values.length; e++) {
    es.onEpochEnd(e, { [monitor]: values[e] });
    if (model.stopTraining) return e;
  }
  return -1;
}

describe('earlyStopping follows Keras exactly', () => {
  it('stops patience epochs after the best value', () => {
    expect(stopsAt({ patience: 2 }, [5, 4, 3, 3.5, 3.2, 1])).toBe(4);
    expect(stopsAt({ patience: 0 }, [5, 4, 4.5])).toBe(2);
    expect(stopsAt({ patience: 3 }, [5, 4, 3, 2, 1])).toBe(-1);
  });

  it('an improvement smaller than minDelta does not count', () => {
    expect(stopsAt({ patience: 1, minDelta: 0.5 }, [5, 4.8, 4.7])).toBe(1);
    expect(stopsAt({ patience: 1, minDelta: 0.5 }, [5, 4.4, 3.8])).toBe(-1);
  });

  it('accuracies are maximized in auto mode, mode forces a direction', () => {
    expect(stopsAt({ patience: 1 }, [0.5, 0.6, 0.55, 0.5], 'val_accuracy')).toBe(2);
    expect(stopsAt({ patience: 1, mode: 'max' }, [1, 2, 1.5, 1], 'score')).toBe(2);
    expect(stopsAt({ patience: 1, mode: 'min' }, [0.5, 0.6, 0.7], 'val_accuracy')).toBe(1);
  });

  it('with a baseline, waiting continues until the value beats it', () => {
    expect(stopsAt({ patience: 1, baseline: 2 }, [3, 3.1, 3.2])).toBe(1);
    expect(stopsAt({ patience: 1, baseline: 2 }, [3, 1.5, 1.4, 1.6, 1.7])).toBe(3);
  });
});

describe.each(['cpu', 'webgpu'] as const)('callbacks in fit on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('earlyStopping stops patience epochs after the best val_loss and restores its weights', async () => {
    wg.seed(5);
    const model = line();
    const { x, y } = data();
    const weightsAt: number[][] = [];
    const record = { onEpochEnd: async () => void weightsAt.push(Array.from(await model.layers[0].parameters()[0].data())) };
    const es = wg.callbacks.earlyStopping({ patience: 2, restoreBestWeights: true });
    const h = await model.fit(x, y, { epochs: 20, verbose: 0, validationData: [x, y], callbacks: [record, script('val_loss', [5, 4, 3, 3.5, 3.2, 1]), es] });
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(es.stoppedEpoch).toBe(4);
    expect(es.bestEpoch).toBe(2);
    expect(weightsAt[4]).not.toEqual(weightsAt[2]);
    expect(Array.from(await model.layers[0].parameters()[0].data())).toEqual(weightsAt[2]);
  });

  it('lrScheduler sets the learning rate each epoch and logs it', async () => {
    const model = line();
    const { x, y } = data();
    const h = await model.fit(x, y, { epochs: 3, verbose: 0, callbacks: [wg.callbacks.lrScheduler((epoch) => 0.01 / (epoch + 1))] });
    expect(h.history.learning_rate).toEqual([0.01, 0.005, 0.01 / 3]);
    expect(model.optimizer!.paramGroups[0].lr).toBe(0.01 / 3);
  });

  it('lrScheduler at rate 0 leaves the weights as they are', async () => {
    const model = line();
    const before = Array.from(await model.getWeights()[0].data());
    const { x, y } = data();
    await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [wg.callbacks.lrScheduler(() => 0)] });
    expect(Array.from(await model.getWeights()[0].data())).toEqual(before);
  });

  it('terminateOnNaN stops once the loss is NaN', async () => {
    const model = line();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const h = await model.fit(wg.tensor([1, 2]), wg.tensor([1, NaN]), { epochs: 5, verbose: 0, callbacks: [wg.callbacks.terminateOnNaN()] });
    warn.mockRestore();
    expect(h.epoch).toEqual([0]);
    expect(h.history.loss[0]).toBeNaN();
  });

  it('modelCheckpoint with saveBestOnly saves only on improvement, through a function or model.save', async () => {
    const model = line();
    const { x, y } = data();
    const saved: number[] = [];
    const box: Partial<wg.io.ModelArtifacts> = {};
    await model.fit(x, y, {
      epochs: 4,
      verbose: 0,
      callbacks: [
        script('val_loss', [3, 2, 2.5, 1]),
        wg.callbacks.modelCheckpoint({ target: (_m, epoch) => void saved.push(epoch), saveBestOnly: true }),
        wg.callbacks.modelCheckpoint({ target: box }),
      ],
    });
    expect(saved).toEqual([0, 1, 3]);
    const loaded = await wg.loadModel(box);
    expect(await loaded.predict(x).data()).toEqual(await model.predict(x).data());
  });

  it('custom callbacks get every hook in order with Keras logs', async () => {
    const model = line();
    const { x, y } = data();
    const calls: string[] = [];
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 2,
      verbose: 0,
      validationSplit: 0.5,
      callbacks: [
        {
          onTrainBegin: () => void calls.push('trainBegin'),
          onEpochBegin: (e: number) => void calls.push(`epochBegin ${e}`),
          onBatchBegin: (b: number) => void calls.push(`batchBegin ${b}`),
          onBatchEnd: (b: number, logs: Logs) => void calls.push(`batchEnd ${b} size ${logs.size}`),
          onEpochEnd: (e: number, logs: Logs) => void calls.push(`epochEnd ${e} ${Object.keys(logs).sort().join(',')}`),
          onTrainEnd: () => void calls.push('trainEnd'),
        },
      ],
    });
    expect(calls).toEqual(['trainBegin', 'epochBegin 0', 'batchBegin 0', 'batchEnd 0 size 2', 'epochEnd 0 loss,val_loss', 'epochBegin 1', 'batchBegin 0', 'batchEnd 0 size 2', 'epochEnd 1 loss,val_loss', 'trainEnd']);
  });
});

describe('progress()', () => {
  beforeAll(() => useBackend('cpu'));

  it('fills a given element with one line per epoch: epoch, batches, time and values', async () => {
    const model = line();
    const { x, y } = data();
    const element = { textContent: '' as string | null };
    await model.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, validationSplit: 0.5, callbacks: [wg.callbacks.progress({ element })] });
    const lines = element.textContent!.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Epoch 1\/2 1\/1 \[=+\] \d+\.\ds \d+ms\/step - loss: \d+\.\d{4} - val_loss: \d+\.\d{4}$/);
    expect(lines[1]).toMatch(/^Epoch 2\/2 /);
  });

  it('verbose 1 and 2 write one line per epoch to a stdout that is not a terminal; verbose 0 writes nothing', async () => {
    const { x, y } = data();
    for (const [verbose, count] of [[0, 0], [1, 3], [2, 3]] as const) {
      const written: string[] = [];
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (written.push(String(s)), true));
      const tty = process.stdout.isTTY;
      process.stdout.isTTY = false;
      try {
        await line().fit(x, y, { epochs: 3, verbose });
      } finally {
        process.stdout.isTTY = tty;
        write.mockRestore();
      }
      const epochs = written.filter((s) => s.startsWith('Epoch '));
      expect(epochs).toHaveLength(count);
      expect(written.some((s) => s.includes('\r'))).toBe(false);
    }
  });

  it('on a terminal the bar is redrawn in place', async () => {
    const written: string[] = [];
    const stream = { isTTY: true, write: (s: string) => (written.push(s), true) };
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => stream.write(String(s)));
    const tty = process.stdout.isTTY;
    process.stdout.isTTY = true;
    try {
      const { x, y } = data();
      await line().fit(x, y, { epochs: 1, verbose: 1 });
    } finally {
      process.stdout.isTTY = tty;
      write.mockRestore();
    }
    expect(written.at(-1)).toMatch(/^\rEpoch 1\/1 1\/1 \[=+\] .* - loss: .*\x1b\[K\n$/);
  });
});
