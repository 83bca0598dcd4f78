// The second pass of scatter-add (the gradient of gather): out[o, a, i] = Σ_j [indices[j] == a]
// g[o, j, i] for g viewed as [OUTER, COUNT, INNER] and out as [OUTER, AXIS, INNER]. Workgroup
// (o, b) owns bucket b's BUCKET_ROWS rows of o: it zeroes them, then walks the bucket's positions j
// (shaders/scatter_buckets.wgsl), increasing, adding row j of g to row indices[j]. So there is no
// zero pass and no atomics, and sums run in index order, as on the CPU. Each thread zeroes and
// adds only the elements e ≡ lid (mod 64) of its rows, so none race.

override OUTER: u32;
override AXIS: u32;
override INNER: u32;
override COUNT: u32;
override BUCKET_ROWS: u32;
override GRID_X: u32;

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read> buckets: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let used = (AXIS + BUCKET_ROWS - 1u) / BUCKET_ROWS;
  let w = wid.y * GRID_X + wid.x;
  if (w >= OUTER * used) { return; }
  let o = w / used;
  let b = w % used;
  let first = b * BUCKET_ROWS;
  let rows = min(BUCKET_ROWS, AXIS - first);
  let base = (o * AXIS + first) * INNER;
  for (var e = lid.x; e < rows * INNER; e += 64u) {
    out[base + e] = 0.0;
  }
  for (var k = u32(buckets[b]); k < u32(buckets[b + 1u]); k++) {
    let j = u32(buckets[65u + k]);
    let start = (u32(indices[j]) - first) * INNER;
    let src = (o * COUNT + j) * INNER;
    for (var e = start + (lid.x + 64u - start % 64u) % 64u; e < start + INNER; e += 64u) {
      out[base + e] += g[src + e - start];
    }
  }
}
