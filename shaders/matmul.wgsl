// Batched matrix product out[p] = A[p] · B[p] (A: M×K, B: K×N, out: M×N, row-major), where an
// operand may be stored transposed (TRANS_A: A as K×M, TRANS_B: B as N×K) so gradients need no
// transpose copies, and an operand with fewer matrices is reused (index p % BATCH_A / BATCH_B:
// batch broadcasting). Three entry points, chosen per shape and adapter by src/ops/matmul.ts:
//   main_regtile  8×8 outputs per thread from vec4 loads, no workgroup memory (best on
//                 SwiftShader, where barriers and workgroup memory are expensive), in
//                 workgroups of 8×8 threads: 64×64 outputs, so a 128×128 product is 4
//                 workgroups for SwiftShader's cores, not one;
//   main_tiled    64×64 outputs per workgroup with 16-deep K tiles in workgroup memory;
//   main_dot      one workgroup per output, 64 threads splitting K and a tree reduction (tiny
//                 outputs with a long K, such as weight gradients of small layers).
// Every output goes through `epilogue` before it is stored: the graph splices fused elementwise
// chains (bias, activation, scaling, residual adds) into the EPILOGUE block.

// The sizes are runtime values (a uniform written once per plan, `GpuLaunch.dims`), so products of
// different sizes share one pipeline; only what changes the code is a pipeline constant.
struct Dims {
  M: u32,
  K: u32,
  N: u32,
  BATCH: u32,
  BATCH_A: u32,
  BATCH_B: u32,
  // Workgroups along x of main_dot's grid (the grid wraps into y past the device limit).
  GRID_X: u32,
}
@group(3) @binding(0) var<uniform> wg_dims: Dims;

override TRANS_A: bool = false;
override TRANS_B: bool = false;
// Whether the operand's contiguous axis is a multiple of 4, so vec4 loads line up.
override VEC_A: bool = false;
override VEC_B: bool = false;
// Whether K is not a multiple of 4: main_regtile's last step of 4 along K then reads zeros past K
// (one loop for all of K, instead of a second, scalar loop for the rest: half the code to compile).
override K_TAIL: bool = false;

@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

//!EPILOGUE_BEGIN
fn epilogue(v: f32, idx: u32) -> f32 { return v; }
//!EPILOGUE_END

fn a_word(i: u32) -> f32 { return a[i >> 2u][i & 3u]; }
fn b_word(i: u32) -> f32 { return b[i >> 2u][i & 3u]; }

// Whether depth k is inside K: always, unless K_TAIL.
fn k_in(k: u32) -> bool { return !K_TAIL || k < wg_dims.K; }

// A(row, k) and B(k, col) of the matrices starting at aBase / bBase (in floats); 0 past K.
fn a_at(aBase: u32, row: u32, k: u32) -> f32 {
  let v = select(a_word(aBase + row * wg_dims.K + k), a_word(aBase + k * wg_dims.M + row), TRANS_A);
  return select(0.0, v, k_in(k));
}
fn b_at(bBase: u32, k: u32, col: u32) -> f32 {
  let v = select(b_word(bBase + k * wg_dims.N + col), b_word(bBase + col * wg_dims.K + k), TRANS_B);
  return select(0.0, v, k_in(k));
}
// Row k of a stored-transposed A / of B as vec4s at float offset `at`; zeros past K.
fn a_vec(at: u32, k: u32) -> vec4<f32> { return select(vec4<f32>(0.0), a[at >> 2u], k_in(k)); }
fn b_vec(at: u32, k: u32) -> vec4<f32> { return select(vec4<f32>(0.0), b[at >> 2u], k_in(k)); }

// m[i] = A(rows[i], k..k+3); rows clamped into range by the caller.
fn a_block(aBase: u32, r0: u32, rows: vec4<u32>, k: u32) -> mat4x4<f32> {
  if (VEC_A && !TRANS_A) {
    return mat4x4<f32>(a[(aBase + rows.x * wg_dims.K + k) >> 2u], a[(aBase + rows.y * wg_dims.K + k) >> 2u],
                       a[(aBase + rows.z * wg_dims.K + k) >> 2u], a[(aBase + rows.w * wg_dims.K + k) >> 2u]);
  }
  if (VEC_A && TRANS_A) {
    // Stored K×M: a vec4 runs along the rows r0..r0+3 (r0 + 3 < M since M is a multiple of 4).
    let at = aBase + k * wg_dims.M + r0;
    return transpose(mat4x4<f32>(a_vec(at, k), a_vec(at + wg_dims.M, k + 1u), a_vec(at + 2u * wg_dims.M, k + 2u), a_vec(at + 3u * wg_dims.M, k + 3u)));
  }
  var m: mat4x4<f32>;
  for (var i = 0u; i < 4u; i++) {
    m[i] = vec4<f32>(a_at(aBase, rows[i], k), a_at(aBase, rows[i], k + 1u), a_at(aBase, rows[i], k + 2u), a_at(aBase, rows[i], k + 3u));
  }
  return m;
}

