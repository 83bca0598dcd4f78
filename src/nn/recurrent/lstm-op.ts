// The LSTM sequence op: x·W + b precomputed for all steps in → the cache [B, T, 6, H] of
// (h, c, i, f, g, o) out, by shaders/lstm.wgsl (one dispatch for the whole sequence, 8 batch rows a workgroup, the forward reading U with its gates interleaved) or its CPU
// twin, with a VJP whose recurrence is one backward dispatch and whose weight gradient is one
// matmul over all steps. The CPU loops are in ./lstm-cpu.ts.

import lstmWgsl from '../../../shaders/lstm.wgsl?raw';
import type { KernelDef } from '../../graph/ir';
import type { Tensor } from '../../tensor';
import { addProductPlain, lstmBackwardCpu, lstmForwardCpu } from './lstm-cpu';
import { gateMajor, inGradLayout, type LstmGradAttrs } from './lstm-layouts';
import { overSteps, previousStates, sequenceCall, sequenceLaunch, type SequenceAttrs } from './sequence-kernel';

/** Batch rows per tile: shaders/lstm.wgsl's ROWS (a workgroup takes two tiles). */
const LSTM_TILE_ROWS = 4;

export const LSTM_FORWARD: KernelDef<SequenceAttrs> = {
  name: 'lstmCell',
  cpu: (inputs, node) => {
    const [xw, u, h0, c0] = inputs as Float32Array[];
    return lstmForwardCpu([xw, gateMajor(u, node.op.attrs.h), h0, c0], node.op.attrs, addProductPlain);
  },
  gpu: (node) => sequenceLaunch(lstmWgsl, 'forward', node.op.attrs, {}, 2 * LSTM_TILE_ROWS),
};

export const LSTM_BACKWARD: KernelDef<LstmGradAttrs> = {
  name: 'lstmCellGrad',
  cpu: (inputs, node) => inGradLayout(lstmBackwardCpu(inputs as Float32Array[], node.op.attrs, addProductPlain), node.op.attrs),
  gpu: (node) => sequenceLaunch(lstmWgsl, 'backward', node.op.attrs, { STATE_ROWS: node.op.attrs.stateRows }, 2 * LSTM_TILE_ROWS),
};

/**
 * Runs an LSTM over all steps: `xw` [B, T, 4H] (x·W + b, gates i, f, g, o), recurrent kernel
 * `u` [H, 4H], initial states `h0`, `c0` [B, H] → cache [B, T, 6, H] (h, c, i, f, g, o per step).
 * Gradients flow from the h and c slots of the cache to all four inputs.
 */
export function lstmSequence(xw: Tensor, u: Tensor, h0: Tensor, c0: Tensor): Tensor {
  const [b, t, g] = xw.shape;
  const attrs: SequenceAttrs = { b, t, h: g / 4 };
  const h = attrs.h;
  // The forward reads U's four gates of a unit as one vec4: [H, 4, H] → [H, H, 4], a small copy per call.
  const uByUnit = u.reshape([h, 4, h]).transpose([0, 2, 1]);
  const vjp = (gCache: Tensor, cache: Tensor): (Tensor | null)[] => {
    // Only the h and c slots carry gradient out: the kernel reads those [B, T, 2, H], not the whole padded cache.
    const gStates = gCache.slice([0, 0, 0, 0], [b, t, 2, h]);
    const hs = cache.slice([0, 0, 0, 0], [b, t, 1, h]).reshape([b, t, h]);
    // Initial states that take no gradient (zeros, usually) leave the output the gate gradients
    // alone, which the weight gradients then read without a copy.
    const stateRows = h0.requiresGrad || c0.requiresGrad ? 1 : 0;
    const out = sequenceCall(LSTM_BACKWARD, { ...attrs, stateRows }, [u, cache, c0, gStates], [b, t + stateRows, g]);
    const dGates = stateRows ? out.slice([0, 0, 0], [b, t, g]) : out;
    const dU = overSteps(previousStates(h0, hs), dGates);
    if (!stateRows) return [dGates, dU, null, null];
    const states = out.slice([0, t, 0], [b, 1, 2 * h]).reshape([b, 2 * h]);
    return [dGates, dU, states.slice([0, 0], [b, h]), states.slice([0, h], [b, h])];
  };
  return sequenceCall(LSTM_FORWARD, attrs, [xw, uByUnit, h0, c0], [b, t, 6, h], vjp, [xw, u, h0, c0]);
}
