// Keras's loss names for `compile` (API.md "Losses"), mapped onto webgrad's losses. On
// probabilities Keras clips to [ε, 1 − ε] with ε = 1e-7 (and renormalizes categorical rows);
// that clipping is reproduced here so a Keras model trains to the same numbers.

import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';
import { binaryCrossEntropyWithLogits } from './binary';
import { crossEntropy } from './cross-entropy';
import { mae, mse } from './regression';

/** Keras's `backend.epsilon()`. */
const KERAS_EPSILON = 1e-7;

export type KerasLossName =
  | 'meanSquaredError'
  | 'mse'
  | 'meanAbsoluteError'
  | 'mae'
  | 'categoricalCrossentropy'
  | 'sparseCategoricalCrossentropy'
  | 'binaryCrossentropy';

/** A loss of a batch: predictions and targets to a scalar. */
export type LossFn = (predictions: Tensor, targets: Tensor) => Tensor;

/** What `compile({ loss })` takes: a Keras name, a name with `fromLogits`, or a function. */
export type LossSpec = KerasLossName | { name: KerasLossName; fromLogits?: boolean } | LossFn;

const clipProbs = (p: Tensor) => p.cast('float32').clip(KERAS_EPSILON, 1 - KERAS_EPSILON);

/** Sparse labels as Keras takes them: int32 or float class indices, `[N]` or `[N, 1]`. */
function sparseLabels(labels: Tensor, predictions: Tensor): Tensor {
  const squeezed = labels.rank === predictions.rank && labels.shape[labels.rank - 1] === 1 ? labels.squeeze(-1) : labels;
  return squeezed.cast('int32');
}

function byName(name: KerasLossName, fromLogits: boolean): LossFn {
  switch (name) {
    case 'meanSquaredError':
    case 'mse':
      return (p, t) => mse(p, t);
    case 'meanAbsoluteError':
    case 'mae':
      return (p, t) => mae(p, t);
    case 'categoricalCrossentropy':
      if (fromLogits) return (p, t) => crossEntropy(p, t.cast('float32'));
      return (p, t) => {
        const o = clipProbs(p.div(p.sum(-1, true)));
        return o.log().mul(t.cast('float32')).sum(-1).neg().mean();
      };
    case 'sparseCategoricalCrossentropy':
      // On probabilities Keras takes the log of the clipped values as logits (TensorFlow backend).
      return fromLogits ? (p, t) => crossEntropy(p, sparseLabels(t, p)) : (p, t) => crossEntropy(clipProbs(p).log(), sparseLabels(t, p));
    case 'binaryCrossentropy':
      if (fromLogits) return (p, t) => binaryCrossEntropyWithLogits(p, t);
      return (p, t) => {
        const o = clipProbs(p);
        const y = t.cast('float32');
        return y.mul(o.log()).add(y.neg().add(1).mul(o.neg().add(1).log())).neg().mean();
      };
    default:
      throw new ArgumentError(
        `losses.get: unknown loss ${JSON.stringify(name)} (expected 'meanSquaredError', 'mse', 'meanAbsoluteError', 'mae', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy' or 'binaryCrossentropy')`,
      );
  }
}

/**
 * The loss function a `compile({ loss })` spec names (Keras names, `fromLogits` default
 * false as in Keras); a function is returned as is.
 *
 * ```ts
 * const lossFn = wg.losses.get({ name: 'sparseCategoricalCrossentropy', fromLogits: true });
 * const loss = lossFn(logits, labels);
 * ```
 */
export function get(spec: LossSpec): LossFn {
  if (typeof spec === 'function') return spec;
  if (typeof spec === 'string') return byName(spec, false);
  if (typeof spec === 'object' && spec !== null && typeof spec.name === 'string') return byName(spec.name, spec.fromLogits ?? false);
  throw new ArgumentError(`losses.get: expected a loss name, { name, fromLogits } or a function, got ${JSON.stringify(spec)}`);
}
