// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay,
// exactly torch.optim.SGD: the update rule as one pure elementwise function, and the optimizer.

import type { Tensor } from '../tensor';
import { nonNegative } from './checks';
import { ArgumentError } from '../errors';
import { Optimizer, stateBuffer, withDefaults, type BaseOptions, type LearningRate, type Params } from './optimizer';

export interface SGDOptions {
  lr?: LearningRate;
  momentum?: number;
  /** Dampening of the momentum (its gradient term is scaled by 1 − dampening). */
  dampening?: number;
  nesterov?: boolean;
  /** L2 penalty added to the gradient: g + weightDecay · p. */
  weightDecay?: number;
}

type Resolved = Required<SGDOptions> & BaseOptions;

export interface SGDState {
  [name: string]: Tensor | undefined;
  /** PyTorch's `momentum_buffer` (present when momentum ≠ 0). */
  momentumBuffer?: Tensor;
}

export interface SGDScalars {
  lr: number;
  momentum: number;
  /** Factor of the gradient in the buffer: 1 on the first step (buffer = g), then 1 − dampening. */
  gradScale: number;
  nesterov: boolean;
  weightDecay: number;
}

/**
 * PyTorch's SGD step: g ← g + λp; b ← μb + (1 − τ)g (b ← g on the first step);
 * g ← g + μb (Nesterov) or b; p ← p − lr·g.
 */
export function sgdRule(p: Tensor, g: Tensor, state: SGDState, s: SGDScalars): { p: Tensor; state: SGDState } {
  let d = s.weightDecay !== 0 ? g.add(p.mul(s.weightDecay)) : g;
  const buf = state.momentumBuffer;
  if (!buf) return { p: p.sub(d.mul(s.lr)), state: {} };
  const momentumBuffer = buf.mul(s.momentum).add(d.mul(s.gradScale));
  d = s.nesterov ? d.add(momentumBuffer.mul(s.momentum)) : momentumBuffer;
  return { p: p.sub(d.mul(s.lr)), state: { momentumBuffer } };
}

/**
 * Stochastic gradient descent, as `torch.optim.SGD` (lr default 1e-3).
 *
 * ```ts
 * const opt = new wg.optim.SGD(net.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export class SGD extends Optimizer<Resolved, SGDState, SGDScalars> {
  protected readonly rule = sgdRule;

  constructor(params: Params<Resolved>, opts?: SGDOptions) {
    super('SGD', params, withDefaults<Resolved>({ lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 }, opts), checkSGD);
  }

  protected initialState(p: Tensor, o: Resolved): SGDState {
    return o.momentum !== 0 ? { momentumBuffer: stateBuffer(p) } : {};
  }

  protected scalars(o: Resolved, lr: number, step: number): SGDScalars {
    return { lr: lr, momentum: o.momentum, gradScale: step === 1 ? 1 : 1 - o.dampening, nesterov: o.nesterov, weightDecay: o.weightDecay };
  }
}

function checkSGD(op: string, o: Resolved): void {
  nonNegative(op, 'momentum', o.momentum);
  nonNegative(op, 'dampening', o.dampening);
  nonNegative(op, 'weightDecay', o.weightDecay);
  if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) throw new ArgumentError(`${op}: nesterov needs momentum > 0 and dampening 0, got momentum ${o.momentum}, dampening ${o.dampening}`);
}
