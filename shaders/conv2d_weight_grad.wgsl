// conv2d's weight gradient: x [N,H,W,CIN], dy [N,OH,OW,COUT] → partial sums
// out [SPLIT, KH·KW·CIN_G, COUT]; the caller sums over SPLIT. dW = im2col(x)ᵀ · dy as an
// implicit GEMM whose reduction runs over the N·OH·OW output pixels, split into SPLIT chunks
// of CHUNK pixels so that small weight tensors still give enough invocations. Register tiled:
// 4 weight rows (ky,kx,ci) × 4 output channels of one group per invocation.

override N: u32;
override H: u32;
override W: u32;
override CIN: u32;
override OH: u32;
override OW: u32;
override COUT: u32;
override KH: u32;
override KW: u32;
override SH: u32;
override SW: u32;
override PT: u32;
override PL: u32;
override DH: u32;
override DW: u32;
override GROUPS: u32;
override CIN_G: u32;
override COUT_G: u32;
override SPLIT: u32;
override CHUNK: u32;
override GRID_X: u32;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
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
  return x[base + (iy * i32(W) + ix) * i32(CIN) + k.z];
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
    let b = vec4f(dy[o], dy[o + d1], dy[o + d2], dy[o + d3]);
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

fn store(r: u32, coBase: u32, c0: u32, v: vec4f) {
  let o = r * COUT + coBase;
  out[o] = v.x;
  if (c0 + 1u < COUT_G) { out[o + 1u] = v.y; }
  if (c0 + 2u < COUT_G) { out[o + 2u] = v.z; }
  if (c0 + 3u < COUT_G) { out[o + 3u] = v.w; }
}
