// LSTM over a whole sequence, one workgroup per batch row looping over time (the recurrence
// couples only the units of one row, so rows need no global barrier). `forward`: each step does
// the four h·U dot products of a unit on top of the precomputed x·W + b, the gate
// nonlinearities (order i, f, g, o) and writes h, c and the gates straight into the sequence
// cache [B, T, 6, H] = (h, c, i, f, g, o). `backward` walks time backwards: dh = dy + dG_{t+1}·Uᵀ,
// the gate gradients dG [B, T, 4H] (pre-activation), and a last row per batch [dh0, dc0, 0, 0].
//!INCLUDE recurrent

@group(0) @binding(0) var<storage, read> xw: array<f32>;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read> h0: array<f32>;
@group(0) @binding(3) var<storage, read> c0: array<f32>;
@group(0) @binding(4) var<storage, read_write> cache: array<f32>;

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = batch_row(wid, GRID_X);
  if (b >= B) { return; }
  let G = 4u * H;
  for (var t = 0u; t < T; t++) {
    for (var j = lid.x; j < H; j += 64u) {
      let xrow = (b * T + t) * G;
      var a = vec4f(xw[xrow + j], xw[xrow + H + j], xw[xrow + 2u * H + j], xw[xrow + 3u * H + j]);
      var cp: f32;
      if (t == 0u) {
        for (var k = 0u; k < H; k++) {
          let r = k * G + j;
          a += h0[b * H + k] * vec4f(u[r], u[r + H], u[r + 2u * H], u[r + 3u * H]);
        }
        cp = c0[b * H + j];
      } else {
        let prev = (b * T + t - 1u) * 6u * H;
        for (var k = 0u; k < H; k++) {
          let r = k * G + j;
          a += cache[prev + k] * vec4f(u[r], u[r + H], u[r + 2u * H], u[r + 3u * H]);
        }
        cp = cache[prev + H + j];
      }
      let i = sigm(a.x);
      let f = sigm(a.y);
      let g = tanh_stable(a.z);
      let o = sigm(a.w);
      let c = f * cp + i * g;
      let base = (b * T + t) * 6u * H + j;
      cache[base] = o * tanh_stable(c);
      cache[base + H] = c;
      cache[base + 2u * H] = i;
      cache[base + 3u * H] = f;
      cache[base + 4u * H] = g;
      cache[base + 5u * H] = o;
    }
    storageBarrier();
  }
}

@group(0) @binding(0) var<storage, read> bu: array<f32>;
@group(0) @binding(1) var<storage, read> bcache: array<f32>;
@group(0) @binding(2) var<storage, read> bc0: array<f32>;
@group(0) @binding(3) var<storage, read> gcache: array<f32>;
@group(0) @binding(4) var<storage, read_write> dg: array<f32>;

@compute @workgroup_size(64)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = batch_row(wid, GRID_X);
  if (b >= B) { return; }
  let G = 4u * H;
  let last = (b * (T + 1u) + T) * G;
  for (var j = lid.x; j < H; j += 64u) {
    dg[last + j] = 0.0;
    dg[last + H + j] = 0.0;
    dg[last + 2u * H + j] = 0.0;
    dg[last + 3u * H + j] = 0.0;
  }
  for (var s = 0u; s < T; s++) {
    let t = T - 1u - s;
    for (var j = lid.x; j < H; j += 64u) {
      let base = (b * T + t) * 6u * H;
      var dh = gcache[base + j];
      if (t + 1u < T) {
        let next = (b * (T + 1u) + t + 1u) * G;
        for (var k = 0u; k < G; k++) { dh += dg[next + k] * bu[j * G + k]; }
      }
      var cp: f32;
      if (t == 0u) { cp = bc0[b * H + j]; } else { cp = bcache[base - 5u * H + j]; }
      let c = bcache[base + H + j];
      let i = bcache[base + 2u * H + j];
      let f = bcache[base + 3u * H + j];
      let g = bcache[base + 4u * H + j];
      let o = bcache[base + 5u * H + j];
      let tc = tanh_stable(c);
      let dc = gcache[base + H + j] + dg[last + H + j] + dh * o * (1.0 - tc * tc);
      let row = (b * (T + 1u) + t) * G;
      dg[row + j] = dc * g * i * (1.0 - i);
      dg[row + H + j] = dc * cp * f * (1.0 - f);
      dg[row + 2u * H + j] = dc * i * (1.0 - g * g);
      dg[row + 3u * H + j] = dh * tc * o * (1.0 - o);
      dg[last + H + j] = dc * f;
    }
    storageBarrier();
  }
  for (var j = lid.x; j < H; j += 64u) {
    let first = b * (T + 1u) * G;
    var dh0 = 0.0;
    for (var k = 0u; k < G; k++) { dh0 += dg[first + k] * bu[j * G + k]; }
    dg[last + j] = dh0;
  }
}
