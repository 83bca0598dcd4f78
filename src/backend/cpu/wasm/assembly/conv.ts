// The conv2d kernels (NHWC, kernel [kh,kw,cin/groups,cout]) as GEMMs: the forward conv and its
// input gradient over im2col blocks of pixels, the weight gradient over pixels as the reduction.
// Pack entry points run once per group; the *Blocks / *Slabs ones take ranges threads share.

import { EDGE_BYTES, gemm, MR, NR, packB, useScratch } from './gemm';

export let N = 0, H = 0, W = 0, CIN = 0, OH = 0, OW = 0, COUT = 0, KH = 0, KW = 0;
export let SH = 0, SW = 0, PT = 0, PL = 0, DH = 0, DW = 0, GROUPS = 0;

/** Sets the geometry the conv kernels below use. */
export function setConv(n: i32, h: i32, w: i32, cin: i32, oh: i32, ow: i32, cout: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dw: i32, groups: i32): void {
  N = n; H = h; W = w; CIN = cin; OH = oh; OW = ow; COUT = cout; KH = kh; KW = kw;
  SH = sh; SW = sw; PT = pt; PL = pl; DH = dh; DW = dw; GROUPS = groups;
}

/**
 * Output pixels a conv kernel handles per block (rows of A; the weight gradient's reduction,
 * so at most KC: its packed A is then one block of packedAt's layout).
 */
const PIXELS: i32 = 256;

/**
 * The offset in x of the input pixel tap (ky, kx) of output pixel p reads, or -1 for padding.
 */
@inline function forwardTap(p: i32, ky: i32, kx: i32): i32 {
  const ox = p % OW;
  const oy = (p / OW) % OH;
  const b = p / (OW * OH);
  const iy = oy * SH - PT + ky * DH;
  const ix = ox * SW - PL + kx * DW;
  if (iy < 0 || iy >= H || ix < 0 || ix >= W) return -1;
  return ((b * H + iy) * W + ix) * CIN;
}

/** The offset in dy of the output pixel whose tap (ky, kx) reads input pixel p, or -1 for none. */
@inline function transposeTap(p: i32, ky: i32, kx: i32): i32 {
  const ix = p % W;
  const iy = (p / W) % H;
  const b = p / (W * H);
  const ty = iy + PT - ky * DH;
  const tx = ix + PL - kx * DW;
  if (ty < 0 || tx < 0 || ty % SH != 0 || tx % SW != 0) return -1;
  const oy = ty / SH;
  const ox = tx / SW;
  if (oy >= OH || ox >= OW) return -1;
  return ((b * OH + oy) * OW + ox) * COUT;
}

/**
 * im2col of pixels p0..p0+np into row-major A [np][taps·c]: each tap contributes c channels
 * from `src` + its offset + c0, or zeros. `transposed` selects transposeTap (dy rows for dx)
 * over forwardTap (x rows for y).
 */
function im2colRows(dst: usize, src: usize, p0: i32, np: i32, c: i32, c0: i32, transposed: bool): void {
  const bytes = <usize>c << 2;
  for (let i = 0; i < np; i++) {
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++) {
        const off = transposed ? transposeTap(p0 + i, ky, kx) : forwardTap(p0 + i, ky, kx);
        if (c == 1) store<f32>(dst, off < 0 ? 0 : load<f32>(src + (<usize>(off + c0) << 2)));
        else if (off < 0) memory.fill(dst, 0, bytes);
        else memory.copy(dst, src + (<usize>(off + c0) << 2), bytes);
        dst += bytes;
      }
    }
  }
}

/**
 * im2col of pixels p0..p0+np transposed, into packed A (MR-row panels over np): the kernel
 * rows (taps·cin/groups) as rows and the pixels as the reduction (the weight gradient's x).
 */
function im2colCols(dst: usize, x: usize, p0: i32, np: i32, cinG: i32, c0: i32): void {
  const rows = KH * KW * cinG;
  memory.fill(dst, 0, <usize>((rows + MR - 1) / MR) * MR * np * 4);
  for (let t = 0; t < np; t++) {
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++) {
        const off = forwardTap(p0 + t, ky, kx);
        if (off < 0) continue;
        const s = x + (<usize>(off + c0) << 2);
        const r0 = (ky * KW + kx) * cinG;
        for (let ch = 0; ch < cinG; ch++) {
          const r = r0 + ch;
          store<f32>(dst + (((<usize>(r / MR) * np + t) * MR + (r % MR)) << 2), load<f32>(s + (<usize>ch << 2)));
        }
      }
    }
  }
}

/** Bytes of the shared scratch the conv kernels need: one group's packed weights. */
export function convPackedBytes(): usize {
  const maxC = max(CIN / GROUPS, COUT / GROUPS);
  return <usize>KH * KW * maxC * ((maxC + NR - 1) / NR) * NR * 4;
}

