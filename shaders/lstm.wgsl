// LSTM over a whole sequence, one workgroup per tile of ROWS batch rows looping over time (the
// recurrence couples only the units of one row, so rows need no global barrier; a tile shares
// each recurrent weight it loads among its rows). `forward`: each step does the four h·U dot
// products of a unit on top of the precomputed x·W + b, the gate nonlinearities (order i, f, g, o)
// and writes h, c and the gates straight into the sequence cache [B, T, 6, H] = (h, c, i, f, g, o).
// `backward` walks time backwards from the gradient of the h and c slots [B, T, 2, H]: dh = dy +
// dG_{t+1}·Uᵀ, the gate gradients dG [B, T, 4H] (pre-activation), and where the initial states
// take gradients a last row per batch [dh0, dc0, 0, 0] ([B, T + 1, 4H] then).
//!INCLUDE recurrent

/** Batch rows of a workgroup's tile; a last tile's missing rows repeat row B − 1 and write nothing. */
const ROWS = 4u;

/** The batch rows of tile `tile`, clamped into the batch. */
fn tile_rows(tile: u32) -> vec4u {
  return min(vec4u(tile * ROWS) + vec4u(0u, 1u, 2u, 3u), vec4u(B - 1u));
}

/** Which rows of tile `tile` are in the batch (the first always is). */
fn tile_real(tile: u32) -> vec4<bool> {
  return vec4u(tile * ROWS) + vec4u(0u, 1u, 2u, 3u) < vec4u(B);
}

@group(0) @binding(0) var<storage, read> xw: array<f32>;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read> h0: array<f32>;
@group(0) @binding(3) var<storage, read> c0: array<f32>;
@group(0) @binding(4) var<storage, read_write> cache: array<f32>;

/** Row k of U at unit j, the four gates. */
fn u_gates(k: u32, j: u32) -> vec4f {
  let r = k * 4u * H + j;
  return vec4f(u[r], u[r + H], u[r + 2u * H], u[r + 3u * H]);
}

/** x·W + b of row b, step t, unit j, the four gates. */
fn x_gates(b: u32, t: u32, j: u32) -> vec4f {
  let row = (b * T + t) * 4u * H + j;
  return vec4f(xw[row], xw[row + H], xw[row + 2u * H], xw[row + 3u * H]);
}

/** The cell of row b, step t, unit j from its pre-activations `a` and previous c: writes h, c and the gates. */
fn cell(b: u32, t: u32, j: u32, a: vec4f, cp: f32) {
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

@compute @workgroup_size(64)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let tile = batch_row(wid, GRID_X);
  if (tile * ROWS >= B) { return; }
  let rows = tile_rows(tile);
  let real = tile_real(tile);
  // A thread takes units j and j2 = j + 64 of each block of 128 (j2 repeats H − 1 past the last unit and writes nothing).
  for (var t = 0u; t < T; t++) {
    for (var j = lid.x; j < H; j += 128u) {
      let j2 = min(j + 64u, H - 1u);
      var a0 = x_gates(rows.x, t, j);
      var a1 = x_gates(rows.y, t, j);
      var a2 = x_gates(rows.z, t, j);
      var a3 = x_gates(rows.w, t, j);
      var b0 = x_gates(rows.x, t, j2);
      var b1 = x_gates(rows.y, t, j2);
      var b2 = x_gates(rows.z, t, j2);
      var b3 = x_gates(rows.w, t, j2);
      var cp: vec4f;
      var cp2: vec4f;
      if (t == 0u) {
        let p = rows * H;
        for (var k = 0u; k < H; k++) {
          let h = vec4f(h0[p.x + k], h0[p.y + k], h0[p.z + k], h0[p.w + k]);
          let w = u_gates(k, j);
          let w2 = u_gates(k, j2);
          a0 += h.x * w; a1 += h.y * w; a2 += h.z * w; a3 += h.w * w;
          b0 += h.x * w2; b1 += h.y * w2; b2 += h.z * w2; b3 += h.w * w2;
        }
        cp = vec4f(c0[p.x + j], c0[p.y + j], c0[p.z + j], c0[p.w + j]);
        cp2 = vec4f(c0[p.x + j2], c0[p.y + j2], c0[p.z + j2], c0[p.w + j2]);
      } else {
        // The previous step's h (slot 0) of each row; its c is slot 1.
        let p = (rows * T + t - 1u) * 6u * H;
        for (var k = 0u; k < H; k++) {
          let h = vec4f(cache[p.x + k], cache[p.y + k], cache[p.z + k], cache[p.w + k]);
          let w = u_gates(k, j);
          let w2 = u_gates(k, j2);
          a0 += h.x * w; a1 += h.y * w; a2 += h.z * w; a3 += h.w * w;
          b0 += h.x * w2; b1 += h.y * w2; b2 += h.z * w2; b3 += h.w * w2;
        }
        cp = vec4f(cache[p.x + H + j], cache[p.y + H + j], cache[p.z + H + j], cache[p.w + H + j]);
        cp2 = vec4f(cache[p.x + H + j2], cache[p.y + H + j2], cache[p.z + H + j2], cache[p.w + H + j2]);
      }
      let second = j + 64u < H;
      cell(rows.x, t, j, a0, cp.x);
      if (second) { cell(rows.x, t, j2, b0, cp2.x); }
      if (real.y) { cell(rows.y, t, j, a1, cp.y); if (second) { cell(rows.y, t, j2, b1, cp2.y); } }
      if (real.z) { cell(rows.z, t, j, a2, cp.z); if (second) { cell(rows.z, t, j2, b2, cp2.z); } }
      if (real.w) { cell(rows.w, t, j, a3, cp.w); if (second) { cell(rows.w, t, j2, b3, cp2.w); } }
    }
    storageBarrier();
  }
}

