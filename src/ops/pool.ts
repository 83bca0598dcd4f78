// Pooling (NHWC): maxPool2d, avgPool2d and globalAvgPool2d — shape rules, CPU kernels, GPU
// lowerings (shaders/pool.wgsl) and gradient rules. Max pooling routes the gradient to the
// first maximum of each window (as PyTorch); average pooling spreads it evenly.

import poolWgsl from '../../shaders/pool.wgsl?raw';
import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { gridFor } from '../graph/launch';
import { LazyNode, type KernelDef } from '../graph/ir';
import { shapeStr } from '../shape';
import { makeTensor, Tensor } from '../tensor';
import { checkOptions, type OptionSpec } from './options';
import { intPair, paddingPair, samePadding, type AxisPadding, type WindowGeometry } from './window';
import { kernelNode } from './node-builders';

/** One pooling of x [n,h,w,c] → [n,oh,ow,c]. */
interface PoolGeometry extends WindowGeometry {
  readonly c: number;
  /** Averages divide by the full window (PyTorch) instead of the real pixels in it (Keras). */
  readonly includePad: boolean;
}

export interface PoolOptions {
  kernelSize: number | readonly [number, number];
  /** Defaults to `kernelSize`. */
  stride?: number | readonly [number, number];
  /** `'valid'` (default), `'same'` (TensorFlow's rule), or a symmetric number / `[ph, pw]` ≤ half the window. */
  padding?: 'valid' | 'same' | number | readonly [number, number];
}

export interface AvgPoolOptions extends PoolOptions {
  /** false (default, Keras): average over real pixels only; true (PyTorch): divide by the full window. */
  countIncludePad?: boolean;
}

// ---- CPU kernels ------------------------------------------------------------------------
// Per output pixel, the window's rows of C contiguous channels are combined channel-wise.

/** Calls `visit(outRow, inRow)` for every real input pixel of every window, in row-major order. */
function forEachWindow(a: PoolGeometry, begin: (outRow: number, y0: number, x0: number) => void, visit: (outRow: number, inRow: number) => void): void {
  const { n, h, w, c, oh, ow, kh, kw, sh, sw, pt, pl } = a;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const outRow = ((b * oh + oy) * ow + ox) * c;
        const y0 = oy * sh - pt;
        const x0 = ox * sw - pl;
        begin(outRow, y0, x0);
        for (let iy = Math.max(y0, 0); iy < Math.min(y0 + kh, h); iy++) {
          for (let ix = Math.max(x0, 0); ix < Math.min(x0 + kw, w); ix++) visit(outRow, ((b * h + iy) * w + ix) * c);
        }
      }
    }
  }
}

/** The number of values the window at (y0, x0) averages over. */
function windowCount(a: PoolGeometry, y0: number, x0: number): number {
  if (a.includePad) return a.kh * a.kw;
  return (Math.min(y0 + a.kh, a.h) - Math.max(y0, 0)) * (Math.min(x0 + a.kw, a.w) - Math.max(x0, 0));
}

/** For every output element, the flat index in x of its window's first maximum. */
function argmaxCpu(x: Float32Array, a: PoolGeometry): Int32Array {
  const at = new Int32Array(a.n * a.oh * a.ow * a.c).fill(-1);
  forEachWindow(
    a,
    () => {},
    (outRow, inRow) => {
      for (let ch = 0; ch < a.c; ch++) {
        const best = at[outRow + ch];
        if (best < 0 || x[inRow + ch] > x[best]) at[outRow + ch] = inRow + ch;
      }
    },
  );
  return at;
}

function maxPoolCpu(x: Float32Array, a: PoolGeometry): Float32Array {
  return Float32Array.from(argmaxCpu(x, a), (i) => x[i]);
}

function maxPoolGradCpu(x: Float32Array, dy: Float32Array, a: PoolGeometry): Float32Array {
  const dx = new Float32Array(a.n * a.h * a.w * a.c);
  argmaxCpu(x, a).forEach((i, o) => (dx[i] += dy[o]));
  return dx;
}

function avgPoolCpu(x: Float32Array, a: PoolGeometry): Float32Array {
  const out = new Float32Array(a.n * a.oh * a.ow * a.c);
  const scale = new Float32Array(a.n * a.oh * a.ow);
  forEachWindow(
    a,
    (outRow, y0, x0) => (scale[outRow / a.c] = 1 / windowCount(a, y0, x0)),
    (outRow, inRow) => {
      for (let ch = 0; ch < a.c; ch++) out[outRow + ch] += x[inRow + ch];
    },
  );
  return out.map((v, i) => v * scale[Math.floor(i / a.c)]);
}