/** Bytes of one thread's scratch for the conv kernels: its edge tile and one block of pixels. */
export function convThreadBytes(): usize {
  const cinG = CIN / GROUPS;
  const coutG = COUT / GROUPS;
  const rows = <usize>KH * KW * max(cinG, coutG) * PIXELS;
  const cols = <usize>((KH * KW * cinG + MR - 1) / MR) * MR * PIXELS + <usize>PIXELS * ((coutG + NR - 1) / NR) * NR;
  return EDGE_BYTES + max(rows, cols) * 4;
}

/** Blocks of PIXELS output pixels (or input pixels for dx) over n·oh·ow (or n·h·w). */
export function convBlocks(transposed: bool): i32 {
  return ((transposed ? N * H * W : N * OH * OW) + PIXELS - 1) / PIXELS;
}

/** Packs group g's forward weights w[(tap, ci)][co] for convForwardBlocks. */
export function convPackForward(w: usize, packed: usize, g: i32): void {
  const coutG = COUT / GROUPS;
  const k = KH * KW * (CIN / GROUPS);
  packB(packed, w + (<usize>(g * coutG) << 2), COUT, 1, k, coutG, 0, k);
}

/** conv2d forward, group g, pixel blocks lo..hi: x [n,h,w,cin] * w → y [n,oh,ow,cout]. */
export function convForwardBlocks(scratch: usize, x: usize, packed: usize, y: usize, g: i32, lo: i32, hi: i32): void {
  const pa = useScratch(scratch);
  const cinG = CIN / GROUPS;
  const coutG = COUT / GROUPS;
  const k = KH * KW * cinG;
  const pixels = N * OH * OW;
  for (let p0 = lo * PIXELS; p0 < min(pixels, hi * PIXELS); p0 += PIXELS) {
    const np = min(PIXELS, pixels - p0);
    im2colRows(pa, x, p0, np, cinG, g * cinG, false);
    gemm(pa, k, packed, y + ((<usize>p0 * COUT + g * coutG) << 2), np, coutG, k, COUT, false);
  }
}

/** Packs group g's transposed weights B[(tap, co)][ci] = w[tap][ci][g·coutG + co] for convInputGradBlocks. */
export function convPackInputGrad(w: usize, packed: usize, g: i32): void {
  const cinG = CIN / GROUPS;
  const coutG = COUT / GROUPS;
  const taps = KH * KW;
  for (let t = 0; t < taps; t++) packB(packed, w + (<usize>(t * cinG * COUT + g * coutG) << 2), 1, COUT, coutG, cinG, t * coutG, taps * coutG);
}

/** conv2d input gradient (the transposed conv), group g, input-pixel blocks lo..hi: dy → dx [n,h,w,cin]. */
export function convInputGradBlocks(scratch: usize, dy: usize, packed: usize, dx: usize, g: i32, lo: i32, hi: i32): void {
  const pa = useScratch(scratch);
  const cinG = CIN / GROUPS;
  const coutG = COUT / GROUPS;
  const k = KH * KW * coutG;
  const pixels = N * H * W;
  for (let p0 = lo * PIXELS; p0 < min(pixels, hi * PIXELS); p0 += PIXELS) {
    const np = min(PIXELS, pixels - p0);
    im2colRows(pa, dy, p0, np, coutG, g * coutG, true);
    gemm(pa, k, packed, dx + ((<usize>p0 * CIN + g * cinG) << 2), np, cinG, k, CIN, false);
  }
}

/** Partial weight gradients s = lo..hi: dw[s] = Σ over pixels s·chunk.. of im2col(x)ᵀ · dy, of [split, kh·kw·cinG, cout]. */
export function convWeightGradSlabs(scratch: usize, x: usize, dy: usize, dw: usize, chunk: i32, lo: i32, hi: i32): void {
  const pa = useScratch(scratch);
  const cinG = CIN / GROUPS;
  const coutG = COUT / GROUPS;
  const rows = KH * KW * cinG;
  const pixels = N * OH * OW;
  const slab = <usize>rows * COUT * 4;
  const pb = pa + <usize>((rows + MR - 1) / MR) * MR * PIXELS * 4;
  for (let s = lo; s < hi; s++) {
    const end = min(pixels, (s + 1) * chunk);
    for (let g = 0; g < GROUPS; g++) {
      const out = dw + <usize>s * slab + (<usize>(g * coutG) << 2);
      let first = true;
      for (let p0 = s * chunk; p0 < end; p0 += PIXELS) {
        const np = min(PIXELS, end - p0);
        im2colCols(pa, x, p0, np, cinG, g * cinG);
        packB(pb, dy + ((<usize>p0 * COUT + g * coutG) << 2), COUT, 1, np, coutG, 0, np);
        gemm(pa, 0, pb, out, rows, coutG, np, COUT, !first);
        first = false;
      }
      if (first) for (let r = 0; r < rows; r++) memory.fill(out + <usize>r * COUT * 4, 0, <usize>coutG * 4);
    }
  }
}
