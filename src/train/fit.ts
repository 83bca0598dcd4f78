// fit: Keras's training loop. Each batch is one submit (forward, backward, update, its loss and
// metrics added to device sums), read once per epoch; with an onBatchEnd callback each batch's
// sums are also read, pipelined one batch behind. Validation runs after each epoch.

import { Dataset } from '../data/dataset';
import { ArgumentError } from '../errors';
import { uniformStream } from '../data/shuffle';
import { nextDraw } from '../ops/random';
import { Tensor } from '../tensor';
import type { Batches } from './batches';
import { CallbackList, type Callback, type Logs } from './callbacks/callback';
import { Progress, progress } from './callbacks/progress';
import { DeviceSums } from './device-sums';
import { labeledBatches, testEpoch } from './evaluate';
import { checkInteger } from '../nn/layer';
import { History } from './history';
import { checkSplit } from './inputs';
import type { Sequential } from './sequential';
import { trainStep } from './step';

export interface FitOptions {
  /** Epochs to train up to (default 1). */
  epochs?: number;
  /** Samples per batch (default 32); the last batch may be smaller. */
  batchSize?: number;
  /** Reshuffle the training samples every epoch (default true; seeded by wg.seed). */
  shuffle?: boolean;
  /** The last fraction of the samples (taken before shuffling) held out for validation. */
  validationSplit?: number;
  /** Validation data `[x, y]` or a wg.data dataset (overrides validationSplit). */
  validationData?: readonly [Tensor, Tensor] | Dataset;
  /**
   * Keras hooks. With any `onBatchEnd`, each batch's logs hold real numbers: `loss` and each metric
   * are the running means over the epoch so far (Keras 2/3's batch logs; the last batch's equal
   * `onEpochEnd`'s). `onBatchEnd(i)` runs once batch i is done and batch i + 1 is queued (after
   * `onBatchBegin(i + 1)`), so the device never waits for the callback. Without one, fit reads
   * once per epoch.
   */
  callbacks?: readonly Callback[];
  /** 0: silent; 1: a progress bar (default); 2: one line per epoch. */
  verbose?: 0 | 1 | 2;
  /** The epoch to start from (resuming a previous fit). */
  initialEpoch?: number;
}

/** Milliseconds between yields to the event loop while batch callbacks run. */
const YIELD_MS = 100;

/** A host stream for the epochs' orders, drawn from wg.seed's global stream (reproducible). */
function seededStream(): () => number {
  const { key, stream } = nextDraw('fit');
  return uniformStream((key ^ Math.imul(stream, 0x9e3779b9)) >>> 0);
}

/** A batch whose logs are being read back (its sums' snapshot, queued after it). */
interface QueuedBatch {
  batch: number;
  size: number;
  read: ReturnType<DeviceSums['snapshot']>;
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

const logsOf = (names: readonly string[], values: readonly number[], prefix = ''): Logs => Object.fromEntries(names.map((n, i) => [prefix + n, values[i]]));

/** The last `fraction` of a tensor's samples and the rest (Keras's validationSplit). */
function splitLast(x: Tensor, y: Tensor, fraction: number): { train: [Tensor, Tensor]; val: [Tensor, Tensor] } {
  const n = x.shape[0];
  const at = Math.floor(n * (1 - fraction));
  if (at === 0 || at === n) throw new ArgumentError(`fit: validationSplit ${fraction} of ${n} samples leaves ${at === 0 ? 'no training' : 'no validation'} samples`);
  const part = (t: Tensor, from: number, count: number) => t.slice([from, ...t.shape.slice(1).map(() => 0)], [count, ...t.shape.slice(1).map(() => -1)]);
  return { train: [part(x, 0, at), part(y, 0, at)], val: [part(x, at, n - at), part(y, at, n - at)] };
}

function checkOptions(opts: FitOptions): Required<Pick<FitOptions, 'epochs' | 'batchSize' | 'shuffle' | 'verbose' | 'initialEpoch'>> {
  const { epochs = 1, batchSize = 32, shuffle = true, verbose = 1, initialEpoch = 0 } = opts;
  checkInteger('fit', 'epochs', epochs);
  checkInteger('fit', 'batchSize', batchSize);
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0) throw new ArgumentError(`fit: initialEpoch must be an integer ≥ 0, got ${initialEpoch}`);
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new ArgumentError(`fit: verbose must be 0, 1 or 2, got ${JSON.stringify(verbose)}`);
  if (opts.callbacks !== undefined && !Array.isArray(opts.callbacks)) throw new ArgumentError('fit: callbacks must be a list');
  return { epochs, batchSize, shuffle, verbose, initialEpoch };
}

