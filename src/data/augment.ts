// On-device image augmentation for NHWC batches, one random draw per image. Geometric ones
// (flip, shift, rotate, crop) compute each output pixel's source pixel in one elementwise kernel
// and gather it in a second — a chain of them too, composed; brightness is elementwise and rides
// in the gather's epilogue. Coordinates come from index ramps built of padded constants, so
// nothing is uploaded but the random draws (nothing at all once those are drawn on the device).

import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { full, ones, rand } from '../ops/creation';
import { where } from '../ops/elementwise';
import { shapeStr } from '../shape';
import { Tensor } from '../tensor';

/** Options every augmentation takes. */
export interface AugmentOptions {
  /** A fixed seed (the same seed → the same batch); omitted, draws follow `wg.seed`. */
  seed?: number;
}

function checkImages(op: string, x: Tensor): Tensor {
  x = Tensor.check(x, op);
  if (x.rank !== 4) throw new ShapeError(`${op}: expected NHWC images [N, H, W, C], got ${shapeStr(x.shape)}`);
  if (x.dtype !== 'float32') throw new DTypeError(`${op}: expected float32 images, got ${x.dtype}`);
  return x;
}

/**
 * 0, 1, …, n − 1 (int32) as a sum of bit patterns, each a padded constant: views only, so the
 * ramp is index arithmetic inside the kernel that reads it.
 */
function ramp(n: number): Tensor {
  const bits = Math.max(1, Math.ceil(Math.log2(n)));
  const total = 2 ** bits;
  let r = full([total], 0, { dtype: 'int32' });
  for (let b = 0; b < bits; b++) {
    const block = 2 ** b;
    const bit = ones([total / (2 * block), 1, block], { dtype: 'int32' }).pad([[0, 0], [1, 0], [0, 0]]).reshape([total]);
    r = r.add(bit.mul(block));
  }
  return r.slice([0], [n]);
}

/** Per-image uniform draws in [0, 1), shape [N, 1, 1, k] (N·k numbers, the only upload). */
function draws(n: number, k: number, opts: AugmentOptions): Tensor {
  return rand([n, 1, 1, k], opts.seed === undefined ? undefined : { seed: opts.seed });
}

/** Column `j` of per-image draws, as [N, 1, 1] for the [N, H, W] coordinate grids. */
const drawAt = (d: Tensor, j: number) => d.slice([0, 0, 0, j], [-1, 1, 1, 1]).reshape([d.shape[0], 1, 1]);

/** Where one geometric step reads from: source coordinates (int32) of output coordinates. */
type CoordMap = (i: Tensor, j: Tensor) => [Tensor, Tensor];

/** One geometric step: its input's height and width, and its coordinate map. */
interface Step {
  readonly h: number;
  readonly w: number;
  readonly map: CoordMap;
}

/**
 * The steps behind each warped tensor, so that a warp of a warp gathers once from the original
 * images with the composed coordinates (exactly what two gathers would give).
 */
const warped = new WeakMap<Tensor, { source: Tensor; steps: readonly Step[] }>();

/**
 * out[n, i, j, :] = x[n, map(i, j), :] over an `oh`×`ow` output; sources outside the image give
 * 0. A chain of warps is one index kernel and one gather.
 */
function warp(x: Tensor, oh: number, ow: number, map: CoordMap): Tensor {
  const [n, h, w, c] = x.shape;
  // Compose with the warp that made x, unless its source has been disposed since.
  const found = warped.get(x);
  const prior = found && !found.source.disposed ? found : undefined;
  const source = prior?.source ?? x;
  const steps = [{ h, w, map }, ...(prior?.steps ?? [])];
  const within = (v: Tensor, size: number) => v.greaterEqual(0).cast('int32').mul(v.less(size).cast('int32'));
  let [y, xx] = [rows(oh), cols(ow)];
  let inside: Tensor | null = null;
  for (const step of steps) {
    [y, xx] = step.map(y, xx);
    const ok = within(y, step.h).mul(within(xx, step.w));
    inside = inside ? inside.mul(ok) : ok;
  }
  const [, sh, sw] = source.shape;
  const flat = ramp(n).reshape([n, 1, 1]).mul(sh).add(y).mul(sw).add(xx);
  // Pixels from outside the source read pixel 0 and are zeroed after the gather (in its epilogue).
  const keep = inside!.greater(0);
  const picked = source.reshape([n * sh * sw, c]).gather(where(keep, flat, 0), 0);
  const out = where(keep.expandDims(-1), picked, 0);
  warped.set(out, { source, steps });
  return out;
}

