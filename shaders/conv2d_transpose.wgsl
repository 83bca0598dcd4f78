// conv2d's input gradient, also conv2dTranspose: dy [N,OH,OW,COUT], w [KH,KW,CIN_G,COUT] →
// dx [N,H,W,CIN], the adjoint of the forward conv with the same constants (gather form: each
// input pixel sums the outputs whose windows cover it). Register tiled like conv2d.wgsl:
// 4 input pixels × 4 input channels of one group per invocation, no workgroup memory.
// `main_vec4` reads vec4s along the output channels when a group's count is a multiple of 4;
// `main_one_channel` takes 4 pixels of one input channel a group.
// src/ops/conv-wide.ts appends `main_wide`, the wide register tiles large convs take on SwiftShader.

//!INCLUDE conv-geometry

// Buffers are bound whole (allocated in multiples of 16 bytes), so vec4 views are always valid.
@group(0) @binding(0) var<storage, read> dy: array<vec4f>;
@group(0) @binding(1) var<storage, read> w: array<vec4f>;

fn dys(i: i32) -> f32 { return dy[i >> 2u][i & 3]; }
fn ws(i: i32) -> f32 { return w[i >> 2u][i & 3]; }
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

// Pixel `m` of dx as (row + PT, col + PL, batch offset into dy).
fn origin(m: u32) -> vec3i {
  let ix = m % W;
  let iy = (m / W) % H;
  let n = m / (W * H);
  return vec3i(i32(iy + PT), i32(ix + PL), i32(n * OH * OW * COUT));
}

// Offset in dy of the output whose window puts tap (ky, kx) on this pixel, or -1 if none does.
fn source(o: vec3i, ky: u32, kx: u32) -> i32 {
  let ty = o.x - i32(ky * DH);
  let tx = o.y - i32(kx * DW);
  if (ty < 0 || tx < 0 || ty % i32(SH) != 0 || tx % i32(SW) != 0) { return -1; }
  let oy = ty / i32(SH);
  let ox = tx / i32(SW);
  if (oy >= i32(OH) || ox >= i32(OW)) { return -1; }
  return o.z + (oy * i32(OW) + ox) * i32(COUT);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  let colTiles = (CIN_G + 3u) / 4u;
  let rows = N * H * W;
  let m0 = (t / (GROUPS * colTiles)) * 4u;
  if (m0 >= rows) { return; }
  let colTile = t % (GROUPS * colTiles);
  let g = colTile / colTiles;
  let c0 = (colTile % colTiles) * 4u;
  let coBase = i32(g * COUT_G);
  // Channels past the group's end read (and never store) its last channel.
  let last = CIN_G - 1u - c0;
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
      let p0 = source(o0, ky, kx);
      let p1 = source(o1, ky, kx);
      let p2 = source(o2, ky, kx);
      let p3 = source(o3, ky, kx);
      if (max(max(p0, p1), max(p2, p3)) < 0) { continue; }
      let v0 = p0 >= 0;
      let v1 = p1 >= 0;
      let v2 = p2 >= 0;
      let v3 = p3 >= 0;
      let b0 = select(0, p0 + coBase, v0);
      let b1 = select(0, p1 + coBase, v1);
      let b2 = select(0, p2 + coBase, v2);
      let b3 = select(0, p3 + coBase, v3);
      let row = i32(((ky * KW + kx) * CIN_G + c0) * COUT) + coBase;
      let r1 = row + i32(min(1u, last) * COUT);
      let r2 = row + i32(min(2u, last) * COUT);
      let r3 = row + i32(min(3u, last) * COUT);
      for (var co = 0; co < i32(COUT_G); co++) {
        let b = vec4f(ws(row + co), ws(r1 + co), ws(r2 + co), ws(r3 + co));
        acc0 += select(0.0, dys(b0 + co), v0) * b;
        acc1 += select(0.0, dys(b1 + co), v1) * b;
        acc2 += select(0.0, dys(b2 + co), v2) * b;
        acc3 += select(0.0, dys(b3 + co), v3) * b;
      }
    }
  }
  let ciBase = g * CIN_G + c0;
  store(m0, ciBase, c0, acc0);
  if (m0 + 1u < rows) { store(m0 + 1u, ciBase, c0, acc1); }
  if (m0 + 2u < rows) { store(m0 + 2u, ciBase, c0, acc2); }
  if (m0 + 3u < rows) { store(m0 + 3u, ciBase, c0, acc3); }
}

