// conv2d forward for a short reduction (KH·KW·CIN ≤ 36: a first layer on 1–4 channels), NHWC, one
// group: x [N,H,W,CIN] * w [KH,KW,CIN,COUT] → out [N,OH,OW,COUT], COUT % 4 = 0. Each invocation
// computes 4 output pixels × 16 output channels, taking the reduction (ky, kx, ci) 4 terms at a
// time as matrix × vector products: one accumulator update per 16 multiply-adds, where a tap at a
// time (the implicit-GEMM tiles on one channel) updates it every 4, 5× dearer per FMA on SwiftShader.

//!INCLUDE conv-geometry

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4f>;

//!EPILOGUE_BEGIN
fn epilogue(v: f32, idx: u32) -> f32 { return v; }
//!EPILOGUE_END

// Output pixel m as (window top row, left column, offset of its image in x).
fn origin(m: u32) -> vec3i {
  return vec3i(i32((m / OW) % OH * SH) - i32(PT), i32(m % OW * SW) - i32(PL), i32(m / (OW * OH) * H * W * CIN));
}

// Reduction term r as (row offset, column offset, input channel) of its tap; channel -1 past the end.
fn term(r: u32) -> vec3i {
  if (r >= KH * KW * CIN) { return vec3i(0, 0, -1); }
  return vec3i(i32(r / (KW * CIN) * DH), i32((r / CIN) % KW * DW), i32(r % CIN));
}

// x at term `k` of the window at `o`; 0 in the padding and past the reduction (k.z < 0).
fn tap(o: vec3i, k: vec3i) -> f32 {
  let y = o.x + k.x;
  let xx = o.y + k.y;
  let inside = (k.z >= 0) & (y >= 0) & (xx >= 0) & (y < i32(H)) & (xx < i32(W));
  let i = (o.z + (y * i32(W) + xx) * i32(CIN) + k.z) * i32(inside);
  return select(0.0, x[i], inside);
}

// The 4 terms from r0 of pixel o's window as a vec4.
fn taps(o: vec3i, k0: vec3i, k1: vec3i, k2: vec3i, k3: vec3i) -> vec4f {
  return vec4f(tap(o, k0), tap(o, k1), tap(o, k2), tap(o, k3));
}

// Weights of 4 terms (rows from r0, zero past the reduction) for output block b: column i is term i.
fn weights(r0: u32, b: u32) -> mat4x4f {
  let blocks = COUT / 4u;
  let k = KH * KW * CIN;
  let last = (k - 1u) * blocks + b;
  let zero = vec4f(0.0);
  return mat4x4f(
    w[r0 * blocks + b],
    select(zero, w[min((r0 + 1u) * blocks + b, last)], r0 + 1u < k),
    select(zero, w[min((r0 + 2u) * blocks + b, last)], r0 + 2u < k),
    select(zero, w[min((r0 + 3u) * blocks + b, last)], r0 + 3u < k),
  );
}

fn store(m: u32, b: u32, a: vec4f) {
  let o = m * (COUT / 4u) + b;
  let i = 4u * o;
  out[o] = vec4f(epilogue(a.x, i), epilogue(a.y, i + 1u), epilogue(a.z, i + 2u), epilogue(a.w, i + 3u));
}

@compute @workgroup_size(64)
fn short_reduction(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  let blocks = COUT / 4u;
  let colTiles = (blocks + 3u) / 4u;
  let rows = N * OH * OW;
  let m0 = (t / colTiles) * 4u;
  if (m0 >= rows) { return; }
  let b0 = (t % colTiles) * 4u;
  // Pixels and blocks past the end compute the last one again and are not stored.
  let o0 = origin(m0);
  let o1 = origin(min(m0 + 1u, rows - 1u));
  let o2 = origin(min(m0 + 2u, rows - 1u));
  let o3 = origin(min(m0 + 3u, rows - 1u));
  let c1 = min(b0 + 1u, blocks - 1u);
  let c2 = min(b0 + 2u, blocks - 1u);
  let c3 = min(b0 + 3u, blocks - 1u);
  var a00 = vec4f(0.0); var a01 = vec4f(0.0); var a02 = vec4f(0.0); var a03 = vec4f(0.0);
  var a10 = vec4f(0.0); var a11 = vec4f(0.0); var a12 = vec4f(0.0); var a13 = vec4f(0.0);
  var a20 = vec4f(0.0); var a21 = vec4f(0.0); var a22 = vec4f(0.0); var a23 = vec4f(0.0);
  var a30 = vec4f(0.0); var a31 = vec4f(0.0); var a32 = vec4f(0.0); var a33 = vec4f(0.0);
  let k = KH * KW * CIN;
  for (var r0 = 0u; r0 < k; r0 += 4u) {
    let k0 = term(r0);
    let k1 = term(r0 + 1u);
    let k2 = term(r0 + 2u);
    let k3 = term(r0 + 3u);
    let x0 = taps(o0, k0, k1, k2, k3);
    let x1 = taps(o1, k0, k1, k2, k3);
    let x2 = taps(o2, k0, k1, k2, k3);
    let x3 = taps(o3, k0, k1, k2, k3);
    let w0 = weights(r0, b0);
    let w1 = weights(r0, c1);
    let w2 = weights(r0, c2);
    let w3 = weights(r0, c3);
    a00 += w0 * x0; a01 += w1 * x0; a02 += w2 * x0; a03 += w3 * x0;
    a10 += w0 * x1; a11 += w1 * x1; a12 += w2 * x1; a13 += w3 * x1;
    a20 += w0 * x2; a21 += w1 * x2; a22 += w2 * x2; a23 += w3 * x2;
    a30 += w0 * x3; a31 += w1 * x3; a32 += w2 * x3; a33 += w3 * x3;
  }
  let acc = array<vec4f, 16>(a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33);
  for (var i = 0u; i < 16u; i++) {
    let m = m0 + i / 4u;
    let b = b0 + i % 4u;
    if (m < rows && b < blocks) { store(m, b, acc[i]); }
  }
}
