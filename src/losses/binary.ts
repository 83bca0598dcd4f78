// Binary cross-entropy on probabilities and on logits, as torch.nn.functional's
// binary_cross_entropy (logs clamped at −100, its own gradient so p = 0 and p = 1 stay
// finite) and binary_cross_entropy_with_logits (stable for logits of any magnitude).

import { ArgumentError, ShapeError } from '../errors';
import { broadcastShapes, sameShape, shapeStr } from '../shape';
import { makeTensor, noGrad, Tensor } from '../tensor';
import { reduceLoss, reductionOf, sameShapePair, type LossOptions } from './reduction';

/** log(x) clamped below at −100, as PyTorch clamps the logs of binary cross-entropy. */
const clampedLog = (x: Tensor) => x.log().maximum(-100);

/**
 * Binary cross-entropy of probabilities `probs` against `targets` in [0, 1] (same shape):
 * −(t·log p + (1 − t)·log(1 − p)), each log clamped at −100 as PyTorch does, so p = 0 or 1
 * gives a finite loss and a finite gradient, (p − t) / max(p·(1 − p), 1e-12).
 *
 * ```ts
 * const loss = wg.losses.binaryCrossEntropy(logits.sigmoid(), y);
 * ```
 */
export function binaryCrossEntropy(probs: Tensor, targets: Tensor, opts?: LossOptions): Tensor {
  const [p, t] = sameShapePair('binaryCrossEntropy', probs, targets);
  const reduction = reductionOf('binaryCrossEntropy', opts);
  const logP = () => clampedLog(p);
  const log1mP = () => clampedLog(p.neg().add(1));
  const value = noGrad(() => t.mul(logP()).add(t.neg().add(1).mul(log1mP())).neg());
  const perElement = makeTensor(value.node, [p, t], (g) => [
    g.mul(p.sub(t)).div(p.mul(p.neg().add(1)).maximum(1e-12)),
    g.mul(log1mP().sub(logP())),
  ]);
  return reduceLoss(perElement, reduction);
}

export interface BceWithLogitsOptions extends LossOptions {
  /**
   * Weight of the positive term, broadcast against the last axis (PyTorch's `pos_weight`):
   * a number or a tensor, e.g. `[C]` for C independent labels.
   */
  posWeight?: Tensor | number;
}

/**
 * Binary cross-entropy of `logits` (before the sigmoid) against `targets` in [0, 1]:
 * (1 − t)·x + (1 + (w − 1)·t)·softplus(−x) with w = posWeight (default 1), PyTorch's
 * `binary_cross_entropy_with_logits`. Exact and finite for |x| ≥ 100.
 *
 * ```ts
 * const loss = wg.losses.binaryCrossEntropyWithLogits(logits, y, { posWeight: 3 });
 * ```
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, opts?: BceWithLogitsOptions): Tensor {
  const [x, t] = sameShapePair('binaryCrossEntropyWithLogits', logits, targets);
  const reduction = reductionOf('binaryCrossEntropyWithLogits', opts);
  const w = opts?.posWeight;
  const softplusNeg = x.neg().softplus();
  if (w === undefined) return reduceLoss(t.neg().add(1).mul(x).add(softplusNeg), reduction);
  if (typeof w === 'number' && !Number.isFinite(w)) throw new ArgumentError(`binaryCrossEntropyWithLogits: posWeight must be finite, got ${w}`);
  if (w instanceof Tensor) {
    Tensor.check(w, 'binaryCrossEntropyWithLogits');
    if (!sameShape(broadcastShapes('binaryCrossEntropyWithLogits', x.shape, w.shape), x.shape)) {
      throw new ShapeError(`binaryCrossEntropyWithLogits: posWeight ${shapeStr(w.shape)} must broadcast to the logits' shape ${shapeStr(x.shape)}`);
    }
  } else if (typeof w !== 'number') {
    throw new ArgumentError(`binaryCrossEntropyWithLogits: posWeight must be a number or a Tensor, got ${typeof w}`);
  }
  const logWeight = t.mul(typeof w === 'number' ? w - 1 : w.sub(1)).add(1);
  return reduceLoss(t.neg().add(1).mul(x).add(logWeight.mul(softplusNeg)), reduction);
}
