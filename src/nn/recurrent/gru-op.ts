// The GRU sequence op (reset_after): x·W + b for all steps, the recurrent kernel and bias in →
// the cache [B, T, 5, H] of (h, r, z, n, h·Un + bhn) out, by shaders/gru.wgsl (one dispatch for
// the sequence) or its CPU twin (./gru-cpu.ts), with a one-dispatch backward recurrence.

import gruWgsl from '../../../shaders/gru.wgsl?raw';
import type { KernelDef } from '../../graph/ir';
import type { Tensor } from '../../tensor';
import { gruBackwardCpu, gruForwardCpu } from './gru-cpu';
import { addProductPlain } from './lstm-cpu';
import { overSteps, previousStates, sequenceCall, sequenceLaunch, type SequenceAttrs } from './sequence-kernel';

export const GRU_FORWARD: KernelDef<SequenceAttrs> = {
  name: 'gruCell',
  cpu: (inputs, node) => gruForwardCpu(inputs as Float32Array[], node.op.attrs, addProductPlain),
  gpu: (node) => sequenceLaunch(gruWgsl, 'forward', node.op.attrs),
};

export const GRU_BACKWARD: KernelDef<SequenceAttrs> = {
  name: 'gruCellGrad',
  cpu: (inputs, node) => gruBackwardCpu(inputs as Float32Array[], node.op.attrs, addProductPlain),
  gpu: (node) => sequenceLaunch(gruWgsl, 'backward', node.op.attrs),
};

/**
 * Runs a GRU over all steps: `xw` [B, T, 3H] (x·W + b, gates r, z, n), recurrent kernel `u`
 * [H, 3H] and bias `bh` [3H], initial state `h0` [B, H] → cache [B, T, 5, H]; gradients flow
 * from its h slot.
 */
export function gruSequence(xw: Tensor, u: Tensor, bh: Tensor, h0: Tensor): Tensor {
  const [b, t, g] = xw.shape;
  const attrs: SequenceAttrs = { b, t, h: g / 3 };
  const h = attrs.h;
  return sequenceCall(GRU_FORWARD, attrs, [xw, u, bh, h0], [b, t, 5, h], (gCache, cache) => {
    const out = sequenceCall(GRU_BACKWARD, attrs, [u, cache, h0, gCache], [b, t + 1, 2 * g]);
    const dxw = out.slice([0, 0, 0], [b, t, g]);
    const dhu = out.slice([0, 0, g], [b, t, g]);
    const hs = cache.slice([0, 0, 0, 0], [b, t, 1, h]).reshape([b, t, h]);
    const dh0 = out.slice([0, t, 0], [b, 1, h]).reshape([b, h]);
    return [dxw, overSteps(previousStates(h0, hs), dhu), dhu.sum([0, 1]), dh0];
  });
}
