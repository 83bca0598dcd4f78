// AssemblyScript (compiled to WebAssembly with 128-bit SIMD by scripts/build-wasm.mjs): the CPU
// backend's fast matmul and conv kernels. Every kernel is a GEMM of A (packed in MR-row panels,
// or a conv's row-major im2col block) by B packed in NR-column panels, as XNNPACK does, driven
// by one MR×NR f32x4 micro-kernel.

/** Rows of A and columns of B one micro-kernel tile computes (8 accumulators of f32x4). */
const MR: i32 = 4;
const NR: i32 = 8;
/** The reduction and row blocks of a GEMM: a KC×NR panel of B stays in L1, an MC×KC block of A (512 KiB) in L2. */
const KC: i32 = 256;
const MC: i32 = 512;

/**
 * An MR×NR tile for edges, computed in full there, then its valid part copied out: the first
 * bytes of the calling thread's scratch (threads share the memory), set by useScratch.
 */
let EDGE: usize = 0;
const EDGE_BYTES: usize = MR * NR * 4;

/** Takes a thread's scratch: its edge tile, then the rest (returned) for its own blocks. */
@inline function useScratch(scratch: usize): usize {
  EDGE = scratch;
  return scratch + EDGE_BYTES;
}

/** First free byte past the module's static data: the JS side allocates from here. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * C[mr×nr] (+)= A[mr×k] · Bpanel over k. A(r, q) is at a + r·rowStep + q·kStep bytes (rows
 * packed in MR-row panels, or plain row-major); a row past mr repeats the last one, its
 * results dropped. The panel is [k][NR]; C rows are ldc floats apart. `acc` adds to what C
 * holds instead of overwriting it.
 */
function tile(a: usize, rowStep: usize, kStep: usize, b: usize, k: i32, c: usize, ldc: i32, mr: i32, nr: i32, acc: bool): void {
  const r1 = rowStep * <usize>min(1, mr - 1);
  const r2 = rowStep * <usize>min(2, mr - 1);
  const r3 = rowStep * <usize>min(3, mr - 1);
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (rowStep == 4 && kStep == MR << 2) {
    // Packed A: the rows' offsets are load immediates (measured ~25% faster than added offsets).
    for (let q = 0; q < k; q++) {
      const b0 = v128.load(b);
      const b1 = v128.load(b, 16);
      let av = v128.load32_splat(a);
      c00 = f32x4.add(c00, f32x4.mul(av, b0));
      c01 = f32x4.add(c01, f32x4.mul(av, b1));
      av = v128.load32_splat(a, 4);
      c10 = f32x4.add(c10, f32x4.mul(av, b0));
      c11 = f32x4.add(c11, f32x4.mul(av, b1));
      av = v128.load32_splat(a, 8);
      c20 = f32x4.add(c20, f32x4.mul(av, b0));
      c21 = f32x4.add(c21, f32x4.mul(av, b1));
      av = v128.load32_splat(a, 12);
      c30 = f32x4.add(c30, f32x4.mul(av, b0));
      c31 = f32x4.add(c31, f32x4.mul(av, b1));
      a += 16;
      b += 32;
    }
  } else {
    for (let q = 0; q < k; q++) {
      const b0 = v128.load(b);
      const b1 = v128.load(b, 16);
      let av = v128.load32_splat(a);
      c00 = f32x4.add(c00, f32x4.mul(av, b0));
      c01 = f32x4.add(c01, f32x4.mul(av, b1));
      av = v128.load32_splat(a + r1);
      c10 = f32x4.add(c10, f32x4.mul(av, b0));
      c11 = f32x4.add(c11, f32x4.mul(av, b1));
      av = v128.load32_splat(a + r2);
      c20 = f32x4.add(c20, f32x4.mul(av, b0));
      c21 = f32x4.add(c21, f32x4.mul(av, b1));
      av = v128.load32_splat(a + r3);
      c30 = f32x4.add(c30, f32x4.mul(av, b0));
      c31 = f32x4.add(c31, f32x4.mul(av, b1));
      a += kStep;
      b += 32;
    }
  }
  const full = mr == MR && nr == NR;
  const dst = full ? c : EDGE;
  const stride: usize = full ? <usize>ldc << 2 : <usize>NR << 2;
  if (acc && full) {
    c00 = f32x4.add(c00, v128.load(dst));
    c01 = f32x4.add(c01, v128.load(dst, 16));
    c10 = f32x4.add(c10, v128.load(dst + stride));
    c11 = f32x4.add(c11, v128.load(dst + stride, 16));
    c20 = f32x4.add(c20, v128.load(dst + 2 * stride));
    c21 = f32x4.add(c21, v128.load(dst + 2 * stride, 16));
    c30 = f32x4.add(c30, v128.load(dst + 3 * stride));
    c31 = f32x4.add(c31, v128.load(dst + 3 * stride, 16));
  }
  v128.store(dst, c00);
  v128.store(dst, c01, 16);
  v128.store(dst + stride, c10);
  v128.store(dst + stride, c11, 16);
  v128.store(dst + 2 * stride, c20);
  v128.store(dst + 2 * stride, c21, 16);
  v128.store(dst + 3 * stride, c30);
  v128.store(dst + 3 * stride, c31, 16);
  if (full) return;
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) {
      const p = c + ((<usize>r * ldc + j) << 2);
      const v = load<f32>(EDGE + ((<usize>r * NR + j) << 2));
      store<f32>(p, acc ? load<f32>(p) + v : v);
    }
  }
}

