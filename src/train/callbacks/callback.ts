// The callback protocol of fit (Keras's hooks and `logs`), the model surface callbacks may use,
// and the list that calls every callback's hooks in order.

import type { Tensor } from '../../tensor';

/** Keras's `logs`: `loss`, metrics and their `val_` forms, by name. */
export type Logs = Record<string, number>;

/** What a callback may do with the model being trained. */
export interface TrainingModel {
  /** Set to true (from any hook) to stop after the current batch's epoch. */
  stopTraining: boolean;
  getWeights(): Tensor[];
  setWeights(weights: readonly Tensor[]): void;
  /** The compiled optimizer's parameter groups (each with its `lr`). */
  readonly optimizer: { paramGroups: { lr: number | ((step: number) => number) }[] } | null;
  save(target: unknown): Promise<void>;
}

/** What fit tells callbacks when training begins. */
export interface TrainParams {
  readonly epochs: number;
  /** Batches per epoch. */
  readonly steps: number;
  readonly verbose: 0 | 1 | 2;
  /** The metric names (train and val) logged each epoch. */
  readonly metrics: readonly string[];
}

/**
 * A callback: any object with some of these hooks (async hooks are awaited). `onBatchEnd`
 * receives the epoch's running means up to and including that batch, read from the device one
 * batch behind the training (see FitOptions.callbacks), plus `batch` and `size`.
 */
export interface Callback {
  setModel?(model: TrainingModel): void;
  setParams?(params: TrainParams): void;
  onTrainBegin?(logs: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onTrainEnd?(logs: Logs): void | Promise<void>;
}

/** The hooks of every callback in order; a hook is awaited only when it returns a promise. */
export class CallbackList {
  constructor(readonly callbacks: readonly Callback[]) {}

  /** True when some callback wants batch logs (fit then reads the running means every batch). */
  get wantsBatchLogs(): boolean {
    return this.callbacks.some((c) => typeof c.onBatchEnd === 'function');
  }

  setup(model: TrainingModel, params: TrainParams): void {
    for (const c of this.callbacks) {
      c.setModel?.(model);
      c.setParams?.(params);
    }
  }

  private async each(call: (c: Callback) => void | Promise<void>): Promise<void> {
    for (const c of this.callbacks) {
      const r = call(c);
      if (r instanceof Promise) await r;
    }
  }

  trainBegin(logs: Logs = {}) {
    return this.each((c) => c.onTrainBegin?.(logs));
  }
  epochBegin(epoch: number, logs: Logs = {}) {
    return this.each((c) => c.onEpochBegin?.(epoch, logs));
  }
  batchBegin(batch: number, logs: Logs) {
    return this.each((c) => c.onBatchBegin?.(batch, logs));
  }
  batchEnd(batch: number, logs: Logs) {
    return this.each((c) => c.onBatchEnd?.(batch, logs));
  }
  epochEnd(epoch: number, logs: Logs) {
    return this.each((c) => c.onEpochEnd?.(epoch, logs));
  }
  trainEnd(logs: Logs = {}) {
    return this.each((c) => c.onTrainEnd?.(logs));
  }
}
