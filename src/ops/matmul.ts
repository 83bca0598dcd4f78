// matmul: batched matrix product with NumPy batch broadcasting (as torch.matmul for rank ≥ 2).
// The node is [batch, M, K] · [batch, K, N] over operands stored as they are: a transposed
// operand (a swap of its last two axes) is read transposed by the kernel instead of copied, and
// an operand whose batch axes broadcast by leading axes is reused by index. The GPU lowering
// picks among the kernels of shaders/matmul.wgsl; the CPU kernel is blocked over rows.

import matmulWgsl from '../../shaders/matmul.wgsl?raw';
import type { CalibrationFamily } from '../backend/webgpu/calibrate';
import { registerCalibrationFamily } from '../backend/webgpu/calibration-families';
import { DTypeError, ShapeError } from '../errors';
import { grid } from '../graph/launch';
import { LazyNode, type GpuLaunch, type GpuTarget, type KernelDef } from '../graph/ir';
import { broadcastShapes, shapeStr, sizeOf, type Shape } from '../shape';
import { makeTensor, Tensor } from '../tensor';
import { WIDE_GROUP, WIDE_TILES, wideTileEntry } from './matmul-wide';
import { outerTileFits, outerTileLaunch } from './matmul-outer';
import { quickMatmulLaunch } from './matmul-quick';
import { sumTo } from './movement';
import { broadcastNode, fullNode, reshapeNode, kernelNode } from './node-builders';

/** The product's sizes; operand X holds batchX matrices (1 or the batch, or a trailing factor). */
export interface MatmulAttrs {
  batch: number;
  m: number;
  k: number;
  n: number;
  batchA: number;
  batchB: number;
  /** a is stored [batchA, K, M] instead of [batchA, M, K]. */
  transA: boolean;
  /** b is stored [batchB, N, K] instead of [batchB, K, N]. */
  transB: boolean;
}

/** Rows of A the CPU kernel computes together, so each row of B is read once per block. */
const CPU_ROW_BLOCK = 4;

/** Blocked CPU matmul: blocks of rows share each pass over B; sums in float64. */
export function matmulCpu(a: Float32Array, b: Float32Array, attrs: MatmulAttrs): Float32Array {
  const { batch, m, k, n, batchA, batchB, transA, transB } = attrs;
  const out = new Float32Array(batch * m * n);
  const rows = new Float64Array(CPU_ROW_BLOCK * k);
  const acc = new Float64Array(CPU_ROW_BLOCK * n);
  for (let p = 0; p < batch; p++) {
    const aOff = (p % batchA) * m * k;
    const bOff = (p % batchB) * k * n;
    for (let i0 = 0; i0 < m; i0 += CPU_ROW_BLOCK) {
      const nr = Math.min(CPU_ROW_BLOCK, m - i0);
      for (let r = 0; r < nr; r++) {
        for (let q = 0; q < k; q++) rows[r * k + q] = transA ? a[aOff + q * m + i0 + r] : a[aOff + (i0 + r) * k + q];
      }
      acc.fill(0);
      if (transB) {
        for (let j = 0; j < n; j++) {
          const col = bOff + j * k;
          for (let r = 0; r < nr; r++) {
            let s = 0;
            for (let q = 0; q < k; q++) s += rows[r * k + q] * b[col + q];
            acc[r * n + j] = s;
          }
        }
      } else {
        for (let q = 0; q < k; q++) {
          const row = bOff + q * n;
          for (let r = 0; r < nr; r++) {
            const av = rows[r * k + q];
            if (av === 0) continue;
            const o = r * n;
            for (let j = 0; j < n; j++) acc[o + j] += av * b[row + j];
          }
        }
      }
      for (let r = 0; r < nr; r++) out.set(acc.subarray(r * n, (r + 1) * n), p * m * n + (i0 + r) * n);
    }
  }
  return out;
}

/**
 * When one workgroup per output (64 threads splitting K) beats output tiles: few outputs, so
 * tiles would leave the device idle, each with a long K to split. Not where workgroups and
 * barriers are dear (SwiftShader): there the dot kernel's tree reduction made a recurrent
 * layer's weight gradient (16×64 outputs, K = 640) take 257 ms, against about 1 ms as a register tile.
 */
