// modelCheckpoint: saves the model after an epoch (every epoch, or only when the monitored
// value improved) through `model.save(target)` or a caller-given function.

import { ArgumentError } from '../../errors';
import type { Callback, Logs, TrainingModel } from './callback';

/** Saves the model itself: for targets `model.save` does not know. */
export type SaveFunction = (model: TrainingModel, epoch: number, logs: Logs) => void | Promise<void>;

export interface ModelCheckpointOptions {
  /** A `model.save` target (`{epoch}` in a string is replaced by the epoch from 1), or a function. */
  target: string | object | SaveFunction;
  /** The logged value compared with saveBestOnly (default 'val_loss'). */
  monitor?: string;
  /** Save only when `monitor` improved on the best so far (default false). */
  saveBestOnly?: boolean;
  /** 'min', 'max', or 'auto' (max for accuracies and AUC, else min). */
  mode?: 'auto' | 'min' | 'max';
}

class ModelCheckpoint implements Callback {
  private model: TrainingModel | null = null;
  private best: number | null = null;
  private readonly monitor: string;
  private readonly maximize: boolean;

  constructor(private readonly opts: ModelCheckpointOptions) {
    this.monitor = opts.monitor ?? 'val_loss';
    const mode = opts.mode ?? 'auto';
    this.maximize = mode === 'max' || (mode === 'auto' && /acc|auc/.test(this.monitor));
  }

  setModel(model: TrainingModel): void {
    this.model = model;
  }

  onTrainBegin(): void {
    this.best = null;
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.opts.saveBestOnly) {
      const current = logs[this.monitor];
      if (current === undefined) {
        console.warn(`modelCheckpoint: the monitored '${this.monitor}' is not in the logs; saving nothing`);
        return;
      }
      const better = this.best === null || (this.maximize ? current > this.best : current < this.best);
      if (!better) return;
      this.best = current;
    }
    const model = this.model!;
    const { target } = this.opts;
    if (typeof target === 'function') await (target as SaveFunction)(model, epoch, logs);
    else await model.save(typeof target === 'string' ? target.replaceAll('{epoch}', String(epoch + 1)) : target);
  }
}

/**
 * Saves the model during training.
 *
 * ```ts
 * const ckpt = wg.callbacks.modelCheckpoint({ target: 'indexeddb://best', saveBestOnly: true });
 * ```
 */
export function modelCheckpoint(opts: ModelCheckpointOptions): Callback {
  if (!opts || opts.target === undefined || opts.target === null) throw new ArgumentError('modelCheckpoint: needs a target (a model.save target or a function (model, epoch, logs) => …)');
  return new ModelCheckpoint(opts);
}
