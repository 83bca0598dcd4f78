// 2-D max and average pooling over NHWC x [N,H,W,C] → [N,OH,OW,C] and their gradients.
// One invocation per output element (forward) or per input element (backward, gather form:
// each input pixel sums over the windows that cover it, so no atomics are needed). Padding
// is never a candidate for the max; INCLUDE_PAD = 1 makes averages divide by the full window.
// When windows do not overlap (stride ≥ window) the `_cells` gradients run one invocation per
// output instead: each writes the whole cell of input pixels it owns, 4× fewer invocations
// for 2×2 pooling and no recomputed maxima.
// The `_vec4` max-pool kernels (C % 4 = 0) read and write vec4s along the channels, VEC of them
// per invocation: on SwiftShader the cost is per invocation and per load, not per value.
// Entry points bind: max_pool[_vec4]/avg_pool (src, out), avg_pool_grad[_cells] (src = dy,
// out = dx), max_pool_grad[_cells][_vec4] (src = x, dy, dx); `_vec4` views of the same buffers.

override N: u32;
override H: u32;
override W: u32;
override C: u32;
override OH: u32;
override OW: u32;
override KH: u32;
override KW: u32;
override SH: u32;
override SW: u32;
override PT: u32;
override PL: u32;
override INCLUDE_PAD: u32 = 0u;
override GRID_X: u32;

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(0) var<storage, read> src4: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> out4: array<vec4f>;
@group(0) @binding(1) var<storage, read> dy4: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> dx4: array<vec4f>;

//!EPILOGUE_BEGIN
fn epilogue(v: f32, idx: u32) -> f32 { return v; }
//!EPILOGUE_END

fn invocation(wid: vec3u, lid: vec3u) -> u32 {
  return (wid.y * GRID_X + wid.x) * 64u + lid.x;
}

// Output element t as (window top row, left column, batch, channel).
fn window(t: u32) -> vec4i {
  let c = t % C;
  let ox = (t / C) % OW;
  let oy = (t / (C * OW)) % OH;
  let n = t / (C * OW * OH);
  return vec4i(i32(oy * SH) - i32(PT), i32(ox * SW) - i32(PL), i32(n), i32(c));
}

// Flat index into x of the first maximum of window `o` (row-major scan, as PyTorch).
fn argmax(o: vec4i) -> i32 {
  var best = 0.0;
  var at = -1;
  for (var ky = 0; ky < i32(KH); ky++) {
    let iy = o.x + ky;
    if (iy < 0 || iy >= i32(H)) { continue; }
    for (var kx = 0; kx < i32(KW); kx++) {
      let ix = o.y + kx;
      if (ix < 0 || ix >= i32(W)) { continue; }
      let i = ((o.z * i32(H) + iy) * i32(W) + ix) * i32(C) + o.w;
      let v = src[i];
      if (at < 0 || v > best) {
        best = v;
        at = i;
      }
    }
  }
  return at;
}

// The number of values window `o` averages over.
fn count(o: vec4i) -> f32 {
  if (INCLUDE_PAD != 0u) { return f32(KH * KW); }
  let rows = min(o.x + i32(KH), i32(H)) - max(o.x, 0);
  let cols = min(o.y + i32(KW), i32(W)) - max(o.y, 0);
  return f32(rows * cols);
}

@compute @workgroup_size(64)
fn max_pool(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = invocation(wid, lid);
  if (t >= N * OH * OW * C) { return; }
  out[t] = epilogue(src[argmax(window(t))], t);
}

@compute @workgroup_size(64)
fn avg_pool(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = invocation(wid, lid);
  if (t >= N * OH * OW * C) { return; }
  let o = window(t);
  var sum = 0.0;
  for (var ky = max(-o.x, 0); ky < min(i32(KH), i32(H) - o.x); ky++) {
    for (var kx = max(-o.y, 0); kx < min(i32(KW), i32(W) - o.y); kx++) {
      sum += src[((o.z * i32(H) + o.x + ky) * i32(W) + o.y + kx) * i32(C) + o.w];
    }
  }
  out[t] = epilogue(sum / count(o), t);
}

// Input element t as (row + PT, column + PL, batch, channel), and the range of output rows
// and columns whose windows cover it (inclusive lower, exclusive upper).
struct Cover {
  p: vec4i,
  lo: vec2i,
  hi: vec2i,
}

fn cover(t: u32) -> Cover {
  let c = t % C;
  let ix = (t / C) % W;
  let iy = (t / (C * W)) % H;
  let n = t / (C * W * H);
  let y = i32(iy + PT);
  let x = i32(ix + PL);
  // Output oy covers y when oy·SH ≤ y ≤ oy·SH + KH − 1.
  let lo = vec2i(max(y - i32(KH) + i32(SH), 0) / i32(SH), max(x - i32(KW) + i32(SW), 0) / i32(SW));
  let hi = vec2i(min(y / i32(SH) + 1, i32(OH)), min(x / i32(SW) + 1, i32(OW)));
  return Cover(vec4i(y, x, i32(n), i32(c)), lo, hi);
}

fn windowAt(n: i32, c: i32, oy: i32, ox: i32) -> vec4i {
  return vec4i(oy * i32(SH) - i32(PT), ox * i32(SW) - i32(PL), n, c);
}

@compute @workgroup_size(64)
fn avg_pool_grad(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = invocation(wid, lid);
  if (t >= N * H * W * C) { return; }
  let k = cover(t);
  var sum = 0.0;
  for (var oy = k.lo.x; oy < k.hi.x; oy++) {
    for (var ox = k.lo.y; ox < k.hi.y; ox++) {
      let g = src[((k.p.z * i32(OH) + oy) * i32(OW) + ox) * i32(C) + k.p.w];
      sum += g / count(windowAt(k.p.z, k.p.w, oy, ox));
    }
  }
  out[t] = sum;
}