function avgPoolGradCpu(dy: Float32Array, a: PoolGeometry): Float32Array {
  const dx = new Float32Array(a.n * a.h * a.w * a.c);
  let scale = 0;
  forEachWindow(
    a,
    (_, y0, x0) => (scale = 1 / windowCount(a, y0, x0)),
    (outRow, inRow) => {
      for (let ch = 0; ch < a.c; ch++) dx[inRow + ch] += dy[outRow + ch] * scale;
    },
  );
  return dx;
}

// ---- GPU lowerings ----------------------------------------------------------------------

function poolLaunch(entryPoint: string, a: PoolGeometry, threads: number, vec = 1) {
  const workgroups = gridFor(threads);
  const constants = {
    N: a.n, H: a.h, W: a.w, C: a.c, OH: a.oh, OW: a.ow, KH: a.kh, KW: a.kw, SH: a.sh, SW: a.sw, PT: a.pt, PL: a.pl,
    INCLUDE_PAD: Number(a.includePad), VEC: vec, GRID_X: workgroups[0],
  };
  return { code: poolWgsl, entryPoint, constants, workgroups };
}

/** vec4 blocks of channels per invocation of the `_vec4` kernels. */
const POOL_VEC = 8;

/**
 * The `_vec4` form of max-pool kernel `entryPoint` when the channels come in vec4s (one
 * invocation per POOL_VEC of them per output pixel), else the scalar one per output element.
 */
function maxPoolLaunch(entryPoint: string, a: PoolGeometry) {
  if (a.c % 4 !== 0) return poolLaunch(entryPoint, a, outputs(a));
  return poolLaunch(`${entryPoint}_vec4`, a, a.n * a.oh * a.ow * Math.ceil(a.c / 4 / POOL_VEC), POOL_VEC);
}

/** Windows do not overlap: each input pixel has at most one window (the `_cells` kernels). */
const disjoint = (a: PoolGeometry) => a.sh >= a.kh && a.sw >= a.kw;
const outputs = (a: PoolGeometry) => a.n * a.oh * a.ow * a.c;
const inputs = (a: PoolGeometry) => a.n * a.h * a.w * a.c;

export const MAX_POOL: KernelDef<PoolGeometry> = {
  name: 'maxPool2d',
  epilogue: true,
  cpu: ([x], node) => maxPoolCpu(x as Float32Array, node.op.attrs),
  gpu: (node) => maxPoolLaunch('max_pool', node.op.attrs),
};

export const AVG_POOL: KernelDef<PoolGeometry> = {
  name: 'avgPool2d',
  epilogue: true,
  cpu: ([x], node) => avgPoolCpu(x as Float32Array, node.op.attrs),
  gpu: (node) => poolLaunch('avg_pool', node.op.attrs, outputs(node.op.attrs)),
};

export const MAX_POOL_GRAD: KernelDef<PoolGeometry> = {
  name: 'maxPool2dGrad',
  cpu: ([x, dy], node) => maxPoolGradCpu(x as Float32Array, dy as Float32Array, node.op.attrs),
  gpu: (node) => (disjoint(node.op.attrs) ? maxPoolLaunch('max_pool_grad_cells', node.op.attrs) : poolLaunch('max_pool_grad', node.op.attrs, inputs(node.op.attrs))),
};

export const AVG_POOL_GRAD: KernelDef<PoolGeometry> = {
  name: 'avgPool2dGrad',
  cpu: ([dy], node) => avgPoolGradCpu(dy as Float32Array, node.op.attrs),
  gpu: (node) => (disjoint(node.op.attrs) ? poolLaunch('avg_pool_grad_cells', node.op.attrs, outputs(node.op.attrs)) : poolLaunch('avg_pool_grad', node.op.attrs, inputs(node.op.attrs))),
};

// ---- differentiable kernel calls --------------------------------------------------------

function kernel(def: KernelDef<PoolGeometry>, srcs: Tensor[], a: PoolGeometry, shape: number[]): LazyNode {
  return kernelNode(def, a, srcs.map((s) => s.node), shape, 'float32');
}

const outShape = (a: PoolGeometry) => [a.n, a.oh, a.ow, a.c];
const inShape = (a: PoolGeometry) => [a.n, a.h, a.w, a.c];

