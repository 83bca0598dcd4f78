// Convolutions (NHWC): conv2d, conv1d and conv2dTranspose — shape rules, CPU kernels, GPU
// lowerings (shaders/conv2d*.wgsl) and gradient rules. Three kernels close under
// differentiation: the forward conv, its input gradient (the transposed conv) and its weight
// gradient, each the others' VJP. Their variants register a calibration family each.

import conv2dWgsl from '../../shaders/conv2d.wgsl?raw';
import transposeWgsl from '../../shaders/conv2d_transpose.wgsl?raw';
import weightGradWgsl from '../../shaders/conv2d_weight_grad.wgsl?raw';
import { ArgumentError, DTypeError, ShapeError } from '../errors';
import type { CalibrationFamily } from '../backend/webgpu/calibrate';
import { registerCalibrationFamily } from '../backend/webgpu/calibration-families';
import { resolveIncludes } from '../graph/codegen';
import { gridFor } from '../graph/launch';
import { LazyNode, type GpuLaunch, type GpuTarget, type KernelDef } from '../graph/ir';
import { checkSize, shapeStr } from '../shape';
import { makeTensor, Tensor } from '../tensor';
import { convCpu, convInputGradCpu, convWeightGradCpu } from './conv-cpu';
import { hasShortReduction, shortReductionKernel } from './conv-direct';
import { winogradFits, winogradInvocations, winogradKernel } from './conv-winograd';
import { CONV_WIDE_TILES, convForwardWide, convInputGradWide, convWeightGradWide, type ConvWideTile, type WeightGradReads } from './conv-wide';
import { fullNode, kernelNode, reshapeNode } from './node-builders';
import { checkOptions, type OptionSpec } from './options';
import { intPair, paddingPair, samePadding, type AxisPadding, type WindowGeometry } from './window';

/**
 * The geometry of one forward convolution x [n,h,w,cin] → y [n,oh,ow,cout] with a kernel
 * [kh,kw,cin/groups,cout] dilated by dh, dw.
 */
export interface ConvGeometry extends WindowGeometry {
  readonly cin: number;
  readonly cout: number;
  readonly dh: number;
  readonly dw: number;
  readonly groups: number;
}

export interface WeightGradAttrs extends ConvGeometry {
  /** The pixel reduction is cut into `split` chunks of `chunk` pixels, summed afterwards. */
  readonly split: number;
  readonly chunk: number;
}

/** `'valid'`, `'same'` (TensorFlow's rule), a symmetric number, or `[ph, pw]`. */
export type ConvPadding = 'valid' | 'same' | number | readonly [number, number];

export interface Conv2dOptions {
  stride?: number | readonly [number, number];
  padding?: ConvPadding;
  dilation?: number | readonly [number, number];
  groups?: number;
  /** Added to every output pixel: shape [Cout]. */
  bias?: Tensor;
}

export interface Conv1dOptions {
  stride?: number;
  padding?: 'valid' | 'same' | number;
  dilation?: number;
  groups?: number;
  bias?: Tensor;
}

export interface Conv2dTransposeOptions {
  stride?: number | readonly [number, number];
  /** Keras semantics: `'same'` gives H·stride, `'valid'` no cropping; numbers crop both sides. */
  padding?: ConvPadding;
  outputPadding?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  bias?: Tensor;
}

// ---- GPU lowerings ----------------------------------------------------------------------

function geometryConstants(a: ConvGeometry): Record<string, number> {
  return {
    N: a.n, H: a.h, W: a.w, CIN: a.cin, OH: a.oh, OW: a.ow, COUT: a.cout, KH: a.kh, KW: a.kw,
    SH: a.sh, SW: a.sw, PT: a.pt, PL: a.pl, DH: a.dh, DW: a.dw,
    GROUPS: a.groups, CIN_G: a.cin / a.groups, COUT_G: a.cout / a.groups,
  };
}

/** Launch of `threads` invocations in workgroups of 64, flattened over a 2-D grid. */
function launch(code: string, entryPoint: string, threads: number, constants: Record<string, number>) {
  const workgroups = gridFor(threads);
  return { code, entryPoint, constants: { ...constants, GRID_X: workgroups[0] }, workgroups };
}