/**
 * Where row q of panel `panel` starts (in floats) in a packed operand: the reduction is cut into
 * KC-row blocks, each block holding all panels (`width` columns each, `padded` columns in all)
 * contiguously, so a block's panels never sit a power of two apart (as GotoBLAS packs).
 */
@inline function packedAt(q: i32, panel: i32, width: i32, padded: i32, k: i32): usize {
  const q0 = q / KC * KC;
  return <usize>q0 * padded + <usize>panel * min(KC, k - q0) * width + <usize>(q - q0) * width;
}

/**
 * Rows iLo..iHi (multiples of MR) of C[m×n] (+)= A·B, B packed (packedAt, NR-column panels); A
 * packed the same way in MR-row panels when lda is 0, else row-major with rows lda floats
 * apart. Blocked over k by KC and over rows by MC.
 */
function gemm(a: usize, lda: i32, pb: usize, c: usize, m: i32, n: i32, k: i32, ldc: i32, acc: bool, iLo: i32 = 0, iHi: i32 = m): void {
  const packed = lda == 0;
  const mPad = (m + MR - 1) / MR * MR;
  const nPad = (n + NR - 1) / NR * NR;
  const rowStep: usize = packed ? 4 : <usize>lda << 2;
  const kStep: usize = packed ? <usize>MR << 2 : 4;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    const accumulate = acc || pc > 0;
    for (let ic = iLo; ic < iHi; ic += MC) {
      const iEnd = min(iHi, ic + MC);
      for (let j0 = 0, jp = 0; j0 < n; j0 += NR, jp++) {
        const nr = min(NR, n - j0);
        const panel = pb + (packedAt(pc, jp, NR, nPad, k) << 2);
        for (let i0 = ic; i0 < iEnd; i0 += MR) {
          const at = packed ? a + (packedAt(pc, i0 / MR, MR, mPad, k) << 2) : a + <usize>i0 * rowStep + (<usize>pc << 2);
          tile(at, rowStep, kStep, panel, kc, c + ((<usize>i0 * ldc + j0) << 2), ldc, min(MR, m - i0), nr, accumulate);
        }
      }
    }
  }
}

/** Packs A[i][q] = src[i·rs + q·cs] (m×k, element strides) into MR-row panels, zero-padded. */
function packA(dst: usize, src: usize, rs: i32, cs: i32, m: i32, k: i32): void {
  const mPad = (m + MR - 1) / MR * MR;
  for (let i0 = 0; i0 < m; i0 += MR) {
    for (let q = 0; q < k; q++) {
      const p = dst + (packedAt(q, i0 / MR, MR, mPad, k) << 2);
      for (let r = 0; r < MR; r++) {
        const i = i0 + r;
        store<f32>(p + (<usize>r << 2), i < m ? load<f32>(src + ((<usize>i * rs + <usize>q * cs) << 2)) : 0);
      }
    }
  }
}

