// What `compile` resolves: the optimizer (an instance, or a name with Keras's default learning
// rate, built on the model so it also takes parameters created later) and the loss (a Keras
// name, `{ name, fromLogits }` or a function), remembering the loss's name for 'accuracy'.

import { ArgumentError } from '../errors';
import { get as getLoss, type LossFn, type LossSpec } from '../losses/keras';
import type { Module } from '../nn/module';
import { Adagrad, Adam, AdamW, Optimizer, RMSprop, SGD, type LearningRate } from '../optim/index';
import { get as getMetric, type MetricSpec } from './metrics';

/** What fit needs of an optimizer (every wg.optim optimizer is one). */
export interface AnyOptimizer {
  readonly paramGroups: { lr: LearningRate }[];
  step(): void;
  zeroGrad(): void;
}

/** The optimizer names `compile` accepts. */
export type OptimizerName = 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';

export interface CompileOptions {
  /** An optimizer instance or a name (Keras's default learning rates: sgd 0.01, others 0.001). */
  optimizer: OptimizerName | AnyOptimizer;
  loss: LossSpec;
  metrics?: readonly MetricSpec[];
}

/** The compiled state of a model. */
export interface Compiled {
  readonly optimizer: AnyOptimizer;
  readonly loss: LossFn;
  /** The loss's Keras name ('sparseCategoricalCrossentropy', …), or null for a function. */
  readonly lossName: string | null;
  /** Whether the loss takes integer class labels (sparse cross-entropy). */
  readonly sparseLabels: boolean;
  readonly metrics: readonly MetricSpec[];
}

function optimizerByName(name: string, model: Module): AnyOptimizer {
  switch (name) {
    case 'sgd':
      return new SGD(model, { lr: 0.01 });
    case 'adam':
      return new Adam(model, { lr: 1e-3 });
    case 'adamw':
      return new AdamW(model, { lr: 1e-3 });
    case 'rmsprop':
      return new RMSprop(model, { lr: 1e-3 });
    case 'adagrad':
      return new Adagrad(model, { lr: 1e-3 });
    default:
      throw new ArgumentError(`compile: unknown optimizer ${JSON.stringify(name)} (expected 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad' or an optimizer instance)`);
  }
}

/** Resolves `compile`'s options for `model`. */
export function resolveCompile(model: Module, opts: CompileOptions): Compiled {
  if (!opts || typeof opts !== 'object') throw new ArgumentError('compile: expected { optimizer, loss, metrics? }');
  const { optimizer, loss, metrics = [] } = opts;
  const opt = typeof optimizer === 'string' ? optimizerByName(optimizer, model) : optimizer;
  if (!(opt instanceof Optimizer)) throw new ArgumentError(`compile: optimizer must be a name or a wg.optim optimizer, got ${String(optimizer)}`);
  if (loss === undefined) throw new ArgumentError("compile: needs a loss (a Keras name such as 'mse', { name, fromLogits } or a function)");
  const lossName = typeof loss === 'string' ? loss : typeof loss === 'object' && loss !== null ? loss.name : null;
  if (!Array.isArray(metrics)) throw new ArgumentError(`compile: metrics must be a list, got ${typeof metrics}`);
  // Names are checked now; 'accuracy' is resolved once the model's output shape is known.
  for (const m of metrics) getMetric(m, { lossName, outputShape: [] });
  return { optimizer: opt, loss: getLoss(loss), lossName, sparseLabels: lossName === 'sparseCategoricalCrossentropy', metrics };
}
