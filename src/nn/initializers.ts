// wg.initializers: Keras's weight initializers, by name or as objects. Values are drawn on the
// host from the seeded generator (wg.seed), so every backend starts from the same weights.
// Fans follow Keras: a kernel [..., in, out] has fanIn = in · receptive field, fanOut = out · it.

import { ArgumentError } from '../errors';
import { fromHost } from '../ops/creation';
import { generator, normals } from '../ops/random';
import { sizeOf, type Shape } from '../shape';
import type { Tensor } from '../tensor';

/** Creates the initial value of a weight of a given shape. */
export interface Initializer {
  readonly className: string;
  /** A new float32 tensor of `shape` (not requiring gradients). */
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

function make(className: string, config: Record<string, unknown>, draw: (shape: Shape) => Float32Array): Initializer {
  return { className, init: (shape) => fromHost(draw(shape), shape), getConfig: () => ({ ...config }) };
}

/** Normal samples redrawn until within two standard deviations (Keras's truncated normal). */
function truncatedNormals(n: number, next: () => number): Float32Array {
  const out = normals(n, next);
  for (let i = 0; i < n; i++) {
    while (Math.abs(out[i]) > 2) out[i] = normals(1, next)[0];
  }
  return out;
}

type Mode = 'fanIn' | 'fanOut' | 'fanAvg';

/** Keras's VarianceScaling: the basis of the Glorot, He and LeCun initializers. */
function varianceScaling(className: string, scale: number, mode: Mode, distribution: 'truncatedNormal' | 'uniform', opts: SeedOption): Initializer {
  return make(className, { ...opts }, (shape) => {
    const [fanIn, fanOut] = fans(shape);
    const fan = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = scale / Math.max(1, fan);
    const next = generator(opts.seed);
    const n = sizeOf(shape);
    if (distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      return Float32Array.from({ length: n }, () => (2 * next() - 1) * limit);
    }
    // 0.8796… is the standard deviation of a unit normal truncated at ±2.
    const std = Math.sqrt(variance) / 0.87962566103423978;
    return truncatedNormals(n, next).map((v) => v * std);
  });
}

export const glorotUniform = (opts: SeedOption = {}) => varianceScaling('GlorotUniform', 1, 'fanAvg', 'uniform', opts);
export const glorotNormal = (opts: SeedOption = {}) => varianceScaling('GlorotNormal', 1, 'fanAvg', 'truncatedNormal', opts);
export const heNormal = (opts: SeedOption = {}) => varianceScaling('HeNormal', 2, 'fanIn', 'truncatedNormal', opts);
export const heUniform = (opts: SeedOption = {}) => varianceScaling('HeUniform', 2, 'fanIn', 'uniform', opts);
export const lecunNormal = (opts: SeedOption = {}) => varianceScaling('LecunNormal', 1, 'fanIn', 'truncatedNormal', opts);
export const lecunUniform = (opts: SeedOption = {}) => varianceScaling('LecunUniform', 1, 'fanIn', 'uniform', opts);

/** Every element `value`. */
export const constant = ({ value = 0 }: { value?: number } = {}) => make('Constant', { value }, (shape) => new Float32Array(sizeOf(shape)).fill(value));
export const zeros = () => make('Zeros', {}, (shape) => new Float32Array(sizeOf(shape)));
export const ones = () => make('Ones', {}, (shape) => new Float32Array(sizeOf(shape)).fill(1));

export const randomNormal = ({ mean = 0, stddev = 0.05, seed }: { mean?: number; stddev?: number; seed?: number } = {}) =>
  make('RandomNormal', { mean, stddev, seed }, (shape) => normals(sizeOf(shape), generator(seed)).map((v) => mean + stddev * v));

export const randomUniform = ({ minval = -0.05, maxval = 0.05, seed }: { minval?: number; maxval?: number; seed?: number } = {}) =>
  make('RandomUniform', { minval, maxval, seed }, (shape) => {
    const next = generator(seed);
    return Float32Array.from({ length: sizeOf(shape) }, () => minval + (maxval - minval) * next());
  });

/**
 * A (semi-)orthogonal matrix: the Q of a QR decomposition of normal samples, signs fixed by R's
 * diagonal, times `gain` (Keras's Orthogonal; rows = product of all axes but the last).
 */
export const orthogonal = ({ gain = 1, seed }: { gain?: number; seed?: number } = {}) =>
  make('Orthogonal', { gain, seed }, (shape) => {
    if (shape.length < 2) throw new ArgumentError(`orthogonal: needs a shape of rank ≥ 2, got [${shape.join(', ')}]`);
    const cols = shape[shape.length - 1];
    const rows = sizeOf(shape) / cols;
    // Orthonormalize the columns of a tall [m, k] normal matrix (modified Gram–Schmidt).
    const [m, k] = rows >= cols ? [rows, cols] : [cols, rows];
    const a = Float64Array.from(normals(m * k, generator(seed)));
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
    return out;
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