/**
 * Packs rows q0..q0+k of B (kTotal×n, packed into NR-column panels) from
 * B[q][j] = src[q·rs + j·cs], zero-padding the last panel's columns.
 */
function packB(dst: usize, src: usize, rs: i32, cs: i32, k: i32, n: i32, q0: i32, kTotal: i32): void {
  const nPad = (n + NR - 1) / NR * NR;
  for (let j0 = 0, jp = 0; j0 < n; j0 += NR, jp++) {
    const nr = min(NR, n - j0);
    for (let q = 0; q < k; q++) {
      const p = dst + (packedAt(q0 + q, jp, NR, nPad, kTotal) << 2);
      const row = src + ((<usize>q * rs + <usize>j0 * cs) << 2);
      if (nr == NR && cs == 1) {
        v128.store(p, v128.load(row));
        v128.store(p, v128.load(row, 16), 16);
      } else {
        for (let j = 0; j < NR; j++) store<f32>(p + (j << 2), j < nr ? load<f32>(row + ((<usize>j * cs) << 2)) : 0);
      }
    }
  }
}

/** The row panels (MR rows each) matmulPanels ranges over, and a thread's scratch bytes for it. */
export function matmulRowPanels(m: i32): i32 {
  return (m + MR - 1) / MR;
}

export function matmulThreadBytes(): usize {
  return EDGE_BYTES;
}

/** Bytes of the shared scratch a matrix product needs: packed A, then packed B. */
export function matmulPackedBytes(m: i32, k: i32, n: i32): usize {
  return (<usize>((m + MR - 1) / MR) * MR + <usize>((n + NR - 1) / NR) * NR) * k * 4;
}

/** Packs a (stored [k][m] when transA) and b (stored [n][k] when transB) for matmulPanels. */
export function matmulPack(a: usize, b: usize, packed: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool): void {
  packA(packed, a, transA ? 1 : k, transA ? m : 1, m, k);
  packB(packed + <usize>((m + MR - 1) / MR) * MR * k * 4, b, transB ? 1 : n, transB ? k : 1, k, n, 0, k);
}

/** Row panels lo..hi (MR rows each) of c[m×n] = a·b from matmulPack's operands. */
export function matmulPanels(scratch: usize, packed: usize, c: usize, m: i32, k: i32, n: i32, lo: i32, hi: i32): void {
  useScratch(scratch);
  gemm(packed, 0, packed + <usize>((m + MR - 1) / MR) * MR * k * 4, c, m, n, k, n, false, lo * MR, min(m, hi * MR));
}

// ---- convolutions (NHWC, kernel [kh,kw,cin/groups,cout]) ----------------------------------

let N = 0, H = 0, W = 0, CIN = 0, OH = 0, OW = 0, COUT = 0, KH = 0, KW = 0;
let SH = 0, SW = 0, PT = 0, PL = 0, DH = 0, DW = 0, GROUPS = 0;

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

// ---- pooling (NHWC) -----------------------------------------------------------------------

let C = 0;

/** Sets the geometry the pooling kernels below use. */
export function setPool(n: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32): void {
  N = n; H = h; W = w; C = c; OH = oh; OW = ow; KH = kh; KW = kw; SH = sh; SW = sw; PT = pt; PL = pl;
}

/**
 * y = the max of each window, the first maximum kept (a later value replaces it only when
 * greater, so a NaN never does), as the plain kernel; a window with no real pixel gives NaN.
 * With `dy` and `dx` (zeroed) set, instead adds each dy to dx at its window's first maximum.
 */
