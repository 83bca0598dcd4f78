// Adagrad with learning-rate decay and L2 weight decay, exactly torch.optim.Adagrad: the update
// rule as one pure elementwise function, and the optimizer.

import type { Tensor } from '../tensor';
import { nonNegative, positive } from './checks';
import { Optimizer, stateBuffer, withDefaults, type BaseOptions, type LearningRate, type Params } from './optimizer';

export interface AdagradOptions {
  lr?: LearningRate;
  /** The learning rate at step t is lr / (1 + (t − 1)·lrDecay). */
  lrDecay?: number;
  weightDecay?: number;
  /** The value the sum of squared gradients starts from. */
  initialAccumulatorValue?: number;
  eps?: number;
}

type Resolved = Required<AdagradOptions> & BaseOptions;

export interface AdagradState {
  [name: string]: Tensor | undefined;
  /** Sum of squared gradients, PyTorch's `sum`. */
  sum: Tensor;
}

export interface AdagradScalars {
  /** lr / (1 + (t − 1)·lrDecay). */
  clr: number;
  eps: number;
  weightDecay: number;
}

/** PyTorch's Adagrad step: g ← g + λp; s ← s + g²; p ← p − clr · g / (√s + ε). */
export function adagradRule(p: Tensor, g: Tensor, state: AdagradState, s: AdagradScalars): { p: Tensor; state: AdagradState } {
  const grad = s.weightDecay !== 0 ? g.add(p.mul(s.weightDecay)) : g;
  const sum = state.sum.add(grad.mul(grad));
  return { p: p.sub(grad.div(sum.sqrt().add(s.eps)).mul(s.clr)), state: { sum } };
}

/**
 * Adagrad, as `torch.optim.Adagrad` (lr 0.01, eps 1e-10).
 *
 * ```ts
 * const opt = new wg.optim.Adagrad(net.parameters(), { lr: 0.05 });
 * ```
 */
export class Adagrad extends Optimizer<Resolved, AdagradState, AdagradScalars> {
  protected readonly rule = adagradRule;

  constructor(params: Params<Resolved>, opts?: AdagradOptions) {
    super('Adagrad', params, withDefaults<Resolved>({ lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 }, opts), checkAdagrad);
  }

  protected initialState(p: Tensor, o: Resolved): AdagradState {
    return { sum: stateBuffer(p, o.initialAccumulatorValue) };
  }

  protected scalars(o: Resolved, lr: number, step: number): AdagradScalars {
    return { clr: lr / (1 + (step - 1) * o.lrDecay), eps: o.eps, weightDecay: o.weightDecay };
  }
}

function checkAdagrad(op: string, o: Resolved): void {
  nonNegative(op, 'lrDecay', o.lrDecay);
  nonNegative(op, 'weightDecay', o.weightDecay);
  nonNegative(op, 'initialAccumulatorValue', o.initialAccumulatorValue);
  positive(op, 'eps', o.eps);
}
