// Threefry 2x32-20 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"; JAX's generator),
// the counter-based generator of the random rows; src/ops/threefry.ts is the same code for the CPU
// backend, bit for bit. Element `index` of a draw is threefry(key (seed, 0), counter (index, stream)).
// Threefry over Philox: WGSL has no 32-bit high multiply, and emulating Philox's costs 2x as much.

// One round: add, rotate by the round's constant, xor.
fn wg_threefry_mix(x: vec2<u32>, r: u32) -> vec2<u32> {
  let a = x.x + x.y;
  return vec2<u32>(a, ((x.y << r) | (x.y >> (32u - r))) ^ a);
}

// Twenty rounds in five groups of four, each group followed by a key injection (written out:
// SwiftShader runs loops over a constant table several times slower).
fn wg_threefry(ctr: vec2<u32>, key: vec2<u32>) -> vec2<u32> {
  let k2 = 0x1BD11BDAu ^ key.x ^ key.y;
  var x = ctr + key;
  x = wg_threefry_mix(x, 13u); x = wg_threefry_mix(x, 15u); x = wg_threefry_mix(x, 26u); x = wg_threefry_mix(x, 6u);
  x += vec2<u32>(key.y, k2 + 1u);
  x = wg_threefry_mix(x, 17u); x = wg_threefry_mix(x, 29u); x = wg_threefry_mix(x, 16u); x = wg_threefry_mix(x, 24u);
  x += vec2<u32>(k2, key.x + 2u);
  x = wg_threefry_mix(x, 13u); x = wg_threefry_mix(x, 15u); x = wg_threefry_mix(x, 26u); x = wg_threefry_mix(x, 6u);
  x += vec2<u32>(key.x, key.y + 3u);
  x = wg_threefry_mix(x, 17u); x = wg_threefry_mix(x, 29u); x = wg_threefry_mix(x, 16u); x = wg_threefry_mix(x, 24u);
  x += vec2<u32>(key.y, k2 + 4u);
  x = wg_threefry_mix(x, 13u); x = wg_threefry_mix(x, 15u); x = wg_threefry_mix(x, 26u); x = wg_threefry_mix(x, 6u);
  x += vec2<u32>(k2, key.x + 5u);
  return x;
}

fn wg_random_bits(seed: i32, stream: i32, index: u32) -> vec2<u32> {
  return wg_threefry(vec2<u32>(index, bitcast<u32>(stream)), vec2<u32>(bitcast<u32>(seed), 0u));
}

// The top 24 bits as a float in [0, 1): every value is exact, so both backends agree bit for bit.
fn wg_unit(bits: u32) -> f32 {
  return f32(bits >> 8u) * 5.9604644775390625e-8;
}

fn wg_random_uniform(seed: i32, stream: i32, index: u32) -> f32 {
  return wg_unit(wg_random_bits(seed, stream, index).x);
}

// Box–Muller from the first two words: u1 in (0, 1] keeps the logarithm finite. Its log and cos
// are written out (Cephes' float polynomials, about 1 ulp): WGSL's builtins may be coarse
// approximations (SwiftShader's differ from exact by ~1e-4), and both backends must agree.
fn wg_random_normal(seed: i32, stream: i32, index: u32) -> f32 {
  let w = wg_random_bits(seed, stream, index);
  let r = sqrt(-2.0 * wg_log_unit(wg_unit(w.x) + 5.9604644775390625e-8));
  return r * wg_cos_turns(wg_unit(w.y) - 0.5);
}

// log(x) for x in (0, 1].
fn wg_log_unit(x: f32) -> f32 {
  let parts = frexp(x);
  var m = parts.fract;
  var e = f32(parts.exp);
  if (m < 0.70710678118654752) {
    e -= 1.0;
    m = m + m - 1.0;
  } else {
    m = m - 1.0;
  }
  let z = m * m;
  var y = ((((((((7.0376836292e-2 * m - 1.1514610310e-1) * m + 1.1676998740e-1) * m - 1.2420140846e-1) * m + 1.4249322787e-1) * m - 1.6668057665e-1) * m + 2.0000714765e-1) * m - 2.4999993993e-1) * m + 3.3333331174e-1) * m * z;
  y += -2.12194440e-4 * e - 0.5 * z;
  return m + y + 0.693359375 * e;
}

// cos(2π t) for t in [-1/2, 1/2], reduced to |x| ≤ π/4 (the differences are exact in f32).
fn wg_cos_turns(t: f32) -> f32 {
  let a = abs(t);
  if (a <= 0.125) { return wg_cos_poly(6.2831853071795865 * a); }
  if (a <= 0.375) { return wg_sin_poly(6.2831853071795865 * (0.25 - a)); }
  return -wg_cos_poly(6.2831853071795865 * (0.5 - a));
}

fn wg_sin_poly(x: f32) -> f32 {
  let z = x * x;
  return ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * x + x;
}

fn wg_cos_poly(x: f32) -> f32 {
  let z = x * x;
  return ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
}

// An integer in [0, range) (range read as u32): the first word modulo range, exact.
fn wg_random_below(seed: i32, stream: i32, range: i32, index: u32) -> i32 {
  return bitcast<i32>(wg_random_bits(seed, stream, index).x % bitcast<u32>(range));
}
