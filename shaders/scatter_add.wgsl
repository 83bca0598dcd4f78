// Scatter-add along one axis (the gradient of gather): out[o, a, i] = Σ_j [indices[j] == a] g[o, j, i]
// for g viewed as [OUTER, COUNT, INNER] and out as [OUTER, AXIS, INNER]. Each workgroup owns ROWS
// consecutive rows of one o: it zeroes them, then scans every index in order and adds the matching
// rows of g, so there is no zero pass, no atomics, and sums run in index order as on the CPU.
// Each thread zeroes and adds only the elements e ≡ lid (mod 64) of its block, so none race.
// Indices outside [0, AXIS) add nothing (gather read 0 there).

override OUTER: u32;
override AXIS: u32;
override INNER: u32;
override COUNT: u32;
override ROWS: u32;
override GRID_X: u32;

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let blocks = (AXIS + ROWS - 1u) / ROWS;
  let w = wid.y * GRID_X + wid.x;
  if (w >= OUTER * blocks) { return; }
  let o = w / blocks;
  let first = (w % blocks) * ROWS;
  let rows = min(ROWS, AXIS - first);
  let base = (o * AXIS + first) * INNER;
  for (var e = lid.x; e < rows * INNER; e += 64u) {
    out[base + e] = 0.0;
  }
  for (var j = 0u; j < COUNT; j++) {
    let a = indices[j];
    if (a < i32(first) || a >= i32(first + rows)) { continue; }
    let start = (u32(a) - first) * INNER;
    let src = (o * COUNT + j) * INNER;
    for (var e = start + (lid.x + 64u - start % 64u) % 64u; e < start + INNER; e += 64u) {
      out[base + e] += g[src + e - start];
    }
  }
}
