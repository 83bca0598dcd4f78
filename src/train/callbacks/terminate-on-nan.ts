// terminateOnNaN: stops training once the loss is NaN or infinite, checked whenever fit has
// read the loss (the running loss a few times a second, and every epoch's).

import type { Callback, Logs, TrainingModel } from './callback';

class TerminateOnNaN implements Callback {
  private model: TrainingModel | null = null;

  setModel(model: TrainingModel): void {
    this.model = model;
  }

  private check(logs: Logs, where: string): void {
    const loss = logs.loss;
    if (loss !== undefined && !Number.isFinite(loss) && this.model && !this.model.stopTraining) {
      console.warn(`terminateOnNaN: the loss is ${loss} at ${where}; stopping training`);
      this.model.stopTraining = true;
    }
  }

  onBatchEnd(batch: number, logs: Logs): void {
    this.check(logs, `batch ${batch}`);
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    this.check(logs, `the end of epoch ${epoch}`);
  }
}

/**
 * Stops training when the loss becomes NaN or infinite.
 *
 * ```ts
 * await model.fit(x, y, { epochs: 10, callbacks: [wg.callbacks.terminateOnNaN()] });
 * ```
 */
export function terminateOnNaN(): Callback {
  return new TerminateOnNaN();
}
