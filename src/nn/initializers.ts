// wg.initializers: Keras's weight initializers, by name or as objects. Random ones draw from
// the device generator (wg.seed's stream, the same numbers on every backend); orthogonal draws
// the same stream on the host for its QR. Fans follow Keras: a kernel [..., in, out] has
// fanIn = in · receptive field and fanOut = out · receptive field.

import { ArgumentError } from '../errors';
import { fromHost, full, rand, randn } from '../ops/creation';
import { nextDraw } from '../ops/random';
import { randomNormal as normalAt } from '../ops/threefry';
import { sizeOf, type Shape } from '../shape';
import type { Tensor } from '../tensor';

/** Creates the initial value of a weight of a given shape. */
export interface Initializer {
  readonly className: string;
  /** A new float32 tensor of `shape` (lazy; not requiring gradients). */
  init(shape: Shape): Tensor;
  getConfig(): Record<string, unknown>;
}

export type InitializerName =
  | 'glorotUniform' | 'glorotNormal' | 'heNormal' | 'heUniform' | 'lecunNormal' | 'lecunUniform'
  | 'orthogonal' | 'zeros' | 'ones' | 'randomNormal' | 'randomUniform';

/** An initializer, or its name (with default options). */
export type InitializerSpec = Initializer | InitializerName;

export interface SeedOption {
  seed?: number;
}

/** Keras's fan-in and fan-out of a weight shape. */
export function fans(shape: Shape): [fanIn: number, fanOut: number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], shape[0]];
  const receptive = sizeOf(shape.slice(0, -2));
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

function make(className: string, config: Record<string, unknown>, init: (shape: Shape) => Tensor): Initializer {
  return { className, init, getConfig: () => ({ ...config }) };
}

/** Redraws of values beyond ±2σ before the last ones are clipped (0.0455³ ≈ 1e-4 of them). */
const TRUNCATION_REDRAWS = 3;

/** Unit normals redrawn where beyond two standard deviations (Keras's truncated normal). */
function truncatedNormal(shape: Shape, seed: number | undefined): Tensor {
  let z = randn(shape, { seed });
  for (let r = 1; r <= TRUNCATION_REDRAWS; r++) z = randn(shape, { seed: seed === undefined ? undefined : seed + r }).where(z.abs().greater(2), z);
  return z.clip(-2, 2);
}

type Mode = 'fanIn' | 'fanOut' | 'fanAvg';

/** Keras's VarianceScaling: the basis of the Glorot, He and LeCun initializers. */
function varianceScaling(className: string, scale: number, mode: Mode, distribution: 'truncatedNormal' | 'uniform', opts: SeedOption): Initializer {
  return make(className, { ...opts }, (shape) => {
    const [fanIn, fanOut] = fans(shape);
    const fan = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = scale / Math.max(1, fan);
    if (distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      return rand(shape, { seed: opts.seed }).mul(2 * limit).sub(limit);
    }
    // 0.8796… is the standard deviation of a unit normal truncated at ±2.
    return truncatedNormal(shape, opts.seed).mul(Math.sqrt(variance) / 0.87962566103423978);
  });
}

export const glorotUniform = (opts: SeedOption = {}) => varianceScaling('GlorotUniform', 1, 'fanAvg', 'uniform', opts);
export const glorotNormal = (opts: SeedOption = {}) => varianceScaling('GlorotNormal', 1, 'fanAvg', 'truncatedNormal', opts);
export const heNormal = (opts: SeedOption = {}) => varianceScaling('HeNormal', 2, 'fanIn', 'truncatedNormal', opts);
export const heUniform = (opts: SeedOption = {}) => varianceScaling('HeUniform', 2, 'fanIn', 'uniform', opts);
export const lecunNormal = (opts: SeedOption = {}) => varianceScaling('LecunNormal', 1, 'fanIn', 'truncatedNormal', opts);
export const lecunUniform = (opts: SeedOption = {}) => varianceScaling('LecunUniform', 1, 'fanIn', 'uniform', opts);

/** Every element `value`. */
export const constant = ({ value = 0 }: { value?: number } = {}) => make('Constant', { value }, (shape) => full(shape, value));
export const zeros = () => make('Zeros', {}, (shape) => full(shape, 0));
export const ones = () => make('Ones', {}, (shape) => full(shape, 1));

export const randomNormal = ({ mean = 0, stddev = 0.05, seed }: { mean?: number; stddev?: number; seed?: number } = {}) =>
  make('RandomNormal', { mean, stddev, seed }, (shape) => randn(shape, { seed }).mul(stddev).add(mean));

export const randomUniform = ({ minval = -0.05, maxval = 0.05, seed }: { minval?: number; maxval?: number; seed?: number } = {}) =>
  make('RandomUniform', { minval, maxval, seed }, (shape) => rand(shape, { seed }).mul(maxval - minval).add(minval));

/**
 * A (semi-)orthogonal matrix: the Q of a QR decomposition of normal samples, signs fixed by R's
 * diagonal, times `gain` (Keras's Orthogonal; rows = product of all axes but the last).
 */
export const orthogonal = ({ gain = 1, seed }: { gain?: number; seed?: number } = {}) =>
  make('Orthogonal', { gain, seed }, (shape) => {
    if (shape.length < 2) throw new ArgumentError(`orthogonal: needs a shape of rank ≥ 2, got [${shape.join(', ')}]`);
    const cols = shape[shape.length - 1];
    const rows = sizeOf(shape) / cols;
    // Orthonormalize the columns of a tall [m, k] normal matrix (modified Gram–Schmidt), drawn
    // on the host from the stream wg.randn would use.
    const [m, k] = rows >= cols ? [rows, cols] : [cols, rows];
    const { key, stream } = nextDraw('orthogonal', seed);
    const a = Float64Array.from({ length: m * k }, (_, i) => normalAt(key, stream, i));
    for (let j = 0; j < k; j++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += a[i * k + p] * a[i * k + j];
        for (let i = 0; i < m; i++) a[i * k + j] -= dot * a[i * k + p];
      }
      let norm = 0;
      for (let i = 0; i < m; i++) norm += a[i * k + j] ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < m; i++) a[i * k + j] /= norm;
    }
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows >= cols ? a[r * k + c] : a[c * k + r]);
    return fromHost(out, shape);
  });

const BY_NAME: Readonly<Record<InitializerName, () => Initializer>> = {
  glorotUniform, glorotNormal, heNormal, heUniform, lecunNormal, lecunUniform, orthogonal,
  zeros, ones, randomNormal, randomUniform,
};

/** The initializer a layer option names (or the object itself). */
export function getInitializer(spec: InitializerSpec, op: string): Initializer {
  if (typeof spec !== 'string') return spec;
  const f = BY_NAME[spec];
  if (!f) throw new ArgumentError(`${op}: unknown initializer '${String(spec)}' (expected one of ${Object.keys(BY_NAME).join(', ')})`);
  return f();
}
