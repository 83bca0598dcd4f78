// SimpleRNN over a whole sequence, one workgroup per batch row looping over time: h′ = act(x·W + b
// + h·U) written into the sequence [B, T, H]. `backward`: dA_t = (dy_t + dA_{t+1}·Uᵀ) ⊙ act′(h_t)
// (the derivative from the output), [B, T+1, H] with a last row per batch dh0 = dA_0·Uᵀ.
// ACT: 0 tanh, 1 relu, 2 sigmoid, 3 linear.
//!INCLUDE recurrent
override ACT: u32;

@group(0) @binding(0) var<storage, read> xw: array<f32>;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read> h0: array<f32>;
@group(0) @binding(3) var<storage, read_write> hs: array<f32>;

fn act(a: f32) -> f32 {
  switch ACT {
    case 0u: { return tanh_stable(a); }
    case 1u: { return max(a, 0.0); }
    case 2u: { return sigm(a); }
    default: { return a; }
  }
}

fn act_grad(h: f32) -> f32 {
  switch ACT {
    case 0u: { return 1.0 - h * h; }
    case 1u: { return select(0.0, 1.0, h > 0.0); }
    case 2u: { return h * (1.0 - h); }
    default: { return 1.0; }
  }
}

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = batch_row(wid, GRID_X);
  if (b >= B) { return; }
  for (var t = 0u; t < T; t++) {
    for (var j = lid.x; j < H; j += 64u) {
      var a = xw[(b * T + t) * H + j];
      if (t == 0u) {
        for (var k = 0u; k < H; k++) { a += h0[b * H + k] * u[k * H + j]; }
      } else {
        let prev = (b * T + t - 1u) * H;
        for (var k = 0u; k < H; k++) { a += hs[prev + k] * u[k * H + j]; }
      }
      hs[(b * T + t) * H + j] = act(a);
    }
    storageBarrier();
  }
}

@group(0) @binding(0) var<storage, read> bu: array<f32>;
@group(0) @binding(1) var<storage, read> bhs: array<f32>;
@group(0) @binding(2) var<storage, read> ghs: array<f32>;
@group(0) @binding(3) var<storage, read_write> da: array<f32>;

@compute @workgroup_size(64)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let b = batch_row(wid, GRID_X);
  if (b >= B) { return; }
  for (var s = 0u; s < T; s++) {
    let t = T - 1u - s;
    for (var j = lid.x; j < H; j += 64u) {
      var dh = ghs[(b * T + t) * H + j];
      if (t + 1u < T) {
        let next = (b * (T + 1u) + t + 1u) * H;
        for (var k = 0u; k < H; k++) { dh += da[next + k] * bu[j * H + k]; }
      }
      da[(b * (T + 1u) + t) * H + j] = dh * act_grad(bhs[(b * T + t) * H + j]);
    }
    storageBarrier();
  }
  for (var j = lid.x; j < H; j += 64u) {
    let first = b * (T + 1u) * H;
    var dh0 = 0.0;
    for (var k = 0u; k < H; k++) { dh0 += da[first + k] * bu[j * H + k]; }
    da[(b * (T + 1u) + T) * H + j] = dh0;
  }
}