@compute @workgroup_size(64)
fn main_vec4(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  let colTiles = (CIN_G + 3u) / 4u;
  let rows = N * H * W;
  let m0 = (t / (GROUPS * colTiles)) * 4u;
  if (m0 >= rows) { return; }
  let colTile = t % (GROUPS * colTiles);
  let g = colTile / colTiles;
  let c0 = (colTile % colTiles) * 4u;
  let coBase = i32(g * COUT_G);
  let last = CIN_G - 1u - c0;
  let o0 = origin(m0);
  let o1 = origin(min(m0 + 1u, rows - 1u));
  let o2 = origin(min(m0 + 2u, rows - 1u));
  let o3 = origin(min(m0 + 3u, rows - 1u));
  let zero = vec4f(0.0);
  var acc0 = zero;
  var acc1 = zero;
  var acc2 = zero;
  var acc3 = zero;
  for (var ky = 0u; ky < KH; ky++) {
    for (var kx = 0u; kx < KW; kx++) {
      let p0 = source(o0, ky, kx);
      let p1 = source(o1, ky, kx);
      let p2 = source(o2, ky, kx);
      let p3 = source(o3, ky, kx);
      if (max(max(p0, p1), max(p2, p3)) < 0) { continue; }
      let v0 = p0 >= 0;
      let v1 = p1 >= 0;
      let v2 = p2 >= 0;
      let v3 = p3 >= 0;
      var b0 = select(0, p0 + coBase, v0) >> 2u;
      var b1 = select(0, p1 + coBase, v1) >> 2u;
      var b2 = select(0, p2 + coBase, v2) >> 2u;
      var b3 = select(0, p3 + coBase, v3) >> 2u;
      var r0 = (i32(((ky * KW + kx) * CIN_G + c0) * COUT) + coBase) >> 2u;
      var r1 = r0 + i32(min(1u, last) * COUT / 4u);
      var r2 = r0 + i32(min(2u, last) * COUT / 4u);
      var r3 = r0 + i32(min(3u, last) * COUT / 4u);
      for (var co = 0u; co < COUT_G; co += 4u) {
        // Column j of wm is w's row for input channel c0 + j: a * wm gives the 4 dot products.
        let wm = mat4x4f(w[r0], w[r1], w[r2], w[r3]);
        acc0 += select(zero, dy[b0], v0) * wm;
        acc1 += select(zero, dy[b1], v1) * wm;
        acc2 += select(zero, dy[b2], v2) * wm;
        acc3 += select(zero, dy[b3], v3) * wm;
        b0++;
        b1++;
        b2++;
        b3++;
        r0++;
        r1++;
        r2++;
        r3++;
      }
    }
  }
  let ciBase = g * CIN_G + c0;
  store(m0, ciBase, c0, acc0);
  if (m0 + 1u < rows) { store(m0 + 1u, ciBase, c0, acc1); }
  if (m0 + 2u < rows) { store(m0 + 2u, ciBase, c0, acc2); }
  if (m0 + 3u < rows) { store(m0 + 3u, ciBase, c0, acc3); }
}

// Tap (ky, kx) at 4 pixels: each one's vec4 offset into dy at its group's first channel (b),
// and whether an output's window puts the tap on it (v).
struct TapRows {
  b: vec4u,
  v: vec4<bool>,
}

fn tapRows(o0: vec3i, o1: vec3i, o2: vec3i, o3: vec3i, ky: u32, kx: u32, coBase: i32) -> TapRows {
  let p = vec4i(source(o0, ky, kx), source(o1, ky, kx), source(o2, ky, kx), source(o3, ky, kx));
  let v = p >= vec4i(0);
  return TapRows(vec4u(select(vec4i(0), p + coBase, v)) >> vec4u(2u), v);
}

// For one input channel a group (the gradient of a first layer's grayscale input): 4 pixels per
// invocation, each a running dot of its dy vec4s with w's, where main_vec4 would compute 4
// channels a pixel, 3 of them again (2× faster on SwiftShader at a 28×28 1 → 32 layer).
@compute @workgroup_size(64)
fn main_one_channel(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  let rows = N * H * W;
  let m0 = (t / GROUPS) * 4u;
  if (m0 >= rows) { return; }
  let g = t % GROUPS;
  let coBase = i32(g * COUT_G);
  let o0 = origin(m0);
  let o1 = origin(min(m0 + 1u, rows - 1u));
  let o2 = origin(min(m0 + 2u, rows - 1u));
  let o3 = origin(min(m0 + 3u, rows - 1u));
  let zero = vec4f(0.0);
  // Component k: pixel m0 + k.
  var acc = zero;
  for (var ky = 0u; ky < KH; ky++) {
    for (var kx = 0u; kx < KW; kx++) {
      let rows4 = tapRows(o0, o1, o2, o3, ky, kx, coBase);
      if (!any(rows4.v)) { continue; }
      let v = rows4.v;
      var b = rows4.b;
      var r = (i32((ky * KW + kx) * COUT) + coBase) >> 2u;
      for (var co = 0u; co < COUT_G; co += 4u) {
        let wv = w[r];
        acc += vec4f(dot(select(zero, dy[b.x], v.x), wv), dot(select(zero, dy[b.y], v.y), wv), dot(select(zero, dy[b.z], v.z), wv), dot(select(zero, dy[b.w], v.w), wv));
        b += vec4u(1u);
        r++;
      }
    }
  }
  let o = m0 * CIN + g;
  dx[o] = acc.x;
  if (m0 + 1u < rows) { dx[o + CIN] = acc.y; }
  if (m0 + 2u < rows) { dx[o + 2u * CIN] = acc.z; }
  if (m0 + 3u < rows) { dx[o + 3u * CIN] = acc.w; }
}

