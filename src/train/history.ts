// History: what fit returns — the epochs run and, per logged name (`loss`, metrics, their
// `val_` forms), one value per epoch, as Keras's History.

import type { Logs } from './callbacks/callback';

export class History {
  /** The epoch indices run (from `initialEpoch`, 0-based as Keras). */
  readonly epoch: number[] = [];
  /** Each logged value, one entry per epoch. */
  readonly history: Record<string, number[]> = {};

  /** @internal Records the logs of one epoch. */
  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}
