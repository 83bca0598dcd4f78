// The statistics every softmax-style row kernel needs (softmax.wgsl, cross-entropy.wgsl,
// cross-entropy-grad.wgsl include this file with `//!INCLUDE row-stats`): the max m of a row of a
// contiguous [ROWS, COLS] input `x` and Σ exp(x − m), so logits of any magnitude stay finite.
// The including shader declares COLS and `x: array<f32>`. As PyTorch, a row holding a NaN or
// an infinite max (∞ − ∞ = NaN in the shift) has no finite softmax: `nan_row` says so, and the
// kernels write NaN for all of it, by explicit tests (WGSL may assume no NaN or Inf arise).

struct RowStats {
  max_x: f32,
  sum_exp: f32,
  nan_row: bool,
}

// Read at run time: a constant NaN is a shader-creation error.
var<private> row_nan_bits: u32 = 0x7fc00000u;
fn row_nan() -> f32 { return bitcast<f32>(row_nan_bits); }

// By bits, so no compiler assumption folds them away.
fn row_isnan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn row_nonfinite(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) >= 0x7f800000u; }

// max that propagates NaN (WGSL's returns the other operand).
fn row_max(a: f32, b: f32) -> f32 {
  if (row_isnan(a)) { return a; }
  if (row_isnan(b)) { return b; }
  return max(a, b);
}

const WG: u32 = 128u;
var<workgroup> red: array<f32, 128>;

// The max (op 0) or sum (op 1) of every thread's `v`, returned to all threads.
fn workgroup_reduce(v: f32, t: u32, op: u32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (t < s) { red[t] = select(red[t] + red[t + s], row_max(red[t], red[t + s]), op == 0u); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

// The stats of a row with max `m` and Σ exp(x − m) = `s`; a NaN row's sum is NaN too.
fn row_stats(m: f32, s: f32) -> RowStats {
  let bad = row_nonfinite(m);
  return RowStats(m, select(s, row_nan(), bad), bad);
}

// The row starting at `base`, by all WG threads of a workgroup (thread `t`) with tree reductions.
fn row_stats_workgroup(base: u32, t: u32) -> RowStats {
  // Threads past the row's end start from its first element, which leaves the max unchanged.
  var m = x[base];
  for (var c = t; c < COLS; c += WG) { m = row_max(m, x[base + c]); }
  m = workgroup_reduce(m, t, 0u);
  var s = 0.0;
  for (var c = t; c < COLS; c += WG) { s += exp(x[base + c] - m); }
  return row_stats(m, workgroup_reduce(s, t, 1u));
}

// The row starting at `base`, by one thread with no barriers.
fn row_stats_thread(base: u32) -> RowStats {
  var m = x[base];
  for (var c = 1u; c < COLS; c++) { m = row_max(m, x[base + c]); }
  var s = 0.0;
  for (var c = 0u; c < COLS; c++) { s += exp(x[base + c] - m); }
  return row_stats(m, s);
}
