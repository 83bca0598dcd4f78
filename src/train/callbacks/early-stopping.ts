// earlyStopping: stops fit when a monitored value has stopped improving, with Keras 3's exact
// rule (wait counts every epoch, resets on an improvement that also beats the baseline, stops
// once wait ≥ patience after the first epoch) and restoreBestWeights at the end of training.

import { ArgumentError } from '../../errors';
import type { Tensor } from '../../tensor';
import type { Callback, Logs, TrainingModel } from './callback';

export interface EarlyStoppingOptions {
  /** The logged value watched (default 'val_loss'). */
  monitor?: string;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** 'min', 'max', or 'auto' (max for accuracies and AUC, else min). */
  mode?: 'auto' | 'min' | 'max';
  /** Training only counts an improvement once the value also beats this. */
  baseline?: number;
  /** At the end of training, set the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
}

/** The callback object earlyStopping returns (its state can be read after fit). */
export class EarlyStopping implements Callback {
  private model: TrainingModel | null = null;
  private readonly monitor: string;
  private readonly minDelta: number;
  private readonly patience: number;
  private readonly maximize: boolean;
  private readonly baseline: number | undefined;
  private readonly restoreBestWeights: boolean;
  wait = 0;
  /** The epoch at which training was stopped (0 when it was not). */
  stoppedEpoch = 0;
  best: number | null = null;
  bestEpoch = 0;
  private bestWeights: Tensor[] | null = null;

  constructor(opts: EarlyStoppingOptions = {}) {
    this.monitor = opts.monitor ?? 'val_loss';
    this.minDelta = Math.abs(opts.minDelta ?? 0);
    this.patience = opts.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new ArgumentError(`earlyStopping: patience must be an integer ≥ 0, got ${opts.patience}`);
    const mode = opts.mode ?? 'auto';
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new ArgumentError(`earlyStopping: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`);
    this.maximize = mode === 'max' || (mode === 'auto' && /acc|auc/.test(this.monitor));
    this.baseline = opts.baseline;
    this.restoreBestWeights = opts.restoreBestWeights ?? false;
  }

  setModel(model: TrainingModel): void {
    this.model = model;
  }

  private isImprovement(value: number, reference: number | null | undefined): boolean {
    if (reference === null || reference === undefined) return true;
    return this.maximize ? value - this.minDelta > reference : value + this.minDelta < reference;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = null;
    this.bestEpoch = 0;
    this.dropBest();
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const current = logs[this.monitor];
    if (current === undefined) {
      console.warn(`earlyStopping: the monitored '${this.monitor}' is not in the logs (available: ${Object.keys(logs).join(', ')}); not stopping`);
      return;
    }
    const model = this.model!;
    if (this.restoreBestWeights && this.bestWeights === null) {
      this.bestWeights = model.getWeights();
      this.bestEpoch = epoch;
    }
    this.wait++;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) {
        this.dropBest();
        this.bestWeights = model.getWeights();
      }
      if (this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights !== null) this.model!.setWeights(this.bestWeights);
    this.dropBest();
  }

  private dropBest(): void {
    for (const w of this.bestWeights ?? []) w.dispose();
    this.bestWeights = null;
  }
}

/**
 * Stops training when `monitor` stops improving (Keras's EarlyStopping).
 *
 * ```ts
 * await model.fit(x, y, { epochs: 100, validationSplit: 0.2,
 *   callbacks: [wg.callbacks.earlyStopping({ patience: 3, restoreBestWeights: true })] });
 * ```
 */
export function earlyStopping(opts: EarlyStoppingOptions = {}): EarlyStopping {
  return new EarlyStopping(opts);
}
