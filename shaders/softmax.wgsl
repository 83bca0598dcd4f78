// softmax / logSoftmax over the last axis of a contiguous [ROWS, COLS] input, max-shifted so
// logits of any magnitude stay finite. `main`: one workgroup per row, the row's max and sum of
// exp(x − max) as workgroup tree reductions (GPUs, long rows). `main_rows`: one thread per row,
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

const WG: u32 = 128u;
var<workgroup> red: array<f32, 128>;

// The max (op 0) or sum (op 1) of every thread's `v`, returned to all threads.
fn workgroup_reduce(v: f32, t: u32, op: u32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (t < s) { red[t] = select(red[t] + red[t + s], max(red[t], red[t + s]), op == 0u); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row = wid.y * GRID_X + wid.x;
  if (row >= ROWS) { return; }
  let t = lid.x;
  let base = row * COLS;
  // Threads past the row's end start from its first element, which leaves the max unchanged.
  var m = x[base];
  for (var c = t; c < COLS; c += WG) { m = max(m, x[base + c]); }
  m = workgroup_reduce(m, t, 0u);
  var s = 0.0;
  for (var c = t; c < COLS; c += WG) { s += exp(x[base + c] - m); }
  s = workgroup_reduce(s, t, 1u);
  let logS = log(s);
  for (var c = t; c < COLS; c += WG) {
    let d = x[base + c] - m;
    let v = select(exp(d) / s, d - logS, LOG);
    out[base + c] = epilogue(v, base + c);
  }
}

@compute @workgroup_size(64)
fn main_rows(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  if (row >= ROWS) { return; }
  let base = row * COLS;
  var m = x[base];
  for (var c = 1u; c < COLS; c++) { m = max(m, x[base + c]); }
  var s = 0.0;
  for (var c = 0u; c < COLS; c++) { s += exp(x[base + c] - m); }
  let logS = log(s);
  for (var c = 0u; c < COLS; c++) {
    let d = x[base + c] - m;
    out[base + c] = epilogue(select(exp(d) / s, d - logS, LOG), base + c);
  }
}
