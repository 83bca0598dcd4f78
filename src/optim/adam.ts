// Adam (with amsgrad and L2 weight decay) and its decoupled-decay variant's rule, exactly
// torch.optim.Adam / AdamW: the update as one pure elementwise function, and the optimizer.

import { ArgumentError } from '../errors';
import type { Tensor } from '../tensor';
import { nonNegative, positive, unitInterval } from './checks';
import { Optimizer, stateBuffer, withDefaults, type BaseOptions, type LearningRate, type Params } from './optimizer';

export interface AdamOptions {
  lr?: LearningRate;
  betas?: readonly [number, number];
  eps?: number;
  /** Adam: an L2 penalty added to the gradient; AdamW: decoupled decay p ← p·(1 − lr·λ). */
  weightDecay?: number;
  /** Divide by the running maximum of the second moment (AMSGrad). */
  amsgrad?: boolean;
}

export type AdamResolved = Required<AdamOptions> & BaseOptions;

export interface AdamState {
  [name: string]: Tensor | undefined;
  /** First moment, PyTorch's `exp_avg`. */
  expAvg: Tensor;
  /** Second moment, PyTorch's `exp_avg_sq`. */
  expAvgSq: Tensor;
  /** Running maximum of the second moment, PyTorch's `max_exp_avg_sq` (amsgrad only). */
  maxExpAvgSq?: Tensor;
}

export interface AdamScalars {
  /** lr / (1 − β₁ᵗ). */
  stepSize: number;
  /** √(1 − β₂ᵗ). */
  bias2Sqrt: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** L2 penalty added to the gradient (Adam). */
  l2: number;
  /** Factor the parameter is multiplied by first, 1 − lr·λ (AdamW), or 1. */
  decay: number;
  amsgrad: boolean;
}

/**
 * PyTorch's Adam step: g ← g + λp; m ← lerp(m, g, 1 − β₁); v ← β₂v + (1 − β₂)g²;
 * (amsgrad: v̂ ← max(v̂, v)); p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε).
 */
export function adamRule(p: Tensor, g: Tensor, state: AdamState, s: AdamScalars): { p: Tensor; state: AdamState } {
  const grad = s.l2 !== 0 ? g.add(p.mul(s.l2)) : g;
  const expAvg = state.expAvg.add(grad.sub(state.expAvg).mul(1 - s.beta1));
  const expAvgSq = state.expAvgSq.mul(s.beta2).add(grad.mul(grad).mul(1 - s.beta2));
  const maxExpAvgSq = s.amsgrad && state.maxExpAvgSq ? state.maxExpAvgSq.maximum(expAvgSq) : undefined;
  const denom = (maxExpAvgSq ?? expAvgSq).sqrt().div(s.bias2Sqrt).add(s.eps);
  // Always multiplied (by 1 for Adam): the step's graph keeps one structure whatever the lr.
  const next = p.mul(s.decay).sub(expAvg.div(denom).mul(s.stepSize));
  return { p: next, state: maxExpAvgSq ? { expAvg, expAvgSq, maxExpAvgSq } : { expAvg, expAvgSq } };
}

/** The Adam family's checks (PyTorch's, with eps > 0). */
export function checkAdam(op: string, o: AdamResolved): void {
  if (!Array.isArray(o.betas) || o.betas.length !== 2) throw new ArgumentError(`${op}: betas must be a pair [beta1, beta2], got ${JSON.stringify(o.betas)}`);
  unitInterval(op, 'betas[0]', o.betas[0]);
  unitInterval(op, 'betas[1]', o.betas[1]);
  positive(op, 'eps', o.eps);
  nonNegative(op, 'weightDecay', o.weightDecay);
}

/**
 * What Adam and AdamW share: options, checks, state and bias corrections. They differ only in
 * how weight decay enters (`decoupled`).
 */
export abstract class AdamFamily extends Optimizer<AdamResolved, AdamState, AdamScalars> {
  protected readonly rule = adamRule;

  protected constructor(
    name: string,
    params: Params<AdamResolved>,
    opts: AdamOptions | undefined,
    weightDecay: number,
    private readonly decoupled: boolean,
  ) {
    super(name, params, withDefaults<AdamResolved>({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false }, opts), checkAdam);
  }

  protected initialState(p: Tensor, o: AdamResolved): AdamState {
    const s: AdamState = { expAvg: stateBuffer(p), expAvgSq: stateBuffer(p) };
    if (o.amsgrad) s.maxExpAvgSq = stateBuffer(p);
    return s;
  }

  protected scalars(o: AdamResolved, lr: number, step: number): AdamScalars {
    const [beta1, beta2] = o.betas;
    const decays = this.decoupled && o.weightDecay !== 0;
    return {
      stepSize: lr / (1 - beta1 ** step),
      bias2Sqrt: Math.sqrt(1 - beta2 ** step),
      beta1,
      beta2,
      eps: o.eps,
      l2: this.decoupled ? 0 : o.weightDecay,
      decay: decays ? 1 - lr * o.weightDecay : 1,
      amsgrad: o.amsgrad,
    };
  }
}

/**
 * Adam, as `torch.optim.Adam` (weightDecay, default 0, is an L2 penalty on the gradient; for
 * decoupled decay use AdamW).
 *
 * ```ts
 * const opt = new wg.optim.Adam(net, { lr: 1e-3 });
 * opt.zeroGrad(); wg.losses.crossEntropy(net.forward(x), y).backward(); opt.step();
 * ```
 */
export class Adam extends AdamFamily {
  constructor(params: Params<AdamResolved>, opts?: AdamOptions) {
    super('Adam', params, opts, 0, false);
  }
}
