// What every loss shares: the `reduction` option (mean, sum, none, as PyTorch) and the checks
// on predictions and targets. Losses compute per-element values; this file reduces them.

import { ArgumentError, ShapeError } from '../errors';
import { sameShape, shapeStr } from '../shape';
import { Tensor } from '../tensor';

/** How a loss reduces its per-element values: their mean (default), their sum, or none. */
export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  reduction?: Reduction;
}

/** The reduction of `opts`, checked. */
export function reductionOf(op: string, opts: LossOptions | undefined): Reduction {
  const r = opts?.reduction ?? 'mean';
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new ArgumentError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(r)}`);
  return r;
}

/** Per-element losses reduced as asked: a scalar for mean and sum, the same tensor for none. */
export function reduceLoss(perElement: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return perElement;
  return reduction === 'sum' ? perElement.sum() : perElement.mean();
}

/**
 * Checks that predictions and targets are live tensors of one shape (PyTorch only warns on a
 * mismatch; a silent broadcast of [N] against [N, 1] is a classic bug) and returns them as
 * float32.
 */
export function sameShapePair(op: string, predictions: Tensor, targets: Tensor): [Tensor, Tensor] {
  const p = Tensor.check(predictions, op);
  const t = Tensor.check(targets, op);
  if (!sameShape(p.shape, t.shape)) {
    throw new ShapeError(`${op}: predictions ${shapeStr(p.shape)} and targets ${shapeStr(t.shape)} must have the same shape`);
  }
  return [p.cast('float32'), t.cast('float32')];
}