function prefersDot(outputs: number, k: number, target: GpuTarget): boolean {
  return target.sharedMemoryTiles && ((outputs <= 1024 && k >= 256) || (outputs <= 4096 && k >= 1024));
}

/**
 * The tiled kernels of shaders/matmul.wgsl (and its generated wide tiles), one of which
 * calibration picks; wide tiles fall back to `regtile` for operands they cannot read.
 */
export const MATMUL_VARIANTS = ['regtile', 'tiled', 'wide32x16', 'wide64x8'] as const;
export type MatmulVariant = (typeof MATMUL_VARIANTS)[number];

/**
 * The shape class a matmul is calibrated by: 'small' outputs (under 256 × 256: wide tiles
 * would leave cores idle), 'skinny' (at most 32 columns), or 'large'.
 */
export function matmulClass(attrs: MatmulAttrs): 'small' | 'skinny' | 'large' {
  const outputs = attrs.batch * attrs.m * attrs.n;
  if (outputs < 256 * 256) return 'small';
  return attrs.n <= 32 ? 'skinny' : 'large';
}

/** Per class: the variants worth timing and the shape calibration times them on. */
export const MATMUL_PROBES: Record<ReturnType<typeof matmulClass>, { candidates: readonly MatmulVariant[]; attrs: MatmulAttrs }> = {
  small: { candidates: ['regtile', 'tiled', 'wide32x16'], attrs: { batch: 1, m: 128, k: 256, n: 128, batchA: 1, batchB: 1, transA: false, transB: false } },
  skinny: { candidates: ['regtile', 'tiled', 'wide64x8'], attrs: { batch: 1, m: 4096, k: 144, n: 32, batchA: 1, batchB: 1, transA: false, transB: false } },
  large: { candidates: ['regtile', 'tiled', 'wide32x16', 'wide64x8'], attrs: { batch: 1, m: 256, k: 256, n: 256, batchA: 1, batchB: 1, transA: false, transB: false } },
};

/**
 * The variant before calibration: workgroup-memory tiles on GPUs; on adapters without them
 * (SwiftShader) what calibration measures there: the wide tiles (2.2× the 8×8 register tile
 * at 1024 on SwiftShader), also for small outputs from 128 × 256 where they can read vec4s
 * (W2's first layer, 128×784×256: 1.4–2× faster than the register tile in one profile run);
 * register tiles for smaller ones. A transposed A takes the outer-product tiles instead.
 */
function defaultVariant(attrs: MatmulAttrs, target: GpuTarget): MatmulVariant {
  if (target.sharedMemoryTiles) return 'tiled';
  const cls = matmulClass(attrs);
  if (cls === 'small') return attrs.m * attrs.n >= 128 * 256 && attrs.k % 4 === 0 && attrs.n % 4 === 0 ? 'wide32x16' : 'regtile';
  return cls === 'skinny' ? 'wide64x8' : 'wide32x16';
}

/** The words of shaders/matmul.wgsl's `wg_dims` for `attrs` (GpuLaunch.dims); `gridX`: main_dot's grid width. */
export function matmulDims(attrs: MatmulAttrs, gridX = 1): number[] {
  return [attrs.m, attrs.k, attrs.n, attrs.batch, attrs.batchA, attrs.batchB, gridX];
}

/**
 * The kernel of shaders/matmul.wgsl for these sizes on this device: `variant` when given, else
 * the one calibration measured fastest for the shape class, else register tiles on SwiftShader
 * and workgroup-memory tiles elsewhere. Few outputs with a long K take `main_dot` on GPUs.
 */
