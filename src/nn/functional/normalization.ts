// Normalization functions: batchNorm (given statistics, last axis) and layerNorm (statistics of
// each sample over an axis). Composed from elementwise ops and reductions, so their gradients
// come from those ops' rules and they fuse like any elementwise chain.

import { ArgumentError, ShapeError } from '../../errors';
import { normAxis, shapeStr } from '../../shape';
import { Tensor } from '../../tensor';

export interface BatchNormOptions {
  /** Scale, shape [C] (the last axis). */
  gamma?: Tensor;
  /** Offset, shape [C]. */
  beta?: Tensor;
  epsilon?: number;
}

export interface LayerNormOptions {
  gamma?: Tensor;
  beta?: Tensor;
  epsilon?: number;
  /** The axis normalized (statistics per position of the other axes). */
  axis?: number;
}

function checkEpsilon(op: string, epsilon: number): void {
  if (!Number.isFinite(epsilon) || epsilon < 0) throw new ArgumentError(`${op}: epsilon must be a finite number ≥ 0, got ${epsilon}`);
}

function checkChannelVector(op: string, name: string, v: Tensor | undefined, x: Tensor, size: number): void {
  if (v === undefined) return;
  Tensor.check(v, op);
  if (v.rank !== 1 || v.shape[0] !== size) {
    throw new ShapeError(`${op}: ${name} must have shape [${size}] for an input of shape ${shapeStr(x.shape)}, got ${shapeStr(v.shape)}`);
  }
}

function scaleShift(y: Tensor, gamma: Tensor | undefined, beta: Tensor | undefined): Tensor {
  const scaled = gamma ? y.mul(gamma) : y;
  return beta ? scaled.add(beta) : scaled;
}

/**
 * Normalizes the last axis of `x` with the given statistics: (x − mean) / √(variance + ε) · γ + β.
 *
 * ```ts
 * const y = wg.batchNorm(x, x.mean(0), x.variance(0), { gamma, beta }); // x [N, C]
 * ```
 */
export function batchNorm(x: Tensor, mean: Tensor, variance: Tensor, opts: BatchNormOptions = {}): Tensor {
  x = Tensor.check(x, 'batchNorm');
  const { gamma, beta, epsilon = 1e-3 } = opts;
  checkEpsilon('batchNorm', epsilon);
  if (x.rank < 1) throw new ShapeError(`batchNorm: needs an input of rank ≥ 1, got shape ${shapeStr(x.shape)}`);
  const c = x.shape[x.rank - 1];
  checkChannelVector('batchNorm', 'mean', Tensor.check(mean, 'batchNorm'), x, c);
  checkChannelVector('batchNorm', 'variance', Tensor.check(variance, 'batchNorm'), x, c);
  checkChannelVector('batchNorm', 'gamma', gamma, x, c);
  checkChannelVector('batchNorm', 'beta', beta, x, c);
  return scaleShift(x.sub(mean).mul(variance.add(epsilon).rsqrt()), gamma, beta);
}

/**
 * Normalizes each sample over `axis` (default the last) with its own mean and population
 * variance, then scales by γ and shifts by β (both of that axis's size), as PyTorch's layer_norm.
 *
 * ```ts
 * const y = wg.layerNorm(x, { gamma, beta }); // x [N, D], gamma and beta [D]
 * ```
 */
export function layerNorm(x: Tensor, opts: LayerNormOptions = {}): Tensor {
  x = Tensor.check(x, 'layerNorm');
  const { gamma, beta, epsilon = 1e-5, axis = -1 } = opts;
  checkEpsilon('layerNorm', epsilon);
  if (x.rank < 1) throw new ShapeError(`layerNorm: needs an input of rank ≥ 1, got shape ${shapeStr(x.shape)}`);
  const a = normAxis('layerNorm', axis, x.rank);
  checkChannelVector('layerNorm', 'gamma', gamma, x, x.shape[a]);
  checkChannelVector('layerNorm', 'beta', beta, x, x.shape[a]);
  const centered = x.sub(x.mean(a, true));
  const y = centered.mul(centered.square().mean(a, true).add(epsilon).rsqrt());
  const along = (v: Tensor | undefined) => (v && a !== x.rank - 1 ? v.reshape([v.shape[0], ...x.shape.slice(a + 1).map(() => 1)]) : v);
  return scaleShift(y, along(gamma), along(beta));
}
