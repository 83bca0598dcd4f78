// conv2d forward, NHWC: x [N,H,W,CIN] * w [KH,KW,CIN_G,COUT] → out [N,OH,OW,COUT].
// `main` is an implicit GEMM (rows m = (n,oy,ox), columns = output channels of one group,
// k = (ky,kx,ci)) with register tiling: each invocation computes 4 pixels × 4 channels and
// uses no workgroup memory (barriers are what costs most on CPU-emulated GPUs).
// `main_vec4x8` (input channels in multiples of 4, output channels in multiples of 8) reads
// vec4s and computes 4 pixels × 8 channels: 128 FMAs per 12 loads, 2× `main` on SwiftShader;
// `main_x16` computes 16 output channels for layers with few input channels.
// `depthwise` is a direct kernel for one input channel per group: one output per invocation.
// All pass every output through `epilogue` (bias, activation, residual… fused by the scheduler).
// src/ops/conv-wide.ts appends `main_wide`, the wide register tiles large convs take on SwiftShader.

//!INCLUDE conv-geometry

// Buffers are bound whole (allocated in multiples of 16 bytes), so vec4 views are always valid.
@group(0) @binding(0) var<storage, read> x: array<vec4f>;
@group(0) @binding(1) var<storage, read> w: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

//!EPILOGUE_BEGIN
fn epilogue(v: f32, idx: u32) -> f32 { return v; }
//!EPILOGUE_END

fn xs(i: i32) -> f32 { return x[i >> 2u][i & 3]; }
fn ws(i: u32) -> f32 { return w[i >> 2u][i & 3u]; }

// The input offset of pixel `m`'s window origin, as (row, col, batch offset).
fn origin(m: u32) -> vec3i {
  let ox = m % OW;
  let oy = (m / OW) % OH;
  let n = m / (OW * OH);
  return vec3i(i32(oy * SH) - i32(PT), i32(ox * SW) - i32(PL), i32(n * H * W * CIN));
}

// Offset of tap (iy, ix) of a window in x, or -1 when it falls in the padding.
fn tap(o: vec3i, dy: i32, dx: i32) -> i32 {
  let iy = o.x + dy;
  let ix = o.y + dx;
  if (iy < 0 || ix < 0 || iy >= i32(H) || ix >= i32(W)) { return -1; }
  return o.z + (iy * i32(W) + ix) * i32(CIN);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  let colTiles = (COUT_G + 3u) / 4u;
  let rows = N * OH * OW;
  let m0 = (t / (GROUPS * colTiles)) * 4u;
  if (m0 >= rows) { return; }
  let colTile = t % (GROUPS * colTiles);
  let g = colTile / colTiles;
  let c0 = (colTile % colTiles) * 4u;
  let coBase = g * COUT_G + c0;
  let ciBase = i32(g * CIN_G);
  // Columns past the group's end read (and never store) its last column.
  let last = COUT_G - 1u - c0;
  let d1 = min(1u, last);
  let d2 = min(2u, last);
  let d3 = min(3u, last);
  let o0 = origin(m0);
  let o1 = origin(min(m0 + 1u, rows - 1u));
  let o2 = origin(min(m0 + 2u, rows - 1u));
  let o3 = origin(min(m0 + 3u, rows - 1u));
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var ky = 0u; ky < KH; ky++) {
    for (var kx = 0u; kx < KW; kx++) {
      let dy = i32(ky * DH);
      let dx = i32(kx * DW);
      let p0 = tap(o0, dy, dx);
      let p1 = tap(o1, dy, dx);
      let p2 = tap(o2, dy, dx);
      let p3 = tap(o3, dy, dx);
      let v0 = p0 >= 0;
      let v1 = p1 >= 0;
      let v2 = p2 >= 0;
      let v3 = p3 >= 0;
      let b0 = select(0, p0 + ciBase, v0);
      let b1 = select(0, p1 + ciBase, v1);
      let b2 = select(0, p2 + ciBase, v2);
      let b3 = select(0, p3 + ciBase, v3);
      var wo = ((ky * KW + kx) * CIN_G) * COUT + coBase;
      for (var ci = 0; ci < i32(CIN_G); ci++) {
        let b = vec4f(ws(wo), ws(wo + d1), ws(wo + d2), ws(wo + d3));
        acc0 += select(0.0, xs(b0 + ci), v0) * b;
        acc1 += select(0.0, xs(b1 + ci), v1) * b;
        acc2 += select(0.0, xs(b2 + ci), v2) * b;
        acc3 += select(0.0, xs(b3 + ci), v3) * b;
        wo += COUT;
      }
    }
  }
  store(m0, coBase, c0, acc0);
  if (m0 + 1u < rows) { store(m0 + 1u, coBase, c0, acc1); }
  if (m0 + 2u < rows) { store(m0 + 2u, coBase, c0, acc2); }
  if (m0 + 3u < rows) { store(m0 + 3u, coBase, c0, acc3); }
}

