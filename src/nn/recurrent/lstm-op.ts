// The LSTM sequence op: x·W + b precomputed for all steps in → the cache [B, T, 6, H] of
// (h, c, i, f, g, o) out, by shaders/lstm.wgsl (one dispatch for the whole sequence, 4 batch rows a workgroup) or its CPU
// twin, with a VJP whose recurrence is one backward dispatch and whose weight gradient is one
// matmul over all steps.

import lstmWgsl from '../../../shaders/lstm.wgsl?raw';
import type { KernelDef } from '../../graph/ir';
import type { Tensor } from '../../tensor';
import { overSteps, previousStates, sequenceCall, sequenceLaunch, type SequenceAttrs } from './sequence-kernel';

/** Batch rows per workgroup: shaders/lstm.wgsl's ROWS. */
const LSTM_TILE_ROWS = 4;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export const LSTM_FORWARD: KernelDef<SequenceAttrs> = {
  name: 'lstmCell',
  cpu([xw, u, h0, c0], node) {
    const { b: B, t: T, h: H } = node.op.attrs;
    const G = 4 * H;
    const cache = new Float32Array(B * T * 6 * H);
    const a = new Float64Array(G);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        // The previous h and c: the initial state, or slots 0 and 1 of the previous step.
        const [hs, hOff, cs, cOff] = t === 0 ? [h0, b * H, c0, b * H] : [cache, (b * T + t - 1) * 6 * H, cache, (b * T + t - 1) * 6 * H + H];
        for (let q = 0; q < G; q++) a[q] = xw[(b * T + t) * G + q];
        for (let k = 0; k < H; k++) {
          const hk = hs[hOff + k];
          for (let q = 0; q < G; q++) a[q] += hk * u[k * G + q];
        }
        const base = (b * T + t) * 6 * H;
        for (let j = 0; j < H; j++) {
          const i = sigmoid(a[j]), f = sigmoid(a[H + j]), g = Math.tanh(a[2 * H + j]), o = sigmoid(a[3 * H + j]);
          const c = f * cs[cOff + j] + i * g;
          cache[base + j] = o * Math.tanh(c);
          cache[base + H + j] = c;
          cache[base + 2 * H + j] = i;
          cache[base + 3 * H + j] = f;
          cache[base + 4 * H + j] = g;
          cache[base + 5 * H + j] = o;
        }
      }
    }
    return cache;
  },
  gpu: (node) => sequenceLaunch(lstmWgsl, 'forward', node.op.attrs, {}, LSTM_TILE_ROWS),
};

export const LSTM_BACKWARD: KernelDef<SequenceAttrs> = {
  name: 'lstmCellGrad',
  cpu([u, cache, c0, gstates], node) {
    const { b: B, t: T, h: H } = node.op.attrs;
    const G = 4 * H;
    const dg = new Float32Array(B * (T + 1) * G);
    const dc = new Float64Array(H);
    for (let b = 0; b < B; b++) {
      dc.fill(0);
      const last = (b * (T + 1) + T) * G;
      for (let t = T - 1; t >= 0; t--) {
        const base = (b * T + t) * 6 * H;
        const dy = (b * T + t) * 2 * H;
        const row = (b * (T + 1) + t) * G;
        const next = row + G;
        for (let j = 0; j < H; j++) {
          let dh = gstates[dy + j];
          if (t + 1 < T) for (let k = 0; k < G; k++) dh += dg[next + k] * u[j * G + k];
          const cp = t === 0 ? c0[b * H + j] : cache[base - 5 * H + j];
          const c = cache[base + H + j], i = cache[base + 2 * H + j], f = cache[base + 3 * H + j];
          const g = cache[base + 4 * H + j], o = cache[base + 5 * H + j];
          const tc = Math.tanh(c);
          const dcj = gstates[dy + H + j] + dc[j] + dh * o * (1 - tc * tc);
          dg[row + j] = dcj * g * i * (1 - i);
          dg[row + H + j] = dcj * cp * f * (1 - f);
          dg[row + 2 * H + j] = dcj * i * (1 - g * g);
          dg[row + 3 * H + j] = dh * tc * o * (1 - o);
          dc[j] = dcj * f;
        }
      }
      const first = b * (T + 1) * G;
      for (let j = 0; j < H; j++) {
        let dh0 = 0;
        for (let k = 0; k < G; k++) dh0 += dg[first + k] * u[j * G + k];
        dg[last + j] = dh0;
        dg[last + H + j] = dc[j];
      }
    }
    return dg;
  },
  gpu: (node) => sequenceLaunch(lstmWgsl, 'backward', node.op.attrs, {}, LSTM_TILE_ROWS),
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
  return sequenceCall(LSTM_FORWARD, attrs, [xw, u, h0, c0], [b, t, 6, h], (gCache, cache) => {
    // Only the h and c slots carry gradient out: the kernel reads those [B, T, 2, H], not the whole padded cache.
    const gStates = gCache.slice([0, 0, 0, 0], [b, t, 2, h]);
    const out = sequenceCall(LSTM_BACKWARD, attrs, [u, cache, c0, gStates], [b, t + 1, g]);
    const dGates = out.slice([0, 0, 0], [b, t, g]);
    const hs = cache.slice([0, 0, 0, 0], [b, t, 1, h]).reshape([b, t, h]);
    const states = out.slice([0, t, 0], [b, 1, 2 * h]).reshape([b, 2 * h]);
    return [dGates, overSteps(previousStates(h0, hs), dGates), states.slice([0, 0], [b, h]), states.slice([0, h], [b, h])];
  });
}
