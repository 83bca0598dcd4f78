// Softmax, log-softmax and the softmax cross-entropy (value and gradient) over rows of
// src/ops/softmax.ts's kernels: each row's max in f32x4 (exact), its exp and sums in float64
// (f64x2), so values agree with the plain float64 kernels to float32 rounding.

const LOG2E = 1.4426950408889634;
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
/** 1.5·2^52: adding it rounds a float64 to an integer held in its low mantissa bits. */
const ROUND = 6755399441055744.0;
/** ROUND's bits as an int64: subtracted from a rounded value's bits, the integer is left. */
const ROUND_BITS: i64 = 4843621399236968448;
/** 2^(j/16) for j = 0..15. */
const POW2_SIXTEENTHS = memory.data<f64>([
  1.0, 1.0442737824274138, 1.0905077326652577, 1.1387886347566916, 1.189207115002721, 1.241857812073484, 1.2968395546510096, 1.3542555469368927,
  1.4142135623730951, 1.4768261459394993, 1.5422108254079407, 1.6104903319492543, 1.681792830507429, 1.7562521603732995, 1.8340080864093424, 1.9152065613971474,
]);

/**
 * exp of both lanes of d ≤ 0 (or NaN, kept) in float64, to about 1e-15 relative: d = (k/16)·ln2
 * + r, e^r by its Taylor series to r^6 (|r| ≤ ln2/32), times 2^(k mod 16 / 16) from a table and
 * 2^(k div 16) added to its exponent. Below −708 it gives ~2^−1021 instead of a subnormal:
 * zero once rounded to float32, nothing in a sum ≥ 1.
 */
@inline function expLanes(d: v128): v128 {
  d = f64x2.max(d, f64x2.splat(-708));
  const kr = f64x2.add(f64x2.mul(d, f64x2.splat(LOG2E * 16)), f64x2.splat(ROUND));
  const kf = f64x2.sub(kr, f64x2.splat(ROUND));
  const r = f64x2.sub(f64x2.sub(d, f64x2.mul(kf, f64x2.splat(LN2_HI / 16))), f64x2.mul(kf, f64x2.splat(LN2_LO / 16)));
  let p = f64x2.splat(1.0 / 720.0);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 120.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 24.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 6.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
  const k = i64x2.sub(kr, i64x2.splat(ROUND_BITS));
  const j0 = <usize>(i64x2.extract_lane(k, 0) & 15), j1 = <usize>(i64x2.extract_lane(k, 1) & 15);
  let t = v128.load64_zero(POW2_SIXTEENTHS + (j0 << 3));
  t = v128.load64_lane(POW2_SIXTEENTHS + (j1 << 3), t, 1);
  const scale = i64x2.add(t, i64x2.shl(i64x2.shr_s(k, 4), 52));
  return f64x2.mul(p, scale);
}

/** exp of one float64 d ≤ 0, by the same lanes (so the scalar tail agrees with them). */
@inline function exp1(d: f64): f64 {
  return f64x2.extract_lane(expLanes(f64x2.splat(d)), 0);
}

/** Two float32 values at `p` as float64 lanes. */
@inline function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

/** Both float64 lanes rounded to float32, stored at `p`. */
@inline function store2(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}

/** The max of `cols` floats at `row` (NaN if any is), with f32x4 lanes. */
function rowMax(row: usize, cols: i32): f32 {
  const end = cols & ~3;
  let m: f32 = -Infinity;
  if (end > 0) {
    let v = f32x4.splat(-Infinity);
    for (let c = 0; c < end; c += 4) v = f32x4.max(v, v128.load(row + (<usize>c << 2)));
    m = max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
  }
  for (let c = end; c < cols; c++) m = max(m, load<f32>(row + (<usize>c << 2)));
  return m;
}

/**
 * Σ exp(x − m) over the row, in float64; each exp also kept in `e` (float64, 16-byte aligned)
 * unless `e` is 0.
 */