@compute @workgroup_size(64)
fn main_vec4x8(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  let colTiles = COUT_G / 8u;
  let rows = N * OH * OW;
  let m0 = (t / (GROUPS * colTiles)) * 4u;
  if (m0 >= rows) { return; }
  let colTile = t % (GROUPS * colTiles);
  let g = colTile / colTiles;
  let c0 = (colTile % colTiles) * 8u;
  let coBase = g * COUT_G + c0;
  let ciBase = i32(g * CIN_G);
  let o0 = origin(m0);
  let o1 = origin(min(m0 + 1u, rows - 1u));
  let o2 = origin(min(m0 + 2u, rows - 1u));
  let o3 = origin(min(m0 + 3u, rows - 1u));
  let zero = vec4f(0.0);
  var acc0 = zero;
  var acc1 = zero;
  var acc2 = zero;
  var acc3 = zero;
  var acc4 = zero;
  var acc5 = zero;
  var acc6 = zero;
  var acc7 = zero;
  let wStep = COUT / 4u;
  for (var ky = 0u; ky < KH; ky++) {
    for (var kx = 0u; kx < KW; kx++) {
      let dy = i32(ky * DH);
      let dx = i32(kx * DW);
      let p0 = tap(o0, dy, dx);
      let p1 = tap(o1, dy, dx);
      let p2 = tap(o2, dy, dx);
      let p3 = tap(o3, dy, dx);
      let v0 = p0 >= 0;
      let v1 = p1 >= 0;
      let v2 = p2 >= 0;
      let v3 = p3 >= 0;
      var b0 = select(0, p0 + ciBase, v0) >> 2u;
      var b1 = select(0, p1 + ciBase, v1) >> 2u;
      var b2 = select(0, p2 + ciBase, v2) >> 2u;
      var b3 = select(0, p3 + ciBase, v3) >> 2u;
      var wo = (((ky * KW + kx) * CIN_G) * COUT + coBase) >> 2u;
      for (var ci = 0u; ci < CIN_G; ci += 4u) {
        let wa = mat4x4f(w[wo], w[wo + wStep], w[wo + 2u * wStep], w[wo + 3u * wStep]);
        let wb = mat4x4f(w[wo + 1u], w[wo + 1u + wStep], w[wo + 1u + 2u * wStep], w[wo + 1u + 3u * wStep]);
        let a0 = select(zero, x[b0], v0);
        let a1 = select(zero, x[b1], v1);
        let a2 = select(zero, x[b2], v2);
        let a3 = select(zero, x[b3], v3);
        acc0 += wa * a0;
        acc1 += wa * a1;
        acc2 += wa * a2;
        acc3 += wa * a3;
        acc4 += wb * a0;
        acc5 += wb * a1;
        acc6 += wb * a2;
        acc7 += wb * a3;
        b0++;
        b1++;
        b2++;
        b3++;
        wo += 4u * wStep;
      }
    }
  }
  store(m0, coBase, c0, acc0);
  store(m0, coBase + 4u, c0 + 4u, acc4);
  if (m0 + 1u < rows) { store(m0 + 1u, coBase, c0, acc1); store(m0 + 1u, coBase + 4u, c0 + 4u, acc5); }
  if (m0 + 2u < rows) { store(m0 + 2u, coBase, c0, acc2); store(m0 + 2u, coBase + 4u, c0 + 4u, acc6); }
  if (m0 + 3u < rows) { store(m0 + 3u, coBase, c0, acc3); store(m0 + 3u, coBase + 4u, c0 + 4u, acc7); }
}

