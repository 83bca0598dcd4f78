// RMSprop with momentum, centering and L2 weight decay, exactly torch.optim.RMSprop: the update
// rule as one pure elementwise function, and the optimizer.

import type { Tensor } from '../tensor';
import { nonNegative, positive } from './checks';
import { Optimizer, stateBuffer, withDefaults, type BaseOptions, type LearningRate, type Params } from './optimizer';

export interface RMSpropOptions {
  lr?: LearningRate;
  /** Smoothing of the running average of squared gradients. */
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  /** Normalize by the variance estimate (subtract the squared running mean of gradients). */
  centered?: boolean;
}

type Resolved = Required<RMSpropOptions> & BaseOptions;

export interface RMSpropState {
  [name: string]: Tensor | undefined;
  /** PyTorch's `square_avg`. */
  squareAvg: Tensor;
  /** PyTorch's `momentum_buffer` (momentum > 0). */
  momentumBuffer?: Tensor;
  /** PyTorch's `grad_avg` (centered). */
  gradAvg?: Tensor;
}

export interface RMSpropScalars {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
}

/**
 * PyTorch's RMSprop step: g ← g + λp; v ← αv + (1 − α)g²; (centered: ḡ ← lerp(ḡ, g, 1 − α),
 * v' = v − ḡ²); a = √v' + ε; momentum: b ← μb + g/a, p ← p − lr·b; else p ← p − lr·g/a.
 */
export function rmspropRule(p: Tensor, g: Tensor, state: RMSpropState, s: RMSpropScalars): { p: Tensor; state: RMSpropState } {
  const grad = s.weightDecay !== 0 ? g.add(p.mul(s.weightDecay)) : g;
  const squareAvg = state.squareAvg.mul(s.alpha).add(grad.mul(grad).mul(1 - s.alpha));
  const next: RMSpropState = { squareAvg };
  let variance = squareAvg;
  if (state.gradAvg) {
    next.gradAvg = state.gradAvg.add(grad.sub(state.gradAvg).mul(1 - s.alpha));
    variance = squareAvg.sub(next.gradAvg.mul(next.gradAvg));
  }
  const avg = variance.sqrt().add(s.eps);
  if (!state.momentumBuffer) return { p: p.sub(grad.div(avg).mul(s.lr)), state: next };
  next.momentumBuffer = state.momentumBuffer.mul(s.momentum).add(grad.div(avg));
  return { p: p.sub(next.momentumBuffer.mul(s.lr)), state: next };
}

/**
 * RMSprop, as `torch.optim.RMSprop` (lr 0.01, alpha 0.99, eps 1e-8).
 *
 * ```ts
 * const opt = new wg.optim.RMSprop(net.parameters(), { lr: 1e-3, centered: true });
 * ```
 */
export class RMSprop extends Optimizer<Resolved, RMSpropState, RMSpropScalars> {
  protected readonly rule = rmspropRule;

  constructor(params: Params<Resolved>, opts?: RMSpropOptions) {
    super('RMSprop', params, withDefaults<Resolved>({ lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false }, opts), checkRMSprop);
  }

  protected initialState(p: Tensor, o: Resolved): RMSpropState {
    const s: RMSpropState = { squareAvg: stateBuffer(p) };
    if (o.momentum > 0) s.momentumBuffer = stateBuffer(p);
    if (o.centered) s.gradAvg = stateBuffer(p);
    return s;
  }

  protected scalars(o: Resolved, lr: number): RMSpropScalars {
    return { lr: lr, alpha: o.alpha, eps: o.eps, weightDecay: o.weightDecay, momentum: o.momentum };
  }
}

function checkRMSprop(op: string, o: Resolved): void {
  nonNegative(op, 'alpha', o.alpha);
  positive(op, 'eps', o.eps);
  nonNegative(op, 'weightDecay', o.weightDecay);
  nonNegative(op, 'momentum', o.momentum);
}
