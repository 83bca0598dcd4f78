// Cross-entropy over the last axis, as torch.nn.functional.cross_entropy and nll_loss. Integer
// class indices go through the fused softmax-cross-entropy kernels of src/ops/softmax.ts (one
// kernel forward, one backward); probability targets through logSoftmax.

import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { sameShape, shapeStr } from '../shape';
import { classRange } from '../ops/gather';
import { softmaxCrossEntropy } from '../ops/softmax';
import { Tensor } from '../tensor';
import { reduceLoss, reductionOf, type LossOptions } from './reduction';

export interface CrossEntropyOptions extends LossOptions {
  /** Mixes the targets with the uniform distribution: t·(1 − ε) + ε/C (PyTorch's). Default 0. */
  labelSmoothing?: number;
}

/** Checks logits `[..., C]` and int32 labels of the leading shape; returns both as rows. */
function indexRows(op: string, logits: Tensor, labels: Tensor): { x: Tensor; labels: Tensor } {
  if (logits.rank === 0) throw new ShapeError(`${op}: logits must have a class axis (rank ≥ 1), got a scalar`);
  const lead = logits.shape.slice(0, -1);
  if (!sameShape(labels.shape, lead)) {
    throw new ShapeError(`${op}: int32 labels must have shape ${shapeStr(lead)} for logits ${shapeStr(logits.shape)}, got ${shapeStr(labels.shape)}`);
  }
  return { x: logits.cast('float32').reshape([-1, logits.shape[logits.rank - 1]]), labels: labels.reshape([-1]) };
}

function smoothingOf(op: string, opts: CrossEntropyOptions | undefined): number {
  const e = opts?.labelSmoothing ?? 0;
  if (typeof e !== 'number' || !(e >= 0 && e <= 1)) throw new ArgumentError(`${op}: labelSmoothing must be a number in [0, 1], got ${e}`);
  return e;
}

/**
 * Cross-entropy of `logits [..., C]` (unnormalized, over the last axis) against `targets`:
 * int32 class indices of shape `[...]`, or float probabilities of the logits' shape. Stable
 * for logits of any magnitude. Labels outside [0, C) give NaN (no `ignore_index`).
 *
 * ```ts
 * const loss = wg.losses.crossEntropy(net.forward(x), y);            // y: int32 [N]
 * const soft = wg.losses.crossEntropy(logits, probs, { labelSmoothing: 0.1 });
 * ```
 */
export function crossEntropy(logits: Tensor, targets: Tensor, opts?: CrossEntropyOptions): Tensor {
  logits = Tensor.check(logits, 'crossEntropy');
  targets = Tensor.check(targets, 'crossEntropy');
  const reduction = reductionOf('crossEntropy', opts);
  const eps = smoothingOf('crossEntropy', opts);
  if (targets.dtype === 'int32') {
    const { x, labels } = indexRows('crossEntropy', logits, targets);
    let perRow = softmaxCrossEntropy(x, labels);
    // PyTorch: (1 − ε)·nll + ε·mean over classes of −log p.
    if (eps > 0) perRow = perRow.mul(1 - eps).sub(x.logSoftmax(-1).mean(-1).mul(eps));
    return reduceLoss(perRow.reshape(targets.shape), reduction);
  }
  if (targets.dtype !== 'float32') throw new DTypeError(`crossEntropy: targets must be int32 class indices or float32 probabilities, got ${targets.dtype}`);
  if (!sameShape(targets.shape, logits.shape)) {
    throw new ShapeError(`crossEntropy: probability targets must have the logits' shape ${shapeStr(logits.shape)}, got ${shapeStr(targets.shape)}`);
  }
  if (logits.rank === 0) throw new ShapeError('crossEntropy: logits must have a class axis (rank ≥ 1), got a scalar');
  const classes = logits.shape[logits.rank - 1];
  const t = eps > 0 ? targets.mul(1 - eps).add(eps / classes) : targets;
  return reduceLoss(logits.cast('float32').logSoftmax(-1).mul(t).sum(-1).neg(), reduction);
}

/**
 * Negative log-likelihood of `logProbs [..., C]` (log-probabilities, e.g. from `logSoftmax`)
 * at int32 `labels [...]`: −logProbs[…, label], as PyTorch's `nll_loss`. Labels outside
 * [0, C) contribute 0.
 *
 * ```ts
 * const loss = wg.losses.nll(logits.logSoftmax(), y);
 * ```
 */
export function nll(logProbs: Tensor, labels: Tensor, opts?: LossOptions): Tensor {
  logProbs = Tensor.check(logProbs, 'nll');
  labels = Tensor.check(labels, 'nll');
  if (labels.dtype !== 'int32') throw new DTypeError(`nll: labels must be int32 class indices, got ${labels.dtype}`);
  const { x, labels: flat } = indexRows('nll', logProbs, labels);
  // A select, not a one-hot product: −∞ log-probabilities off the label must not make NaN.
  const hit = flat.expandDims(-1).equal(classRange(x.shape[1]));
  const picked = x.where(hit, 0).sum(-1).neg();
  return reduceLoss(picked.reshape(labels.shape), reductionOf('nll', opts));
}
