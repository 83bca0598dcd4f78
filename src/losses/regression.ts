// The regression losses: mean squared error, mean absolute error and Huber, as
// torch.nn.functional.mse_loss, l1_loss and huber_loss. Pure compositions of elementwise ops,
// so each fuses with its reduction into one kernel.

import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';
import { reduceLoss, reductionOf, sameShapePair, type LossOptions } from './reduction';

/**
 * Squared error (p − t)², reduced (mean by default).
 *
 * ```ts
 * const loss = wg.losses.mse(model.forward(x), y);
 * ```
 */
export function mse(predictions: Tensor, targets: Tensor, opts?: LossOptions): Tensor {
  const [p, t] = sameShapePair('mse', predictions, targets);
  return reduceLoss(p.sub(t).square(), reductionOf('mse', opts));
}

/**
 * Absolute error |p − t|, reduced (mean by default); PyTorch's `l1_loss`.
 *
 * ```ts
 * const loss = wg.losses.mae(pred, y, { reduction: 'sum' });
 * ```
 */
export function mae(predictions: Tensor, targets: Tensor, opts?: LossOptions): Tensor {
  const [p, t] = sameShapePair('mae', predictions, targets);
  return reduceLoss(p.sub(t).abs(), reductionOf('mae', opts));
}

export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear (> 0). Default 1. */
  delta?: number;
}

/**
 * Huber loss: ½d² where |d| < delta, else delta·(|d| − ½delta), with d = p − t (PyTorch's
 * `huber_loss`).
 *
 * ```ts
 * const loss = wg.losses.huber(pred, y, { delta: 0.5 });
 * ```
 */
export function huber(predictions: Tensor, targets: Tensor, opts?: HuberOptions): Tensor {
  const delta = opts?.delta ?? 1;
  if (typeof delta !== 'number' || !(delta > 0) || !Number.isFinite(delta)) throw new ArgumentError(`huber: delta must be a finite number > 0, got ${delta}`);
  const [p, t] = sameShapePair('huber', predictions, targets);
  const d = p.sub(t);
  const a = d.abs();
  const perElement = d.square().mul(0.5).where(a.less(delta), a.sub(0.5 * delta).mul(delta));
  return reduceLoss(perElement, reductionOf('huber', opts));
}