function rows(h: number): Tensor {
  return ramp(h).reshape([1, h, 1]);
}
function cols(w: number): Tensor {
  return ramp(w).reshape([1, 1, w]);
}

export interface FlipOptions extends AugmentOptions {
  /** Which flips may happen, each with probability ½ (Keras RandomFlip's modes). */
  mode?: 'horizontal' | 'vertical' | 'horizontal_and_vertical';
}

/**
 * Flips each image left-right (and/or top-bottom) with probability ½.
 *
 * ```ts
 * const flipped = wg.data.augment.randomFlip(batch, { mode: 'horizontal' });
 * ```
 */
export function randomFlip(x: Tensor, opts: FlipOptions = {}): Tensor {
  x = checkImages('randomFlip', x);
  const mode = opts.mode ?? 'horizontal';
  if (!['horizontal', 'vertical', 'horizontal_and_vertical'].includes(mode)) throw new ArgumentError(`randomFlip: mode must be 'horizontal', 'vertical' or 'horizontal_and_vertical', got ${JSON.stringify(mode)}`);
  const [n, h, w] = x.shape;
  const d = draws(n, 2, opts);
  const flipX = mode !== 'vertical' ? drawAt(d, 0).less(0.5) : full([1, 1, 1], 0, { dtype: 'bool' });
  const flipY = mode !== 'horizontal' ? drawAt(d, 1).less(0.5) : full([1, 1, 1], 0, { dtype: 'bool' });
  return warp(x, h, w, (i, j) => [where(flipY, i.neg().add(h - 1), i), where(flipX, j.neg().add(w - 1), j)]);
}

/** A pair of non-negative integers from a number or a pair. */
function pair(op: string, name: string, v: number | readonly [number, number]): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((k) => Number.isInteger(k) && k >= 0)) throw new ArgumentError(`${op}: ${name} must be an integer ≥ 0 or a pair of them, got ${JSON.stringify(v)}`);
  return p;
}

/** A uniform integer in [−m, m] from a draw u in [0, 1). */
const signedInt = (u: Tensor, m: number) => u.mul(2 * m + 1).floor().cast('int32').sub(m);

export interface ShiftOptions extends AugmentOptions {
  /** The largest shift in pixels, `[dy, dx]` or one number for both (default 2). */
  maxShift?: number | readonly [number, number];
}

/**
 * Shifts each image by a random whole number of pixels in [−maxShift, maxShift] along each
 * axis, filling with 0; the image keeps its size.
 *
 * ```ts
 * const moved = wg.data.augment.randomShift(batch, { maxShift: 3 });
 * ```
 */
export function randomShift(x: Tensor, opts: ShiftOptions = {}): Tensor {
  x = checkImages('randomShift', x);
  const [my, mx] = pair('randomShift', 'maxShift', opts.maxShift ?? 2);
  const [n, h, w] = x.shape;
  const d = draws(n, 2, opts);
  const [dy, dx] = [signedInt(drawAt(d, 0), my), signedInt(drawAt(d, 1), mx)];
  return warp(x, h, w, (i, j) => [i.sub(dy), j.sub(dx)]);
}

export interface CropOptions extends AugmentOptions {
  /** Output `[height, width]` (default the input's). */
  size?: readonly [number, number];
  /** Zero padding added on every side before cropping (torchvision RandomCrop), default 0. */
  padding?: number;
}

/**
 * Pads each image with zeros by `padding` on every side and takes a random `size` window of
 * it (torchvision's RandomCrop).
 *
 * ```ts
 * const crops = wg.data.augment.randomCrop(batch, { size: [28, 28], padding: 4 });
 * ```
 */
export function randomCrop(x: Tensor, opts: CropOptions = {}): Tensor {
  x = checkImages('randomCrop', x);
  const [n, h, w] = x.shape;
  const [pad] = pair('randomCrop', 'padding', opts.padding ?? 0);
  const [oh, ow] = opts.size ?? [h, w];
  if (![oh, ow].every((k) => Number.isInteger(k) && k >= 1) || oh > h + 2 * pad || ow > w + 2 * pad) {
    throw new ArgumentError(`randomCrop: size must be integers in [1, image + 2·padding] = [${h + 2 * pad}, ${w + 2 * pad}], got ${JSON.stringify(opts.size)}`);
  }
  const d = draws(n, 2, opts);
  const offset = (u: Tensor, room: number) => u.mul(room + 1).floor().cast('int32').sub(pad);
  const [oy, ox] = [offset(drawAt(d, 0), h + 2 * pad - oh), offset(drawAt(d, 1), w + 2 * pad - ow)];
  return warp(x, oh, ow, (i, j) => [i.add(oy), j.add(ox)]);
}

