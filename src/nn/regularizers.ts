// wg.regularizers: weight penalties (Keras's l1, l2, l1l2). A layer applies its kernel
// regularizer to its kernel; Module.regularizationLoss() sums them for the training loop.

import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';

/** A penalty on one weight tensor. */
export interface Regularizer {
  readonly className: string;
  /** A scalar: l1 · Σ|w| + l2 · Σw². */
  penalty(w: Tensor): Tensor;
  getConfig(): { l1: number; l2: number };
}

function checkFactor(op: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new ArgumentError(`regularizers.${op}: the factor must be a finite number ≥ 0, got ${v}`);
  return v;
}

/**
 * Both penalties: l1 · Σ|w| + l2 · Σw².
 *
 * ```ts
 * wg.layers.dense({ units: 8, kernelRegularizer: wg.regularizers.l1l2({ l1: 1e-5, l2: 1e-4 }) });
 * ```
 */
export function l1l2({ l1: a = 0, l2: b = 0 }: { l1?: number; l2?: number } = {}): Regularizer {
  checkFactor('l1l2', a);
  checkFactor('l1l2', b);
  return {
    className: 'L1L2',
    penalty(w) {
      const l1 = w.abs().sum().mul(a);
      const l2 = w.square().sum().mul(b);
      return a === 0 ? l2 : b === 0 ? l1 : l1.add(l2);
    },
    getConfig: () => ({ l1: a, l2: b }),
  };
}

/** l1 · Σ|w| (Keras's default factor 0.01). */
export const l1 = (factor = 0.01): Regularizer => ({ ...l1l2({ l1: checkFactor('l1', factor) }), className: 'L1' });

/** l2 · Σw² (Keras's default factor 0.01). */
export const l2 = (factor = 0.01): Regularizer => ({ ...l1l2({ l2: checkFactor('l2', factor) }), className: 'L2' });
