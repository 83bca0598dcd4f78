// Independent references for the recurrent layers: each cell written step by step as a plain
// composition of tensor ops (matmul, slices, sigmoid, tanh), sharing no code with src/nn.

import { wg } from '../helpers';
import type { Tensor } from '../../src/node';

export interface RecurrentWeights {
  kernel: Tensor;
  recurrentKernel: Tensor;
  bias: Tensor;
  recurrentBias?: Tensor;
}

const step = (x: Tensor, t: number) => x.slice([0, t, 0], [x.shape[0], 1, x.shape[2]]).reshape([x.shape[0], x.shape[2]]);
const block = (a: Tensor, q: number, h: number) => a.slice([0, q * h], [a.shape[0], h]);

/** LSTM, gates i, f, g, o: every step's h [B, T, H] and the final [h, c]. */
export function lstmReference(x: Tensor, w: RecurrentWeights, h0: Tensor, c0: Tensor): { hs: Tensor; h: Tensor; c: Tensor } {
  const units = h0.shape[1];
  let [h, c] = [h0, c0];
  const hs: Tensor[] = [];
  for (let t = 0; t < x.shape[1]; t++) {
    const a = step(x, t).matmul(w.kernel).add(w.bias).add(h.matmul(w.recurrentKernel));
    const [i, f, g, o] = [0, 1, 2, 3].map((q) => block(a, q, units));
    c = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
    h = o.sigmoid().mul(c.tanh());
    hs.push(h);
  }
  return { hs: wg.stack(hs, 1), h, c };
}

/** GRU, reset_after, gates r, z, n. */
export function gruReference(x: Tensor, w: RecurrentWeights, h0: Tensor): { hs: Tensor; h: Tensor } {
  const units = h0.shape[1];
  let h = h0;
  const hs: Tensor[] = [];
  for (let t = 0; t < x.shape[1]; t++) {
    const ax = step(x, t).matmul(w.kernel).add(w.bias);
    const ah = h.matmul(w.recurrentKernel).add(w.recurrentBias!);
    const r = block(ax, 0, units).add(block(ah, 0, units)).sigmoid();
    const z = block(ax, 1, units).add(block(ah, 1, units)).sigmoid();
    const n = block(ax, 2, units).add(r.mul(block(ah, 2, units))).tanh();
    h = z.neg().add(1).mul(n).add(z.mul(h));
    hs.push(h);
  }
  return { hs: wg.stack(hs, 1), h };
}

/** SimpleRNN: h′ = act(x·W + b + h·U). */
export function simpleRnnReference(x: Tensor, w: RecurrentWeights, h0: Tensor, act: (a: Tensor) => Tensor): { hs: Tensor; h: Tensor } {
  let h = h0;
  const hs: Tensor[] = [];
  for (let t = 0; t < x.shape[1]; t++) {
    h = act(step(x, t).matmul(w.kernel).add(w.bias).add(h.matmul(w.recurrentKernel)));
    hs.push(h);
  }
  return { hs: wg.stack(hs, 1), h };
}
