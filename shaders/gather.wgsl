// Gather along one axis: out[o, j, i] = x[o, indices[j], i] for x viewed as [OUTER, AXIS, INNER]
// and COUNT indices. An index outside [0, AXIS) gives 0 and is reported through the device's error
// flags (word 0: 1 for gather, word 1: the first bad index, word 2: AXIS), read with the next readback. Values are copied as raw 32-bit words,
// so one kernel serves every dtype; a float32 gather may carry a fused elementwise epilogue (the
// words pass through it as f32; for other dtypes it stays the identity and is never spliced).

override OUTER: u32;
override AXIS: u32;
override INNER: u32;
override COUNT: u32;
override GRID_X: u32;

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(2) @binding(0) var<storage, read_write> wg_errors: array<atomic<u32>, 4>;

//!EPILOGUE_BEGIN
fn epilogue(v: f32, idx: u32) -> f32 { return v; }
//!EPILOGUE_END

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = (wid.y * GRID_X + wid.x) * 64u + lid.x;
  if (t >= OUTER * COUNT * INNER) { return; }
  let i = t % INNER;
  let j = (t / INNER) % COUNT;
  let o = t / (INNER * COUNT);
  let a = indices[j];
  if (a < 0 || u32(a) >= AXIS) {
    if (atomicCompareExchangeWeak(&wg_errors[0], 0u, 1u).exchanged) {
      atomicStore(&wg_errors[1], bitcast<u32>(a));
      atomicStore(&wg_errors[2], AXIS);
    }
    out[t] = bitcast<u32>(epilogue(0.0, t));
    return;
  }
  out[t] = bitcast<u32>(epilogue(bitcast<f32>(x[(o * AXIS + u32(a)) * INNER + i]), t));
}
