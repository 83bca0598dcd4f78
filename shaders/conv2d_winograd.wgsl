// Winograd F(2×2, 3×3) for 3×3 stride-1 convolutions, NHWC, without workgroup memory: the
// forward conv (src = x, out = y) and its input gradient (src = dy, out = dx, w read flipped and
// transposed). src/ops/conv-winograd.ts appends `main_winograd`, unrolled; this holds what it calls.

//!INCLUDE conv-geometry

// Buffers are bound whole (allocated in multiples of 16 bytes), so vec4 views are always valid.
@group(0) @binding(0) var<storage, read> src: array<vec4f>;
@group(0) @binding(1) var<storage, read> w: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

//!EPILOGUE_BEGIN
fn epilogue(v: f32, idx: u32) -> f32 { return v; }
//!EPILOGUE_END

// Bᵀ applied along 4 values (the columns of d): the input transform's 1-D step.
fn input_step(d: mat4x4f) -> mat4x4f {
  return mat4x4f(d[0] - d[2], d[1] + d[2], d[2] - d[1], d[1] - d[3]);
}

// Aᵀ applied along 4 values: the output transform's 1-D step, 4 → 2.
fn output_step(m0: vec4f, m1: vec4f, m2: vec4f, m3: vec4f) -> mat2x4f {
  return mat2x4f(m0 + m1 + m2, m1 - m2 - m3);
}

// The 4 output channels from flat index o of one output pixel, through the fused epilogue.
fn store(o: u32, v: vec4f) {
  out[o] = epilogue(v.x, o);
  out[o + 1u] = epilogue(v.y, o + 1u);
  out[o + 2u] = epilogue(v.z, o + 2u);
  out[o + 3u] = epilogue(v.w, o + 3u);
}
