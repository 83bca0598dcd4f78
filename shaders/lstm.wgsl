// LSTM over a whole sequence, workgroups of 32 threads looping over time, each on tiles of ROWS
// batch rows (the recurrence couples only the units of one row, so rows need no global barrier; a
// tile shares each recurrent weight it loads among its rows, a thread each h among its units).
// `forward` (two tiles a workgroup, as `backward`): each step does the four h·U dot products of a unit on top of
// the precomputed x·W + b, the gate nonlinearities (order i, f, g, o) and writes h, c and the
// gates straight into the sequence cache [B, T, 6, H] = (h, c, i, f, g, o). `backward`
// walks time backwards from the gradient of the h and c slots [B, T, 2, H]: dh = dy +
// dG_{t+1}·Uᵀ, the gate gradients dG [B, T, 4H] (pre-activation), and where the initial states
// take gradients a last row per batch [dh0, dc0, 0, 0] ([B, T + 1, 4H] then).
//!INCLUDE recurrent

/** Batch rows of a tile; a last tile's missing rows repeat row B − 1 and write nothing. */
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
/** The recurrent kernel with its gates interleaved, [H, H, 4]: row k, unit j's four gates in one vec4. */
@group(0) @binding(1) var<storage, read> u: array<vec4f>;
@group(0) @binding(2) var<storage, read> h0: array<f32>;
@group(0) @binding(3) var<storage, read> c0: array<f32>;
@group(0) @binding(4) var<storage, read_write> cache: array<f32>;

/** Row k of U at unit j, the four gates. */
fn u_gates(k: u32, j: u32) -> vec4f {
  return u[k * H + j];
}

/** x·W + b of row b, step t, unit j, the four gates. */
fn x_gates(b: u32, t: u32, j: u32) -> vec4f {
  let row = (b * T + t) * 4u * H + j;
  return vec4f(xw[row], xw[row + H], xw[row + 2u * H], xw[row + 3u * H]);
}

/** The c that row b's unit j carries into step t (c0 at the first step). */
fn c_before(b: u32, t: u32, j: u32) -> f32 {
  if (t == 0u) { return c0[b * H + j]; }
  return cache[(b * T + t - 1u) * 6u * H + H + j];
}

/** The cell of row b, step t, unit j from its pre-activations `a`: writes h, c and the gates. */
fn cell(b: u32, t: u32, j: u32, a: vec4f) {
  let i = sigm(a.x);
  let f = sigm(a.y);
  let g = tanh_stable(a.z);
  let o = sigm(a.w);
  let c = f * c_before(b, t, j) + i * g;
  let base = (b * T + t) * 6u * H + j;
  cache[base] = o * tanh_stable(c);
  cache[base + H] = c;
  cache[base + 2u * H] = i;
  cache[base + 3u * H] = f;
  cache[base + 4u * H] = g;
  cache[base + 5u * H] = o;
}

/** The four gates of unit j for each row of the tile (one column a row), x·W + b only. */
fn x_tile(rows: vec4u, t: u32, j: u32) -> mat4x4f {
  return mat4x4f(x_gates(rows.x, t, j), x_gates(rows.y, t, j), x_gates(rows.z, t, j), x_gates(rows.w, t, j));
}

/** a += w·hᵀ: unit weights `w` (four gates) times the tile's rows' h, one column a row. */
fn mac(a: ptr<function, mat4x4f>, w: vec4f, h: vec4f) {
  (*a)[0] += w * h.x;
  (*a)[1] += w * h.y;
  (*a)[2] += w * h.z;
  (*a)[3] += w * h.w;
}

/**
 * A workgroup takes two tiles, 2·ROWS rows (each weight load serves eight rows), and a thread
 * units q, q + 32, q + 64, q + 96 of each block of 128 (each h load serves four units): past the
 * last unit they repeat H − 1 and write nothing; a second tile past the batch writes nothing.
 */