// m[j] = B(k + j, cols); cols clamped into range by the caller.
fn b_block(bBase: u32, c0: u32, cols: vec4<u32>, k: u32) -> mat4x4<f32> {
  if (VEC_B && !TRANS_B) {
    // c0 + 3 < N since N is a multiple of 4.
    let at = bBase + k * wg_dims.N + c0;
    return mat4x4<f32>(b_vec(at, k), b_vec(at + wg_dims.N, k + 1u), b_vec(at + 2u * wg_dims.N, k + 2u), b_vec(at + 3u * wg_dims.N, k + 3u));
  }
  if (VEC_B && TRANS_B) {
    return transpose(mat4x4<f32>(b[(bBase + cols.x * wg_dims.K + k) >> 2u], b[(bBase + cols.y * wg_dims.K + k) >> 2u],
                                 b[(bBase + cols.z * wg_dims.K + k) >> 2u], b[(bBase + cols.w * wg_dims.K + k) >> 2u]));
  }
  var m: mat4x4<f32>;
  for (var j = 0u; j < 4u; j++) {
    m[j] = vec4<f32>(b_at(bBase, k + j, cols.x), b_at(bBase, k + j, cols.y), b_at(bBase, k + j, cols.z), b_at(bBase, k + j, cols.w));
  }
  return m;
}

fn store_row(oBase: u32, row: u32, c0: u32, v: vec4<f32>) {
  if (row >= wg_dims.M) { return; }
  let base = oBase + row * wg_dims.N;
  for (var j = 0u; j < 4u; j++) {
    if (c0 + j < wg_dims.N) { out[base + c0 + j] = epilogue(v[j], base + c0 + j); }
  }
}

// An 8×8 tile from rows r0… and columns c0…: acc[2i] holds row r0+i's columns c0…c0+3, acc[2i+1] the next 4.
fn store_rows(oBase: u32, r0: u32, c0: u32, acc: array<vec4<f32>, 16>) {
  for (var i = 0u; i < 16u; i++) {
    store_row(oBase, r0 + (i >> 1u), c0 + 4u * (i & 1u), acc[i]);
  }
}

@compute @workgroup_size(8, 8)
fn main_regtile(@builtin(global_invocation_id) gid: vec3u) {
  // 8×8 outputs per thread: rows r0…r0+7 by columns c0…c0+3 (l*) and c0+4…c0+7 (q*), in named
  // registers (an indexed array would live in memory on SwiftShader).
  let r0 = gid.y * 8u;
  let c0 = gid.x * 8u;
  if (r0 >= wg_dims.M || c0 >= wg_dims.N) { return; }
  let p = gid.z;
  let aBase = (p % wg_dims.BATCH_A) * wg_dims.M * wg_dims.K;
  let bBase = (p % wg_dims.BATCH_B) * wg_dims.K * wg_dims.N;
  let rows0 = min(vec4<u32>(r0, r0 + 1u, r0 + 2u, r0 + 3u), vec4<u32>(wg_dims.M - 1u));
  let rows1 = min(vec4<u32>(r0 + 4u, r0 + 5u, r0 + 6u, r0 + 7u), vec4<u32>(wg_dims.M - 1u));
  let cols0 = min(vec4<u32>(c0, c0 + 1u, c0 + 2u, c0 + 3u), vec4<u32>(wg_dims.N - 1u));
  let cols1 = min(vec4<u32>(c0 + 4u, c0 + 5u, c0 + 6u, c0 + 7u), vec4<u32>(wg_dims.N - 1u));
  var l0 = vec4<f32>(0.0);
  var l1 = vec4<f32>(0.0);
  var l2 = vec4<f32>(0.0);
  var l3 = vec4<f32>(0.0);
  var l4 = vec4<f32>(0.0);
  var l5 = vec4<f32>(0.0);
  var l6 = vec4<f32>(0.0);
  var l7 = vec4<f32>(0.0);
  var q0 = vec4<f32>(0.0);
  var q1 = vec4<f32>(0.0);
  var q2 = vec4<f32>(0.0);
  var q3 = vec4<f32>(0.0);
  var q4 = vec4<f32>(0.0);
  var q5 = vec4<f32>(0.0);
  var q6 = vec4<f32>(0.0);
  var q7 = vec4<f32>(0.0);
  for (var k = 0u; k < wg_dims.K; k += 4u) {
    // Vector paths may read past the matrix for rows or columns that are never stored, and
    // (K_TAIL) the last step past K, read as zeros.
    let am = a_block(aBase, r0, rows0, k);
    let an = a_block(aBase, r0 + 4u, rows1, k);
    let bm = b_block(bBase, c0, cols0, k);
    l0 += bm * am[0];
    l1 += bm * am[1];
    l2 += bm * am[2];
    l3 += bm * am[3];
    l4 += bm * an[0];
    l5 += bm * an[1];
    l6 += bm * an[2];
    l7 += bm * an[3];
    let bn = b_block(bBase, c0 + 4u, cols1, k);
    q0 += bn * am[0];
    q1 += bn * am[1];
    q2 += bn * am[2];
    q3 += bn * am[3];
    q4 += bn * an[0];
    q5 += bn * an[1];
    q6 += bn * an[2];
    q7 += bn * an[3];
  }
  // Stored from an array in a loop: one copy of the epilogue to compile instead of 64.
  let acc = array<vec4<f32>, 16>(l0, q0, l1, q1, l2, q2, l3, q3, l4, q4, l5, q5, l6, q6, l7, q7);
  store_rows(p * wg_dims.M * wg_dims.N, r0, c0, acc);
}

