// conv2d's weight gradient: x [N,H,W,CIN], dy [N,OH,OW,COUT] → partial sums
// out [SPLIT, KH·KW·CIN_G, COUT]; the caller sums over SPLIT. dW = im2col(x)ᵀ · dy as an
// implicit GEMM whose reduction runs over the N·OH·OW output pixels, split into SPLIT chunks
// of CHUNK pixels so that small weight tensors still give enough invocations. Register tiled:
// 4 weight rows (ky,kx,ci) × 4 output channels of one group per invocation; `main_vec8` below
// takes 8 × 8 with vec4 loads when channel counts allow (measured 2× faster on SwiftShader).
// src/ops/conv-wide.ts appends `main_wide`, the outer-product tiles large convs (and first
// layers over many pixels) take on SwiftShader.

//!INCLUDE conv-geometry
override SPLIT: u32;
override CHUNK: u32;

// Buffers are bound whole (allocated in multiples of 16 bytes), so vec4 views are always valid.
@group(0) @binding(0) var<storage, read> x: array<vec4f>;
@group(0) @binding(1) var<storage, read> dy: array<vec4f>;

fn xs(i: i32) -> f32 { return x[i >> 2u][i & 3]; }
fn dys(i: u32) -> f32 { return dy[i >> 2u][i & 3u]; }
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

// Weight row r = (ky, kx, ci) as (row offset, column offset, channel in x).
fn tapOf(r: u32, g: u32) -> vec3i {
  let ci = r % CIN_G;
  let kx = (r / CIN_G) % KW;
  let ky = r / (CIN_G * KW);
  return vec3i(i32(ky * DH) - i32(PT), i32(kx * DW) - i32(PL), i32(g * CIN_G + ci));
}

// x at output pixel (oy, ox) of batch offset `base` for tap `k`, 0 in the padding.
fn load(k: vec3i, iy0: i32, ix0: i32, base: i32) -> f32 {
  let iy = iy0 + k.x;
  let ix = ix0 + k.y;
  if (iy < 0 || ix < 0 || iy >= i32(H) || ix >= i32(W)) { return 0.0; }
  return xs(base + (iy * i32(W) + ix) * i32(CIN) + k.z);
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  let rows = KH * KW * CIN_G;
  let rowTiles = (rows + 3u) / 4u;
  let colTiles = (COUT_G + 3u) / 4u;
  let colTile = t % (GROUPS * colTiles);
  let rest = t / (GROUPS * colTiles);
  let r0 = (rest % rowTiles) * 4u;
  let s = rest / rowTiles;
  if (s >= SPLIT) { return; }
  let g = colTile / colTiles;
  let c0 = (colTile % colTiles) * 4u;
  let coBase = g * COUT_G + c0;
  let last = COUT_G - 1u - c0;
  let d1 = min(1u, last);
  let d2 = min(2u, last);
  let d3 = min(3u, last);
  let k0 = tapOf(r0, g);
  let k1 = tapOf(min(r0 + 1u, rows - 1u), g);
  let k2 = tapOf(min(r0 + 2u, rows - 1u), g);
  let k3 = tapOf(min(r0 + 3u, rows - 1u), g);
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  let pixels = N * OH * OW;
  let begin = s * CHUNK;
  let end = min(begin + CHUNK, pixels);
  var ox = begin % OW;
  var oy = (begin / OW) % OH;
  var base = i32((begin / (OW * OH)) * H * W * CIN);
  for (var p = begin; p < end; p++) {
    let o = p * COUT + coBase;
    let b = vec4f(dys(o), dys(o + d1), dys(o + d2), dys(o + d3));
    let iy0 = i32(oy * SH);
    let ix0 = i32(ox * SW);
    acc0 += load(k0, iy0, ix0, base) * b;
    acc1 += load(k1, iy0, ix0, base) * b;
    acc2 += load(k2, iy0, ix0, base) * b;
    acc3 += load(k3, iy0, ix0, base) * b;
    ox++;
    if (ox == OW) {
      ox = 0u;
      oy++;
      if (oy == OH) {
        oy = 0u;
        base += i32(H * W * CIN);
      }
    }
  }
  let slab = s * rows;
  store(slab + r0, coBase, c0, acc0);
  if (r0 + 1u < rows) { store(slab + r0 + 1u, coBase, c0, acc1); }
  if (r0 + 2u < rows) { store(slab + r0 + 2u, coBase, c0, acc2); }
  if (r0 + 3u < rows) { store(slab + r0 + 3u, coBase, c0, acc3); }
}

// acc += b ⊗ a: column i gets b · a[i] (weight row i, four output channels).
fn outer(b: vec4f, a: vec4f) -> mat4x4f {
  return mat4x4f(b * a.x, b * a.y, b * a.z, b * a.w);
}

