// The SimpleRNN sequence op: x·W + b for all steps and the recurrent kernel in → the outputs
// h [B, T, H] out, by shaders/simple_rnn.wgsl (one dispatch for the sequence) or its CPU twin
// (./simple-rnn-cpu.ts), with a one-dispatch backward recurrence. Activations: tanh, relu, sigmoid, linear.

import simpleRnnWgsl from '../../../shaders/simple_rnn.wgsl?raw';
import type { KernelDef } from '../../graph/ir';
import type { Tensor } from '../../tensor';
import { addProductPlain } from './lstm-cpu';
import { rnnBackwardCpu, rnnForwardCpu, type RnnAttrs } from './simple-rnn-cpu';
import { overSteps, previousStates, sequenceCall, sequenceLaunch } from './sequence-kernel';

/** The activations the kernel has, in the order of its ACT constant. */
export const RNN_ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear'] as const;
export type RnnActivation = (typeof RNN_ACTIVATIONS)[number];

export const RNN_FORWARD: KernelDef<RnnAttrs> = {
  name: 'simpleRnnCell',
  cpu: (inputs, node) => rnnForwardCpu(inputs as Float32Array[], node.op.attrs, addProductPlain),
  gpu: (node) => sequenceLaunch(simpleRnnWgsl, 'forward', node.op.attrs, { ACT: node.op.attrs.act }),
};

export const RNN_BACKWARD: KernelDef<RnnAttrs> = {
  name: 'simpleRnnCellGrad',
  cpu: (inputs, node) => rnnBackwardCpu(inputs as Float32Array[], node.op.attrs, addProductPlain),
  gpu: (node) => sequenceLaunch(simpleRnnWgsl, 'backward', node.op.attrs, { ACT: node.op.attrs.act }),
};

/** Runs a SimpleRNN over all steps: `xw` [B, T, H] (x·W + b), `u` [H, H], `h0` [B, H] → h [B, T, H]. */
export function simpleRnnSequence(xw: Tensor, u: Tensor, h0: Tensor, activation: RnnActivation): Tensor {
  const [b, t, h] = xw.shape;
  const attrs: RnnAttrs = { b, t, h, act: RNN_ACTIVATIONS.indexOf(activation) };
  return sequenceCall(RNN_FORWARD, attrs, [xw, u, h0], [b, t, h], (g, hs) => {
    const da = sequenceCall(RNN_BACKWARD, attrs, [u, hs, g], [b, t + 1, h]);
    const dA = da.slice([0, 0, 0], [b, t, h]);
    return [dA, overSteps(previousStates(h0, hs), dA), da.slice([0, t, 0], [b, 1, h]).reshape([b, h])];
  });
}