export function matmulLaunch(attrs: MatmulAttrs, target: GpuTarget, variant?: MatmulVariant): GpuLaunch {
  const { batch, m, k, n, transA, transB } = attrs;
  // Only what changes the code is a constant; the sizes are runtime dims (one pipeline for all).
  const constants = {
    TRANS_A: Number(transA),
    TRANS_B: Number(transB),
    VEC_A: Number((transA ? m : k) % 4 === 0),
    VEC_B: Number((transB ? k : n) % 4 === 0),
    K_TAIL: Number(k % 4 !== 0),
  };
  const outputs = batch * m * n;
  const dims = (gridX = 1) => matmulDims(attrs, gridX);
  // The epilogue's index math on the output [batch, M, N] reads these (a bias is `% N`).
  const epilogueSizes = [
    { value: n, wgsl: 'i32(wg_dims.N)' },
    { value: m, wgsl: 'i32(wg_dims.M)' },
    { value: m * n, wgsl: 'i32(wg_dims.M * wg_dims.N)' },
  ];
  if (!variant && prefersDot(outputs, k, target)) {
    const workgroups = grid(outputs);
    return { code: matmulWgsl, entryPoint: 'main_dot', constants, dims: dims(workgroups[0]), workgroups, epilogueSizes };
  }
  let chosen = variant ?? (target.variant('matmul', matmulClass(attrs)) as MatmulVariant | undefined) ?? defaultVariant(attrs, target);
  // Every tile's quick variant (tiered compilation) is shaders/matmul_quick.wgsl: one small
  // pipeline per epilogue, where the register tile compiles one per transpose and alignment
  // (W2's first step: 6 register tiles, 0.2-0.5 s each on SwiftShader) and the wide and
  // outer-product tiles take 4-6× as long again.
  const quick = quickMatmulLaunch(attrs, epilogueSizes);
  const regtile: GpuLaunch = { code: matmulWgsl, entryPoint: 'main_regtile', constants, dims: dims(), workgroups: [Math.ceil(n / 64), Math.ceil(m / 64), batch], quick, epilogueSizes };
  // A transposed A (a weight gradient xᵀ·dy) is contiguous along M: the outer-product tiles.
  if (chosen.startsWith('wide') && outerTileFits(attrs)) return { ...outerTileLaunch(attrs, constants, dims()), quick, epilogueSizes };
  // The wide tiles read vec4s along K of A and along N of B only.
  if (chosen.startsWith('wide') && (transA || transB || k % 4 !== 0 || n % 4 !== 0)) chosen = 'regtile';
  if (chosen === 'tiled') {
    return { code: matmulWgsl, entryPoint: 'main_tiled', constants, dims: dims(), workgroups: [Math.ceil(n / 64), Math.ceil(m / 64), batch], epilogueSizes };
  }
  if (chosen === 'regtile') return regtile;
  const [rows, cols] = WIDE_TILES[chosen];
  const group = wideGroup(attrs, rows, cols);
  const code = matmulWgsl + wideTileEntry(rows, cols, group);
  return { code, entryPoint: 'main_wide', constants, dims: dims(), workgroups: [Math.ceil(n / (cols * group)), Math.ceil(m / (rows * group)), batch], quick, epilogueSizes };
}

/** Workgroups a wide tile should at least fill: a few per core, so one busy core does not stall the product. */
const WIDE_MIN_WORKGROUPS = 4;

/**
 * Invocations per side of a wide tile's workgroup: WIDE_GROUP, or half of it where that would
 * leave fewer than WIDE_MIN_WORKGROUPS (256 × 256: 2 workgroups; 4 × 4 groups make 8, in
 * four runs on 2 shared cores 1.0-1.6× faster, for about 10% more CPU time).
 */
function wideGroup(attrs: MatmulAttrs, rows: number, cols: number): number {
  const count = (group: number) => Math.ceil(attrs.n / (cols * group)) * Math.ceil(attrs.m / (rows * group)) * attrs.batch;
  return count(WIDE_GROUP) < WIDE_MIN_WORKGROUPS ? WIDE_GROUP / 2 : WIDE_GROUP;
}

/** Calibration of the matmul variants: each class's candidates on its probe shape. */
export function matmulCalibration(target: GpuTarget): CalibrationFamily {
  return {
    family: 'matmul',
    classes: Object.entries(MATMUL_PROBES).map(([shapeClass, { candidates, attrs }]) => ({
      shapeClass,
      candidates: candidates.map((variant) => ({
        variant,
        launch: matmulLaunch(attrs, target, variant),
        bindingBytes: [attrs.m * attrs.k * 4, attrs.k * attrs.n * 4, attrs.m * attrs.n * 4],
      })),
    })),
  };
}

registerCalibrationFamily('matmul', matmulCalibration);

export const MATMUL: KernelDef<MatmulAttrs> = {
  name: 'matmul',
  epilogue: true,
  cpu: ([a, b], node) => matmulCpu(a as Float32Array, b as Float32Array, node.op.attrs),
  gpu: (node, target) => matmulLaunch(node.op.attrs, target),
};