// For few input channels per group (a first layer on 1 or 3 channels) and output channels in
// multiples of 16: 4 pixels × 16 output channels, so each tap's index work feeds 64 FMAs per
// input channel (2× faster than `main` for 1 → 32 channels on SwiftShader). Column j of accI
// holds output channels c0 + 4j … c0 + 4j + 3 of pixel I.
@compute @workgroup_size(64)
fn main_x16(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  let colTiles = COUT_G / 16u;
  let rows = N * OH * OW;
  let m0 = (t / (GROUPS * colTiles)) * 4u;
  if (m0 >= rows) { return; }
  let colTile = t % (GROUPS * colTiles);
  let g = colTile / colTiles;
  let c0 = (colTile % colTiles) * 16u;
  let coBase = g * COUT_G + c0;
  let ciBase = i32(g * CIN_G);
  let o0 = origin(m0);
  let o1 = origin(min(m0 + 1u, rows - 1u));
  let o2 = origin(min(m0 + 2u, rows - 1u));
  let o3 = origin(min(m0 + 3u, rows - 1u));
  var acc0 = mat4x4f();
  var acc1 = mat4x4f();
  var acc2 = mat4x4f();
  var acc3 = mat4x4f();
  let wStep = COUT / 4u;
  for (var ky = 0u; ky < KH; ky++) {
    for (var kx = 0u; kx < KW; kx++) {
      let dy = i32(ky * DH);
      let dx = i32(kx * DW);
      let p0 = tap(o0, dy, dx);
      let p1 = tap(o1, dy, dx);
      let p2 = tap(o2, dy, dx);
      let p3 = tap(o3, dy, dx);
      let v0 = p0 >= 0;
      let v1 = p1 >= 0;
      let v2 = p2 >= 0;
      let v3 = p3 >= 0;
      let b0 = select(0, p0 + ciBase, v0);
      let b1 = select(0, p1 + ciBase, v1);
      let b2 = select(0, p2 + ciBase, v2);
      let b3 = select(0, p3 + ciBase, v3);
      var wo = (((ky * KW + kx) * CIN_G) * COUT + coBase) >> 2u;
      for (var ci = 0; ci < i32(CIN_G); ci++) {
        let wm = mat4x4f(w[wo], w[wo + 1u], w[wo + 2u], w[wo + 3u]);
        acc0 += select(0.0, xs(b0 + ci), v0) * wm;
        acc1 += select(0.0, xs(b1 + ci), v1) * wm;
        acc2 += select(0.0, xs(b2 + ci), v2) * wm;
        acc3 += select(0.0, xs(b3 + ci), v3) * wm;
        wo += wStep;
      }
    }
  }
  for (var j = 0u; j < 4u; j++) {
    store(m0, coBase + 4u * j, c0 + 4u * j, acc0[j]);
    if (m0 + 1u < rows) { store(m0 + 1u, coBase + 4u * j, c0 + 4u * j, acc1[j]); }
    if (m0 + 2u < rows) { store(m0 + 2u, coBase + 4u * j, c0 + 4u * j, acc2[j]); }
    if (m0 + 3u < rows) { store(m0 + 3u, coBase + 4u * j, c0 + 4u * j, acc3[j]); }
  }
}

fn store(m: u32, coBase: u32, c0: u32, v: vec4f) {
  let o = m * COUT + coBase;
  out[o] = epilogue(v.x, o);
  if (c0 + 1u < COUT_G) { out[o + 1u] = epilogue(v.y, o + 1u); }
  if (c0 + 2u < COUT_G) { out[o + 2u] = epilogue(v.z, o + 2u); }
  if (c0 + 3u < COUT_G) { out[o + 3u] = epilogue(v.w, o + 3u); }
}

@compute @workgroup_size(64)
fn depthwise(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  if (t >= N * OH * OW * COUT) { return; }
  let co = t % COUT;
  let o = origin(t / COUT);
  let ci = i32(co / COUT_G);
  var acc = 0.0;
  for (var ky = 0u; ky < KH; ky++) {
    for (var kx = 0u; kx < KW; kx++) {
      let p = tap(o, i32(ky * DH), i32(kx * DW));
      if (p >= 0) { acc += xs(p + ci) * ws((ky * KW + kx) * COUT + co); }
    }
  }
  out[t] = epilogue(acc, t);
}
