// AssemblyScript (compiled to WebAssembly with 128-bit SIMD by scripts/build-wasm.mjs): the CPU
// backend's fast matmul and conv kernels. Every kernel is a GEMM over packed panels (A in panels
// of MR rows, B in panels of NR columns, as XNNPACK does) driven by one MR×NR f32x4 micro-kernel.

/** Rows of A and columns of B one micro-kernel tile computes (8 accumulators of f32x4). */
const MR: i32 = 4;
const NR: i32 = 8;

/** An MR×NR tile for edges: computed in full here, then its valid part copied out. */
const EDGE = memory.data(MR * NR * 4, 16);

/** First free byte past the module's static data: the JS side allocates from here. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * C[mr×nr] (+)= Apanel · Bpanel over k: the panels are [k][MR] and [k][NR]; C rows are ldc floats
 * apart. `acc` adds to what C holds instead of overwriting it.
 */
function tile(a: usize, b: usize, k: i32, c: usize, ldc: i32, mr: i32, nr: i32, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
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

/** C[m×n] (+)= A·B from packed A (ceil(m/MR) panels of [k][MR]) and B (ceil(n/NR) panels of [k][NR]). */
function gemm(pa: usize, pb: usize, c: usize, m: i32, n: i32, k: i32, ldc: i32, acc: bool): void {
  const aPanel = <usize>k * MR * 4;
  const bPanel = <usize>k * NR * 4;
  for (let j0 = 0, jp = 0; j0 < n; j0 += NR, jp++) {
    const nr = min(NR, n - j0);
    for (let i0 = 0, ip = 0; i0 < m; i0 += MR, ip++) {
      tile(pa + ip * aPanel, pb + jp * bPanel, k, c + ((<usize>i0 * ldc + j0) << 2), ldc, min(MR, m - i0), nr, acc);
    }
  }
}

/** Packs A[i][q] = src[i·rs + q·cs] (m×k, element strides) into MR-row panels, zero-padded. */
function packA(dst: usize, src: usize, rs: i32, cs: i32, m: i32, k: i32): void {
  for (let i0 = 0; i0 < m; i0 += MR) {
    for (let q = 0; q < k; q++) {
      for (let r = 0; r < MR; r++) {
        const i = i0 + r;
        store<f32>(dst, i < m ? load<f32>(src + ((<usize>i * rs + <usize>q * cs) << 2)) : 0);
        dst += 4;
      }
    }
  }
}

/**
 * Packs rows q0..q0+k of B (kTotal×n, packed into NR-column panels of kTotal rows) from
 * B[q][j] = src[q·rs + j·cs], zero-padding the last panel's columns.
 */
function packB(dst: usize, src: usize, rs: i32, cs: i32, k: i32, n: i32, q0: i32, kTotal: i32): void {
  for (let j0 = 0, jp = 0; j0 < n; j0 += NR, jp++) {
    let p = dst + ((<usize>jp * kTotal + q0) * NR << 2);
    const nr = min(NR, n - j0);
    for (let q = 0; q < k; q++) {
      const row = src + ((<usize>q * rs + <usize>j0 * cs) << 2);
      if (nr == NR && cs == 1) {
        v128.store(p, v128.load(row));
        v128.store(p, v128.load(row, 16), 16);
      } else {
        for (let j = 0; j < NR; j++) store<f32>(p + (j << 2), j < nr ? load<f32>(row + ((<usize>j * cs) << 2)) : 0);
      }
      p += NR << 2;
    }
  }
}

/** Bytes of scratch `matmul` needs for packed A and B. */
export function matmulScratch(m: i32, k: i32, n: i32): usize {
  return (<usize>((m + MR - 1) / MR) * MR + <usize>((n + NR - 1) / NR) * NR) * k * 4;
}

/** One matrix product c[m×n] = a·b, a stored [k][m] when transA, b stored [n][k] when transB. */
export function matmul(a: usize, b: usize, c: usize, scratch: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool): void {
  const pb = scratch + <usize>((m + MR - 1) / MR) * MR * k * 4;
  packA(scratch, a, transA ? 1 : k, transA ? m : 1, m, k);
  packB(pb, b, transB ? 1 : n, transB ? k : 1, k, n, 0, k);
  gemm(scratch, pb, c, m, n, k, n, false);
}

// ---- convolutions (NHWC, kernel [kh,kw,cin/groups,cout]) ----------------------------------

let N = 0, H = 0, W = 0, CIN = 0, OH = 0, OW = 0, COUT = 0, KH = 0, KW = 0;
let SH = 0, SW = 0, PT = 0, PL = 0, DH = 0, DW = 0, GROUPS = 0;

/** Sets the geometry the conv kernels below use. */
export function setConv(n: i32, h: i32, w: i32, cin: i32, oh: i32, ow: i32, cout: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dw: i32, groups: i32): void {
  N = n; H = h; W = w; CIN = cin; OH = oh; OW = ow; COUT = cout; KH = kh; KW = kw;
  SH = sh; SW = sw; PT = pt; PL = pl; DH = dh; DW = dw; GROUPS = groups;
}

/** Output pixels a conv kernel handles per packed block (its packed rows of A). */
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
 * im2col of pixels p0..p0+np straight into packed A (pixels as rows, MR-row panels over
 * kTotal = taps·c columns): each tap contributes c channels from `src` + its offset + c0.
 * `transposed` selects transposeTap (dy rows for dx) over forwardTap (x rows for y).
 */
function im2colRows(dst: usize, src: usize, p0: i32, np: i32, c: i32, c0: i32, transposed: bool): void {
  const kTotal = KH * KW * c;
  const rows = (np + MR - 1) / MR * MR;
  for (let i = 0; i < rows; i++) {
    const base = dst + (((<usize>(i / MR) * kTotal) * MR + (i % MR)) << 2);
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++) {
        const off = i >= np ? -1 : transposed ? transposeTap(p0 + i, ky, kx) : forwardTap(p0 + i, ky, kx);
        let p = base + ((<usize>(ky * KW + kx) * c * MR) << 2);
        if (off < 0) {
          for (let ch = 0; ch < c; ch++, p += MR << 2) store<f32>(p, 0);
        } else {
          const s = src + (<usize>(off + c0) << 2);
          for (let ch = 0; ch < c; ch++, p += MR << 2) store<f32>(p, load<f32>(s + (<usize>ch << 2)));
        }
      }
    }
  }
}