function maxPoolPass(x: usize, y: usize, dy: usize, dx: usize): void {
  const grad = dx != 0;
  const rowBytes = <usize>C << 2;
  const vecEnd = C & ~3;
  let o: usize = 0;
  for (let b = 0; b < N; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * SH - PT;
      const yLo = max(y0, 0), yHi = min(y0 + KH, H);
      for (let ox = 0; ox < OW; ox++, o++) {
        const x0 = ox * SW - PL;
        const xLo = max(x0, 0), xHi = min(x0 + KW, W);
        const out = o * rowBytes;
        if (yLo >= yHi || xLo >= xHi) {
          if (!grad) for (let ch = 0; ch < C; ch++) store<f32>(y + out + (<usize>ch << 2), NaN);
          continue;
        }
        const first = <usize>(((b * H + yLo) * W + xLo) * C) << 2;
        for (let ch = 0; ch < vecEnd; ch += 4) {
          const lane = <usize>ch << 2;
          let best = v128.load(x + first + lane);
          let at = i32x4.add(i32x4.splat(<i32>(first + lane)), i32x4(0, 4, 8, 12));
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) {
              const pos = (<usize>(((b * H + iy) * W + ix) * C) << 2) + lane;
              const v = v128.load(x + pos);
              const gt = f32x4.gt(v, best);
              best = v128.bitselect(v, best, gt);
              at = v128.bitselect(i32x4.add(i32x4.splat(<i32>pos), i32x4(0, 4, 8, 12)), at, gt);
            }
          }
          if (!grad) {
            v128.store(y + out + lane, best);
          } else {
            const g = dy + out + lane;
            let p = dx + <usize>i32x4.extract_lane(at, 0);
            store<f32>(p, load<f32>(p) + load<f32>(g));
            p = dx + <usize>i32x4.extract_lane(at, 1);
            store<f32>(p, load<f32>(p) + load<f32>(g, 4));
            p = dx + <usize>i32x4.extract_lane(at, 2);
            store<f32>(p, load<f32>(p) + load<f32>(g, 8));
            p = dx + <usize>i32x4.extract_lane(at, 3);
            store<f32>(p, load<f32>(p) + load<f32>(g, 12));
          }
        }
        for (let ch = vecEnd; ch < C; ch++) {
          const lane = <usize>ch << 2;
          let at = first + lane;
          let best = load<f32>(x + at);
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) {
              const pos = (<usize>(((b * H + iy) * W + ix) * C) << 2) + lane;
              const v = load<f32>(x + pos);
              if (v > best) {
                best = v;
                at = pos;
              }
            }
          }
          if (!grad) store<f32>(y + out + lane, best);
          else store<f32>(dx + at, load<f32>(dx + at) + load<f32>(dy + out + lane));
        }
      }
    }
  }
}

/** maxPool2d: x [n,h,w,c] → y [n,oh,ow,c]. */
export function maxPool(x: usize, y: usize): void {
  maxPoolPass(x, y, 0, 0);
}

/** maxPool2d's gradient: dx [n,h,w,c] (zeroed here) gets each dy at its window's first maximum. */
export function maxPoolGrad(x: usize, dy: usize, dx: usize): void {
  memory.fill(dx, 0, <usize>N * H * W * C * 4);
  maxPoolPass(x, 0, dy, dx);
}

/**
 * avgPool2d: each window's sum in float32, in the plain kernel's order, times 1/count (the full
 * window when includePad, else its real pixels), so the result is the plain kernel's exactly.
 */
export function avgPool(x: usize, y: usize, includePad: bool): void {
  const rowBytes = <usize>C << 2;
  const vecEnd = C & ~3;
  let o: usize = 0;
  for (let b = 0; b < N; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const y0 = oy * SH - PT;
      const yLo = max(y0, 0), yHi = min(y0 + KH, H);
      for (let ox = 0; ox < OW; ox++, o++) {
        const x0 = ox * SW - PL;
        const xLo = max(x0, 0), xHi = min(x0 + KW, W);
        const scale = <f32>(1.0 / <f64>(includePad ? KH * KW : (yHi - yLo) * (xHi - xLo)));
        const out = y + o * rowBytes;
        for (let ch = 0; ch < vecEnd; ch += 4) {
          let sum = f32x4.splat(0);
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) sum = f32x4.add(sum, v128.load(x + (<usize>(((b * H + iy) * W + ix) * C + ch) << 2)));
          }
          v128.store(out + (<usize>ch << 2), f32x4.mul(sum, f32x4.splat(scale)));
        }
        for (let ch = vecEnd; ch < C; ch++) {
          let sum: f32 = 0;
          for (let iy = yLo; iy < yHi; iy++) {
            for (let ix = xLo; ix < xHi; ix++) sum += load<f32>(x + (<usize>(((b * H + iy) * W + ix) * C + ch) << 2));
          }
          store<f32>(out + (<usize>ch << 2), sum * scale);
        }
      }
    }
  }
}