/** An operand as stored: a swap of its last two axes is undone and read transposed instead. */
function stored(x: Tensor): { node: LazyNode; trans: boolean } {
  let node = x.node;
  let trans = false;
  while (node.op.kind === 'view' && node.op.view.kind === 'permute' && swapsLastTwo(node.op.view.perm)) {
    node = node.srcs[0];
    trans = !trans;
  }
  return { node, trans };
}

function swapsLastTwo(perm: readonly number[]): boolean {
  const r = perm.length;
  return r >= 2 && perm[r - 2] === r - 1 && perm[r - 1] === r - 2 && perm.slice(0, -2).every((p, i) => p === i);
}

/**
 * How many matrices an operand with batch axes `own` supplies to the broadcast batch `full`:
 * 1 or all of them when its axes (past leading 1s) are a suffix of `full`, read by index
 * p % count; null when it must be broadcast (copied) first.
 */
function batchCount(own: Shape, full: Shape): number | null {
  const padded = [...new Array<number>(full.length - own.length).fill(1), ...own];
  const first = padded.findIndex((d) => d !== 1);
  if (first < 0) return 1;
  return padded.slice(first).every((d, i) => d === full[first + i]) ? sizeOf(own) : null;
}

/** The operand node as [count, rows, cols] of its stored layout, broadcast if it must be. */
function operandNode(s: { node: LazyNode }, full: Shape): { node: LazyNode; count: number } {
  const shape = s.node.shape;
  const [r, c] = shape.slice(-2);
  const count = batchCount(shape.slice(0, -2), full);
  if (count !== null) return { node: reshapeNode(s.node, [count, r, c]), count };
  const total = sizeOf(full);
  return { node: reshapeNode(broadcastNode(s.node, [...full, r, c]), [total, r, c]), count: total };
}

/**
 * Matrix product of the last two axes; leading (batch) axes broadcast as in NumPy.
 *
 * ```ts
 * wg.tensor([[1, 2], [3, 4]]).matmul(wg.tensor([[5], [6]])); // [[17], [39]]
 * ```
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  a = Tensor.check(a, 'matmul');
  b = Tensor.check(b, 'matmul');
  if (a.rank < 2 || b.rank < 2) throw new ShapeError(`matmul: both operands need rank ≥ 2, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new DTypeError(`matmul: operands must be float32, got ${a.dtype} and ${b.dtype}`);
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2) {
    throw new ShapeError(`matmul: inner dimensions differ: ${shapeStr(a.shape)} · ${shapeStr(b.shape)} (a's last axis ${k} must equal b's second-to-last ${k2})`);
  }
  const batchShape = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  // An empty inner dimension sums nothing: zeros, with no kernel (whose index math divides by K).
  if (k === 0) return makeTensor(fullNode([...batchShape, m, n], 0, 'float32'), [a, b], () => [a.mul(0), b.mul(0)]);
  const batch = sizeOf(batchShape);
  const sa = stored(a);
  const sb = stored(b);
  let aOp = operandNode(sa, batchShape);
  const bOp = operandNode(sb, batchShape);
  let attrs: MatmulAttrs = { batch, m, k, n, batchA: aOp.count, batchB: bOp.count, transA: sa.trans, transB: sb.trans };
  if (bOp.count === 1 && !sa.trans && aOp.count === batch && batch > 1) {
    // One b for every a: fold a's matrices into rows of one big product.
    aOp = { node: reshapeNode(aOp.node, [1, batch * m, k]), count: 1 };
    attrs = { ...attrs, batch: 1, m: batch * m, batchA: 1 };
  }
  const node = kernelNode(MATMUL, attrs, [aOp.node, bOp.node], [attrs.batch, attrs.m, n], 'float32');
  return makeTensor(reshapeNode(node, [...batchShape, m, n]), [a, b], (g) => [
    sumTo(g.matmul(b.transpose(swapLast(b.rank))), a.shape),
    sumTo(a.transpose(swapLast(a.rank)).matmul(g), b.shape),
  ]);
}

function swapLast(rank: number): number[] {
  const p = Array.from({ length: rank }, (_, i) => i);
  [p[rank - 2], p[rank - 1]] = [p[rank - 1], p[rank - 2]];
  return p;
}