/**
 * im2col of pixels p0..p0+np into packed A with the kernel rows (taps·cin/groups) as rows and
 * the pixels as the reduction (the weight gradient's x operand).
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

/** Bytes of scratch the conv kernels need (packed weights plus one block of packed pixels). */
export function convScratch(): usize {
  const cinG = CIN / GROUPS;
  const coutG = COUT / GROUPS;
  const maxC = max(cinG, coutG);
  const kMax = KH * KW * maxC;
  const weights = <usize>kMax * ((maxC + NR - 1) / NR) * NR;
  const pixels = <usize>kMax * (PIXELS + MR);
  const cols = <usize>((KH * KW * cinG + MR - 1) / MR) * MR * PIXELS + <usize>PIXELS * ((coutG + NR - 1) / NR) * NR;
  return (weights + max(pixels, cols)) * 4;
}

/** conv2d forward: x [n,h,w,cin] * w → y [n,oh,ow,cout]. */
export function convForward(x: usize, w: usize, y: usize, scratch: usize): void {
  const cinG = CIN / GROUPS;
  const coutG = COUT / GROUPS;
  const k = KH * KW * cinG;
  const pa = scratch + <usize>k * ((coutG + NR - 1) / NR) * NR * 4;
  const pixels = N * OH * OW;
  for (let g = 0; g < GROUPS; g++) {
    packB(scratch, w + (<usize>(g * coutG) << 2), COUT, 1, k, coutG, 0, k);
    for (let p0 = 0; p0 < pixels; p0 += PIXELS) {
      const np = min(PIXELS, pixels - p0);
      im2colRows(pa, x, p0, np, cinG, g * cinG, false);
      gemm(pa, scratch, y + ((<usize>p0 * COUT + g * coutG) << 2), np, coutG, k, COUT, false);
    }
  }
}

/** conv2d input gradient (the transposed conv): dy [n,oh,ow,cout] → dx [n,h,w,cin]. */
export function convInputGrad(dy: usize, w: usize, dx: usize, scratch: usize): void {
  const cinG = CIN / GROUPS;
  const coutG = COUT / GROUPS;
  const taps = KH * KW;
  const k = taps * coutG;
  const pa = scratch + <usize>k * ((cinG + NR - 1) / NR) * NR * 4;
  const pixels = N * H * W;
  for (let g = 0; g < GROUPS; g++) {
    // B[(tap, co)][ci] = w[tap][ci][g·coutG + co]
    for (let t = 0; t < taps; t++) packB(scratch, w + (<usize>(t * cinG * COUT + g * coutG) << 2), 1, COUT, coutG, cinG, t * coutG, k);
    for (let p0 = 0; p0 < pixels; p0 += PIXELS) {
      const np = min(PIXELS, pixels - p0);
      im2colRows(pa, dy, p0, np, coutG, g * coutG, true);
      gemm(pa, scratch, dx + ((<usize>p0 * CIN + g * cinG) << 2), np, cinG, k, CIN, false);
    }
  }
}

/** Partial weight gradients: dw[s] = Σ over pixels s·chunk.. of im2col(x)ᵀ · dy, [split, kh·kw·cinG, cout]. */
export function convWeightGrad(x: usize, dy: usize, dw: usize, scratch: usize, split: i32, chunk: i32): void {
  const cinG = CIN / GROUPS;
  const coutG = COUT / GROUPS;
  const rows = KH * KW * cinG;
  const pixels = N * OH * OW;
  const slab = <usize>rows * COUT * 4;
  const pb = scratch + <usize>((rows + MR - 1) / MR) * MR * PIXELS * 4;
  for (let s = 0; s < split; s++) {
    const end = min(pixels, (s + 1) * chunk);
    for (let g = 0; g < GROUPS; g++) {
      const out = dw + <usize>s * slab + (<usize>(g * coutG) << 2);
      let first = true;
      for (let p0 = s * chunk; p0 < end; p0 += PIXELS) {
        const np = min(PIXELS, end - p0);
        im2colCols(scratch, x, p0, np, cinG, g * cinG);
        packB(pb, dy + ((<usize>p0 * COUT + g * coutG) << 2), COUT, 1, np, coutG, 0, np);
        gemm(scratch, pb, out, rows, coutG, np, COUT, !first);
        first = false;
      }
      if (first) for (let r = 0; r < rows; r++) memory.fill(out + <usize>r * COUT * 4, 0, <usize>coutG * 4);
    }
  }
}