function rowSum(row: usize, cols: i32, m: f64, e: usize): f64 {
  const shift = f64x2.splat(m);
  const end = cols & ~1;
  let acc = f64x2.splat(0);
  for (let c = 0; c < end; c += 2) {
    const v = expLanes(f64x2.sub(load2(row + (<usize>c << 2)), shift));
    if (e != 0) v128.store(e + (<usize>c << 3), v);
    acc = f64x2.add(acc, v);
  }
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (end < cols) {
    const v = exp1(<f64>load<f32>(row + (<usize>end << 2)) - m);
    if (e != 0) store<f64>(e + (<usize>end << 3), v);
    sum += v;
  }
  return sum;
}

/** log-softmax of one row: x − m − log Σ exp(x − m). */
function rowLogSoftmax(row: usize, out: usize, cols: i32): void {
  const m = <f64>rowMax(row, cols);
  const logSum = Math.log(rowSum(row, cols, m, 0));
  const shift = f64x2.splat(m);
  const ls = f64x2.splat(logSum);
  const end = cols & ~1;
  for (let c = 0; c < end; c += 2) {
    const off = <usize>c << 2;
    store2(out + off, f64x2.sub(f64x2.sub(load2(row + off), shift), ls));
  }
  if (end < cols) store<f32>(out + (<usize>end << 2), <f32>(<f64>load<f32>(row + (<usize>end << 2)) - m - logSum));
}

/**
 * (softmax(x) − onehot(label)) · g for one row, `e` a float64 scratch row: each exp(x − m)
 * times g / Σ (equal to the plain exp(x − m − logΣ) · g to float32 rounding). Softmax itself
 * with g 1 and label −1.
 */
function rowSoftmax(row: usize, out: usize, cols: i32, e: usize, g: f64, label: i32): void {
  const scale = g / rowSum(row, cols, <f64>rowMax(row, cols), e);
  const sv = f64x2.splat(scale);
  const end = cols & ~1;
  for (let c = 0; c < end; c += 2) store2(out + (<usize>c << 2), f64x2.mul(v128.load(e + (<usize>c << 3)), sv));
  if (end < cols) store<f32>(out + (<usize>end << 2), <f32>(load<f64>(e + (<usize>end << 3)) * scale));
  if (label >= 0 && label < cols) store<f32>(out + (<usize>label << 2), <f32>(load<f64>(e + (<usize>label << 3)) * scale - g));
}

/** Bytes of one thread's scratch for softmaxRows and crossEntropyGradRows: a float64 row. */
export function softmaxThreadBytes(cols: i32): usize {
  return ((<usize>cols << 3) + 15) & ~15;
}

/** softmax (or logSoftmax) of rows lo..hi of x [rows, cols] → y. */
export function softmaxRows(scratch: usize, x: usize, y: usize, cols: i32, log: bool, lo: i32, hi: i32): void {
  for (let r = lo; r < hi; r++) {
    const off = <usize>r * cols * 4;
    if (log) rowLogSoftmax(x + off, y + off, cols);
    else rowSoftmax(x + off, y + off, cols, scratch, 1, -1);
  }
}

/** Softmax cross-entropy of rows lo..hi: y[r] = m + log Σ exp(x − m) − x[r, labels[r]], NaN for a label outside [0, cols). */
export function crossEntropyRows(scratch: usize, x: usize, labels: usize, y: usize, cols: i32, lo: i32, hi: i32): void {
  for (let r = lo; r < hi; r++) {
    const row = x + <usize>r * cols * 4;
    const label = load<i32>(labels + (<usize>r << 2));
    let v: f64 = NaN;
    if (label >= 0 && label < cols) {
      const m = <f64>rowMax(row, cols);
      v = m + Math.log(rowSum(row, cols, m, 0)) - <f64>load<f32>(row + (<usize>label << 2));
    }
    store<f32>(y + (<usize>r << 2), <f32>v);
  }
}

/** Its gradient for rows lo..hi: dx[r] = (softmax(x[r]) − onehot(labels[r])) · g[r]. */
export function crossEntropyGradRows(scratch: usize, x: usize, labels: usize, g: usize, dx: usize, cols: i32, lo: i32, hi: i32): void {
  for (let r = lo; r < hi; r++) {
    const off = <usize>r * cols * 4;
    rowSoftmax(x + off, dx + off, cols, scratch, <f64>load<f32>(g + (<usize>r << 2)), load<i32>(labels + (<usize>r << 2)));
  }
}
