// The text of the progress bar: one line with the epoch, batch/total, a bar, the ETA or the
// epoch's time, and the logged values (Keras's layout).

import type { Logs } from './callbacks/callback';

const BAR = 30;

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;
}

function values(logs: Logs): string {
  return Object.entries(logs)
    .filter(([k]) => k !== 'batch' && k !== 'size')
    .map(([k, v]) => ` - ${k}: ${Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3)}`)
    .join('');
}

/** The line while an epoch runs: `Epoch 2/5 12/47 [=======>......] ETA 1.3s - loss: 0.4012`. */
export function batchLine(epoch: number, epochs: number, done: number, total: number, elapsedMs: number, logs: Logs): string {
  const filled = total > 0 ? Math.floor((BAR * done) / total) : BAR;
  const bar = done >= total ? '='.repeat(BAR) : `${'='.repeat(Math.max(0, filled - 1))}>${'.'.repeat(BAR - Math.max(1, filled))}`;
  const eta = done > 0 ? (elapsedMs / done) * (total - done) : 0;
  return `Epoch ${epoch + 1}/${epochs} ${done}/${total} [${bar}] ETA ${seconds(eta)}${values(logs)}`;
}

/** The line at an epoch's end: `Epoch 2/5 47/47 [=====] 2.1s 45ms/step - loss: … - val_loss: …`. */
export function epochLine(epoch: number, epochs: number, total: number, elapsedMs: number, logs: Logs): string {
  const perStep = total > 0 ? elapsedMs / total : 0;
  return `Epoch ${epoch + 1}/${epochs} ${total}/${total} [${'='.repeat(BAR)}] ${seconds(elapsedMs)} ${perStep.toFixed(0)}ms/step${values(logs)}`;
}
