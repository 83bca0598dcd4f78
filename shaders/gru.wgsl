// GRU over a whole sequence (reset_after, PyTorch's and Keras's default), one workgroup per
// batch row looping over time. `forward`: per unit, the three h·U dot products plus the
// recurrent bias, gates r, z (sigmoid) and n = tanh(x·Wn + bn + r ⊙ (h·Un + bhn)), h′ = (1 − z) ⊙ n
// + z ⊙ h, written into the cache [B, T, 5, H] = (h, r, z, n, h·Un + bhn). `backward`: per step
// the gradients of x·W + b and of h·U + bh, [B, T, 6H] = (dxw [3H], dhu [3H]), and a last row
// per batch [dh0, (scratch), 0…].
//!INCLUDE recurrent

@group(0) @binding(0) var<storage, read> xw: array<f32>;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read> bh: array<f32>;
@group(0) @binding(3) var<storage, read> h0: array<f32>;
@group(0) @binding(4) var<storage, read_write> cache: array<f32>;

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = batch_row(wid, GRID_X);
  if (b >= B) { return; }
  let G = 3u * H;
  for (var t = 0u; t < T; t++) {
    for (var j = lid.x; j < H; j += 64u) {
      var a = vec3f(bh[j], bh[H + j], bh[2u * H + j]);
      var hp: f32;
      if (t == 0u) {
        for (var k = 0u; k < H; k++) {
          let r = k * G + j;
          a += h0[b * H + k] * vec3f(u[r], u[r + H], u[r + 2u * H]);
        }
        hp = h0[b * H + j];
      } else {
        let prev = (b * T + t - 1u) * 5u * H;
        for (var k = 0u; k < H; k++) {
          let r = k * G + j;
          a += cache[prev + k] * vec3f(u[r], u[r + H], u[r + 2u * H]);
        }
        hp = cache[prev + j];
      }
      let xrow = (b * T + t) * G;
      let r = sigm(xw[xrow + j] + a.x);
      let z = sigm(xw[xrow + H + j] + a.y);
      let n = tanh_stable(xw[xrow + 2u * H + j] + r * a.z);
      let base = (b * T + t) * 5u * H + j;
      cache[base] = (1.0 - z) * n + z * hp;
      cache[base + H] = r;
      cache[base + 2u * H] = z;
      cache[base + 3u * H] = n;
      cache[base + 4u * H] = a.z;
    }
    storageBarrier();
  }
}

@group(0) @binding(0) var<storage, read> bu: array<f32>;
@group(0) @binding(1) var<storage, read> bcache: array<f32>;
@group(0) @binding(2) var<storage, read> bh0: array<f32>;
@group(0) @binding(3) var<storage, read> gcache: array<f32>;
@group(0) @binding(4) var<storage, read_write> dg: array<f32>;

@compute @workgroup_size(64)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = batch_row(wid, GRID_X);
  if (b >= B) { return; }
  let G = 3u * H;
  let W = 6u * H;
  let last = (b * (T + 1u) + T) * W;
  for (var j = lid.x; j < H; j += 64u) {
    for (var q = 0u; q < 6u; q++) { dg[last + q * H + j] = 0.0; }
  }
  for (var s = 0u; s < T; s++) {
    let t = T - 1u - s;
    for (var j = lid.x; j < H; j += 64u) {
      let base = (b * T + t) * 5u * H;
      var dh = gcache[base + j] + dg[last + H + j];
      if (t + 1u < T) {
        let next = (b * (T + 1u) + t + 1u) * W + G;
        for (var k = 0u; k < G; k++) { dh += dg[next + k] * bu[j * G + k]; }
      }
      var hp: f32;
      if (t == 0u) { hp = bh0[b * H + j]; } else { hp = bcache[base - 5u * H + j]; }
      let r = bcache[base + H + j];
      let z = bcache[base + 2u * H + j];
      let n = bcache[base + 3u * H + j];
      let hn = bcache[base + 4u * H + j];
      let dan = dh * (1.0 - z) * (1.0 - n * n);
      let dar = dan * hn * r * (1.0 - r);
      let daz = dh * (hp - n) * z * (1.0 - z);
      let row = (b * (T + 1u) + t) * W;
      dg[row + j] = dar;
      dg[row + H + j] = daz;
      dg[row + 2u * H + j] = dan;
      dg[row + G + j] = dar;
      dg[row + G + H + j] = daz;
      dg[row + G + 2u * H + j] = dan * r;
      dg[last + H + j] = dh * z;
    }
    storageBarrier();
  }
  for (var j = lid.x; j < H; j += 64u) {
    let first = b * (T + 1u) * W + G;
    var dh0 = dg[last + H + j];
    for (var k = 0u; k < G; k++) { dh0 += dg[first + k] * bu[j * G + k]; }
    dg[last + j] = dh0;
    dg[last + H + j] = 0.0;
  }
}
