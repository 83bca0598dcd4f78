// The CPU kernels of src/ops/conv.ts: the reference the WebGPU kernels are tested against.
// Direct convolution with the channel loops innermost and contiguous (NHWC rows of x, rows of
// the kernel), the access pattern of a blocked matmul, accumulating in float64.

import type { ConvGeometry, WeightGradAttrs } from './conv';

/**
 * The kernel taps (ky, kx) whose input pixel for output pixel (b, oy, ox) is real, not padding,
 * written to `taps` as pairs (that pixel's offset in x, its first kernel row (ky·kw + kx)·cin/groups);
 * returns how many numbers it wrote. A list, not a callback: with the channel loops in a closure
 * the CPU conv ran 25% slower (`node bench/conv-node.mjs cpu`).
 */
function realTaps(a: ConvGeometry, b: number, oy: number, ox: number, taps: Int32Array): number {
  const { h, w: wd, cin, kh, kw, sh, sw, pt, pl, dh, dw, groups } = a;
  const cinG = cin / groups;
  let count = 0;
  for (let ky = 0; ky < kh; ky++) {
    const iy = oy * sh - pt + ky * dh;
    if (iy < 0 || iy >= h) continue;
    for (let kx = 0; kx < kw; kx++) {
      const ix = ox * sw - pl + kx * dw;
      if (ix < 0 || ix >= wd) continue;
      taps[count++] = ((b * h + iy) * wd + ix) * cin;
      taps[count++] = (ky * kw + kx) * cinG;
    }
  }
  return count;
}

/** conv2d forward: x [n,h,w,cin] * w [kh,kw,cin/groups,cout] → [n,oh,ow,cout]. */
export function convCpu(x: Float32Array, w: Float32Array, a: ConvGeometry): Float32Array {
  const { n, oh, ow, cout, groups } = a;
  const cinG = a.cin / groups;
  const coutG = cout / groups;
  const out = new Float32Array(n * oh * ow * cout);
  const acc = new Float64Array(cout);
  const taps = new Int32Array(2 * a.kh * a.kw);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        acc.fill(0);
        const count = realTaps(a, b, oy, ox, taps);
        for (let t = 0; t < count; t += 2) {
          const xRow = taps[t];
          const tap = taps[t + 1];
          for (let g = 0; g < groups; g++) {
            for (let ci = 0; ci < cinG; ci++) {
              const xv = x[xRow + g * cinG + ci];
              if (xv === 0) continue;
              const wRow = (tap + ci) * cout + g * coutG;
              const o = g * coutG;
              for (let co = 0; co < coutG; co++) acc[o + co] += xv * w[wRow + co];
            }
          }
        }
        out.set(acc, ((b * oh + oy) * ow + ox) * cout);
      }
    }
  }
  return out;
}

/** The input gradient (transposed conv): dy [n,oh,ow,cout] → dx [n,h,w,cin]. */
export function convInputGradCpu(dy: Float32Array, w: Float32Array, a: ConvGeometry): Float32Array {
  const { n, h, w: wd, cin, oh, ow, cout, kh, kw, sh, sw, pt, pl, dh, dw, groups } = a;
  const cinG = cin / groups;
  const coutG = cout / groups;
  const dx = new Float32Array(n * h * wd * cin);
  const acc = new Float64Array(cin);
  for (let b = 0; b < n; b++) {
    for (let iy = 0; iy < h; iy++) {
      for (let ix = 0; ix < wd; ix++) {
        acc.fill(0);
        for (let ky = 0; ky < kh; ky++) {
          const ty = iy + pt - ky * dh;
          if (ty < 0 || ty % sh !== 0 || ty / sh >= oh) continue;
          for (let kx = 0; kx < kw; kx++) {
            const tx = ix + pl - kx * dw;
            if (tx < 0 || tx % sw !== 0 || tx / sw >= ow) continue;
            const dyRow = ((b * oh + ty / sh) * ow + tx / sw) * cout;
            const tap = (ky * kw + kx) * cinG;
            for (let g = 0; g < groups; g++) {
              const dyG = dyRow + g * coutG;
              for (let ci = 0; ci < cinG; ci++) {
                const wRow = (tap + ci) * cout + g * coutG;
                let s = 0;
                for (let co = 0; co < coutG; co++) s += dy[dyG + co] * w[wRow + co];
                acc[g * cinG + ci] += s;
              }
            }
          }
        }
        dx.set(acc, ((b * h + iy) * wd + ix) * cin);
      }
    }
  }
  return dx;
}

/** Partial weight gradients [split, kh·kw·cin/groups, cout], one per chunk of output pixels. */
export function convWeightGradCpu(x: Float32Array, dy: Float32Array, a: WeightGradAttrs): Float32Array {
  const { n, oh, ow, cout, kh, kw, groups, split, chunk } = a;
  const cinG = a.cin / groups;
  const coutG = cout / groups;
  const slab = kh * kw * cinG * cout;
  const out = new Float32Array(split * slab);
  const acc = new Float64Array(slab);
  const taps = new Int32Array(2 * kh * kw);
  const pixels = n * oh * ow;
  for (let s = 0; s < split; s++) {
    acc.fill(0);
    for (let p = s * chunk; p < Math.min((s + 1) * chunk, pixels); p++) {
      const ox = p % ow;
      const oy = Math.floor(p / ow) % oh;
      const b = Math.floor(p / (ow * oh));
      const dyRow = p * cout;
      const count = realTaps(a, b, oy, ox, taps);
      for (let t = 0; t < count; t += 2) {
        const xRow = taps[t];
        const tap = taps[t + 1];
        for (let g = 0; g < groups; g++) {
          for (let ci = 0; ci < cinG; ci++) {
            const xv = x[xRow + g * cinG + ci];
            if (xv === 0) continue;
            const row = (tap + ci) * cout + g * coutG;
            const dyG = dyRow + g * coutG;
            for (let co = 0; co < coutG; co++) acc[row + co] += xv * dy[dyG + co];
          }
        }
      }
    }
    out.set(acc, s * slab);
  }
  return out;
}
