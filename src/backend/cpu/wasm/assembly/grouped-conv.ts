// Grouped and depthwise conv2d (fewer than 4 channels a group, where conv.ts's GEMMs do not
// pay) as direct kernels with f32x4 lanes along the output channels: x is first laid out
// [pixel][ci][cout] (each output channel beside the input channel of its group it reads), dx
// summed per pixel in that layout.

import { CIN, COUT, DH, DW, GROUPS, H, KH, KW, N, OH, OW, PL, PT, SH, SW, W } from './conv';

/** dst[i] += a[i] · b[i] for i < count (f32x4 lanes, then a scalar tail). */
@inline function addProducts(dst: usize, a: usize, b: usize, count: i32): void {
  const end = count & ~3;
  for (let i = 0; i < end; i += 4) {
    const off = <usize>i << 2;
    v128.store(dst + off, f32x4.add(v128.load(dst + off), f32x4.mul(v128.load(a + off), v128.load(b + off))));
  }
  for (let i = end; i < count; i++) {
    const off = <usize>i << 2;
    store<f32>(dst + off, load<f32>(dst + off) + load<f32>(a + off) * load<f32>(b + off));
  }
}

/** xe [pixels][cinG][cout] from x [pixels][cin]: xe[p][ci][co] = x[p][(co / coutG)·cinG + ci]. */
export function groupedExpand(x: usize, xe: usize, pixels: i32): void {
  const cinG = CIN / GROUPS, coutG = COUT / GROUPS;
  for (let p = 0; p < pixels; p++) {
    const src = x + (<usize>p * CIN << 2);
    const dst = xe + (<usize>p * cinG * COUT << 2);
    for (let ci = 0; ci < cinG; ci++) {
      for (let co = 0; co < COUT; co++) store<f32>(dst + (<usize>(ci * COUT + co) << 2), load<f32>(src + (<usize>((co / coutG) * cinG + ci) << 2)));
    }
  }
}

/** dx [cin] of one pixel from its row dxe [cinG][cout]: dx[g·cinG + ci] = Σ over group g's co of dxe[ci][co]. */
function groupedReduce(dxe: usize, dx: usize): void {
  const cinG = CIN / GROUPS, coutG = COUT / GROUPS;
  for (let g = 0; g < GROUPS; g++) {
    for (let ci = 0; ci < cinG; ci++) {
      let s: f32 = 0;
      for (let m = 0; m < coutG; m++) s += load<f32>(dxe + (<usize>(ci * COUT + g * coutG + m) << 2));
      store<f32>(dx + (<usize>(g * cinG + ci) << 2), s);
    }
  }
}

/** Bytes of one thread's scratch for groupedInputGrad: one pixel's row [cinG][cout]. */
export function groupedThreadBytes(): usize {
  return ((<usize>(CIN / GROUPS) * COUT << 2) + 15) & ~15;
}

/** conv2d forward over output pixels lo..hi: xe (see groupedExpand) * w [kh,kw,cinG,cout] → y [n,oh,ow,cout]. */
export function groupedForward(scratch: usize, xe: usize, w: usize, y: usize, lo: i32, hi: i32): void {
  const cinG = CIN / GROUPS;
  const rowBytes = <usize>COUT << 2;
  for (let p = lo; p < hi; p++) {
    const ox = p % OW, oy = (p / OW) % OH, b = p / (OW * OH);
    const out = y + <usize>p * rowBytes;
    memory.fill(out, 0, rowBytes);
    for (let ky = 0; ky < KH; ky++) {
      const iy = oy * SH - PT + ky * DH;
      if (iy < 0 || iy >= H) continue;
      for (let kx = 0; kx < KW; kx++) {
        const ix = ox * SW - PL + kx * DW;
        if (ix < 0 || ix >= W) continue;
        const src = xe + <usize>((b * H + iy) * W + ix) * cinG * rowBytes;
        const taps = w + <usize>(ky * KW + kx) * cinG * rowBytes;
        for (let ci = 0; ci < cinG; ci++) addProducts(out, src + <usize>ci * rowBytes, taps + <usize>ci * rowBytes, COUT);
      }
    }
  }
}

/**
 * conv2d input gradient over input pixels lo..hi: dy [n,oh,ow,cout] and w → dx [n,h,w,cin],
 * each pixel summed as a row [cinG][cout] in `scratch`, then over its groups' channels (a
 * depthwise conv of one channel each sums straight into dx).
 */
export function groupedInputGrad(scratch: usize, dy: usize, w: usize, dx: usize, lo: i32, hi: i32): void {
  const cinG = CIN / GROUPS;
  const rowBytes = <usize>COUT << 2;
  const direct = CIN == GROUPS && COUT == GROUPS;
  for (let p = lo; p < hi; p++) {
    const ix = p % W, iy = (p / W) % H, b = p / (W * H);
    const pixel = dx + (<usize>p * CIN << 2);
    const out = direct ? pixel : scratch;
    memory.fill(out, 0, <usize>cinG * rowBytes);
    for (let ky = 0; ky < KH; ky++) {
      const ty = iy + PT - ky * DH;
      if (ty < 0 || ty % SH != 0 || ty / SH >= OH) continue;
      for (let kx = 0; kx < KW; kx++) {
        const tx = ix + PL - kx * DW;
        if (tx < 0 || tx % SW != 0 || tx / SW >= OW) continue;
        const src = dy + <usize>((b * OH + ty / SH) * OW + tx / SW) * rowBytes;
        const taps = w + <usize>(ky * KW + kx) * cinG * rowBytes;
        for (let ci = 0; ci < cinG; ci++) addProducts(out + <usize>ci * rowBytes, src, taps + <usize>ci * rowBytes, COUT);
      }
    }
    if (!direct) groupedReduce(scratch, pixel);
  }
}

/** Partial weight gradients s = lo..hi: dw[s][(tap, ci)][co] = Σ over output pixels s·chunk.. of xe · dy. */
export function groupedWeightGrad(scratch: usize, xe: usize, dy: usize, dw: usize, chunk: i32, lo: i32, hi: i32): void {
  const cinG = CIN / GROUPS;
  const rowBytes = <usize>COUT << 2;
  const pixels = N * OH * OW;
  const slab = <usize>KH * KW * cinG * rowBytes;
  for (let s = lo; s < hi; s++) {
    const out = dw + <usize>s * slab;
    memory.fill(out, 0, slab);
    for (let p = s * chunk; p < min(pixels, (s + 1) * chunk); p++) {
      const ox = p % OW, oy = (p / OW) % OH, b = p / (OW * OH);
      const g = dy + <usize>p * rowBytes;
      for (let ky = 0; ky < KH; ky++) {
        const iy = oy * SH - PT + ky * DH;
        if (iy < 0 || iy >= H) continue;
        for (let kx = 0; kx < KW; kx++) {
          const ix = ox * SW - PL + kx * DW;
          if (ix < 0 || ix >= W) continue;
          const src = xe + <usize>((b * H + iy) * W + ix) * cinG * rowBytes;
          const taps = out + <usize>(ky * KW + kx) * cinG * rowBytes;
          for (let ci = 0; ci < cinG; ci++) addProducts(taps + <usize>ci * rowBytes, src + <usize>ci * rowBytes, g, COUT);
        }
      }
    }
  }
}