// For input-channel counts per group that are multiples of 8: 4 pixels × 8 input channels,
// 4 dy loads and 8 w loads per 128 FMAs (1.5× faster than main_vec4 on SwiftShader).
@compute @workgroup_size(64)
fn main_vec4x8(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  let colTiles = CIN_G / 8u;
  let rows = N * H * W;
  let m0 = (t / (GROUPS * colTiles)) * 4u;
  if (m0 >= rows) { return; }
  let colTile = t % (GROUPS * colTiles);
  let g = colTile / colTiles;
  let c0 = (colTile % colTiles) * 8u;
  let coBase = i32(g * COUT_G);
  let o0 = origin(m0);
  let o1 = origin(min(m0 + 1u, rows - 1u));
  let o2 = origin(min(m0 + 2u, rows - 1u));
  let o3 = origin(min(m0 + 3u, rows - 1u));
  let zero = vec4f(0.0);
  // accI covers input channels c0..c0+3 of pixel I, accI8 channels c0+4..c0+7.
  var acc0 = zero;
  var acc1 = zero;
  var acc2 = zero;
  var acc3 = zero;
  var acc08 = zero;
  var acc18 = zero;
  var acc28 = zero;
  var acc38 = zero;
  let rs = i32(COUT / 4u);
  for (var ky = 0u; ky < KH; ky++) {
    for (var kx = 0u; kx < KW; kx++) {
      let p0 = source(o0, ky, kx);
      let p1 = source(o1, ky, kx);
      let p2 = source(o2, ky, kx);
      let p3 = source(o3, ky, kx);
      if (max(max(p0, p1), max(p2, p3)) < 0) { continue; }
      let v0 = p0 >= 0;
      let v1 = p1 >= 0;
      let v2 = p2 >= 0;
      let v3 = p3 >= 0;
      var b0 = select(0, p0 + coBase, v0) >> 2u;
      var b1 = select(0, p1 + coBase, v1) >> 2u;
      var b2 = select(0, p2 + coBase, v2) >> 2u;
      var b3 = select(0, p3 + coBase, v3) >> 2u;
      var r = (i32(((ky * KW + kx) * CIN_G + c0) * COUT) + coBase) >> 2u;
      for (var co = 0u; co < COUT_G; co += 4u) {
        let wa = mat4x4f(w[r], w[r + rs], w[r + 2 * rs], w[r + 3 * rs]);
        let wb = mat4x4f(w[r + 4 * rs], w[r + 5 * rs], w[r + 6 * rs], w[r + 7 * rs]);
        let a0 = select(zero, dy[b0], v0);
        let a1 = select(zero, dy[b1], v1);
        let a2 = select(zero, dy[b2], v2);
        let a3 = select(zero, dy[b3], v3);
        acc0 += a0 * wa;
        acc1 += a1 * wa;
        acc2 += a2 * wa;
        acc3 += a3 * wa;
        acc08 += a0 * wb;
        acc18 += a1 * wb;
        acc28 += a2 * wb;
        acc38 += a3 * wb;
        b0++;
        b1++;
        b2++;
        b3++;
        r++;
      }
    }
  }
  let ciBase = g * CIN_G + c0;
  store(m0, ciBase, c0, acc0);
  store(m0, ciBase + 4u, c0 + 4u, acc08);
  if (m0 + 1u < rows) { store(m0 + 1u, ciBase, c0, acc1); store(m0 + 1u, ciBase + 4u, c0 + 4u, acc18); }
  if (m0 + 2u < rows) { store(m0 + 2u, ciBase, c0, acc2); store(m0 + 2u, ciBase + 4u, c0 + 4u, acc28); }
  if (m0 + 3u < rows) { store(m0 + 3u, ciBase, c0, acc3); store(m0 + 3u, ciBase + 4u, c0 + 4u, acc38); }
}

fn store(m: u32, ciBase: u32, c0: u32, v: vec4f) {
  let o = m * CIN + ciBase;
  dx[o] = v.x;
  if (c0 + 1u < CIN_G) { dx[o + 1u] = v.y; }
  if (c0 + 2u < CIN_G) { dx[o + 2u] = v.z; }
  if (c0 + 3u < CIN_G) { dx[o + 3u] = v.w; }
}