const tiles4 = (v: number) => Math.ceil(v / 4);

/**
 * The kernels of each convolution family: `direct` (the hand-written 4×4 / 4×8 / 4×16 tiles of
 * the shader) or a wide tile of conv-wide.ts. Tests force each with `forceKernelVariant`.
 */
export const CONV_VARIANTS = ['direct', ...(Object.keys(CONV_WIDE_TILES) as ConvWideTile[])] as const;

/**
 * Winograd F(2×2, 3×3) (conv-winograd.ts): a further variant of the forward conv and its input
 * gradient, where a geometry fits it (others take the family's default in its place).
 */
export const CONV_WINOGRAD = 'winograd';
export type ConvVariant = (typeof CONV_VARIANTS)[number] | typeof CONV_WINOGRAD;

/** Kernel families, as `forceKernelVariant` and calibration name them. */
export const CONV_FAMILIES = { forward: 'conv2d', inputGrad: 'conv2dInputGrad', weightGrad: 'conv2dWeightGrad' } as const;
export type ConvFamily = (typeof CONV_FAMILIES)[keyof typeof CONV_FAMILIES];

/** Multiply-adds from which a convolution is 'large': worth a wide tile's longer compile. */
const LARGE_CONV = 2 ** 25;

/** The multiply-adds of a geometry (the same for its three kernels). */
const convMacs = (a: ConvGeometry) => a.n * a.oh * a.ow * a.cout * a.kh * a.kw * (a.cin / a.groups);

/** The shape class of a geometry (the same for its three kernels): by its multiply-adds. */
export function convClass(a: ConvGeometry): 'small' | 'large' {
  return convMacs(a) >= LARGE_CONV ? 'large' : 'small';
}

/**
 * Multiply-adds from which the weight gradient of a first layer (under 4 input channels a group)
 * takes its wide tile though the conv is small: the direct kernel for it reads x one pixel and
 * tap at a time and ran 3× slower than the wide tile at W3's first conv (1 → 32, 28×28, b64).
 */
const FIRST_LAYER_WIDE_DW = 2 ** 23;

/**
 * Before calibration: on SwiftShader (no workgroup-memory tiles) large convs take wide tiles —
 * Winograd (conv-winograd.ts) ran level with them there (1.50 against 1.43 GFLOP/s at the CNN's
 * second conv, b256; equal at its input gradient) and compiles longer, so it is left to calibration —
 * 32×16 for the forward and input gradient, 16×32 for the weight gradient, the fastest of the
 * three measured at the W3–W5 shapes there; small ones the direct kernels (they compile in a
 * fraction of the time), as do all convs elsewhere, except first layers' weight gradients.
 */
function defaultVariant(family: ConvFamily, a: ConvGeometry, target: GpuTarget): ConvVariant {
  if (target.sharedMemoryTiles) return 'direct';
  if (family === CONV_FAMILIES.weightGrad) {
    const firstLayer = a.cin / a.groups < 4 && convMacs(a) >= FIRST_LAYER_WIDE_DW;
    return convClass(a) === 'large' || firstLayer ? 'wide16x32' : 'direct';
  }
  return convClass(a) === 'large' ? 'wide32x16' : 'direct';
}

/**
 * The wide tile for kernel `family` of geometry `a` whose columns are `colChannels` channels per
 * group, or undefined for the direct kernels: the forced or measured variant, else the default.
 * Where a wide tile was chosen but its columns do not divide those channels, another wide tile
 * whose columns do: calibration measures one probe geometry for the whole shape class, and a
 * 16×32 tile it picked there left W5's input gradient (16 channels) on the direct kernel, at
 * 42% of the 32×16 tile's speed.
 */
function wideTile(family: ConvFamily, a: ConvGeometry, target: GpuTarget, colChannels: number): ConvWideTile | undefined {
  const chosen = chosenVariant(family, a, target);
  const v = chosen === CONV_WINOGRAD ? defaultVariant(family, a, target) : chosen;
  if (v === 'direct' || v === CONV_WINOGRAD) return undefined;
  const fits = (t: ConvWideTile) => colChannels % CONV_WIDE_TILES[t][1] === 0;
  return fits(v) ? v : (Object.keys(CONV_WIDE_TILES) as ConvWideTile[]).find(fits);
}

