// The SimpleRNN sequence kernels on the CPU, step by step over all batch rows: each step's
// recurrent product (h·U forward, da·Uᵀ backward) is one [B, H]×[H, H] product by an
// `AddProduct` (./lstm-cpu.ts: the plain float64 loops or the WebAssembly GEMM).

import type { AddProduct } from './lstm-cpu';
import type { SequenceAttrs } from './sequence-kernel';

/** A SimpleRNN call's sizes and its activation (an index into RNN_ACTIVATIONS). */
export interface RnnAttrs extends SequenceAttrs {
  readonly act: number;
}

const ACT: readonly ((a: number) => number)[] = [Math.tanh, (a) => Math.max(a, 0), (a) => 1 / (1 + Math.exp(-a)), (a) => a];
/** Each activation's derivative from its output h. */
const ACT_GRAD: readonly ((h: number) => number)[] = [(h) => 1 - h * h, (h) => (h > 0 ? 1 : 0), (h) => h * (1 - h), () => 1];

/** The forward kernel: xw [B, T, H], u [H, H], h0 [B, H] → h [B, T, H]. */
export function rnnForwardCpu([xw, u, h0]: readonly Float32Array[], { b: B, t: T, h: H, act }: RnnAttrs, addProduct: AddProduct): Float32Array {
  const hs = new Float32Array(B * T * H);
  const a = new Float64Array(B * H);
  const hPrev = Float32Array.from(h0.subarray(0, B * H));
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) a[b * H + j] = xw[(b * T + t) * H + j];
    addProduct(a, hPrev, u, B, H, H, false);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) hPrev[b * H + j] = hs[(b * T + t) * H + j] = ACT[act](a[b * H + j]);
    }
  }
  return hs;
}

/** The backward kernel: u [H, H], hs [B, T, H], ghs [B, T, H] → [B, T + 1, H]: da per step, then dh0. */
export function rnnBackwardCpu([u, hs, ghs]: readonly Float32Array[], { b: B, t: T, h: H, act }: RnnAttrs, addProduct: AddProduct): Float32Array {
  const da = new Float32Array(B * (T + 1) * H);
  const dh = new Float64Array(B * H);
  // da of the step after the current one, [B, H].
  const next = new Float32Array(B * H);
  for (let t = T - 1; t >= 0; t--) {
    for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) dh[b * H + j] = ghs[(b * T + t) * H + j];
    if (t + 1 < T) addProduct(dh, next, u, B, H, H, true);
    for (let b = 0; b < B; b++) {
      const row = (b * (T + 1) + t) * H;
      for (let j = 0; j < H; j++) next[b * H + j] = da[row + j] = dh[b * H + j] * ACT_GRAD[act](hs[(b * T + t) * H + j]);
    }
  }
  dh.fill(0);
  addProduct(dh, next, u, B, H, H, true);
  for (let b = 0; b < B; b++) da.set(Float32Array.from(dh.subarray(b * H, (b + 1) * H)), (b * (T + 1) + T) * H);
  return da;
}
