// The LSTM sequence kernels on the CPU, step by step over all batch rows: each step's recurrent
// product (h·U forward, dgates·Uᵀ backward) is one [B, H]×[H, 4H] product by an `AddProduct`, the
// plain float64 loops (the reference) or the CPU backend's WebAssembly GEMM; the gates in float64.

import type { SequenceAttrs } from './sequence-kernel';

/**
 * Adds `rows`·U to `acc`: rows [m, k] and acc [m, n]; U is [k, n], or [n, k] read transposed
 * where `transU`. Each element sums over k in ascending order after what `acc` holds.
 */
export type AddProduct = (acc: Float64Array, rows: Float32Array, u: Float32Array, m: number, k: number, n: number, transU: boolean) => void;

/** The plain product: float64 sums, k ascending (the reference's order). */
export const addProductPlain: AddProduct = (acc, rows, u, m, k, n, transU) => {
  for (let r = 0; r < m; r++) {
    for (let kk = 0; kk < k; kk++) {
      const x = rows[r * k + kk];
      const out = r * n;
      if (transU) for (let q = 0; q < n; q++) acc[out + q] += x * u[q * k + kk];
      else for (let q = 0; q < n; q++) acc[out + q] += x * u[kk * n + q];
    }
  }
};

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The forward kernel: xw [B, T, 4H], u [H, 4H], h0, c0 [B, H] → cache [B, T, 6, H] of (h, c, i, f, g, o). */
export function lstmForwardCpu([xw, u, h0, c0]: readonly Float32Array[], { b: B, t: T, h: H }: SequenceAttrs, addProduct: AddProduct): Float32Array {
  const G = 4 * H;
  const cache = new Float32Array(B * T * 6 * H);
  const a = new Float64Array(B * G);
  const hPrev = Float32Array.from(h0.subarray(0, B * H));
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) for (let q = 0; q < G; q++) a[b * G + q] = xw[(b * T + t) * G + q];
    addProduct(a, hPrev, u, B, H, G, false);
    for (let b = 0; b < B; b++) {
      const base = (b * T + t) * 6 * H;
      // The previous c: the initial state, or slot 1 of the previous step.
      const [cs, cOff] = t === 0 ? [c0, b * H] : [cache, base - 5 * H];
      const ab = b * G;
      for (let j = 0; j < H; j++) {
        const i = sigmoid(a[ab + j]), f = sigmoid(a[ab + H + j]), g = Math.tanh(a[ab + 2 * H + j]), o = sigmoid(a[ab + 3 * H + j]);
        const c = f * cs[cOff + j] + i * g;
        cache[base + j] = o * Math.tanh(c);
        cache[base + H + j] = c;
        cache[base + 2 * H + j] = i;
        cache[base + 3 * H + j] = f;
        cache[base + 4 * H + j] = g;
        cache[base + 5 * H + j] = o;
      }
      hPrev.set(cache.subarray(base, base + H), b * H);
    }
  }
  return cache;
}

/**
 * The backward kernel: u [H, 4H], cache, c0 [B, H], gstates [B, T, 2, H] (the gradients of h
 * and c) → [B, T + 1, 4H]: the gates' gradients per step, then dh0 and dc0 in the last row.
 */
export function lstmBackwardCpu([u, cache, c0, gstates]: readonly Float32Array[], { b: B, t: T, h: H }: SequenceAttrs, addProduct: AddProduct): Float32Array {
  const G = 4 * H;
  const dg = new Float32Array(B * (T + 1) * G);
  const dc = new Float64Array(B * H);
  const dh = new Float64Array(B * H);
  // The gates' gradients of the step after the current one, [B, 4H].
  const next = new Float32Array(B * G);
  for (let t = T - 1; t >= 0; t--) {
    for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) dh[b * H + j] = gstates[(b * T + t) * 2 * H + j];
    if (t + 1 < T) addProduct(dh, next, u, B, G, H, true);
    for (let b = 0; b < B; b++) {
      const base = (b * T + t) * 6 * H;
      const dy = (b * T + t) * 2 * H;
      const row = (b * (T + 1) + t) * G;
      for (let j = 0; j < H; j++) {
        const dhj = dh[b * H + j];
        const cp = t === 0 ? c0[b * H + j] : cache[base - 5 * H + j];
        const c = cache[base + H + j], i = cache[base + 2 * H + j], f = cache[base + 3 * H + j];
        const g = cache[base + 4 * H + j], o = cache[base + 5 * H + j];
        const tc = Math.tanh(c);
        const dcj = gstates[dy + H + j] + dc[b * H + j] + dhj * o * (1 - tc * tc);
        dg[row + j] = dcj * g * i * (1 - i);
        dg[row + H + j] = dcj * cp * f * (1 - f);
        dg[row + 2 * H + j] = dcj * i * (1 - g * g);
        dg[row + 3 * H + j] = dhj * tc * o * (1 - o);
        dc[b * H + j] = dcj * f;
      }
      next.set(dg.subarray(row, row + G), b * G);
    }
  }
  dh.fill(0);
  addProduct(dh, next, u, B, G, H, true);
  for (let b = 0; b < B; b++) {
    const last = (b * (T + 1) + T) * G;
    for (let j = 0; j < H; j++) {
      dg[last + j] = dh[b * H + j];
      dg[last + H + j] = dc[b * H + j];
    }
  }
  return dg;
}