/** The forced or measured variant of kernel `family` for geometry `a`, else its default. */
function chosenVariant(family: ConvFamily, a: ConvGeometry, target: GpuTarget): ConvVariant {
  return (target.variant(family, convClass(a)) as ConvVariant | undefined) ?? defaultVariant(family, a, target);
}

export const CONV2D: KernelDef<ConvGeometry> = {
  name: 'conv2d',
  epilogue: true,
  cpu: ([x, w], node) => convCpu(x as Float32Array, w as Float32Array, node.op.attrs),
  gpu(node, target) {
    const a = node.op.attrs;
    const c = geometryConstants(a);
    if (a.cin === a.groups && a.groups > 1) return launch(conv2dWgsl, 'depthwise', a.n * a.oh * a.ow * a.cout, c);
    if (hasShortReduction(a) && target.variant(CONV_FAMILIES.forward, convClass(a)) === undefined) {
      const k = shortReductionKernel(a);
      return launch(k.code, 'short_reduction', k.invocations, c);
    }
    const [cinG, coutG] = [a.cin / a.groups, a.cout / a.groups];
    const pixels = a.n * a.oh * a.ow;
    const pixelTiles = tiles4(pixels);
    const direct =
      cinG % 4 === 0 && coutG % 8 === 0
        ? launch(conv2dWgsl, 'main_vec4x8', pixelTiles * a.groups * (coutG / 8), c)
        : coutG % 16 === 0
          ? launch(conv2dWgsl, 'main_x16', pixelTiles * a.groups * (coutG / 16), c)
          : launch(conv2dWgsl, 'main', pixelTiles * a.groups * tiles4(coutG), c);
    if (chosenVariant(CONV_FAMILIES.forward, a, target) === CONV_WINOGRAD && winogradFits(a, 'forward')) {
      return { ...launch(winogradKernel('forward'), 'main_winograd', winogradInvocations(a, 'forward'), c), quick: direct };
    }
    const wide = wideTile(CONV_FAMILIES.forward, a, target, coutG);
    if (!wide) return direct;
    const [rows, cols] = CONV_WIDE_TILES[wide];
    // The wide tiles compile for seconds on SwiftShader, the direct kernels in a fraction of
    // one: the direct kernel (same output, same epilogue) is their quick variant.
    return { ...launch(conv2dWgsl + convForwardWide(rows, cols, cinG % 4 === 0), 'main_wide', Math.ceil(pixels / rows) * a.groups * (coutG / cols), c), quick: direct };
  },
};

/**
 * conv2d_transpose.wgsl's direct kernel for a group's `cinG` → `coutG` channels and its
 * invocations, given `pixelTiles` (tiles of 4 input pixels, times the groups).
 */
function directInputGrad(cinG: number, coutG: number, pixelTiles: number): [entry: string, threads: number] {
  if (coutG % 4 !== 0) return ['main', pixelTiles * tiles4(cinG)];
  if (cinG % 8 === 0) return ['main_vec4x8', pixelTiles * (cinG / 8)];
  if (cinG === 1) return ['main_one_channel', pixelTiles];
  return ['main_vec4', pixelTiles * tiles4(cinG)];
}

