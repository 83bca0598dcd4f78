// Preprocessing on the device: per-feature standardization and min-max scaling, one-hot labels,
// and a (stratified) random train/test split gathered on the device.

import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { fromHost } from '../ops/creation';
import { where } from '../ops/elementwise';
import { oneHot as oneHotOp } from '../ops/gather';
import { shapeStr } from '../shape';
import { Tensor } from '../tensor';
import { shuffleInPlace, uniformStream } from './shuffle';
import type { TrainTest } from './dataset';

function checkFloat(op: string, x: Tensor): Tensor {
  x = Tensor.check(x, op);
  if (x.rank < 1) throw new ShapeError(`${op}: expected examples along axis 0, got a scalar`);
  if (x.dtype !== 'float32') throw new DTypeError(`${op}: expected float32 values, got ${x.dtype}`);
  return x;
}

/** `t`, with 1 where it is 0 (a divisor that leaves a constant feature at 0, never NaN). */
const nonZero = (t: Tensor) => where(t.equal(0), 1, t);

/**
 * Per-feature standardization over the examples (axis 0): `(x − mean) / std`, with `mean` and
 * `std` of the feature shape `x.shape.slice(1)`. A feature with std 0 gets std 1 (it becomes
 * 0, never NaN), as scikit-learn. Pass `{ mean, std }` from the training set to apply them to
 * other data.
 *
 * ```ts
 * const { x, mean, std } = wg.data.standardize(train.x);
 * const xTest = wg.data.standardize(test.x, { mean, std }).x;
 * ```
 */
export function standardize(x: Tensor, stats?: { mean: Tensor; std: Tensor }): { x: Tensor; mean: Tensor; std: Tensor } {
  x = checkFloat('standardize', x);
  const mean = stats?.mean ?? x.mean(0);
  const std = stats?.std ?? nonZero(x.variance(0).sqrt());
  return { x: x.sub(mean).div(std), mean, std };
}

/**
 * Per-feature scaling of the examples (axis 0) into `range` (default [0, 1]):
 * `lo + (x − min) · (hi − lo) / (max − min)`; a constant feature maps to `lo`. Returns the
 * data's `min` and `max` (feature shape); pass them back to scale other data the same way.
 *
 * ```ts
 * const { x } = wg.data.minMaxScale(features, { range: [-1, 1] });
 * ```
 */
export function minMaxScale(
  x: Tensor,
  opts: { range?: readonly [number, number]; min?: Tensor; max?: Tensor } = {},
): { x: Tensor; min: Tensor; max: Tensor } {
  x = checkFloat('minMaxScale', x);
  const [lo, hi] = opts.range ?? [0, 1];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo >= hi) throw new ArgumentError(`minMaxScale: range must be finite [lo, hi] with lo < hi, got [${lo}, ${hi}]`);
  const min = opts.min ?? x.min(0);
  const max = opts.max ?? x.max(0);
  return { x: x.sub(min).div(nonZero(max.sub(min))).mul(hi - lo).add(lo), min, max };
}

/**
 * Float32 one-hot rows of length `depth` for int32 class labels (any shape).
 *
 * ```ts
 * const targets = wg.data.oneHot(train.y, 10); // [60000, 10]
 * ```
 */
export function oneHot(labels: Tensor, depth: number): Tensor {
  return oneHotOp(labels, depth);
}

export interface SplitOptions {
  /** The fraction of examples in the test part (default 0.25, as scikit-learn). */
  testFraction?: number;
  /** The same seed gives the same split; omitted, a different split each run. */
  seed?: number;
  /** Keep each class's share in both parts (`y` must be int32 class labels [N]). */
  stratify?: boolean;
}

/**
 * A random split of examples into train and test parts, gathered on the device (the order is
 * drawn on the host; with `stratify` the labels are read once to keep each class's share).
 *
 * ```ts
 * const { train, test } = await wg.data.trainTestSplit(x, y, { testFraction: 0.2, seed: 0, stratify: true });
 * ```
 */
export async function trainTestSplit(x: Tensor, y: Tensor, opts: SplitOptions = {}): Promise<TrainTest> {
  x = Tensor.check(x, 'trainTestSplit');
  y = Tensor.check(y, 'trainTestSplit');
  const n = x.shape[0];
  if (x.rank === 0 || y.rank === 0 || y.shape[0] !== n) throw new ShapeError(`trainTestSplit: x and y need the same first dimension, got ${shapeStr(x.shape)} and ${shapeStr(y.shape)}`);
  const f = opts.testFraction ?? 0.25;
  if (!(f > 0 && f < 1)) throw new ArgumentError(`trainTestSplit: testFraction must be in (0, 1), got ${f}`);
  const next = uniformStream(opts.seed);
  let test: Int32Array;
  let train: Int32Array;
  if (opts.stratify) {
    if (y.dtype !== 'int32' || y.rank !== 1) throw new DTypeError(`trainTestSplit: stratify needs int32 class labels [N], got ${y.dtype} ${shapeStr(y.shape)}`);
    const labels = await y.data();
    const byClass = new Map<number, number[]>();
    labels.forEach((c, i) => (byClass.get(c) ?? byClass.set(c, []).get(c)!).push(i));
    const testRows: number[] = [];
    const trainRows: number[] = [];
    for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
      const rows = shuffleInPlace(Int32Array.from(byClass.get(c)!), next);
      const k = Math.round(rows.length * f);
      for (let i = 0; i < rows.length; i++) (i < k ? testRows : trainRows).push(rows[i]);
    }
    test = shuffleInPlace(Int32Array.from(testRows), next);
    train = shuffleInPlace(Int32Array.from(trainRows), next);
  } else {
    const rows = shuffleInPlace(Int32Array.from({ length: n }, (_, i) => i), next);
    const k = Math.ceil(n * f);
    test = rows.slice(0, k);
    train = rows.slice(k);
  }
  if (test.length === 0 || train.length === 0) throw new ArgumentError(`trainTestSplit: testFraction ${f} of ${n} examples leaves a part empty`);
  const part = (rows: Int32Array) => {
    const idx = fromHost(rows, [rows.length]);
    return { x: x.gather(idx, 0), y: y.gather(idx, 0) };
  };
  return { train: part(train), test: part(test) };
}
