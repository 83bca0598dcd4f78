// softmax / logSoftmax over the last axis of a contiguous [ROWS, COLS] input, max-shifted so
// logits of any magnitude stay finite (a row with a NaN or an infinite max is all NaN, as in
// PyTorch). `main`: one workgroup per row, the row's max and sum of exp(x − max) as workgroup
// tree reductions (GPUs, long rows). `main_rows`: one thread per row,
// no barriers (SwiftShader, where barriers are expensive; short rows). Outputs pass through
// `epilogue` (fused elementwise chains).

override ROWS: u32;
override COLS: u32;
override LOG: bool = false;
// Workgroups along x of the grid (it wraps into y past the device limit): rows for `main`,
// rows / 64 for `main_rows`.
override GRID_X: u32 = 1u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

//!EPILOGUE_BEGIN
fn epilogue(v: f32, idx: u32) -> f32 { return v; }
//!EPILOGUE_END

//!INCLUDE row-stats

@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row = wid.y * GRID_X + wid.x;
  if (row >= ROWS) { return; }
  let t = lid.x;
  let base = row * COLS;
  let st = row_stats_workgroup(base, t);
  let logS = log(st.sum_exp);
  for (var c = t; c < COLS; c += WG) {
    let d = x[base + c] - st.max_x;
    let v = select(select(exp(d) / st.sum_exp, d - logS, LOG), row_nan(), st.nan_row);
    out[base + c] = epilogue(v, base + c);
  }
}

@compute @workgroup_size(64)
fn main_rows(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  if (row >= ROWS) { return; }
  let base = row * COLS;
  let st = row_stats_thread(base);
  let logS = log(st.sum_exp);
  for (var c = 0u; c < COLS; c++) {
    let d = x[base + c] - st.max_x;
    let v = select(select(exp(d) / st.sum_exp, d - logS, LOG), row_nan(), st.nan_row);
    out[base + c] = epilogue(v, base + c);
  }
}
