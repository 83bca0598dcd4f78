// Batched matrix product out[p] = A[p] · B[p] in its quick-to-compile form: the first tier of
// tiered compilation for every matmul on software adapters (src/ops/matmul.ts). 4×4 outputs per
// thread from scalar loads through runtime strides, so transposes, alignment and a K tail change
// no code: every product with the same epilogue shares one small pipeline.

struct Dims {
  M: u32,
  K: u32,
  N: u32,
  BATCH: u32,
  BATCH_A: u32,
  BATCH_B: u32,
  // A(row, k) is a[row * A_ROW + k * A_K] (transposed A: A_ROW = 1, A_K = M), B(k, col) likewise.
  A_ROW: u32,
  A_K: u32,
  B_K: u32,
  B_COL: u32,
}
@group(3) @binding(0) var<uniform> wg_dims: Dims;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

//!EPILOGUE_BEGIN
fn epilogue(v: f32, idx: u32) -> f32 { return v; }
//!EPILOGUE_END

@compute @workgroup_size(8, 8)
fn main_quick(@builtin(global_invocation_id) gid: vec3u) {
  let r0 = gid.y * 4u;
  let c0 = gid.x * 4u;
  if (r0 >= wg_dims.M || c0 >= wg_dims.N) { return; }
  let p = gid.z;
  // Rows and columns past the matrix are clamped into it: read, never stored.
  let rows = min(vec4<u32>(r0, r0 + 1u, r0 + 2u, r0 + 3u), vec4<u32>(wg_dims.M - 1u));
  let cols = min(vec4<u32>(c0, c0 + 1u, c0 + 2u, c0 + 3u), vec4<u32>(wg_dims.N - 1u));
  let aRows = vec4<u32>((p % wg_dims.BATCH_A) * wg_dims.M * wg_dims.K) + rows * wg_dims.A_ROW;
  let bCols = vec4<u32>((p % wg_dims.BATCH_B) * wg_dims.K * wg_dims.N) + cols * wg_dims.B_COL;
  // In named registers (an indexed array would live in memory on SwiftShader).
  var l0 = vec4<f32>(0.0);
  var l1 = vec4<f32>(0.0);
  var l2 = vec4<f32>(0.0);
  var l3 = vec4<f32>(0.0);
  for (var k = 0u; k < wg_dims.K; k++) {
    let ak = aRows + vec4<u32>(k * wg_dims.A_K);
    let bk = bCols + vec4<u32>(k * wg_dims.B_K);
    let bv = vec4<f32>(b[bk.x], b[bk.y], b[bk.z], b[bk.w]);
    l0 += bv * a[ak.x];
    l1 += bv * a[ak.y];
    l2 += bv * a[ak.z];
    l3 += bv * a[ak.w];
  }
  // Stored from an array in a loop: one copy of the epilogue to compile instead of 16.
  let acc = array<vec4<f32>, 4>(l0, l1, l2, l3);
  let oBase = p * wg_dims.M * wg_dims.N;
  for (var i = 0u; i < 4u; i++) {
    let row = r0 + i;
    if (row >= wg_dims.M) { return; }
    for (var j = 0u; j < 4u; j++) {
      let o = oBase + row * wg_dims.N + c0 + j;
      if (c0 + j < wg_dims.N) { out[o] = epilogue(acc[i][j], o); }
    }
  }
}