export const CONV2D_INPUT_GRAD: KernelDef<ConvGeometry> = {
  name: 'conv2dTranspose',
  cpu: ([dy, w], node) => convInputGradCpu(dy as Float32Array, w as Float32Array, node.op.attrs),
  gpu(node, target) {
    const a = node.op.attrs;
    const [cinG, coutG] = [a.cin / a.groups, a.cout / a.groups];
    const pixels = a.n * a.h * a.w;
    const c = geometryConstants(a);
    const pixelTiles = tiles4(pixels);
    const direct = launch(transposeWgsl, ...directInputGrad(cinG, coutG, pixelTiles * a.groups), c);
    if (chosenVariant(CONV_FAMILIES.inputGrad, a, target) === CONV_WINOGRAD && winogradFits(a, 'inputGrad')) {
      return { ...launch(winogradKernel('inputGrad'), 'main_winograd', winogradInvocations(a, 'inputGrad'), c), quick: direct };
    }
    const wide = coutG % 4 === 0 ? wideTile(CONV_FAMILIES.inputGrad, a, target, cinG) : undefined;
    if (!wide) return direct;
    const [rows, cols] = CONV_WIDE_TILES[wide];
    return { ...launch(transposeWgsl + convInputGradWide(rows, cols, a.sh === 1 && a.sw === 1), 'main_wide', Math.ceil(pixels / rows) * a.groups * (cinG / cols), c), quick: direct };
  },
};

export const CONV2D_WEIGHT_GRAD: KernelDef<WeightGradAttrs> = {
  name: 'conv2dWeightGrad',
  cpu: ([x, dy], node) => convWeightGradCpu(x as Float32Array, dy as Float32Array, node.op.attrs),
  gpu(node, target) {
    const a = node.op.attrs;
    const [cinG, coutG] = [a.cin / a.groups, a.cout / a.groups];
    const constants = { ...geometryConstants(a), SPLIT: a.split, CHUNK: a.chunk };
    const rowCount = a.kh * a.kw * cinG;
    const rowTiles = tiles4(rowCount);
    const direct =
      cinG % 8 === 0 && coutG % 8 === 0
        ? launch(weightGradWgsl, 'main_vec8', a.split * (rowCount / 8) * a.groups * (coutG / 8), constants)
        : coutG % 16 === 0
          ? launch(weightGradWgsl, 'main_x16', a.split * rowTiles * a.groups * (coutG / 16), constants)
          : launch(weightGradWgsl, 'main', a.split * rowTiles * a.groups * tiles4(coutG), constants);
    const wide = wideTile(CONV_FAMILIES.weightGrad, a, target, coutG);
    if (!wide) return direct;
    const [tileRows, cols] = CONV_WIDE_TILES[wide];
    const reads: WeightGradReads = cinG % 4 !== 0 ? 'scalar' : cinG % tileRows === 0 ? 'oneTap' : 'vec4';
    // Rows read one at a time need not come in fours: a tile no taller than the weight.
    const rows = reads === 'scalar' ? Math.min(tileRows, rowCount) : tileRows;
    // The wide tiles took SwiftShader 1-2 s to compile against the direct kernels' 0.15-0.3 s,
    // which write the same partial sums: the direct kernel is their quick variant.
    const tiles = a.split * Math.ceil(rowCount / rows) * a.groups * (coutG / cols);
    return { ...launch(weightGradWgsl + convWeightGradWide(rows, cols, reads), 'main_wide', tiles, constants), quick: direct };
  },
};

// ---- differentiable kernel calls --------------------------------------------------------

/**
 * Zeros of `shape` standing for a convolution that sums over no input channels (its kernels'
 * index math divides by them); the gradients of the empty operands are empty too.
 */
function emptyConv(x: Tensor, w: Tensor, shape: number[]): Tensor {
  return makeTensor(fullNode(shape, 0, 'float32'), [x, w], () => [x.mul(0), w.mul(0)]);
}

/** The forward conv of geometry `a`; a 1×1 stride-1 unpadded ungrouped conv is a matmul. */
function convForward(x: Tensor, w: Tensor, a: ConvGeometry): Tensor {
  if (a.cin === 0) return emptyConv(x, w, [a.n, a.oh, a.ow, a.cout]);
  if (a.kh === 1 && a.kw === 1 && a.sh === 1 && a.sw === 1 && a.pt === 0 && a.pl === 0 && a.groups === 1 && a.oh === a.h && a.ow === a.w) {
    return x.reshape([-1, a.cin]).matmul(w.reshape([a.cin, a.cout])).reshape([a.n, a.oh, a.ow, a.cout]);
  }
  const node = kernelNode(CONV2D, a, [x.node, w.node], [a.n, a.oh, a.ow, a.cout], 'float32');
  return makeTensor(node, [x, w], (g) => [convInputGrad(g, w, a), convWeightGrad(x, g, a)]);
}