// For channel counts per group that are multiples of 8: 8 weight rows (one tap, 8 consecutive
// input channels) × 8 output channels; per pixel 2 vec4 loads of x and 2 of dy feed 64 FMAs.
@compute @workgroup_size(64)
fn main_vec8(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  let rows = KH * KW * CIN_G;
  let rowTiles = rows / 8u;
  let colTiles = COUT_G / 8u;
  let colTile = t % (GROUPS * colTiles);
  let rest = t / (GROUPS * colTiles);
  let r0 = (rest % rowTiles) * 8u;
  let s = rest / rowTiles;
  if (s >= SPLIT) { return; }
  let g = colTile / colTiles;
  let c0 = (colTile % colTiles) * 8u;
  let coBase = g * COUT_G + c0;
  let k = tapOf(r0, g);
  var acc00 = mat4x4f();
  var acc01 = mat4x4f();
  var acc10 = mat4x4f();
  var acc11 = mat4x4f();
  let pixels = N * OH * OW;
  let begin = s * CHUNK;
  let end = min(begin + CHUNK, pixels);
  var ox = begin % OW;
  var oy = (begin / OW) % OH;
  var base = i32((begin / (OW * OH)) * H * W * CIN);
  var o = (begin * COUT + coBase) / 4u;
  let oStep = COUT / 4u;
  for (var p = begin; p < end; p++) {
    let iy = i32(oy * SH) + k.x;
    let ix = i32(ox * SW) + k.y;
    if (iy >= 0 && ix >= 0 && iy < i32(H) && ix < i32(W)) {
      let xo = (base + (iy * i32(W) + ix) * i32(CIN) + k.z) >> 2u;
      let a0 = x[xo];
      let a1 = x[xo + 1];
      let b0 = dy[o];
      let b1 = dy[o + 1u];
      acc00 += outer(b0, a0);
      acc01 += outer(b1, a0);
      acc10 += outer(b0, a1);
      acc11 += outer(b1, a1);
    }
    o += oStep;
    ox++;
    if (ox == OW) {
      ox = 0u;
      oy++;
      if (oy == OH) {
        oy = 0u;
        base += i32(H * W * CIN);
      }
    }
  }
  let r = s * rows + r0;
  for (var i = 0u; i < 4u; i++) {
    store(r + i, coBase, c0, acc00[i]);
    store(r + i, coBase + 4u, c0 + 4u, acc01[i]);
    store(r + 4u + i, coBase, c0, acc10[i]);
    store(r + 4u + i, coBase + 4u, c0 + 4u, acc11[i]);
  }
}

// For few input channels per group (first layers) and output channels in multiples of 16:
// 4 weight rows × 16 output channels; per pixel 4 vec4 loads of dy and 4 of x feed 64 FMAs
// (2.5× faster than `main` for 1 → 32 channels on SwiftShader). Column j of accI holds output
// channels c0 + 4j … c0 + 4j + 3 of weight row r0 + I.
@compute @workgroup_size(64)
fn main_x16(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  let rows = KH * KW * CIN_G;
  let rowTiles = (rows + 3u) / 4u;
  let colTiles = COUT_G / 16u;
  let colTile = t % (GROUPS * colTiles);
  let rest = t / (GROUPS * colTiles);
  let r0 = (rest % rowTiles) * 4u;
  let s = rest / rowTiles;
  if (s >= SPLIT) { return; }
  let g = colTile / colTiles;
  let c0 = (colTile % colTiles) * 16u;
  let coBase = g * COUT_G + c0;
  let k0 = tapOf(r0, g);
  let k1 = tapOf(min(r0 + 1u, rows - 1u), g);
  let k2 = tapOf(min(r0 + 2u, rows - 1u), g);
  let k3 = tapOf(min(r0 + 3u, rows - 1u), g);
  var acc0 = mat4x4f();
  var acc1 = mat4x4f();
  var acc2 = mat4x4f();
  var acc3 = mat4x4f();
  let pixels = N * OH * OW;
  let begin = s * CHUNK;
  let end = min(begin + CHUNK, pixels);
  var ox = begin % OW;
  var oy = (begin / OW) % OH;
  var base = i32((begin / (OW * OH)) * H * W * CIN);
  var o = (begin * COUT + coBase) / 4u;
  let oStep = COUT / 4u;
  for (var p = begin; p < end; p++) {
    let b = mat4x4f(dy[o], dy[o + 1u], dy[o + 2u], dy[o + 3u]);
    let iy0 = i32(oy * SH);
    let ix0 = i32(ox * SW);
    acc0 += load(k0, iy0, ix0, base) * b;
    acc1 += load(k1, iy0, ix0, base) * b;
    acc2 += load(k2, iy0, ix0, base) * b;
    acc3 += load(k3, iy0, ix0, base) * b;
    o += oStep;
    ox++;
    if (ox == OW) {
      ox = 0u;
      oy++;
      if (oy == OH) {
        oy = 0u;
        base += i32(H * W * CIN);
      }
    }
  }
  let r = s * rows + r0;
  for (var j = 0u; j < 4u; j++) {
    let co = coBase + 4u * j;
    store(r, co, c0 + 4u * j, acc0[j]);
    if (r0 + 1u < rows) { store(r + 1u, co, c0 + 4u * j, acc1[j]); }
    if (r0 + 2u < rows) { store(r + 2u, co, c0 + 4u * j, acc2[j]); }
    if (r0 + 3u < rows) { store(r + 3u, co, c0 + 4u * j, acc3[j]); }
  }
}

fn store(r: u32, coBase: u32, c0: u32, v: vec4f) {
  let o = r * COUT + coBase;
  out[o] = v.x;
  if (c0 + 1u < COUT_G) { out[o + 1u] = v.y; }
  if (c0 + 2u < COUT_G) { out[o + 2u] = v.z; }
  if (c0 + 3u < COUT_G) { out[o + 3u] = v.w; }
}