// tileA[k][i] holds A rows 4i..4i+3 at depth k; tileB[k][j] holds B columns 4j..4j+3.
var<workgroup> tileA: array<array<vec4<f32>, 16>, 16>;
var<workgroup> tileB: array<array<vec4<f32>, 16>, 16>;

@compute @workgroup_size(16, 16)
fn main_tiled(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let p = wid.z;
  let aBase = (p % wg_dims.BATCH_A) * wg_dims.M * wg_dims.K;
  let bBase = (p % wg_dims.BATCH_B) * wg_dims.K * wg_dims.N;
  let rowBase = wid.y * 64u;
  let colBase = wid.x * 64u;
  let t = lid.y * 16u + lid.x;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = 0u; k0 < wg_dims.K; k0 += 16u) {
    // 256 threads load 64×16 values of each operand, 4 each, zero outside the matrices.
    for (var l = 0u; l < 4u; l++) {
      let e = t + l * 256u;
      let kk = select(e % 16u, e / 64u, TRANS_A);
      let i = select(e / 16u, e % 64u, TRANS_A);
      let row = rowBase + i;
      var av = 0.0;
      if (row < wg_dims.M && k0 + kk < wg_dims.K) { av = a_at(aBase, row, k0 + kk); }
      tileA[kk][i >> 2u][i & 3u] = av;
      let kb = select(e / 64u, e % 16u, TRANS_B);
      let j = select(e % 64u, e / 16u, TRANS_B);
      let col = colBase + j;
      var bv = 0.0;
      if (col < wg_dims.N && k0 + kb < wg_dims.K) { bv = b_at(bBase, k0 + kb, col); }
      tileB[kb][j >> 2u][j & 3u] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      let av = tileA[kk][lid.y];
      let bv = tileB[kk][lid.x];
      acc0 += av.x * bv;
      acc1 += av.y * bv;
      acc2 += av.z * bv;
      acc3 += av.w * bv;
    }
    workgroupBarrier();
  }
  let r0 = rowBase + lid.y * 4u;
  let c0 = colBase + lid.x * 4u;
  let oBase = p * wg_dims.M * wg_dims.N;
  store_row(oBase, r0, c0, acc0);
  store_row(oBase, r0 + 1u, c0, acc1);
  store_row(oBase, r0 + 2u, c0, acc2);
  store_row(oBase, r0 + 3u, c0, acc3);
}

var<workgroup> partial: array<f32, 64>;

@compute @workgroup_size(64)
fn main_dot(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let o = wid.y * wg_dims.GRID_X + wid.x;
  let total = wg_dims.BATCH * wg_dims.M * wg_dims.N;
  let valid = o < total;
  let oc = min(o, total - 1u);
  let col = oc % wg_dims.N;
  let row = (oc / wg_dims.N) % wg_dims.M;
  let p = oc / (wg_dims.M * wg_dims.N);
  let aBase = (p % wg_dims.BATCH_A) * wg_dims.M * wg_dims.K;
  let bBase = (p % wg_dims.BATCH_B) * wg_dims.K * wg_dims.N;
  var acc = 0.0;
  for (var k = lid.x; k < wg_dims.K; k += 64u) {
    acc += a_at(aBase, row, k) * b_at(bBase, k, col);
  }
  partial[lid.x] = acc;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lid.x < s) { partial[lid.x] += partial[lid.x + s]; }
    workgroupBarrier();
  }
  if (lid.x == 0u && valid) { out[o] = epilogue(partial[0], o); }
}