/** dx of the forward conv `a` for output gradient `dy` (the transposed convolution). */
function convInputGrad(dy: Tensor, w: Tensor, a: ConvGeometry): Tensor {
  if (a.cout === 0) return emptyConv(dy, w, [a.n, a.h, a.w, a.cin]);
  const node = kernelNode(CONV2D_INPUT_GRAD, a, [dy.node, w.node], [a.n, a.h, a.w, a.cin], 'float32');
  return makeTensor(node, [dy, w], (g) => [convForward(g, w, a), convWeightGrad(g, dy, a)]);
}

/**
 * The weight gradient's split of its pixel reduction: enough invocations of 16×32 tiles to fill
 * a GPU (or SwiftShader's threads, with 8 workgroups), chunks long enough to amortize the sum,
 * in multiples of the 4 pixels a wide tile takes per step.
 */
export function weightGradAttrs(a: ConvGeometry): WeightGradAttrs {
  const pixels = a.n * a.oh * a.ow;
  const tiles = Math.ceil((a.kh * a.kw * (a.cin / a.groups)) / 16) * a.groups * Math.ceil(a.cout / a.groups / 32);
  const split = Math.max(1, Math.min(Math.ceil(pixels / 256), Math.ceil(512 / tiles)));
  const chunk = 4 * Math.ceil(pixels / split / 4);
  return { ...a, split: Math.ceil(pixels / chunk), chunk };
}

/** dW of the forward conv `a` for input `x` and output gradient `dy`. */
function convWeightGrad(x: Tensor, dy: Tensor, a: ConvGeometry): Tensor {
  const rows = a.kh * a.kw * (a.cin / a.groups);
  const attrs = weightGradAttrs(a);
  const partial = kernelNode(CONV2D_WEIGHT_GRAD, attrs, [x.node, dy.node], [attrs.split, rows, a.cout], 'float32');
  const summed = attrs.split === 1 ? partial : new LazyNode({ kind: 'reduce', reduce: 'sum', axes: [0] }, [partial], [1, rows, a.cout], 'float32');
  const node = reshapeNode(summed, [a.kh, a.kw, a.cin / a.groups, a.cout]);
  return makeTensor(node, [x, dy], (g) => [convInputGrad(dy, g, a), convForward(x, g, a)]);
}

// ---- options and shape rules ------------------------------------------------------------

const CONV2D_OPTIONS: OptionSpec = { stride: 'number-or-pair', padding: 'padding', dilation: 'number-or-pair', groups: 'integer', bias: 'tensor' };
const CONV1D_OPTIONS: OptionSpec = { stride: 'integer', padding: 'axis-padding', dilation: 'integer', groups: 'integer', bias: 'tensor' };
const CONV2D_TRANSPOSE_OPTIONS: OptionSpec = { stride: 'number-or-pair', padding: 'padding', outputPadding: 'number-or-pair', dilation: 'number-or-pair', bias: 'tensor' };

/** Output size and leading padding of one spatial axis of a forward conv. */
function convAxis(op: string, axis: string, size: number, k: number, s: number, d: number, padding: AxisPadding): [number, number] {
  const span = d * (k - 1) + 1;
  if (padding === 'same') return samePadding(size, s, span);
  const p = padding === 'valid' ? 0 : padding;
  if (size + 2 * p < span) {
    throw new ShapeError(`${op}: the kernel spans ${span} along ${axis} (size ${k}, dilation ${d}) but the padded input has only ${size + 2 * p} (size ${size}, padding ${p}); expected a kernel no larger than the padded input`);
  }
  return [Math.floor((size + 2 * p - span) / s) + 1, p];
}

