// conv2d forward for a short reduction (KH·KW·CIN ≤ 36: a first layer on 1–4 channels), NHWC, one
// group: x [N,H,W,CIN] * w [KH,KW,CIN,COUT] → out [N,OH,OW,COUT], COUT % 4 = 0. The helpers; the
// entry point and w's binding are generated unrolled by src/ops/conv-direct.ts.

//!INCLUDE conv-geometry

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4f>;

//!EPILOGUE_BEGIN
fn epilogue(v: f32, idx: u32) -> f32 { return v; }
//!EPILOGUE_END

// x at (row, col, channel ci) of the image whose first element is img; 0 in the padding.
fn tap(row: i32, col: i32, img: i32, ci: i32) -> f32 {
  let inside = (row >= 0) & (col >= 0) & (row < i32(H)) & (col < i32(W));
  let i = (img + (row * i32(W) + col) * i32(CIN) + ci) * i32(inside);
  return select(0.0, x[i], inside);
}

// Output channels 4b..4b+3 of output pixel m.
fn store(m: u32, b: u32, a: vec4f) {
  let o = m * (COUT / 4u) + b;
  let i = 4u * o;
  out[o] = vec4f(epilogue(a.x, i), epilogue(a.y, i + 1u), epilogue(a.z, i + 2u), epilogue(a.w, i + 3u));
}
