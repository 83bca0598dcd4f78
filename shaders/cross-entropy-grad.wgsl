// Softmax cross-entropy for integer labels, backward: out[r, c] = (softmax(x[r])[c] − [c ==
// label[r]]) · g[r] for a contiguous [ROWS, COLS] input and the loss gradient g [ROWS]: `main`
// runs one workgroup per row with tree reductions, `main_rows` one thread per row with no
// barriers (SwiftShader, short rows). A NaN row (row-stats) gets NaN gradients. Outputs pass
// through `epilogue` (fused elementwise chains).

override ROWS: u32;
override COLS: u32;
override GRID_X: u32 = 1u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<i32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

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
  let label = labels[row];
  let gr = g[row];
  for (var c = t; c < COLS; c += WG) {
    let hot = select(0.0, 1.0, i32(c) == label);
    let d = select((exp(x[base + c] - st.max_x) / st.sum_exp - hot) * gr, row_nan(), st.nan_row);
    out[base + c] = epilogue(d, base + c);
  }
}

@compute @workgroup_size(64)
fn main_rows(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  if (row >= ROWS) { return; }
  let base = row * COLS;
  let st = row_stats_thread(base);
  let label = labels[row];
  let gr = g[row];
  for (var c = 0u; c < COLS; c++) {
    let hot = select(0.0, 1.0, i32(c) == label);
    let d = select((exp(x[base + c] - st.max_x) / st.sum_exp - hot) * gr, row_nan(), st.nan_row);
    out[base + c] = epilogue(d, base + c);
  }
}