@group(0) @binding(0) var<storage, read> bu: array<f32>;
@group(0) @binding(1) var<storage, read> bcache: array<f32>;
@group(0) @binding(2) var<storage, read> bc0: array<f32>;
@group(0) @binding(3) var<storage, read> gstates: array<f32>;
@group(0) @binding(4) var<storage, read_write> dg: array<f32>;

/** 1 when the initial states take gradients: a last row per batch row [dh0, dc0, 0, 0] follows its steps. */
override STATE_ROWS: u32;

/** Where the gate gradients of row b, step t begin in dg; step T is the states' row. */
fn dg_row(b: u32, t: u32) -> u32 {
  return (b * (T + STATE_ROWS) + t) * 4u * H;
}

/**
 * The gradient cell of row b, step t, unit j given dh (the output gradient's share included):
 * writes the gate gradients and carries dc·f to step t − 1 in that step's f slot (not written
 * yet, and read only by this thread), or to the states' row after step 0.
 */
fn cell_grad(b: u32, t: u32, j: u32, dh: f32) {
  let base = (b * T + t) * 6u * H;
  let row = dg_row(b, t);
  var cp: f32;
  if (t == 0u) { cp = bc0[b * H + j]; } else { cp = bcache[base - 5u * H + j]; }
  var carried = 0.0;
  if (t + 1u < T) { carried = dg[row + H + j]; }
  let c = bcache[base + H + j];
  let i = bcache[base + 2u * H + j];
  let f = bcache[base + 3u * H + j];
  let g = bcache[base + 4u * H + j];
  let o = bcache[base + 5u * H + j];
  let tc = tanh_stable(c);
  let dc = gstates[(b * T + t) * 2u * H + H + j] + carried + dh * o * (1.0 - tc * tc);
  dg[row + j] = dc * g * i * (1.0 - i);
  dg[row + H + j] = dc * cp * f * (1.0 - f);
  dg[row + 2u * H + j] = dc * i * (1.0 - g * g);
  dg[row + 3u * H + j] = dh * tc * o * (1.0 - o);
  if (t > 0u) {
    dg[dg_row(b, t - 1u) + H + j] = dc * f;
  } else if (STATE_ROWS == 1u) {
    dg[dg_row(b, T) + H + j] = dc * f;
  }
}

/**
 * Σ_k dG[row_r, k]·U[unit, k] for the four rows starting at dG offsets `r` and the four units of
 * `units` (one column each): each dG load serves four units, each weight load four rows.
 */
fn dh_of(r: vec4u, units: vec4u) -> mat4x4f {
  let G = 4u * H;
  let w = units * G;
  var s0 = vec4f(0.0);
  var s1 = vec4f(0.0);
  var s2 = vec4f(0.0);
  var s3 = vec4f(0.0);
  for (var k = 0u; k < G; k++) {
    let d = vec4f(dg[r.x + k], dg[r.y + k], dg[r.z + k], dg[r.w + k]);
    s0 += d * bu[w.x + k];
    s1 += d * bu[w.y + k];
    s2 += d * bu[w.z + k];
    s3 += d * bu[w.w + k];
  }
  return mat4x4f(s0, s1, s2, s3);
}

@compute @workgroup_size(64)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let tile = batch_row(wid, GRID_X);
  if (tile * ROWS >= B) { return; }
  let rows = tile_rows(tile);
  let real = tile_real(tile);
  let starts = (rows * (T + STATE_ROWS));
  // Thread q < 32 takes units j, j + 32, j + 64, j + 96 of each block of 128 (the rest idle): past
  // the last unit they repeat H − 1 and write nothing. A unit stays with its thread at every step.
  let q = lid.x;
  let spread = vec4u(0u, 32u, 64u, 96u);
  for (var s = 0u; s < T; s++) {
    let t = T - 1u - s;
    for (var j0 = 0u; j0 < H && q < 32u; j0 += 128u) {
      let units = min(vec4u(j0 + q) + spread, vec4u(H - 1u));
      var dh = mat4x4f(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
      if (t + 1u < T) { dh = dh_of((starts + t + 1u) * 4u * H, units); }
      for (var r = 0u; r < ROWS; r++) {
        if (!real[r]) { continue; }
        let dy = (rows[r] * T + t) * 2u * H;
        for (var m = 0u; m < 4u; m++) {
          if (j0 + q + spread[m] < H) { cell_grad(rows[r], t, units[m], dh[m][r] + gstates[dy + units[m]]); }
        }
      }
    }
    storageBarrier();
  }
  if (STATE_ROWS == 0u) { return; }
  for (var j0 = 0u; j0 < H && q < 32u; j0 += 128u) {
    let units = min(vec4u(j0 + q) + spread, vec4u(H - 1u));
    let dh0 = dh_of(starts * 4u * H, units);
    for (var r = 0u; r < ROWS; r++) {
      if (!real[r]) { continue; }
      let last = dg_row(rows[r], T);
      for (var m = 0u; m < 4u; m++) {
        if (j0 + q + spread[m] < H) {
          dg[last + units[m]] = dh0[m][r];
          dg[last + 2u * H + units[m]] = 0.0;
          dg[last + 3u * H + units[m]] = 0.0;
        }
      }
    }
  }
}
