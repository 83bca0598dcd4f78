// lrScheduler: sets the optimizer's learning rate at the start of every epoch from
// `schedule(epoch, lr)` (Keras's LearningRateScheduler); the rate is logged as `learning_rate`.

import { ArgumentError } from '../../errors';
import type { Callback, Logs, TrainingModel } from './callback';

/** The new learning rate from the epoch index (from 0) and the current rate. */
export type EpochSchedule = (epoch: number, lr: number) => number;

class LrScheduler implements Callback {
  private model: TrainingModel | null = null;
  private lr = NaN;
  constructor(private readonly schedule: EpochSchedule) {}

  setModel(model: TrainingModel): void {
    this.model = model;
  }

  onEpochBegin(epoch: number): void {
    const groups = this.model?.optimizer?.paramGroups ?? [];
    const current = groups[0]?.lr;
    if (typeof current !== 'number') throw new ArgumentError('lrScheduler: the optimizer needs a numeric learning rate (it has a schedule of its own or none)');
    const lr = this.schedule(epoch, current);
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) throw new ArgumentError(`lrScheduler: the schedule must return a finite number ≥ 0, got ${String(lr)} at epoch ${epoch}`);
    for (const g of groups) g.lr = lr;
    this.lr = lr;
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    logs.learning_rate = this.lr;
  }
}

/**
 * Sets the learning rate at each epoch's start.
 *
 * ```ts
 * const decay = wg.callbacks.lrScheduler((epoch, lr) => (epoch < 10 ? lr : lr * 0.9));
 * ```
 */
export function lrScheduler(schedule: EpochSchedule): Callback {
  if (typeof schedule !== 'function') throw new ArgumentError(`lrScheduler: expected a function (epoch, lr) => lr, got ${typeof schedule}`);
  return new LrScheduler(schedule);
}
