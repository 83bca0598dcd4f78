// Learning-rate schedules: pure functions from the optimizer's step index (0 on the first
// `step()`) to a learning rate, as Keras's LearningRateSchedule. An optimizer takes one as `lr`.

import { nonNegative, positive } from './checks';

/** A learning rate as a function of the step index (0 on the first step). */
export type Schedule = (step: number) => number;

export interface StepDecayOptions {
  initialLr: number;
  /** Steps between two decays. */
  stepSize: number;
  /** Factor of each decay. Default 0.1. */
  gamma?: number;
}

/**
 * initialLr · gamma^⌊step / stepSize⌋ (PyTorch's StepLR, counted in steps).
 *
 * ```ts
 * const opt = new wg.optim.SGD(params, { lr: wg.optim.schedules.stepDecay({ initialLr: 0.1, stepSize: 100 }) });
 * ```
 */
export function stepDecay(opts: StepDecayOptions): Schedule {
  const initialLr = nonNegative('stepDecay', 'initialLr', opts.initialLr);
  const stepSize = positive('stepDecay', 'stepSize', opts.stepSize);
  const gamma = nonNegative('stepDecay', 'gamma', opts.gamma ?? 0.1);
  return (step) => initialLr * gamma ** Math.floor(step / stepSize);
}

export interface ExponentialDecayOptions {
  initialLr: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in whole periods (⌊step / decaySteps⌋). Default false. */
  staircase?: boolean;
}

/**
 * initialLr · decayRate^(step / decaySteps), the exponent floored with `staircase` (Keras's
 * ExponentialDecay).
 *
 * ```ts
 * const lr = wg.optim.schedules.exponentialDecay({ initialLr: 1e-3, decaySteps: 1000, decayRate: 0.96 });
 * ```
 */
export function exponentialDecay(opts: ExponentialDecayOptions): Schedule {
  const initialLr = nonNegative('exponentialDecay', 'initialLr', opts.initialLr);
  const decaySteps = positive('exponentialDecay', 'decaySteps', opts.decaySteps);
  const decayRate = nonNegative('exponentialDecay', 'decayRate', opts.decayRate);
  const staircase = opts.staircase ?? false;
  return (step) => {
    const p = step / decaySteps;
    return initialLr * decayRate ** (staircase ? Math.floor(p) : p);
  };
}

export interface CosineDecayOptions {
  /** The learning rate reached at the end of the warm-up (at step 0 when there is none). */
  initialLr: number;
  /** Steps of the cosine decay, counted after the warm-up. */
  decaySteps: number;
  /** The final learning rate as a fraction of initialLr. Default 0. */
  alpha?: number;
  /** Steps of linear warm-up from 0 to initialLr. Default 0. */
  warmupSteps?: number;
}

/**
 * Linear warm-up from 0 to initialLr over `warmupSteps`, then cosine decay over `decaySteps`
 * to alpha · initialLr, held after (Keras's CosineDecay, warming up from 0):
 * lr = initialLr · ((1 − alpha) · ½(1 + cos(π · min(s, decaySteps) / decaySteps)) + alpha),
 * s = step − warmupSteps.
 *
 * ```ts
 * const lr = wg.optim.schedules.cosineDecay({ initialLr: 1e-3, decaySteps: 10_000, warmupSteps: 500 });
 * ```
 */
export function cosineDecay(opts: CosineDecayOptions): Schedule {
  const initialLr = nonNegative('cosineDecay', 'initialLr', opts.initialLr);
  const decaySteps = positive('cosineDecay', 'decaySteps', opts.decaySteps);
  const alpha = nonNegative('cosineDecay', 'alpha', opts.alpha ?? 0);
  const warmupSteps = nonNegative('cosineDecay', 'warmupSteps', opts.warmupSteps ?? 0);
  return (step) => {
    if (step < warmupSteps) return (initialLr * step) / warmupSteps;
    const done = Math.min(step - warmupSteps, decaySteps) / decaySteps;
    return initialLr * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * done)) + alpha);
  };
}
