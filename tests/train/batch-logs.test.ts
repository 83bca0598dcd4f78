// fit's batch logs: with an onBatchEnd callback, every batch reports the epoch's running mean loss
// and metrics as real numbers, in order, equal to plain SGD worked out on the host; batch i's logs
// arrive once batch i + 1 is queued; the last batch's logs are the epoch's.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logs } from '../../src/train/callbacks/callback';
import { expectNoGpuErrors, initBoth, useBackend, wg } from '../helpers';

beforeAll(initBoth);
afterAll(expectNoGpuErrors);

const xs = [0.5, -1, 2, 1.5, -0.5, 1, -2, 0.25, 3, -1.5];
const ys = xs.map((x) => 2 * x - 1);
const LR = 0.05;

/** y ≈ w·x + b from w = 1, b = 0, trained by SGD on the mean squared error, tracking mae. */
function line(): wg.Sequential {
  const model = wg.sequential([wg.layers.dense({ units: 1, kernelInitializer: 'ones', biasInitializer: 'zeros', inputShape: [1] })]);
  model.compile({ optimizer: new wg.optim.SGD(model, { lr: LR }), loss: 'mse', metrics: ['mae'] });
  return model;
}

/** The running means (loss, mae) after each batch of plain SGD in order, epoch by epoch, on the host. */
function referenceRunningMeans(epochs: number, batchSize: number): { loss: number; mae: number }[][] {
  let w = 1;
  let b = 0;
  const out: { loss: number; mae: number }[][] = [];
  for (let e = 0; e < epochs; e++) {
    const epoch: { loss: number; mae: number }[] = [];
    let [lossSum, maeSum, seen] = [0, 0, 0];
    for (let at = 0; at < xs.length; at += batchSize) {
      const bx = xs.slice(at, at + batchSize);
      const err = bx.map((x, i) => w * x + b - ys[at + i]!);
      const n = bx.length;
      lossSum += err.reduce((s, d) => s + d * d, 0);
      maeSum += err.reduce((s, d) => s + Math.abs(d), 0);
      seen += n;
      epoch.push({ loss: lossSum / seen, mae: maeSum / seen });
      const gw = (2 / n) * err.reduce((s, d, i) => s + d * bx[i]!, 0);
      const gb = (2 / n) * err.reduce((s, d) => s + d, 0);
      w -= LR * gw;
      b -= LR * gb;
    }
    out.push(epoch);
  }
  return out;
}

describe.each(['cpu', 'webgpu'] as const)('fit batch logs on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('onBatchEnd receives every batch in order with the running mean loss and metrics of plain SGD', async () => {
    const seen: { epoch: number; batch: number; size: number; loss: number; mae: number }[] = [];
    const epochLogs: Logs[] = [];
    let epoch = 0;
    const h = await line().fit(wg.tensor(xs), wg.tensor(ys), {
      epochs: 3,
      batchSize: 3,
      shuffle: false,
      verbose: 0,
      callbacks: [
        {
          onEpochBegin: (e: number) => void (epoch = e),
          onBatchEnd: (batch: number, logs: Logs) => void seen.push({ epoch, batch, size: logs.size!, loss: logs.loss!, mae: logs.mae! }),
          onEpochEnd: (_e: number, logs: Logs) => void epochLogs.push(logs),
        },
      ],
    });
    const ref = referenceRunningMeans(3, 3);
    expect(seen.map((s) => [s.epoch, s.batch, s.size])).toEqual([0, 1, 2].flatMap((e) => [[e, 0, 3], [e, 1, 3], [e, 2, 3], [e, 3, 1]]));
    seen.forEach((s) => {
      const r = ref[s.epoch]![s.batch]!;
      expect(s.loss).toBeCloseTo(r.loss, 4);
      expect(s.mae).toBeCloseTo(r.mae, 4);
    });
    // The last batch's running means are the epoch's values.
    [0, 1, 2].forEach((e) => {
      expect(seen[4 * e + 3]!.loss).toBeCloseTo(epochLogs[e]!.loss!, 6);
      expect(h.history.mae[e]).toBeCloseTo(ref[e]![3]!.mae, 4);
    });
  });

  it("batch i's logs arrive after batch i + 1 began, and the last batch's before the epoch ends", async () => {
    const calls: string[] = [];
    await line().fit(wg.tensor(xs), wg.tensor(ys), {
      epochs: 1,
      batchSize: 4,
      shuffle: false,
      verbose: 0,
      callbacks: [
        {
          onBatchBegin: (b: number) => void calls.push(`begin ${b}`),
          onBatchEnd: (b: number, logs: Logs) => void calls.push(`end ${b} ${Number.isFinite(logs.loss) ? 'loss' : 'no loss'}`),
          onEpochEnd: () => void calls.push('epoch end'),
        },
      ],
    });
    expect(calls).toEqual(['begin 0', 'begin 1', 'end 0 loss', 'begin 2', 'end 1 loss', 'end 2 loss', 'epoch end']);
  });
});
