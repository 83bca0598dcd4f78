// The GRU sequence op (reset_after): x·W + b for all steps, the recurrent kernel and bias in →
// the cache [B, T, 5, H] of (h, r, z, n, h·Un + bhn) out, by shaders/gru.wgsl (one dispatch for
// the sequence) or its CPU twin, with a one-dispatch backward recurrence.

import gruWgsl from '../../../shaders/gru.wgsl?raw';
import type { KernelDef } from '../../graph/ir';
import type { Tensor } from '../../tensor';
import { overSteps, previousStates, sequenceCall, sequenceLaunch, type SequenceAttrs } from './sequence-kernel';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export const GRU_FORWARD: KernelDef<SequenceAttrs> = {
  name: 'gruCell',
  cpu([xw, u, bh, h0], node) {
    const { b: B, t: T, h: H } = node.op.attrs;
    const G = 3 * H;
    const cache = new Float32Array(B * T * 5 * H);
    const a = new Float64Array(G);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        // The previous h: the initial state, or slot 0 of the previous step.
        const [hs, hOff] = t === 0 ? [h0, b * H] : [cache, (b * T + t - 1) * 5 * H];
        for (let q = 0; q < G; q++) a[q] = bh[q];
        for (let k = 0; k < H; k++) {
          const hk = hs[hOff + k];
          for (let q = 0; q < G; q++) a[q] += hk * u[k * G + q];
        }
        const x = (b * T + t) * G;
        const base = (b * T + t) * 5 * H;
        for (let j = 0; j < H; j++) {
          const r = sigmoid(xw[x + j] + a[j]);
          const z = sigmoid(xw[x + H + j] + a[H + j]);
          const n = Math.tanh(xw[x + 2 * H + j] + r * a[2 * H + j]);
          cache[base + j] = (1 - z) * n + z * hs[hOff + j];
          cache[base + H + j] = r;
          cache[base + 2 * H + j] = z;
          cache[base + 3 * H + j] = n;
          cache[base + 4 * H + j] = a[2 * H + j];
        }
      }
    }
    return cache;
  },
  gpu: (node) => sequenceLaunch(gruWgsl, 'forward', node.op.attrs),
};

export const GRU_BACKWARD: KernelDef<SequenceAttrs> = {
  name: 'gruCellGrad',
  cpu([u, cache, h0, gcache], node) {
    const { b: B, t: T, h: H } = node.op.attrs;
    const G = 3 * H;
    const W = 6 * H;
    const out = new Float32Array(B * (T + 1) * W);
    const carry = new Float64Array(H);
    for (let b = 0; b < B; b++) {
      carry.fill(0);
      for (let t = T - 1; t >= 0; t--) {
        const base = (b * T + t) * 5 * H;
        const row = (b * (T + 1) + t) * W;
        const next = row + W + G;
        for (let j = 0; j < H; j++) {
          let dh = gcache[base + j] + carry[j];
          if (t + 1 < T) for (let k = 0; k < G; k++) dh += out[next + k] * u[j * G + k];
          const hp = t === 0 ? h0[b * H + j] : cache[base - 5 * H + j];
          const r = cache[base + H + j], z = cache[base + 2 * H + j], n = cache[base + 3 * H + j], hn = cache[base + 4 * H + j];
          const dan = dh * (1 - z) * (1 - n * n);
          const dar = dan * hn * r * (1 - r);
          const daz = dh * (hp - n) * z * (1 - z);
          out[row + j] = out[row + G + j] = dar;
          out[row + H + j] = out[row + G + H + j] = daz;
          out[row + 2 * H + j] = dan;
          out[row + G + 2 * H + j] = dan * r;
          carry[j] = dh * z;
        }
      }
      const first = b * (T + 1) * W + G;
      const last = (b * (T + 1) + T) * W;
      for (let j = 0; j < H; j++) {
        let dh0 = carry[j];
        for (let k = 0; k < G; k++) dh0 += out[first + k] * u[j * G + k];
        out[last + j] = dh0;
      }
    }
    return out;
  },
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