@compute @workgroup_size(64)
fn max_pool_grad(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = invocation(wid, lid);
  if (t >= N * H * W * C) { return; }
  let k = cover(t);
  var sum = 0.0;
  for (var oy = k.lo.x; oy < k.hi.x; oy++) {
    for (var ox = k.lo.y; ox < k.hi.y; ox++) {
      if (u32(argmax(windowAt(k.p.z, k.p.w, oy, ox))) == t) {
        sum += dy[((k.p.z * i32(OH) + oy) * i32(OW) + ox) * i32(C) + k.p.w];
      }
    }
  }
  dx[t] = sum;
}

// The input rows [x, y) that output row `o` of `count` owns when windows do not overlap:
// its stride cell (the first starts at 0, as padding ≥ 0), the last stretched on to `size`.
fn cell(o: u32, s: u32, p: u32, count: u32, size: u32) -> vec2i {
  let hi = select(i32((o + 1u) * s) - i32(p), i32(size), o == count - 1u);
  return vec2i(max(i32(o * s) - i32(p), 0), min(hi, i32(size)));
}

@compute @workgroup_size(64)
fn max_pool_grad_cells(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = invocation(wid, lid);
  if (t >= N * OH * OW * C) { return; }
  let o = window(t);
  let best = argmax(o);
  let g = dy[t];
  let rows = cell((t / (C * OW)) % OH, SH, PT, OH, H);
  let cols = cell((t / C) % OW, SW, PL, OW, W);
  for (var iy = rows.x; iy < rows.y; iy++) {
    for (var ix = cols.x; ix < cols.y; ix++) {
      let i = ((o.z * i32(H) + iy) * i32(W) + ix) * i32(C) + o.w;
      dx[i] = select(0.0, g, i == best);
    }
  }
}

@compute @workgroup_size(64)
fn avg_pool_grad_cells(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = invocation(wid, lid);
  if (t >= N * OH * OW * C) { return; }
  let o = window(t);
  let g = src[t] / count(o);
  let rows = cell((t / (C * OW)) % OH, SH, PT, OH, H);
  let cols = cell((t / C) % OW, SW, PL, OW, W);
  for (var iy = rows.x; iy < rows.y; iy++) {
    let inside = iy >= o.x && iy < o.x + i32(KH);
    for (var ix = cols.x; ix < cols.y; ix++) {
      let i = ((o.z * i32(H) + iy) * i32(W) + ix) * i32(C) + o.w;
      out[i] = select(0.0, g, inside && ix >= o.y && ix < o.y + i32(KW));
    }
  }
}

// vec4 blocks of channels per invocation of the `_vec4` kernels.
override VEC: u32 = 1u;

// Invocation t of a `_vec4` kernel as (output pixel, its first vec4 block), or pixel ≥ N·OH·OW.
fn pixelBlocks(t: u32) -> vec2u {
  let tiles = (C / 4u + VEC - 1u) / VEC;
  return vec2u(t / tiles, (t % tiles) * VEC);
}

// Offset in vec4s of pixel (iy, ix) of image n in x.
fn at4(n: i32, iy: i32, ix: i32) -> u32 {
  return u32((n * i32(H) + iy) * i32(W) + ix) * (C / 4u);
}

// The first maximum per channel of vec4 block q over window `o`: the window's first value, then
// any greater one (a NaN first stays, as in `argmax`), and its pixel iy·W + ix.
struct Max4 {
  value: vec4f,
  pixel: vec4i,
}

fn max4(o: vec4i, q: u32) -> Max4 {
  let y0 = max(o.x, 0);
  let x0 = max(o.y, 0);
  var best = src4[at4(o.z, y0, x0) + q];
  var arg = vec4i(y0 * i32(W) + x0);
  for (var iy = y0; iy < min(o.x + i32(KH), i32(H)); iy++) {
    for (var ix = x0; ix < min(o.y + i32(KW), i32(W)); ix++) {
      let v = src4[at4(o.z, iy, ix) + q];
      let take = v > best;
      best = select(best, v, take);
      arg = select(arg, vec4i(iy * i32(W) + ix), take);
    }
  }
  return Max4(best, arg);
}

@compute @workgroup_size(64)
fn max_pool_vec4(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let pb = pixelBlocks(invocation(wid, lid));
  if (pb.x >= N * OH * OW) { return; }
  let o = window(pb.x * C);
  for (var q = pb.y; q < min(pb.y + VEC, C / 4u); q++) {
    let best = max4(o, q).value;
    let i = pb.x * (C / 4u) + q;
    out4[i] = vec4f(epilogue(best.x, 4u * i), epilogue(best.y, 4u * i + 1u), epilogue(best.z, 4u * i + 2u), epilogue(best.w, 4u * i + 3u));
  }
}

@compute @workgroup_size(64)
fn max_pool_grad_cells_vec4(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let pb = pixelBlocks(invocation(wid, lid));
  if (pb.x >= N * OH * OW) { return; }
  let o = window(pb.x * C);
  let rows = cell((pb.x / OW) % OH, SH, PT, OH, H);
  let cols = cell(pb.x % OW, SW, PL, OW, W);
  for (var q = pb.y; q < min(pb.y + VEC, C / 4u); q++) {
    let arg = max4(o, q).pixel;
    let g = dy4[pb.x * (C / 4u) + q];
    for (var iy = rows.x; iy < rows.y; iy++) {
      for (var ix = cols.x; ix < cols.y; ix++) {
        dx4[at4(o.z, iy, ix) + q] = select(vec4f(0.0), g, arg == vec4i(iy * i32(W) + ix));
      }
    }
  }
}
