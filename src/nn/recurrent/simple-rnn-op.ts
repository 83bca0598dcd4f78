// The SimpleRNN sequence op: x·W + b for all steps and the recurrent kernel in → the outputs
// h [B, T, H] out, by shaders/simple_rnn.wgsl (one dispatch for the sequence) or its CPU twin,
// with a one-dispatch backward recurrence. Activations: tanh, relu, sigmoid, linear.

import simpleRnnWgsl from '../../../shaders/simple_rnn.wgsl?raw';
import type { KernelDef } from '../../graph/ir';
import type { Tensor } from '../../tensor';
import { overSteps, previousStates, sequenceCall, sequenceLaunch, type SequenceAttrs } from './sequence-kernel';

/** The activations the kernel has, in the order of its ACT constant. */
export const RNN_ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear'] as const;
export type RnnActivation = (typeof RNN_ACTIVATIONS)[number];

interface RnnAttrs extends SequenceAttrs {
  readonly act: number;
}

const ACT: readonly ((a: number) => number)[] = [Math.tanh, (a) => Math.max(a, 0), (a) => 1 / (1 + Math.exp(-a)), (a) => a];
/** Each activation's derivative from its output h. */
const ACT_GRAD: readonly ((h: number) => number)[] = [(h) => 1 - h * h, (h) => (h > 0 ? 1 : 0), (h) => h * (1 - h), () => 1];

export const RNN_FORWARD: KernelDef<RnnAttrs> = {
  name: 'simpleRnnCell',
  cpu([xw, u, h0], node) {
    const { b: B, t: T, h: H, act } = node.op.attrs;
    const hs = new Float32Array(B * T * H);
    const a = new Float64Array(H);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const [src, off] = t === 0 ? [h0, b * H] : [hs, (b * T + t - 1) * H];
        for (let j = 0; j < H; j++) a[j] = xw[(b * T + t) * H + j];
        for (let k = 0; k < H; k++) {
          const hk = src[off + k];
          for (let j = 0; j < H; j++) a[j] += hk * u[k * H + j];
        }
        for (let j = 0; j < H; j++) hs[(b * T + t) * H + j] = ACT[act](a[j]);
      }
    }
    return hs;
  },
  gpu: (node) => sequenceLaunch(simpleRnnWgsl, 'forward', node.op.attrs, { ACT: node.op.attrs.act }),
};

export const RNN_BACKWARD: KernelDef<RnnAttrs> = {
  name: 'simpleRnnCellGrad',
  cpu([u, hs, ghs], node) {
    const { b: B, t: T, h: H, act } = node.op.attrs;
    const da = new Float32Array(B * (T + 1) * H);
    for (let b = 0; b < B; b++) {
      for (let t = T - 1; t >= 0; t--) {
        const row = (b * (T + 1) + t) * H;
        for (let j = 0; j < H; j++) {
          let dh = ghs[(b * T + t) * H + j];
          if (t + 1 < T) for (let k = 0; k < H; k++) dh += da[row + H + k] * u[j * H + k];
          da[row + j] = dh * ACT_GRAD[act](hs[(b * T + t) * H + j]);
        }
      }
      const first = b * (T + 1) * H;
      for (let j = 0; j < H; j++) {
        let dh0 = 0;
        for (let k = 0; k < H; k++) dh0 += da[first + k] * u[j * H + k];
        da[first + T * H + j] = dh0;
      }
    }
    return da;
  },
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
