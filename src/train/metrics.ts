// Training metrics (wg.metrics): each maps a batch's predictions and targets to a scalar mean
// over the batch, which fit weights by the batch's size. 'accuracy' resolves to binary,
// categorical or sparse accuracy from the loss and the shapes, as Keras does.

import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';

/** A metric: its name in `History` and logs, and its batch mean. */
export interface Metric {
  readonly name: string;
  readonly fn: (predictions: Tensor, targets: Tensor) => Tensor;
}

/** What `compile({ metrics })` takes: a name, a Metric object or a function (named by `fn.name`). */
export type MetricSpec = 'accuracy' | 'acc' | 'mse' | 'mae' | 'meanSquaredError' | 'meanAbsoluteError' | Metric | Metric['fn'];

/** The fraction of predictions > 0.5 that match targets of 0 and 1. */
export function binaryAccuracy(predictions: Tensor, targets: Tensor): Tensor {
  return predictions.greater(0.5).cast('float32').equal(targets.cast('float32')).cast('float32').mean();
}

/** The fraction of rows whose largest prediction is at the targets' largest entry (one-hot targets). */
export function categoricalAccuracy(predictions: Tensor, targets: Tensor): Tensor {
  return predictions.argmax(-1).equal(targets.argmax(-1)).cast('float32').mean();
}

/** The fraction of rows whose largest prediction is at the integer label (`[N]` or `[N, 1]`). */
export function sparseCategoricalAccuracy(predictions: Tensor, targets: Tensor): Tensor {
  const labels = targets.rank === predictions.rank ? targets.squeeze(-1) : targets;
  return predictions.argmax(-1).equal(labels.cast('int32')).cast('float32').mean();
}

/** The mean squared difference. */
export function mse(predictions: Tensor, targets: Tensor): Tensor {
  return predictions.sub(targets.cast('float32')).square().mean();
}

/** The mean absolute difference. */
export function mae(predictions: Tensor, targets: Tensor): Tensor {
  return predictions.sub(targets.cast('float32')).abs().mean();
}

/** What the compiled loss says about the targets, for resolving 'accuracy'. */
export interface MetricContext {
  /** The loss's Keras name, when it was given by name. */
  readonly lossName: string | null;
  /** The model's output shape (batch axis null). */
  readonly outputShape: readonly (number | null)[];
}

function accuracyFor(ctx: MetricContext): Metric['fn'] {
  const last = ctx.outputShape[ctx.outputShape.length - 1];
  if (ctx.lossName === 'binaryCrossentropy' || last === 1) return binaryAccuracy;
  if (ctx.lossName === 'sparseCategoricalCrossentropy') return sparseCategoricalAccuracy;
  if (ctx.lossName === 'categoricalCrossentropy') return categoricalAccuracy;
  // Other losses: integer labels (one axis fewer) are sparse, else one-hot (chosen per batch below).
  return (p, t) => (t.rank < p.rank || t.dtype === 'int32' ? sparseCategoricalAccuracy(p, t) : categoricalAccuracy(p, t));
}

/**
 * The metric a `compile({ metrics })` entry names.
 *
 * ```ts
 * const m = wg.metrics.get('accuracy', { lossName: 'sparseCategoricalCrossentropy', outputShape: [null, 10] });
 * ```
 */
export function get(spec: MetricSpec, ctx: MetricContext): Metric {
  if (typeof spec === 'function') {
    if (!spec.name) throw new ArgumentError('compile: a metric function needs a name (a named function, or { name, fn })');
    return { name: spec.name, fn: spec };
  }
  if (typeof spec === 'object' && spec !== null && typeof spec.name === 'string' && typeof spec.fn === 'function') return spec;
  switch (spec) {
    case 'accuracy':
    case 'acc':
      return { name: spec, fn: accuracyFor(ctx) };
    case 'mse':
    case 'meanSquaredError':
      return { name: spec, fn: mse };
    case 'mae':
    case 'meanAbsoluteError':
      return { name: spec, fn: mae };
    default:
      throw new ArgumentError(`compile: unknown metric ${JSON.stringify(spec)} (expected 'accuracy', 'mse', 'mae', { name, fn } or a named function)`);
  }
}
