// Batched matrix product out[b] = a[b] · b[b] for contiguous a [BATCH, M, K], b [BATCH, K, N].
// A simple correct kernel: one output per thread over a 16×16 tile of the grid.

override M: u32;
override K: u32;
override N: u32;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let col = gid.x;
  let row = gid.y;
  let batch = gid.z;
  if (row >= M || col >= N) { return; }
  let aBase = batch * M * K + row * K;
  let bBase = batch * K * N + col;
  var acc = 0.0;
  for (var k = 0u; k < K; k++) {
    acc += a[aBase + k] * b[bBase + k * N];
  }
  out[batch * M * N + row * N + col] = acc;
}
