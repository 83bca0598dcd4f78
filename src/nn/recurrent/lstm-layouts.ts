// The layouts the LSTM kernels exchange beyond plain [B, T, …] arrays, shared by the WebGPU
// kernels and both CPU twins: the forward's recurrent kernel by unit, and the backward's output
// rows. Pure arrays; no tensors here.

import type { SequenceAttrs } from './sequence-kernel';

/** The backward's sizes, and whether its output ends each batch row with the initial states' gradients. */
export interface LstmGradAttrs extends SequenceAttrs {
  readonly stateRows: 0 | 1;
}

/**
 * U as the forward reads it, [H, H, 4] (row k, unit j, gates i, f, g, o: one vec4 a unit), back
 * to the layer's [H, 4H] (row k, gate-major columns) for the CPU loops.
 */
export function gateMajor(byUnit: Float32Array, h: number): Float32Array {
  const u = new Float32Array(byUnit.length);
  for (let k = 0; k < h; k++) {
    for (let j = 0; j < h; j++) {
      for (let g = 0; g < 4; g++) u[k * 4 * h + g * h + j] = byUnit[(k * h + j) * 4 + g];
    }
  }
  return u;
}

/** A CPU backward's [B, T + 1, 4H] in the layout `stateRows` asks for (without the states' rows when 0). */
export function inGradLayout(dg: Float32Array, { b, t, h, stateRows }: LstmGradAttrs): Float32Array {
  if (stateRows) return dg;
  const steps = t * 4 * h;
  const out = new Float32Array(b * steps);
  for (let r = 0; r < b; r++) out.set(dg.subarray(r * (steps + 4 * h), r * (steps + 4 * h) + steps), r * steps);
  return out;
}