@compute @workgroup_size(32)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let tile = 2u * batch_row(wid, GRID_X);
  if (tile * ROWS >= B) { return; }
  let rows = tile_rows(tile);
  let real = tile_real(tile);
  let rows2 = tile_rows(tile + 1u);
  let real2 = tile_real(tile + 1u);
  let q = lid.x;
  let spread = vec4u(0u, 32u, 64u, 96u);
  for (var t = 0u; t < T; t++) {
    for (var j0 = 0u; j0 < H; j0 += 128u) {
      let units = min(vec4u(j0 + q) + spread, vec4u(H - 1u));
      var a0 = x_tile(rows, t, units.x);
      var a1 = x_tile(rows, t, units.y);
      var a2 = x_tile(rows, t, units.z);
      var a3 = x_tile(rows, t, units.w);
      var e0 = x_tile(rows2, t, units.x);
      var e1 = x_tile(rows2, t, units.y);
      var e2 = x_tile(rows2, t, units.z);
      var e3 = x_tile(rows2, t, units.w);
      if (t == 0u) {
        let p = rows * H;
        let p2 = rows2 * H;
        for (var k = 0u; k < H; k++) {
          let h = vec4f(h0[p.x + k], h0[p.y + k], h0[p.z + k], h0[p.w + k]);
          let h2 = vec4f(h0[p2.x + k], h0[p2.y + k], h0[p2.z + k], h0[p2.w + k]);
          let w0 = u_gates(k, units.x); let w1 = u_gates(k, units.y); let w2 = u_gates(k, units.z); let w3 = u_gates(k, units.w);
          mac(&a0, w0, h); mac(&a1, w1, h); mac(&a2, w2, h); mac(&a3, w3, h);
          mac(&e0, w0, h2); mac(&e1, w1, h2); mac(&e2, w2, h2); mac(&e3, w3, h2);
        }
      } else {
        let p = (rows * T + t - 1u) * 6u * H;
        let p2 = (rows2 * T + t - 1u) * 6u * H;
        for (var k = 0u; k < H; k++) {
          let h = vec4f(cache[p.x + k], cache[p.y + k], cache[p.z + k], cache[p.w + k]);
          let h2 = vec4f(cache[p2.x + k], cache[p2.y + k], cache[p2.z + k], cache[p2.w + k]);
          let w0 = u_gates(k, units.x); let w1 = u_gates(k, units.y); let w2 = u_gates(k, units.z); let w3 = u_gates(k, units.w);
          mac(&a0, w0, h); mac(&a1, w1, h); mac(&a2, w2, h); mac(&a3, w3, h);
          mac(&e0, w0, h2); mac(&e1, w1, h2); mac(&e2, w2, h2); mac(&e3, w3, h2);
        }
      }
      // One cell body in a loop over (tile, unit, row): unrolled, the 32 inlined cells made the
      // pipeline 5× slower to compile on SwiftShader.
      let live = vec4u(j0 + q) + spread < vec4u(H);
      let acc = array<mat4x4f, 8>(a0, a1, a2, a3, e0, e1, e2, e3);
      for (var n = 0u; n < 8u; n++) {
        let m = n % 4u;
        let rs = select(rows, rows2, n >= 4u);
        let rl = select(real, real2, n >= 4u) & vec4<bool>(live[m]);
        for (var r = 0u; r < ROWS; r++) {
          if (rl[r]) { cell(rs[r], t, units[m], acc[n][r]); }
        }
      }
    }
    storageBarrier();
  }
}

/** U [H, 4H] read by rows as vec4s along its 4H columns (4H is a multiple of 4). */
@group(0) @binding(0) var<storage, read> bu: array<vec4f>;
@group(0) @binding(1) var<storage, read> bcache: array<f32>;
@group(0) @binding(2) var<storage, read> bc0: array<f32>;
@group(0) @binding(3) var<storage, read> gstates: array<f32>;
@group(0) @binding(4) var<storage, read_write> dg: array<vec4f>;

/** 1 when the initial states take gradients: a last row per batch row [dh0, dc0, 0, 0] follows its steps. */
override STATE_ROWS: u32;

/** Element i of dg (bound as vec4s for the products' loads). */
fn dg_get(i: u32) -> f32 {
  return dg[i / 4u][i % 4u];
}
fn dg_set(i: u32, v: f32) {
  dg[i / 4u][i % 4u] = v;
}

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
  if (t + 1u < T) { carried = dg_get(row + H + j); }
  let c = bcache[base + H + j];
  let i = bcache[base + 2u * H + j];
  let f = bcache[base + 3u * H + j];
  let g = bcache[base + 4u * H + j];
  let o = bcache[base + 5u * H + j];
  let tc = tanh_stable(c);
  let dc = gstates[(b * T + t) * 2u * H + H + j] + carried + dh * o * (1.0 - tc * tc);
  dg_set(row + j, dc * g * i * (1.0 - i));
  dg_set(row + H + j, dc * cp * f * (1.0 - f));
  dg_set(row + 2u * H + j, dc * i * (1.0 - g * g));
  dg_set(row + 3u * H + j, dh * tc * o * (1.0 - o));
  if (t > 0u) {
    dg_set(dg_row(b, t - 1u) + H + j, dc * f);
  } else if (STATE_ROWS == 1u) {
    dg_set(dg_row(b, T) + H + j, dc * f);
  }
}

/**
 * Σ_k dG[row, k]·U[unit, k] for the rows of two tiles whose dG starts at elements `r` and `r2`
 * (multiples of 4H) and the four units of `units`, four k at a time, into `d` and `d2` (column m:
 * unit m, one entry a row): each vec4 of dG serves four units, each vec4 of weights eight rows.
 */