export interface RotateOptions extends AugmentOptions {
  /** The largest rotation in degrees, either way, at most 180 (default 15). */
  maxDegrees?: number;
}

/** Taylor coefficients of sin and cos in x² (Horner order), enough for |x| ≤ π/2 in float32. */
const SIN_TERMS = [1, -1 / 6, 1 / 120, -1 / 5040, 1 / 362880, -1 / 39916800];
const COS_TERMS = [1, -1 / 2, 1 / 24, -1 / 720, 1 / 40320, -1 / 3628800, 1 / 479001600];

function horner(terms: readonly number[], x2: Tensor): Tensor {
  let acc = x2.mul(terms[terms.length - 1]).add(terms[terms.length - 2]);
  for (let k = terms.length - 3; k >= 0; k--) acc = acc.mul(x2).add(terms[k]);
  return acc;
}

/**
 * sin and cos of `angle` (|angle| ≤ π) from additions and multiplications only, through the
 * half angle: both backends round those exactly alike, where the platforms' sin and cos differ
 * in the last bits and would move a rounded source pixel now and then.
 */
function sinCos(angle: Tensor): [Tensor, Tensor] {
  const half = angle.mul(0.5);
  const h2 = half.square();
  const [s, c] = [horner(SIN_TERMS, h2).mul(half), horner(COS_TERMS, h2)];
  return [s.mul(c).mul(2), c.square().sub(s.square())];
}

/**
 * Rotates each image about its centre by a random angle in [−maxDegrees, maxDegrees]
 * (nearest pixel, corners filled with 0).
 *
 * ```ts
 * const turned = wg.data.augment.randomRotate(batch, { maxDegrees: 10 });
 * ```
 */
export function randomRotate(x: Tensor, opts: RotateOptions = {}): Tensor {
  x = checkImages('randomRotate', x);
  const maxDegrees = opts.maxDegrees ?? 15;
  if (!(maxDegrees >= 0 && maxDegrees <= 180)) throw new ArgumentError(`randomRotate: maxDegrees must be in [0, 180], got ${maxDegrees}`);
  const [n, h, w] = x.shape;
  const angle = drawAt(draws(n, 1, opts), 0).mul(2).sub(1).mul((maxDegrees * Math.PI) / 180);
  const [cy, cx] = [(h - 1) / 2, (w - 1) / 2];
  const [sin, cos] = sinCos(angle);
  // The source of an output pixel: the output position rotated back about the centre.
  return warp(x, h, w, (i, j) => {
    const [dy, dx] = [i.cast('float32').sub(cy), j.cast('float32').sub(cx)];
    return [dy.mul(cos).sub(dx.mul(sin)).add(cy).round().cast('int32'), dy.mul(sin).add(dx.mul(cos)).add(cx).round().cast('int32')];
  });
}

export interface BrightnessOptions extends AugmentOptions {
  /** The largest change, as a fraction of the value range (default 0.2, Keras's factor). */
  maxDelta?: number;
  /** The range values are clamped to (default [0, 1]). */
  valueRange?: readonly [number, number];
}

/**
 * Adds a random amount in [−maxDelta, maxDelta]·(hi − lo) to each image and clamps the result
 * to `valueRange` (Keras RandomBrightness). One elementwise kernel.
 *
 * ```ts
 * const brighter = wg.data.augment.randomBrightness(batch, { maxDelta: 0.1 });
 * ```
 */
export function randomBrightness(x: Tensor, opts: BrightnessOptions = {}): Tensor {
  x = checkImages('randomBrightness', x);
  const maxDelta = opts.maxDelta ?? 0.2;
  const [lo, hi] = opts.valueRange ?? [0, 1];
  if (!(maxDelta >= 0 && maxDelta <= 1)) throw new ArgumentError(`randomBrightness: maxDelta must be in [0, 1], got ${maxDelta}`);
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new ArgumentError(`randomBrightness: valueRange must be finite [lo, hi] with lo < hi, got [${lo}, ${hi}]`);
  const delta = draws(x.shape[0], 1, opts).mul(2).sub(1).mul(maxDelta * (hi - lo));
  return x.add(delta).clip(lo, hi);
}
