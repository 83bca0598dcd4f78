// The GEMM at the heart of the CPU backend's wasm kernels: C (+)= A·B with B packed in NR-column
// panels and A packed in MR-row panels (or a conv's row-major im2col block), as XNNPACK does,
// one MR×NR f32x4 micro-kernel per tile; and the matmul entry points built on it.

/** Rows of A and columns of B one micro-kernel tile computes (8 accumulators of f32x4). */
export const MR: i32 = 4;
export const NR: i32 = 8;
/** The reduction and row blocks of a GEMM: a KC×NR panel of B stays in L1, an MC×KC block of A (512 KiB) in L2. */
export const KC: i32 = 256;
const MC: i32 = 512;

/**
 * An MR×NR tile for edges, computed in full there, then its valid part copied out: the first
 * bytes of the calling thread's scratch (threads share the memory), set by useScratch.
 */
let EDGE: usize = 0;
export const EDGE_BYTES: usize = MR * NR * 4;

/** Takes a thread's scratch: its edge tile, then the rest (returned) for its own blocks. */
@inline export function useScratch(scratch: usize): usize {
  EDGE = scratch;
  return scratch + EDGE_BYTES;
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
export function gemm(a: usize, lda: i32, pb: usize, c: usize, m: i32, n: i32, k: i32, ldc: i32, acc: bool, iLo: i32 = 0, iHi: i32 = m): void {
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
export function packB(dst: usize, src: usize, rs: i32, cs: i32, k: i32, n: i32, q0: i32, kTotal: i32): void {
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