/** The max-pool gradient is not differentiated further (its second derivative is 0 a.e. in x). */
function maxPoolGrad(x: Tensor, dy: Tensor, a: PoolGeometry): Tensor {
  return makeTensor(kernel(MAX_POOL_GRAD, [x, dy], a, inShape(a)));
}

function avgPool(x: Tensor, a: PoolGeometry): Tensor {
  return makeTensor(kernel(AVG_POOL, [x], a, outShape(a)), [x], (g) => [avgPoolGrad(g, a)]);
}

/** Linear in dy, and the adjoint of avgPool: its own VJP is avgPool. */
function avgPoolGrad(dy: Tensor, a: PoolGeometry): Tensor {
  return makeTensor(kernel(AVG_POOL_GRAD, [dy], a, inShape(a)), [dy], (g) => [avgPool(g, a)]);
}

// ---- options and shape rules ------------------------------------------------------------

/** Output size and leading padding of one axis. */
function poolAxis(op: string, axis: string, size: number, k: number, s: number, padding: AxisPadding): [number, number] {
  if (padding === 'same') return samePadding(size, s, k);
  const p = padding === 'valid' ? 0 : padding;
  if (2 * p > k) throw new ArgumentError(`${op}: padding ${p} along ${axis} must be at most half the window ${k} (so every window holds a real pixel)`);
  if (size + 2 * p < k) {
    throw new ShapeError(`${op}: the window ${k} along ${axis} is larger than the padded input ${size + 2 * p} (size ${size}, padding ${p}); expected a window no larger than the padded input`);
  }
  return [Math.floor((size + 2 * p - k) / s) + 1, p];
}

const POOL_OPTIONS: OptionSpec = { kernelSize: 'number-or-pair', stride: 'number-or-pair', padding: 'padding' };

function geometry(op: string, x: Tensor, opts: Partial<PoolOptions>, includePad: boolean): PoolGeometry {
  if (x.rank !== 4) throw new ShapeError(`${op}: expected x of shape [N,H,W,C] (rank 4), got ${shapeStr(x.shape)}`);
  if (x.dtype !== 'float32') throw new DTypeError(`${op}: expected a float32 tensor, got ${x.dtype}`);
  const [kh, kw] = intPair(op, 'kernelSize', opts.kernelSize, null, 1);
  const [sh, sw] = intPair(op, 'stride', opts.stride, [kh, kw], 1);
  const [ph, pw] = paddingPair(op, opts.padding);
  const [n, h, w, c] = x.shape;
  const [oh, pt] = poolAxis(op, 'height', h, kh, sh, ph);
  const [ow, pl] = poolAxis(op, 'width', w, kw, sw, pw);
  return { n, h, w, c, oh, ow, kh, kw, sh, sw, pt, pl, includePad };
}

/**
 * Max pooling of NHWC `x` [N,H,W,C] → [N,OH,OW,C]; padding is never a candidate.
 *
 * ```ts
 * const y = wg.maxPool2d(x, { kernelSize: 2 }); // halves H and W
 * ```
 */
export function maxPool2d(x: Tensor, opts: PoolOptions): Tensor {
  x = Tensor.check(x, 'maxPool2d');
  const a = geometry('maxPool2d', x, checkOptions('maxPool2d', opts, POOL_OPTIONS, true), false);
  return makeTensor(kernel(MAX_POOL, [x], a, outShape(a)), [x], (g) => [maxPoolGrad(x, g, a)]);
}

/** Average pooling of NHWC `x`; `countIncludePad` chooses Keras (false) or PyTorch (true) edges. */
export function avgPool2d(x: Tensor, opts: AvgPoolOptions): Tensor {
  x = Tensor.check(x, 'avgPool2d');
  const o = checkOptions('avgPool2d', opts, { ...POOL_OPTIONS, countIncludePad: 'boolean' }, true);
  return avgPool(x, geometry('avgPool2d', x, o, o.countIncludePad ?? false));
}

/** The mean over H and W of NHWC `x` [N,H,W,C] → [N,C] (one fused reduction). */
export function globalAvgPool2d(x: Tensor): Tensor {
  x = Tensor.check(x, 'globalAvgPool2d');
  if (x.rank !== 4) throw new ShapeError(`globalAvgPool2d: expected x of shape [N,H,W,C] (rank 4), got ${shapeStr(x.shape)}`);
  if (x.dtype !== 'float32') throw new DTypeError(`globalAvgPool2d: expected a float32 tensor, got ${x.dtype}`);
  return x.mean([1, 2]);
}
