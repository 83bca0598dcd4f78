// The GRU sequence kernels on the CPU, step by step over all batch rows: each step's recurrent
// product (h·U forward, the gates' gradients·Uᵀ backward) is one [B, H]×[H, 3H] product by an
// `AddProduct` (./lstm-cpu.ts: the plain float64 loops or the WebAssembly GEMM); gates in float64.

import type { AddProduct } from './lstm-cpu';
import type { SequenceAttrs } from './sequence-kernel';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The forward kernel: xw [B, T, 3H], u [H, 3H], bh [3H], h0 [B, H] → cache [B, T, 5, H] of (h, r, z, n, h·Un + bhn). */
export function gruForwardCpu([xw, u, bh, h0]: readonly Float32Array[], { b: B, t: T, h: H }: SequenceAttrs, addProduct: AddProduct): Float32Array {
  const G = 3 * H;
  const cache = new Float32Array(B * T * 5 * H);
  const a = new Float64Array(B * G);
  const hPrev = Float32Array.from(h0.subarray(0, B * H));
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) for (let q = 0; q < G; q++) a[b * G + q] = bh[q];
    addProduct(a, hPrev, u, B, H, G, false);
    for (let b = 0; b < B; b++) {
      const x = (b * T + t) * G;
      const base = (b * T + t) * 5 * H;
      const ab = b * G;
      for (let j = 0; j < H; j++) {
        const r = sigmoid(xw[x + j] + a[ab + j]);
        const z = sigmoid(xw[x + H + j] + a[ab + H + j]);
        const n = Math.tanh(xw[x + 2 * H + j] + r * a[ab + 2 * H + j]);
        cache[base + j] = (1 - z) * n + z * hPrev[b * H + j];
        cache[base + H + j] = r;
        cache[base + 2 * H + j] = z;
        cache[base + 3 * H + j] = n;
        cache[base + 4 * H + j] = a[ab + 2 * H + j];
      }
      hPrev.set(cache.subarray(base, base + H), b * H);
    }
  }
  return cache;
}

/**
 * The backward kernel: u [H, 3H], cache, h0 [B, H], gcache [B, T, 5, H] → [B, T + 1, 6H]: per
 * step the gates' gradients for x·W (r, z, n) then for h·U (r, z, n·r), and dh0 in the last row.
 */
export function gruBackwardCpu([u, cache, h0, gcache]: readonly Float32Array[], { b: B, t: T, h: H }: SequenceAttrs, addProduct: AddProduct): Float32Array {
  const G = 3 * H;
  const W = 6 * H;
  const out = new Float32Array(B * (T + 1) * W);
  const carry = new Float64Array(B * H);
  const dh = new Float64Array(B * H);
  // The h·U gates' gradients of the step after the current one, [B, 3H].
  const next = new Float32Array(B * G);
  for (let t = T - 1; t >= 0; t--) {
    for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) dh[b * H + j] = gcache[(b * T + t) * 5 * H + j] + carry[b * H + j];
    if (t + 1 < T) addProduct(dh, next, u, B, G, H, true);
    for (let b = 0; b < B; b++) {
      const base = (b * T + t) * 5 * H;
      const row = (b * (T + 1) + t) * W;
      for (let j = 0; j < H; j++) {
        const d = dh[b * H + j];
        const hp = t === 0 ? h0[b * H + j] : cache[base - 5 * H + j];
        const r = cache[base + H + j], z = cache[base + 2 * H + j], n = cache[base + 3 * H + j], hn = cache[base + 4 * H + j];
        const dan = d * (1 - z) * (1 - n * n);
        const dar = dan * hn * r * (1 - r);
        const daz = d * (hp - n) * z * (1 - z);
        out[row + j] = out[row + G + j] = dar;
        out[row + H + j] = out[row + G + H + j] = daz;
        out[row + 2 * H + j] = dan;
        out[row + G + 2 * H + j] = dan * r;
        carry[b * H + j] = d * z;
      }
      next.set(out.subarray(row + G, row + W), b * G);
    }
  }
  dh.set(carry);
  addProduct(dh, next, u, B, G, H, true);
  for (let b = 0; b < B; b++) out.set(Float32Array.from(dh.subarray(b * H, (b + 1) * H)), (b * (T + 1) + T) * W);
  return out;
}
