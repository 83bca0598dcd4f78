// The layout of the LSTM backward's output, shared by its WebGPU kernel and both CPU twins: the
// gate gradients [B, T, 4H], followed per batch row by [dh0, dc0, 0, 0] only when the initial
// states take gradients. Pure arrays; no tensors here.

import type { SequenceAttrs } from './sequence-kernel';

/** The backward's sizes, and whether its output ends each batch row with the initial states' gradients. */
export interface LstmGradAttrs extends SequenceAttrs {
  readonly stateRows: 0 | 1;
}

/** A CPU backward's [B, T + 1, 4H] in the layout `stateRows` asks for (without the states' rows when 0). */
export function inGradLayout(dg: Float32Array, { b, t, h, stateRows }: LstmGradAttrs): Float32Array {
  if (stateRows) return dg;
  const steps = t * 4 * h;
  const out = new Float32Array(b * steps);
  for (let r = 0; r < b; r++) out.set(dg.subarray(r * (steps + 4 * h), r * (steps + 4 * h) + steps), r * steps);
  return out;
}
