// evaluate and predict: the model in evaluation mode over data in batches. evaluate adds each
// batch's loss and metrics to device sums (one submit per batch) and reads them once; predict
// realizes each batch's outputs and joins them into one tensor.

import { Dataset } from '../data/dataset';
import { checkInteger } from '../nn/layer';
import { ArgumentError } from '../errors';
import { concat } from '../ops/movement';
import { realize } from '../engine';
import { noGrad, Tensor } from '../tensor';
import { BatchSource, datasetBatches, type Batches } from './batches';
import type { Compiled } from './compile';
import { DeviceSums } from './device-sums';
import { adaptInput, adaptTargets, checkLabels, checkSampleCounts, checkTargets } from './inputs';
import type { Metric } from './metrics';
import type { Sequential } from './sequential';
import { testStep } from './step';

export interface EvaluateOptions {
  /** Samples per batch (default 32). */
  batchSize?: number;
}

export interface PredictOptions {
  /** Samples per batch (default 32). */
  batchSize?: number;
}

/** The mean loss and metrics over every batch (evaluation mode; one read at the end), in `sums`. */
export async function testEpoch(model: Sequential, c: Compiled, metrics: readonly Metric[], batches: Batches, sums: DeviceSums): Promise<number[]> {
  model.eval();
  sums.reset();
  for (const { tensors, size } of batches.epoch()) {
    testStep(model, c, metrics, tensors[0], tensors[1], size, sums);
    sums.flush();
  }
  return (await sums.snapshot()).means;
}

/** x and y (tensors or a dataset) as batches, adapted and checked for the compiled model. */
export async function labeledBatches(op: string, model: Sequential, c: Compiled, x: Tensor | Dataset, y: Tensor | undefined, batchSize: number, shuffle: (() => number) | null): Promise<Batches> {
  if (x instanceof Dataset) {
    model.buildFor(adaptInput(op, model, x.x));
    const targets = adaptTargets(op, model, c, x.y);
    checkTargets(op, model, c, targets);
    await checkLabels(op, model, c, targets);
    return datasetBatches(x, batchSize, (b) => [adaptInput(op, model, b.x), adaptTargets(op, model, c, b.y)]);
  }
  const input = adaptInput(op, model, x);
  if (y === undefined) throw new ArgumentError(`${op}: needs targets y with the tensor x (or a wg.data dataset of { x, y })`);
  model.buildFor(input);
  const targets = adaptTargets(op, model, c, y);
  checkSampleCounts(op, input, targets);
  checkTargets(op, model, c, targets);
  await checkLabels(op, model, c, targets);
  if (input.shape[0] === 0) throw new ArgumentError(`${op}: x has no samples`);
  return new BatchSource([input, targets], batchSize, shuffle);
}

/** Keras's evaluate: the loss, or `[loss, ...metrics]` with metrics. */
export async function evaluate(model: Sequential, x: Tensor | Dataset, yOrOpts?: Tensor | EvaluateOptions, maybeOpts?: EvaluateOptions): Promise<number | number[]> {
  const c = model.compiledFor('evaluate');
  const y = yOrOpts instanceof Tensor ? yOrOpts : undefined;
  const opts = (yOrOpts instanceof Tensor ? maybeOpts : yOrOpts) ?? {};
  const batchSize = checkInteger('evaluate', 'batchSize', opts.batchSize ?? 32);
  const batches = await labeledBatches('evaluate', model, c, x, y, batchSize, null);
  const metrics = model.metricsFor(c);
  const sums = new DeviceSums(1 + metrics.length);
  try {
    const means = await testEpoch(model, c, metrics, batches, sums);
    return metrics.length ? means : means[0];
  } finally {
    sums.dispose();
    batches.dispose();
  }
}

/** The model's outputs for `x`, in batches, joined on the batch axis. */
export function predict(model: Sequential, x: Tensor, opts: PredictOptions): Tensor {
  const input = adaptInput('predict', model, x);
  const batchSize = checkInteger('predict', 'batchSize', opts.batchSize ?? 32);
  model.buildFor(input);
  model.eval();
  if (input.shape[0] <= batchSize) return noGrad(() => model.forward(input));
  const source = new BatchSource([input], batchSize, null);
  try {
    const outs: Tensor[] = [];
    for (const { tensors } of source.epoch()) {
      const out = noGrad(() => model.forward(tensors[0]));
      realize(out);
      outs.push(out);
    }
    const joined = concat(outs, 0);
    realize(joined);
    for (const o of outs) o.dispose();
    return joined;
  } finally {
    source.dispose();
  }
}