/** Keras's fit on a Sequential (see FitOptions). */
export async function fit(model: Sequential, x: Tensor | Dataset, yOrOpts?: Tensor | FitOptions, maybeOpts?: FitOptions): Promise<History> {
  const c = model.compiledFor('fit');
  const y = yOrOpts instanceof Tensor ? yOrOpts : undefined;
  const opts = (yOrOpts instanceof Tensor ? maybeOpts : yOrOpts) ?? {};
  const { epochs, batchSize, shuffle, verbose, initialEpoch } = checkOptions(opts);
  const split = opts.validationSplit ?? 0;
  checkSplit(split);

  let trainX = x;
  let trainY = y;
  let val: Batches | null = null;
  if (opts.validationData) {
    const vd = opts.validationData;
    if (vd instanceof Dataset) val = await labeledBatches('fit (validationData)', model, c, vd, undefined, batchSize, null);
    else if (Array.isArray(vd) && vd.length === 2) val = await labeledBatches('fit (validationData)', model, c, vd[0], vd[1], batchSize, null);
    else throw new ArgumentError('fit: validationData must be [x, y] or a wg.data dataset');
  } else if (split > 0) {
    if (x instanceof Dataset || !y) throw new ArgumentError('fit: validationSplit needs tensors x and y (for a dataset, use dataset.split and validationData)');
    const parts = splitLast(Tensor.check(x, 'fit'), Tensor.check(y, 'fit'), split);
    [trainX, trainY] = parts.train;
    val = await labeledBatches('fit (validation)', model, c, parts.val[0], parts.val[1], batchSize, null);
  }
  const train = await labeledBatches('fit', model, c, trainX, trainY, batchSize, shuffle ? seededStream() : null);

  const metrics = model.metricsFor(c);
  const names = ['loss', ...metrics.map((m) => m.name)];
  const given = opts.callbacks ?? [];
  const list = new CallbackList(verbose > 0 && !given.some((cb) => cb instanceof Progress) ? [progress({ verbose: verbose as 1 | 2 }), ...given] : given);
  list.setup(model, { epochs, steps: train.steps, verbose, metrics: [...names, ...(val ? names.map((n) => `val_${n}`) : [])] });
  const batchLogs = list.wantsBatchLogs;
  const history = new History();
  let logs: Logs = {};
  model.stopTraining = false;
  const sums = new DeviceSums(names.length);
  const valSums = val ? new DeviceSums(names.length) : null;
  try {
    await list.trainBegin();
    for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
      await list.epochBegin(epoch);
      model.train();
      sums.reset();
      // Batch b's sums are read once batch b + 1 is queued, so the device always has work.
      let pending: QueuedBatch | null = null;
      const report = async ({ batch, size, read }: QueuedBatch) => list.batchEnd(batch, { ...logsOf(names, (await read).means), batch, size });
      let lastYield = performance.now();
      let b = 0;
      for (const { tensors, size } of train.epoch()) {
        await list.batchBegin(b, { batch: b, size });
        trainStep(model, c, metrics, tensors[0], tensors[1], size, sums).dispose();
        if (batchLogs) {
          const read = sums.snapshot();
          if (pending) await report(pending);
          pending = { batch: b, size, read };
          const now = performance.now();
          if (now - lastYield >= YIELD_MS) {
            lastYield = now;
            await nextTask();
          }
        }
        b++;
        if (model.stopTraining) break;
      }
      if (pending) await report(pending);
      logs = logsOf(names, (await sums.snapshot()).means);
      if (val) Object.assign(logs, logsOf(names, await testEpoch(model, c, metrics, val, valSums!), 'val_'));
      await list.epochEnd(epoch, logs);
      history.record(epoch, logs);
    }
    await list.trainEnd(logs);
  } finally {
    model.train();
    sums.dispose();
    valSums?.dispose();
    train.dispose();
    val?.dispose();
  }
  return history;
}