function checkFloat(op: string, ...ts: Tensor[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new DTypeError(`${op}: expected float32 tensors, got ${t.dtype} of shape ${shapeStr(t.shape)}`);
}

/** Throws unless `bias` is undefined or a live float32 [c] (one value per output channel). */
function checkBias(op: string, bias: Tensor | undefined, c: number): void {
  if (bias === undefined) return;
  Tensor.check(bias, op);
  if (bias.rank !== 1 || bias.shape[0] !== c) throw new ShapeError(`${op}: bias must have shape [${c}] (one value per output channel), got ${shapeStr(bias.shape)}`);
  checkFloat(op, bias);
}

/**
 * 2-D convolution of NHWC images `x` [N,H,W,Cin] with `w` [KH,KW,Cin/groups,Cout] → [N,OH,OW,Cout].
 *
 * ```ts
 * const y = wg.conv2d(x, w, { stride: 2, padding: 'same', bias: b }).relu();
 * ```
 */
export function conv2d(x: Tensor, w: Tensor, opts?: Conv2dOptions): Tensor {
  const op = 'conv2d';
  x = Tensor.check(x, op);
  w = Tensor.check(w, op);
  const o = checkOptions(op, opts, CONV2D_OPTIONS);
  if (x.rank !== 4 || w.rank !== 4) {
    throw new ShapeError(`${op}: expected x [N,H,W,Cin] and w [KH,KW,Cin/groups,Cout] (rank 4 each), got ${shapeStr(x.shape)} and ${shapeStr(w.shape)}`);
  }
  checkFloat(op, x, w);
  const [n, h, wd, cin] = x.shape;
  const [kh, kw, cinG, cout] = w.shape;
  const groups = checkGroups(op, o.groups, cin, cinG, cout, x, w);
  if (kh < 1 || kw < 1 || cout < 1) throw new ShapeError(`${op}: w ${shapeStr(w.shape)} must have non-zero kernel size and output channels`);
  const [sh, sw] = intPair(op, 'stride', o.stride, [1, 1], 1);
  const [dh, dw] = intPair(op, 'dilation', o.dilation, [1, 1], 1);
  const [ph, pw] = paddingPair(op, o.padding);
  const [oh, pt] = convAxis(op, 'height', h, kh, sh, dh, ph);
  const [ow, pl] = convAxis(op, 'width', wd, kw, sw, dw, pw);
  checkBias(op, o.bias, cout);
  checkSize(op, [n, oh, ow, cout]);
  const y = convForward(x, w, { n, h, w: wd, cin, oh, ow, cout, kh, kw, sh, sw, pt, pl, dh, dw, groups });
  return o.bias ? y.add(o.bias) : y;
}

/** The `groups` option: an integer ≥ 1 dividing both channel counts, with w's Cin/groups. */
function checkGroups(op: string, groups: number | undefined, cin: number, cinG: number, cout: number, x: Tensor, w: Tensor): number {
  const g = groups ?? 1;
  if (g < 1) throw new ArgumentError(`${op}: groups must be an integer ≥ 1, got ${g}`);
  if (cin % g !== 0 || cout % g !== 0) {
    throw new ShapeError(`${op}: groups ${g} must divide both the input channels ${cin} of x ${shapeStr(x.shape)} and the output channels ${cout} of w ${shapeStr(w.shape)}`);
  }
  if (cinG !== cin / g) {
    throw new ShapeError(`${op}: w ${shapeStr(w.shape)} has ${cinG} input channels per group, expected Cin/groups = ${cin}/${g} = ${cin / g} for x ${shapeStr(x.shape)}`);
  }
  return g;
}

/**
 * 1-D convolution of `x` [N,L,Cin] with `w` [K,Cin/groups,Cout] → [N,OL,Cout]. Checked here in
 * its own terms, then run as a conv2d of height 1 (which then cannot fail).
 *
 * ```ts
 * const y = wg.conv1d(x, w, { padding: 'same', stride: 2 });
 * ```
 */
export function conv1d(x: Tensor, w: Tensor, opts?: Conv1dOptions): Tensor {
  const op = 'conv1d';
  x = Tensor.check(x, op);
  w = Tensor.check(w, op);
  const o = checkOptions(op, opts, CONV1D_OPTIONS);
  if (x.rank !== 3 || w.rank !== 3) {
    throw new ShapeError(`${op}: expected x [N,L,Cin] and w [K,Cin/groups,Cout] (rank 3 each), got ${shapeStr(x.shape)} and ${shapeStr(w.shape)}`);
  }
  checkFloat(op, x, w);
  const [, l, cin] = x.shape;
  const [k, cinG, cout] = w.shape;
  checkGroups(op, o.groups, cin, cinG, cout, x, w);
  if (k < 1 || cout < 1) throw new ShapeError(`${op}: w ${shapeStr(w.shape)} must have a non-zero kernel size and output channels`);
  const [stride] = intPair(op, 'stride', o.stride, [1, 1], 1);
  const [dilation] = intPair(op, 'dilation', o.dilation, [1, 1], 1);
  const [padding] = paddingPair(op, o.padding);
  const [ol] = convAxis(op, 'length', l, k, stride, dilation, padding);
  checkSize(op, [x.shape[0], ol, cout]);
  checkBias(op, o.bias, cout);
  const y = conv2d(x.expandDims(1), w.expandDims(0), {
    stride: [1, stride],
    dilation: [1, dilation],
    padding: typeof padding === 'number' ? [0, padding] : padding,
    groups: o.groups,
    bias: o.bias,
  });
  return y.squeeze(1);
}

/** Output size and leading padding (of the forward conv it is the adjoint of) of one axis. */
function transposeAxis(op: string, axis: string, size: number, k: number, s: number, d: number, padding: AxisPadding, outPad: number | undefined): [number, number] {
  const span = d * (k - 1) + 1;
  if (outPad !== undefined && outPad >= Math.max(s, d)) {
    throw new ArgumentError(`${op}: outputPadding ${outPad} along ${axis} must be smaller than the stride ${s} or the dilation ${d}`);
  }
  let out: number;
  let p: number;
  if (padding === 'same') {
    // Keras: H·stride, or with outputPadding the size of padding span//2 on both sides.
    out = outPad === undefined ? size * s : (size - 1) * s + span - 2 * Math.floor(span / 2) + outPad;
    p = Math.floor(Math.max((size - 1) * s + span - out, 0) / 2);
  } else if (padding === 'valid' && outPad === undefined) {
    // Keras: a stride longer than the kernel span still gives `stride` rows per input row.
    p = 0;
    out = (size - 1) * s + Math.max(span, s);
  } else {
    p = padding === 'valid' ? 0 : padding;
    out = (size - 1) * s - 2 * p + span + (outPad ?? 0);
  }
  if (out < 1) throw new ShapeError(`${op}: the output along ${axis} would have size ${out} (input ${size}, stride ${s}, kernel span ${span}, padding ${p}); expected ≥ 1`);
  return [out, p];
}

/**
 * The transposed convolution (the gradient of conv2d with respect to its input, as a layer):
 * `x` [N,H,W,Cin], `w` [KH,KW,Cout,Cin] (Keras layout) → [N,OH,OW,Cout] with
 * OH = (H−1)·stride − 2·pad + dilation·(KH−1) + outputPadding + 1. The strings follow Keras:
 * `'same'` gives H·stride; `'valid'` without outputPadding gives (H−1)·stride + max(span, stride).
 *
 * ```ts
 * const up = wg.conv2dTranspose(x, w, { stride: 2, padding: 'same' }); // doubles H and W
 * ```
 */
export function conv2dTranspose(x: Tensor, w: Tensor, opts?: Conv2dTransposeOptions): Tensor {
  const op = 'conv2dTranspose';
  x = Tensor.check(x, op);
  w = Tensor.check(w, op);
  const o = checkOptions(op, opts, CONV2D_TRANSPOSE_OPTIONS);
  if (x.rank !== 4 || w.rank !== 4) {
    throw new ShapeError(`${op}: expected x [N,H,W,Cin] and w [KH,KW,Cout,Cin] (rank 4 each), got ${shapeStr(x.shape)} and ${shapeStr(w.shape)}`);
  }
  checkFloat(op, x, w);
  const [n, h, wd, cin] = x.shape;
  const [kh, kw, cout, wIn] = w.shape;
  if (wIn !== cin) throw new ShapeError(`${op}: w ${shapeStr(w.shape)} has ${wIn} input channels (last axis), expected ${cin} to match x ${shapeStr(x.shape)}`);
  if (kh < 1 || kw < 1 || cout < 1) throw new ShapeError(`${op}: w ${shapeStr(w.shape)} must have non-zero kernel size and output channels`);
  const [sh, sw] = intPair(op, 'stride', o.stride, [1, 1], 1);
  const [dh, dw] = intPair(op, 'dilation', o.dilation, [1, 1], 1);
  const outPad = o.outputPadding === undefined ? undefined : intPair(op, 'outputPadding', o.outputPadding, [0, 0], 0);
  const [ph, pw] = paddingPair(op, o.padding);
  const [oh, pt] = transposeAxis(op, 'height', h, kh, sh, dh, ph, outPad?.[0]);
  const [ow, pl] = transposeAxis(op, 'width', wd, kw, sw, dw, pw, outPad?.[1]);
  checkBias(op, o.bias, cout);
  checkSize(op, [n, oh, ow, cout]);
  // The adjoint of the forward conv from [n,oh,ow,cout] to x's [n,h,wd,cin].
  const y = convInputGrad(x, w, { n, h: oh, w: ow, cin: cout, oh: h, ow: wd, cout: cin, kh, kw, sh, sw, pt, pl, dh, dw, groups: 1 });
  return o.bias ? y.add(o.bias) : y;
}

// Calibration of the convolution kernels: for each family (forward, input gradient, weight
// gradient) the direct kernels, each wide tile (and Winograd, for the first two) timed on one large probe geometry, the CNN's
// second conv at batch 16 (14×14, 32 → 64 channels, 3×3 same).

/** The probe geometry of conv calibration. */
const PROBE: ConvGeometry = { n: 16, h: 14, w: 14, cin: 32, oh: 14, ow: 14, cout: 64, kh: 3, kw: 3, sh: 1, sw: 1, pt: 1, pl: 1, dh: 1, dw: 1, groups: 1 };

/** The launch of `def` on `attrs` with `variant` in place of any choice, its includes resolved. */
function launchOf<A>(def: KernelDef<A>, attrs: A, target: GpuTarget, variant: string): GpuLaunch {
  const l = def.gpu({ op: { attrs } } as LazyNode & { op: { attrs: A } }, { ...target, variant: () => variant });
  return { ...l, code: resolveIncludes(l.code) };
}

/** The variants calibration times for kernel `family`: Winograd for the forward and input gradient. */
export function convCandidates(family: ConvFamily): readonly ConvVariant[] {
  return family === CONV_FAMILIES.weightGrad ? CONV_VARIANTS : [...CONV_VARIANTS, CONV_WINOGRAD];
}

/** One calibration family per convolution kernel, each with its candidates on the probe. */
export function convCalibration(target: GpuTarget): CalibrationFamily[] {
  const a = PROBE;
  const [x, w, y] = [a.n * a.h * a.w * a.cin * 4, a.kh * a.kw * a.cin * a.cout * 4, a.n * a.oh * a.ow * a.cout * 4];
  const dw = weightGradAttrs(a);
  const kernels = [
    { family: CONV_FAMILIES.forward, launch: (v: string) => launchOf(CONV2D, a, target, v), bindingBytes: [x, w, y] },
    { family: CONV_FAMILIES.inputGrad, launch: (v: string) => launchOf(CONV2D_INPUT_GRAD, a, target, v), bindingBytes: [y, w, x] },
    { family: CONV_FAMILIES.weightGrad, launch: (v: string) => launchOf(CONV2D_WEIGHT_GRAD, dw, target, v), bindingBytes: [x, y, dw.split * w] },
  ];
  return kernels.map((k) => ({
    family: k.family,
    classes: [{ shapeClass: convClass(a), candidates: convCandidates(k.family).map((variant) => ({ variant, launch: k.launch(variant), bindingBytes: k.bindingBytes })) }],
  }));
}

for (const [i, family] of [CONV_FAMILIES.forward, CONV_FAMILIES.inputGrad, CONV_FAMILIES.weightGrad].entries()) {
  registerCalibrationFamily(family, (target) => convCalibration(target)[i]);
}