fn dh_of(r: vec4u, r2: vec4u, units: vec4u, d: ptr<function, mat4x4f>, d2: ptr<function, mat4x4f>) {
  let w = units * H;
  let ra = r / 4u;
  let rb = r2 / 4u;
  var s0 = vec4f(0.0);
  var s1 = vec4f(0.0);
  var s2 = vec4f(0.0);
  var s3 = vec4f(0.0);
  var e0 = vec4f(0.0);
  var e1 = vec4f(0.0);
  var e2 = vec4f(0.0);
  var e3 = vec4f(0.0);
  for (var k = 0u; k < H; k++) {
    let g = mat4x4f(dg[ra.x + k], dg[ra.y + k], dg[ra.z + k], dg[ra.w + k]);
    let g2 = mat4x4f(dg[rb.x + k], dg[rb.y + k], dg[rb.z + k], dg[rb.w + k]);
    let u0 = bu[w.x + k];
    let u1 = bu[w.y + k];
    let u2 = bu[w.z + k];
    let u3 = bu[w.w + k];
    s0 += u0 * g; s1 += u1 * g; s2 += u2 * g; s3 += u3 * g;
    e0 += u0 * g2; e1 += u1 * g2; e2 += u2 * g2; e3 += u3 * g2;
  }
  *d = mat4x4f(s0, s1, s2, s3);
  *d2 = mat4x4f(e0, e1, e2, e3);
}

/** The gradient cells of the tile's real rows at step t for the live units of `units`, dh = `dh` (column m: unit m) + dy. */
fn tile_cell_grads(rows: vec4u, real: vec4<bool>, t: u32, units: vec4u, live: vec4<bool>, dh: mat4x4f) {
  for (var r = 0u; r < ROWS; r++) {
    if (!real[r]) { continue; }
    let dy = (rows[r] * T + t) * 2u * H;
    for (var m = 0u; m < 4u; m++) {
      if (live[m]) { cell_grad(rows[r], t, units[m], dh[m][r] + gstates[dy + units[m]]); }
    }
  }
}

/** The states' row of the tile's real rows for the live units of `units`: [dh0 = `dh0`, dc0 (already there), 0, 0]. */
fn tile_state_grads(rows: vec4u, real: vec4<bool>, units: vec4u, live: vec4<bool>, dh0: mat4x4f) {
  for (var r = 0u; r < ROWS; r++) {
    if (!real[r]) { continue; }
    let last = dg_row(rows[r], T);
    for (var m = 0u; m < 4u; m++) {
      if (live[m]) {
        dg_set(last + units[m], dh0[m][r]);
        dg_set(last + 2u * H + units[m], 0.0);
        dg_set(last + 3u * H + units[m], 0.0);
      }
    }
  }
}

/**
 * A workgroup takes two tiles, as the forward does, and a thread units j, j + 32, j + 64, j + 96
 * of each block of 128: past the last unit they repeat H − 1 and write nothing. A unit stays
 * with its thread at every step (it carries dc·f in dg).
 */
@compute @workgroup_size(32)
fn backward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let tile = 2u * batch_row(wid, GRID_X);
  if (tile * ROWS >= B) { return; }
  let rows = tile_rows(tile);
  let real = tile_real(tile);
  let rows2 = tile_rows(tile + 1u);
  let real2 = tile_real(tile + 1u);
  let starts = rows * (T + STATE_ROWS);
  let starts2 = rows2 * (T + STATE_ROWS);
  let q = lid.x;
  let spread = vec4u(0u, 32u, 64u, 96u);
  for (var s = 0u; s < T; s++) {
    let t = T - 1u - s;
    for (var j0 = 0u; j0 < H; j0 += 128u) {
      let units = min(vec4u(j0 + q) + spread, vec4u(H - 1u));
      let live = vec4u(j0 + q) + spread < vec4u(H);
      var dh = mat4x4f(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
      var dh2 = dh;
      if (t + 1u < T) { dh_of((starts + t + 1u) * 4u * H, (starts2 + t + 1u) * 4u * H, units, &dh, &dh2); }
      tile_cell_grads(rows, real, t, units, live, dh);
      tile_cell_grads(rows2, real2, t, units, live, dh2);
    }
    storageBarrier();
  }
  if (STATE_ROWS == 0u) { return; }
  for (var j0 = 0u; j0 < H; j0 += 128u) {
    let units = min(vec4u(j0 + q) + spread, vec4u(H - 1u));
    let live = vec4u(j0 + q) + spread < vec4u(H);
    var dh0: mat4x4f;
    var dh02: mat4x4f;
    dh_of(starts * 4u * H, starts2 * 4u * H, units, &dh0, &dh02);
    tile_state_grads(rows, real, units, live, dh0);
    tile_state_grads(rows2, real2, units, live, dh02);
  }
}
